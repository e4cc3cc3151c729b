"""A reader's ranked feed: candidates, blend, diversity and a reason per item."""

import base64
import binascii
import json
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from feed.ingest.clean import plain_text
from feed.models import (
    Article,
    Feedback,
    Follow,
    Mute,
    ReadMark,
    Topic,
    visible_articles,
)
from feed.ranking import blend, explain, features, mutes
from feed.ranking.topics import probability_columns
from feed.services import personalisation, scoring, verdicts

# Topics shown as chips on a card: probability at least this.
CHIP_PROBABILITY = 0.5
# With a topic filter, only articles at least this likely to be about it.
FILTER_PROBABILITY = 0.3
WIDENING_HOURS = (7 * 24, 30 * 24, None)
# A topic contributing at least this much to a score is named in the why line, if
# the article is also at least CHIP_PROBABILITY about it (the card shows its chip).
WHY_TOPIC = 0.25
WHY_CACHE_SECONDS = 7 * 24 * 3600
MUTES_CACHE_SECONDS = 24 * 3600
# A digest includes articles that arrived since the last one, if not much older.
SINCE_SLACK = timedelta(days=2)
FIRST_WORD = re.compile(r"[^\W_]+")
ASCII_RUN = re.compile(r"[A-Za-z0-9]+")
# Muted words looked for per query: SQLite parses an OR of n conditions as a tree n
# deep, and refuses one deeper than 1000.
MUTE_RUNS_PER_QUERY = 100
# A cursor this server issues is about 50 characters, and dated after this.
MAX_CURSOR_LENGTH = 200
CURSOR_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
# More cards than any reader pages through; an offset plus a page still fits the
# databases' 64-bit integers (SQLite fails on more, PostgreSQL's bigint too).
MAX_CURSOR_OFFSET = 10**9


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True)
class TopicChip:
    slug: str
    name: str
    probability: float


@dataclass(frozen=True)
class FeedItem:
    article: Article
    score: float
    why: str
    topics: tuple[TopicChip, ...]
    # The same story from the reader's other sources, one article per source.
    others: tuple[Article, ...] = ()
    # The card signals the reader already gave (shown as pressed buttons).
    signals: frozenset[str] = frozenset()

    @property
    def story_size(self) -> int:
        """Sources telling this story, this one included."""
        return 1 + len(self.others)

    @property
    def topic_slugs(self) -> frozenset[str]:
        return frozenset(chip.slug for chip in self.topics)


@dataclass(frozen=True)
class FeedPage:
    items: list[FeedItem]
    next_cursor: str | None
    as_of: datetime
    # Every topic the reader follows (the page's topic filter), when known.
    followed_topics: tuple[Topic, ...] = ()


# Signals a card shows as already given.
CARD_SIGNALS = (Feedback.Signal.LIKE, Feedback.Signal.SAVE)


def with_card_signals(articles: QuerySet, user) -> QuerySet:
    """Annotate each article with whether the reader liked or saved it, so cards
    need no query of their own."""
    given = Feedback.objects.filter(user=user, article=OuterRef("pk"))
    return articles.annotate(
        **{
            f"given_{signal}": Exists(given.filter(signal=signal))
            for signal in CARD_SIGNALS
        }
    )


def card_articles(
    user, ids: list[int], story_ids: Iterable[int | None]
) -> tuple[dict[int, Article], dict[int, tuple]]:
    """The cards' articles by id (with the reader's card signals), and for each the
    other articles of its story from other sources the reader can see and has not
    muted, one per source, newest first: one query for both. `story_ids`: the
    stories of `ids` (None for an article alone), given as values so that both
    halves of the query use an index (a subquery there made PostgreSQL scan the
    whole table)."""
    stories = sorted({story for story in story_ids if story is not None})
    wanted_rows = Q(pk__in=ids)
    if stories:
        wanted_rows |= Q(story_id__in=stories) & visible_articles(user)
    rows = with_card_signals(
        Article.objects.select_related("source").filter(wanted_rows), user
    ).order_by("-published_at", "-id")
    wanted = set(ids)
    articles: dict[int, Article] = {}
    by_story: dict[int, list[Article]] = {}
    for article in rows:
        if article.pk in wanted:
            articles[article.pk] = article
        if article.story_id is not None:
            by_story.setdefault(article.story_id, []).append(article)
    # A copy the reader muted is not offered on its story's card either.
    muted = muted_ids(
        user,
        [a.pk for story in by_story.values() for a in story if a.pk not in wanted],
    )
    others: dict[int, tuple] = {}
    for article_id, article in articles.items():
        seen = {article.source_id}
        siblings = []
        for other in by_story.get(article.story_id, ()):
            if other.source_id not in seen and other.pk not in muted:
                seen.add(other.source_id)
                siblings.append(other)
        others[article_id] = tuple(siblings)
    return articles, others


def card_signals(*articles: Article) -> frozenset[str]:
    """The card signals given to any of a card's articles: its own and the rest of
    its story on the card (the card shows the newest copy of a story, which may not
    be the one the reader saved)."""
    return frozenset(
        s for s in CARD_SIGNALS for a in articles if getattr(a, f"given_{s}", False)
    )


def blend_weights() -> blend.BlendWeights:
    return blend.BlendWeights(half_life_hours=settings.RANK_RECENCY_HALF_LIFE_HOURS)


def encode_cursor(offset: int, as_of: datetime) -> str:
    raw = json.dumps({"o": offset, "t": as_of.timestamp()}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, datetime]:
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise InvalidCursor("The cursor is not one this server issued.")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        offset, stamp = int(data["o"]), float(data["t"])
        as_of = datetime.fromtimestamp(stamp, tz=UTC)
    except (
        ValueError,
        KeyError,
        TypeError,
        binascii.Error,
        OverflowError,
        OSError,  # a timestamp the platform cannot represent
    ) as exc:
        raise InvalidCursor("The cursor is not one this server issued.") from exc
    if not 0 <= offset <= MAX_CURSOR_OFFSET or not (
        CURSOR_EPOCH <= as_of <= timezone.now() + timedelta(days=1)
    ):
        raise InvalidCursor("The cursor is not one this server issued.")
    return offset, as_of


def candidate_queryset(user, *, as_of: datetime):
    """What the reader's pages choose from as of `as_of`: articles published by
    then, less the stories they hid or disliked by then. Later dismissals leave the
    ranking of a page's cursor unchanged, so that the next page neither repeats nor
    skips a card (see dismissed_after)."""
    dismissed = Feedback.objects.filter(
        user=user, signal__in=Feedback.DISMISSING, created_at__lte=as_of
    )
    dismissed_stories = dismissed.filter(article__story__isnull=False).values(
        "article__story_id"
    )
    queryset = (
        Article.objects.visible_to(user)
        .filter(published_at__lte=as_of)
        .exclude(pk__in=dismissed.values("article_id"))
        .exclude(story_id__in=dismissed_stories)
    )
    return queryset


def dismissed_after(user, as_of: datetime) -> tuple[set[int], set[int]]:
    """The articles and the stories the reader hid or disliked after `as_of`: they
    keep their place in the ranking of a cursor (candidate_queryset) and are left
    off its page."""
    rows = list(
        Feedback.objects.filter(
            user=user, signal__in=Feedback.DISMISSING, created_at__gt=as_of
        ).values_list("article_id", "article__story_id")
    )
    return {a for a, _ in rows}, {s for _, s in rows if s is not None}


def mute_phrases(user) -> list[str]:
    """The reader's muted phrases, cached until one changes (forget_mutes)."""
    key = f"mutes:{user.pk}"
    phrases = cache.get(key)
    if phrases is None:
        phrases = list(Mute.objects.filter(user=user).values_list("phrase", flat=True))
        cache.set(key, phrases, timeout=MUTES_CACHE_SECONDS)
    return phrases


def forget_mutes(sender, instance: Mute, **kwargs) -> None:
    cache.delete(f"mutes:{instance.user_id}")


def muted_ids(user, ids: list[int]) -> set[int]:
    """Which of `ids` match one of the reader's muted phrases (feed.ranking.mutes
    semantics). SQL narrows the articles to those containing a phrase's first word;
    the matcher decides on their text.

    Databases fold the case of ASCII letters alone (SQLite) or as their locale says,
    the matcher that of every letter: SQL looks for the longest ASCII run of a word
    ("lys" for "Élysée", which then finds "ÉLYSÉE" too), and a word without one
    narrows nothing."""
    phrases = mute_phrases(user)
    matcher = mutes.compile_mutes(phrases)
    first_words = {m.group(0) for p in matcher.phrases if (m := FIRST_WORD.search(p))}
    if not first_words or not ids:
        return set()
    runs = {max(ASCII_RUN.findall(word), key=len, default="") for word in first_words}
    suspects = Article.objects.filter(pk__in=ids)
    if "" in runs:
        groups = [suspects]
    else:
        ordered = sorted(runs)
        groups = [
            suspects.filter(_containing(ordered[start : start + MUTE_RUNS_PER_QUERY]))
            for start in range(0, len(ordered), MUTE_RUNS_PER_QUERY)
        ]
    muted: dict[int, bool] = {}
    for group in groups:
        for article_id, title, summary in group.values_list("id", "title", "summary"):
            if article_id not in muted:
                muted[article_id] = matcher.matches_any(title, plain_text(summary))
    return {article_id for article_id, is_muted in muted.items() if is_muted}


def _containing(runs: Iterable[str]) -> Q:
    contains = Q()
    for run in runs:
        contains |= Q(title__icontains=run) | Q(summary__icontains=run)
    return contains


def rank_feed_for(
    user,
    *,
    limit: int = 20,
    cursor: str | None = None,
    topic: Topic | None = None,
    now: datetime | None = None,
    since: datetime | None = None,
    hide_read: bool = False,
    leave_out: Collection[int] = (),
) -> FeedPage:
    """One page of the reader's feed, best first.

    `topic` narrows the feed to one topic; `since` keeps only articles that arrived
    after that time (for digests) instead of the widening recent window;
    `hide_read` leaves out the stories the reader scrolled past
    (feed.models.ReadMark): another outlet's copy of a story read is read too;
    `leave_out`: articles shown elsewhere already (an earlier digest), left out
    with their stories.
    """
    offset, as_of = decode_cursor(cursor) if cursor else (0, now or timezone.now())

    follows = list(Follow.objects.filter(user=user).select_related("topic"))
    if topic is not None:
        weights = {f.topic_id: f.weight for f in follows}
        followed = [(topic, weights.get(topic.pk, 1.0) or 1.0)]
    else:
        followed = [(f.topic, f.weight) for f in follows]

    candidates = candidate_queryset(user, as_of=as_of)
    if cursor:  # Articles fetched since the first page wait for a new first page.
        candidates = candidates.filter(fetched_at__lte=as_of)
    stated = verdicts.stated_by(user)
    if topic is not None:
        on, on_stories = stated.selected([topic.score_key], on_topic=True)
        off, off_stories = stated.selected([topic.score_key], on_topic=False)
        about = candidates.about(topic, at_least=FILTER_PROBABILITY)
        if on or on_stories:
            about |= candidates.filter(Q(pk__in=on) | Q(story_id__in=on_stories))
        if off or off_stories:
            about = about.exclude(Q(pk__in=off) | Q(story_id__in=off_stories))
        candidates = about
    if hide_read:
        # Cards read after as_of were on earlier pages: the offset counts them.
        read = ReadMark.objects.filter(user=user, created_at__lte=as_of)
        read_stories = read.filter(article__story__isnull=False).values(
            "article__story_id"
        )
        candidates = candidates.exclude(pk__in=read.values("article_id")).exclude(
            story_id__in=read_stories
        )
    if leave_out:
        shown_stories = Article.objects.filter(
            pk__in=leave_out, story__isnull=False
        ).values("story_id")
        candidates = candidates.exclude(pk__in=leave_out).exclude(
            story_id__in=shown_stories
        )
    if since is not None:
        candidates = candidates.filter(
            fetched_at__gte=since, published_at__gte=since - SINCE_SLACK
        )
    personal_model = personalisation.model_for(user, as_of=as_of if cursor else None)
    columns = [
        "id",
        "published_at",
        "source_id",
        "story_id",
        "source__prior",
        "topic_scores",
    ]
    if personal_model is not None:
        columns.append("vector")

    def newest(queryset) -> list[tuple]:
        return list(
            queryset.order_by("-published_at", "-id").values_list(*columns)[
                : settings.FEED_MAX_CANDIDATES
            ]
        )

    if topic is None and followed:
        # Articles none of the reader's topics touches (p < 0.05 for all) would rank
        # below the rest anyway; leaving them in the database keeps the window
        # small. They come back, below the rest, while the topical ones are fewer
        # than a full window (a new deployment, a quiet topic).
        keys = [t.score_key for t, _ in followed]
        on, on_stories = stated.selected(keys, on_topic=True)
        rows = newest(
            candidates.filter(
                Q(topic_scores__has_any_keys=keys)
                | Q(pk__in=on)
                | Q(story_id__in=on_stories)
            )
        )
        if len(rows) < settings.FEED_MIN_CANDIDATES and since is None:
            # (Not for a digest: "what mattered to you since yesterday" lists
            # fewer stories rather than stories about nothing the reader follows.)
            rows = newest(candidates)
    else:
        rows = newest(candidates)
    if since is None:
        rows = _window(rows, as_of=as_of)
    muted = muted_ids(user, [r[0] for r in rows])
    rows = [r for r in rows if r[0] not in muted]
    followed_topics = tuple(f.topic for f in follows)
    if not rows:
        return FeedPage(
            items=[], next_cursor=None, as_of=as_of, followed_topics=followed_topics
        )

    ids = np.array([r[0] for r in rows], dtype=np.int64)
    keys = [t.score_key for t, _ in followed]
    # Stored probabilities as this reader sees them (their topic verdicts applied).
    topic_scores = [verdicts.apply(r[5] or {}, stated.on(r[0], r[3])) for r in rows]
    probabilities = probability_columns(topic_scores, keys).astype(np.float32)
    personal = np.zeros(len(rows))
    if personal_model is not None:
        personal = personal_model.decision_function(
            features.decode_rows(r[6] for r in rows), topic_scores=topic_scores
        )

    ages = np.array([(as_of - r[1]).total_seconds() / 3600 for r in rows])
    c = blend.Candidates(
        ids=ids,
        topic_probs=probabilities,
        follow_weights=np.array([w for _, w in followed], dtype=np.float32),
        personal=personal,
        age_hours=ages,
        source_ids=np.array([r[2] for r in rows], dtype=np.int64),
        story_ids=np.array([r[3] if r[3] is not None else -r[0] for r in rows]),
        source_prior=np.array([r[4] for r in rows], dtype=np.float32),
    )
    # One card beyond the page tells whether there is a next page.
    order, scored = blend.rank(c, blend_weights(), limit=offset + limit + 1)
    page = order[offset : offset + limit]
    if cursor:  # A first page's as_of is now: nothing was dismissed after it.
        gone, gone_stories = dismissed_after(user, as_of)
        page = [
            p
            for p in page
            if int(c.ids[p]) not in gone and int(c.story_ids[p]) not in gone_stories
        ]
    next_cursor = (
        encode_cursor(offset + limit, as_of) if offset + limit < len(order) else None
    )
    items = _items(user, page, c, scored, followed, personal_model, stated)
    return FeedPage(
        items=items,
        next_cursor=next_cursor,
        as_of=as_of,
        followed_topics=followed_topics,
    )


def _window(rows: list[tuple], *, as_of: datetime) -> list[tuple]:
    """The recent window, widened step by step while it holds too few articles."""
    minimum = settings.FEED_MIN_CANDIDATES
    for hours in (settings.FEED_WINDOW_HOURS, *WIDENING_HOURS):
        if hours is None:
            return rows
        since = as_of - timedelta(hours=hours)
        inside = [r for r in rows if r[1] >= since]
        if len(inside) >= minimum:
            return inside
    return rows


def visible_topics(user) -> dict[str, tuple[str, str]]:
    """Topic.score_key -> (slug, name) of the topics the reader may see."""
    return {
        t.score_key: (t.slug, t.name)
        for t in Topic.objects.visible_to(user).only("slug", "name")
    }


def card_chips(
    scores: Mapping[str, float], visible: Mapping[str, tuple[str, str]]
) -> tuple[TopicChip, ...]:
    """The topics a card shows as chips: those at CHIP_PROBABILITY or more, most
    probable first."""
    return tuple(
        sorted(
            (
                TopicChip(*visible[key], probability)
                for key, probability in scores.items()
                if probability >= CHIP_PROBABILITY and key in visible
            ),
            key=lambda chip: -chip.probability,
        )
    )


def _items(user, page, c, scored, followed, personal_model, stated) -> list[FeedItem]:
    ids = [int(c.ids[p]) for p in page]
    # Candidates alone in their story carry -id as story id (blend.Candidates).
    stories = [int(c.story_ids[p]) if c.story_ids[p] > 0 else None for p in page]
    articles, others = card_articles(user, ids, stories)
    visible = visible_topics(user)
    topics = [t for t, _ in followed]
    terms_by_article = _matched_terms(
        [articles[i] for i in ids], scored.topic[page], topics, c.topic_probs[page]
    )
    explained = [p for p in page if scored.personal[p] > explain.PERSONAL_SHOWN]
    similar: dict[int, int] = {}
    if explained and personal_model is not None:
        liked = personalisation.liked_articles(user)
        cards = [articles[int(c.ids[p])] for p in explained]
        # A story the reader liked is not "similar" to itself.
        itself = np.array(
            [
                [i == card.pk or (s is not None and s == card.story_id)
                 for i, s, _ in liked]
                for card in cards
            ],
            dtype=bool,
        ).reshape(len(cards), len(liked))  # fmt: skip
        counts = explain.count_similar(
            features.decode_rows(vector for *_, vector in liked),
            features.decode_rows(card.vector for card in cards),
            exclude=itself,
        )
        similar = dict(zip(explained, counts.tolist(), strict=True))
    topic_names = {key: name for key, (_, name) in visible.items()}
    items = []
    for p in page:
        article = articles[int(c.ids[p])]
        stated_here = stated.on(article.pk, article.story_id)
        scores = verdicts.apply(article.topic_scores or {}, stated_here)
        liked_similar, liked_topics = similar.get(p, 0), []
        if p in similar:
            liked_topics = explain.liked_topics(
                personal_model.topic_contributions(scores),
                topic_names,
            )
        items.append(
            FeedItem(
                article=article,
                score=float(scored.total[p]),
                why=explain.why(
                    scored,
                    p,
                    topic_names=[t.name for t in topics],
                    matched_terms=terms_by_article[article.pk],
                    liked_similar=liked_similar,
                    liked_topics=liked_topics,
                    marked_topics=[
                        topic_names[key]
                        for key, on_topic in stated_here.items()
                        if on_topic and key in topic_names
                    ],
                    topic_threshold=WHY_TOPIC,
                    topic_probabilities=c.topic_probs[p],
                    min_probability=CHIP_PROBABILITY,
                ),
                topics=card_chips(scores, visible),
                others=others[article.pk],
                signals=card_signals(article, *others[article.pk]),
            )
        )
    return items


def _matched_terms(
    articles, contributions, topics, probabilities, *, k: int = 3
) -> dict[int, list[str]]:
    """For each article, its words behind its two strongest followed topics that
    the why line names (explain.why), alternating between them, at most k.

    A topic model's words for an article do not change until the model is refitted,
    so they are cached per article, topic and model version."""
    classifiers = scoring.topic_classifiers(topics) if topics else {}
    wanted: dict[str, tuple[object, Topic]] = {}
    plan: dict[int, list[str]] = {}
    for article, row, chance in zip(
        articles, contributions, probabilities, strict=True
    ):
        named = (row >= WHY_TOPIC) & (chance >= CHIP_PROBABILITY)
        strongest = [
            topics[j] for j in np.argsort(-np.where(named, row, -1))[:2] if named[j]
        ]
        plan[article.pk] = []
        for topic in strongest:
            key = f"why:{article.pk}:{topic.pk}:{scoring.model_version(topic.pk)}"
            plan[article.pk].append(key)
            wanted[key] = (article, topic)
    found = cache.get_many(list(wanted))
    missing = {key: value for key, value in wanted.items() if key not in found}
    if missing:
        for key, (article, topic) in missing.items():
            doc = features.Document(
                article.title, plain_text(article.summary, max_chars=1000)
            )
            found[key] = explain.matched_terms(doc, classifiers[topic.pk], k=k)
        cache.set_many({key: found[key] for key in missing}, timeout=WHY_CACHE_SECONDS)
    result: dict[int, list[str]] = {}
    for article_id, keys in plan.items():
        chosen: list[str] = []
        lists = [found[key] for key in keys]
        for rank in range(k):
            for terms in lists:
                seen = {c.casefold() for c in chosen}
                if rank < len(terms) and terms[rank].casefold() not in seen:
                    chosen.append(terms[rank])
        result[article_id] = chosen[:k]
    return result
