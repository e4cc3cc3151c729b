"""What a reader tunes: how much each followed topic weighs, topics of their own,
and words they never want to see."""

import re
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from feed.models import Article, Follow, Mute, Topic, TopicModel
from feed.ranking.topics import TopicClassifier
from feed.services import scoring

# "Less", "normal" and "more" on the topics page.
WEIGHTS = {"less": 0.5, "normal": 1.0, "more": 2.0}
MAX_SEED_TERMS = 20
MAX_SEED_TERM_CHARS = 80
# A new or edited topic of a reader's own is fitted on this many recent articles
# right away (well under a second), and with the rest at the next model refresh.
RECENT_FIT_ARTICLES = 3000


def weight_name(weight: float) -> str:
    """The closest of "less", "normal", "more" to a stored weight."""
    return min(WEIGHTS, key=lambda name: abs(WEIGHTS[name] - weight))


def set_follow_weight(user, topic: Topic, weight: float) -> Follow:
    """Follow `topic` with this weight (following it if not yet)."""
    follow, _ = Follow.objects.update_or_create(
        user=user, topic=topic, defaults={"weight": weight}
    )
    return follow


class OwnTopicRefused(ValueError):
    """A topic of one's own that cannot be made; the message says why and what to
    do instead."""


def seed_terms_from(words: str) -> list[str]:
    """Terms from what a reader typed: separated by commas, semicolons or lines,
    each once. All of them: seed_terms_problem says when they are too many or too
    long."""
    terms = []
    for part in re.split(r"[,;\n]", words):
        term = " ".join(part.split())
        if term and term.lower() not in {t.lower() for t in terms}:
            terms.append(term)
    return terms


def seed_terms_problem(terms: list[str]) -> str | None:
    """Why these terms cannot describe a topic as they are, if they cannot."""
    if len(terms) > MAX_SEED_TERMS:
        return (
            f"Give at most {MAX_SEED_TERMS} words or phrases (these are "
            f"{len(terms)}): keep the ones that say most about the topic."
        )
    for term in terms:
        if len(term) > MAX_SEED_TERM_CHARS:
            return (
                f"Each word or phrase can have at most {MAX_SEED_TERM_CHARS} "
                f"characters; “{term[:30]}…” has {len(term)}. Separate phrases "
                "with commas."
            )
    return None


def seed_words_for(topic: Topic) -> str:
    """A topic's words as its edit form shows them (seed_terms_from reads them
    back unchanged)."""
    return ", ".join(topic.seed_term_list)


def own_topic_problem(user, name: str, *, editing: Topic | None = None) -> str | None:
    """Why the reader cannot have (another) topic of their own called `name`, if
    they cannot: they have as many as there can be, or a topic they see already has
    that name (`editing`: the topic being renamed, which may keep its name)."""
    others = Topic.objects.visible_to(user)
    if editing is not None:
        others = others.exclude(pk=editing.pk)
    elif others.filter(owner=user).count() >= settings.OWN_TOPICS_MAX:
        return (
            f"You have {settings.OWN_TOPICS_MAX} topics of your own, the most there "
            "can be: delete one you no longer need to make another."
        )
    wanted = " ".join(name.split()).casefold()
    for topic in others.only("name", "owner_id"):
        if topic.name.casefold() == wanted:
            if topic.owner_id is None:
                return (
                    f"“{topic.name}” is a built-in topic: follow it on the topics "
                    "page, or give yours another name."
                )
            return f"You already have a topic called “{topic.name}”."
    return None


def _lock_own_topics(user) -> None:
    """Serialise changes to the reader's own topics (inside a transaction), so that
    a form sent twice at once cannot make the same topic twice."""
    list(get_user_model().objects.select_for_update().filter(pk=user.pk).values("pk"))


def _unique_slug(name: str) -> str:
    base = slugify(name)[:60] or "topic"
    while True:
        slug = f"{base}-{secrets.token_hex(3)}"
        if not Topic.objects.filter(slug=slug).exists():
            return slug


def create_own_topic(user, *, name: str, words: str) -> Topic:
    """A topic of the reader's own, followed at once and scored on recent articles;
    raises OwnTopicRefused (see own_topic_problem and seed_terms_problem)."""
    terms = seed_terms_from(words)
    with transaction.atomic():
        _lock_own_topics(user)
        if problem := own_topic_problem(user, name) or seed_terms_problem(terms):
            raise OwnTopicRefused(problem)
        topic = Topic.objects.create(
            owner=user,
            slug=_unique_slug(name),
            name=name.strip(),
            description=", ".join(terms),
            seed_terms="\n".join(terms),
        )
        Follow.objects.create(user=user, topic=topic)
    fit_on_recent_articles(topic)
    return topic


def update_own_topic(topic: Topic, *, name: str, words: str) -> Topic:
    """Rename and redescribe a topic of the reader's own; raises OwnTopicRefused
    (see own_topic_problem and seed_terms_problem)."""
    terms = seed_terms_from(words)
    with transaction.atomic():
        _lock_own_topics(topic.owner)
        if problem := own_topic_problem(
            topic.owner, name, editing=topic
        ) or seed_terms_problem(terms):
            raise OwnTopicRefused(problem)
        topic.name = name.strip()
        topic.description = ", ".join(terms)
        topic.seed_terms = "\n".join(terms)
        topic.save(update_fields=["name", "description", "seed_terms"])
    fit_on_recent_articles(topic)
    return topic


def delete_own_topic(topic: Topic) -> None:
    key = topic.score_key
    with transaction.atomic():
        topic.delete()
        _set_scores(Article.objects.filter(topic_scores__has_key=key), key, {})


def fit_on_recent_articles(topic: Topic) -> int:
    """Fit the topic's classifier on the most recent articles, store it, and store
    the topic's probability in each of them; returns how many were scored.

    The same pseudo-labelling the periodic refresh does for every topic, on a
    smaller sample and for one topic, so a reader's new topic has chips, a filter
    and a ranking on their very next page instead of after the next refresh."""
    articles = list(
        Article.objects.only("id", "vector", "title", "summary", "content").order_by(
            "-id"
        )[:RECENT_FIT_ARTICLES]
    )
    key = topic.score_key
    if not articles:
        TopicModel.objects.filter(topic=topic).delete()
        return 0
    X = scoring.article_matrix(articles)
    classifier = TopicClassifier().fit(X, scoring.topic_spec(topic))
    probabilities = classifier.predict_proba(X)
    scores = {
        a.pk: round(float(p), 4)
        for a, p in zip(articles, probabilities, strict=True)
        if p >= scoring.STORE_MIN_PROBABILITY
    }
    with transaction.atomic():
        TopicModel.objects.update_or_create(
            topic=topic,
            defaults={
                "state": classifier.to_bytes(),
                "trained_at": timezone.now(),
                "n_documents": X.shape[0],
            },
        )
        # Older articles scored under the topic's previous words lose the score;
        # the next refresh of every model rescores them.
        touched = Article.objects.filter(
            Q(topic_scores__has_key=key) | Q(pk__in=[a.pk for a in articles])
        )
        _set_scores(touched, key, scores)
    return len(articles)


def _set_scores(articles, key: str, scores: dict[int, float]) -> None:
    """Set (or remove) one topic's probability in each article's topic_scores,
    locking the rows so a concurrent rescore of other topics is not lost."""
    rows = list(articles.select_for_update().only("id", "topic_scores"))
    for article in rows:
        if article.pk in scores:
            article.topic_scores[key] = scores[article.pk]
        else:
            article.topic_scores.pop(key, None)
    Article.objects.bulk_update(rows, ["topic_scores"], batch_size=500)


def normalise_phrase(phrase: str) -> str:
    """A muted phrase on one line in lower case, letter for letter: a letter whose
    lower case is longer (the "İ" of "İstanbul" is "i" and a combining dot) stays
    as typed, which the matcher's case-insensitive words still match."""
    folded = "".join(c if len(c.lower()) > 1 else c.lower() for c in phrase)
    return " ".join(folded.split())[:100]


class TooManyMutes(Exception):
    """The reader mutes as many phrases as allowed (MUTES_MAX); str() says so."""


def mutes_max() -> int:
    return settings.MUTES_MAX


def mute_problem(user, phrase: str) -> str | None:
    """Why the reader cannot mute `phrase`, if they cannot: they mute as many
    phrases as there can be (MUTES_MAX), and this one is not among them."""
    limit = mutes_max()
    mutes = Mute.objects.filter(user=user)
    if mutes.count() < limit or mutes.filter(phrase=normalise_phrase(phrase)).exists():
        return None
    return (
        f"You mute {limit} words and phrases, the most there can be: unmute one to "
        "mute another."
    )


def add_mute(user, phrase: str) -> Mute:
    """Mute a phrase (TooManyMutes past MUTES_MAX); muting it again changes
    nothing."""
    if problem := mute_problem(user, phrase):
        raise TooManyMutes(problem)
    mute, _ = Mute.objects.get_or_create(user=user, phrase=normalise_phrase(phrase))
    return mute


def remove_mute(mute: Mute) -> None:
    mute.delete()
