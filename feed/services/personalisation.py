"""Feedback and the personal model it trains."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from feed.models import Article, Feedback, PersonalModel, Topic, visible_articles
from feed.ranking import features
from feed.ranking.personal import PersonalModel as Model

# The personal model learns from this many of the reader's most recent signals.
HISTORY = 500
# Unrated candidates that standardise the personal score, and the weak opposite
# while a reader's feedback is all one way (feed.ranking.personal).
BACKGROUND = 200
SIMILAR_COSINE = 0.3
REPLACES = {
    Feedback.Signal.LIKE: Feedback.Signal.DISLIKE,
    Feedback.Signal.DISLIKE: Feedback.Signal.LIKE,
}


def articles_for_feedback(user) -> QuerySet:
    """The articles a reader may rate: those they see (from a default source or
    one they follow) and those they rated before (a save from a source they
    removed stays theirs, and can be withdrawn)."""
    theirs = Feedback.objects.filter(user=user, article_id=OuterRef("pk"))
    return Article.objects.filter(visible_articles(user) | Q(Exists(theirs)))


def _one_at_a_time(user) -> None:
    """Inside a transaction: wait for the reader's other feedback changes and
    refits to commit (a lock on their row). A like and a dislike sent at once
    would otherwise each delete the other's uncommitted row and keep both, and a
    slow refit could store a model older than the one a newer signal trained."""
    users = get_user_model().objects.select_for_update()
    list(users.filter(pk=user.pk).values_list("pk"))


def record_feedback(user, article: Article, signal: str) -> bool:
    """Store a signal (idempotent per user, article and signal) and refit the
    reader's model so the next request already reflects it. True when new. A like
    replaces the card's dislike and the other way round."""
    with transaction.atomic():
        _one_at_a_time(user)
        _, created = Feedback.objects.get_or_create(
            user=user, article=article, signal=signal
        )
        if signal in REPLACES:
            _on_card(user, article).filter(signal=REPLACES[signal]).delete()
    if created:
        refit_personal_model(user)
    return created


def withdraw_feedback(user, article: Article, signal: str) -> bool:
    """Undo a signal (unsave, unlike, unhide) given to the article's card, whichever
    copy of the story holds it; True when there was one."""
    with transaction.atomic():
        _one_at_a_time(user)
        deleted, _ = _on_card(user, article).filter(signal=signal).delete()
    if deleted:
        refit_personal_model(user)
    return bool(deleted)


def signals_on_card(user, article: Article) -> frozenset[str]:
    """The signals the reader gave the article's card, whichever copy of the story
    holds them."""
    return frozenset(_on_card(user, article).values_list("signal", flat=True))


def _on_card(user, article: Article) -> QuerySet:
    """The reader's feedback on the article and on the copies of its story they
    see: a story's card shows the signals given to any of these
    (reading.card_signals), so a change made there applies to them all."""
    on_card = Q(article=article)
    if article.story_id is not None:
        copies = Article.objects.visible_to(user).filter(story_id=article.story_id)
        on_card |= Q(article__in=copies)
    return Feedback.objects.filter(on_card, user=user)


def refit_personal_model(user) -> PersonalModel | None:
    """Fit the reader's model on their newest signals and store it. One refit of a
    reader at a time (see _one_at_a_time): the last to store has read the newest
    signals."""
    with transaction.atomic():
        _one_at_a_time(user)
        return _refit(user)


def _refit(user) -> PersonalModel | None:
    events = list(
        Feedback.objects.filter(user=user)
        .order_by("-created_at")
        .values_list("signal", "article__vector", "article__topic_scores")[:HISTORY]
    )
    if not events:
        PersonalModel.objects.filter(user=user).delete()
        return None
    X = features.decode_rows(vector for _, vector, _ in events)
    background = background_sample(user)
    model = Model().fit(
        X,
        [signal for signal, _, _ in events],
        background=features.decode_rows(vector for vector, _ in background),
        topic_scores=[scores or {} for _, _, scores in events],
        background_topic_scores=[scores or {} for _, scores in background],
    )
    row = PersonalModel.objects.filter(user=user).first() or PersonalModel(user=user)
    if row.pk is not None:
        row.previous_state, row.previous_updated_at = row.state, row.updated_at
    row.state, row.n_updates = model.to_bytes(), len(events)
    row.save()
    return row


def background_sample(user) -> list[tuple[bytes, dict]]:
    """(vector, topic scores) of the newest articles the reader's feed would show
    them and they have not rated: about a topic they follow when there are enough
    of those, else any recent ones."""
    unrated = Article.objects.visible_to(user).exclude(
        pk__in=Feedback.objects.filter(user=user).values("article_id")
    )
    keys = [
        topic.score_key for topic in Topic.objects.filter(follows__user=user).only("id")
    ]
    columns = ("vector", "topic_scores")
    rows = []
    if keys:
        rows = list(
            unrated.filter(topic_scores__has_any_keys=keys)
            .order_by("-published_at")
            .values_list(*columns)[:BACKGROUND]
        )
    if len(rows) < BACKGROUND // 4:
        rows = list(
            unrated.order_by("-published_at").values_list(*columns)[:BACKGROUND]
        )
    return rows


def model_for(user, *, as_of: datetime | None = None) -> Model | None:
    """The reader's personal model, or with `as_of` the one they had then: a page
    after the first keeps the order of the first (a like on page 1 refits the
    model, and the new one would repeat and skip cards on page 2); the next first
    page uses the new model."""
    models = PersonalModel.objects.filter(user=user)
    row = models.values_list("state", "updated_at", "previous_updated_at").first()
    if row is None:
        return None
    state, updated_at, previous_updated_at = row
    if as_of is not None and updated_at > as_of:
        # Fitted after that page: the one it replaced, if that one was there then.
        known_then = previous_updated_at is not None and previous_updated_at <= as_of
        state = (
            models.values_list("previous_state", flat=True).first()
            if known_then
            else None
        )
    return Model.from_bytes(state) if state else None


def liked_articles(user, *, limit: int = 200) -> list[tuple[int, int | None, bytes]]:
    """(id, story id, vector) of the stories the reader liked or saved most
    recently, newest first: one row per story (its newest like or save), so that a
    story liked and saved, or liked in two copies, counts once."""
    rows = Feedback.objects.filter(
        user=user, signal__in=[Feedback.Signal.LIKE, Feedback.Signal.SAVE]
    ).order_by("-created_at")
    seen: set[tuple[str, int]] = set()
    result = []
    for article_id, story_id, vector in rows.values_list(
        "article_id", "article__story_id", "article__vector"
    )[: 2 * limit]:
        key = ("story", story_id) if story_id is not None else ("article", article_id)
        if key not in seen:
            seen.add(key)
            result.append((article_id, story_id, vector))
    return result[:limit]
