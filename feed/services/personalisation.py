"""Feedback and the personal model it trains."""

import scipy.sparse as sp
from django.db import transaction

from feed.models import Article, Feedback, PersonalModel
from feed.ranking import features
from feed.ranking.personal import PersonalModel as Model

# The personal model learns from this many of the reader's most recent signals.
HISTORY = 500
# Background articles used as weak negatives while a reader has only liked things.
BACKGROUND = 200
SIMILAR_COSINE = 0.3


def record_feedback(user, article: Article, signal: str) -> bool:
    """Store a signal (idempotent per user, article and signal) and refit the
    reader's model so the next request already reflects it. True when new."""
    with transaction.atomic():
        _, created = Feedback.objects.get_or_create(
            user=user, article=article, signal=signal
        )
        if signal == Feedback.Signal.LIKE:
            Feedback.objects.filter(
                user=user, article=article, signal=Feedback.Signal.DISLIKE
            ).delete()
        elif signal == Feedback.Signal.DISLIKE:
            Feedback.objects.filter(
                user=user, article=article, signal=Feedback.Signal.LIKE
            ).delete()
    if created:
        refit_personal_model(user)
    return created


def withdraw_feedback(user, article: Article, signal: str) -> bool:
    """Undo a signal (unsave, unlike, unhide); True when there was one."""
    deleted, _ = Feedback.objects.filter(
        user=user, article=article, signal=signal
    ).delete()
    if deleted:
        refit_personal_model(user)
    return bool(deleted)


def refit_personal_model(user) -> PersonalModel | None:
    events = list(
        Feedback.objects.filter(user=user)
        .order_by("-created_at")
        .values_list("signal", "article__vector")[:HISTORY]
    )
    if not events:
        PersonalModel.objects.filter(user=user).delete()
        return None
    X = features.decode_rows(v for _, v in events)
    signals = [s for s, _ in events]
    seen = Feedback.objects.filter(user=user).values("article_id")
    background_vectors = (
        Article.objects.exclude(pk__in=seen)
        .order_by("-published_at")
        .values_list("vector", flat=True)[:BACKGROUND]
    )
    background = features.decode_rows(background_vectors)
    model = Model().fit(X, signals, background=background)
    row, _ = PersonalModel.objects.update_or_create(
        user=user, defaults={"state": model.to_bytes(), "n_updates": len(events)}
    )
    return row


def model_for(user) -> Model | None:
    state = (
        PersonalModel.objects.filter(user=user).values_list("state", flat=True).first()
    )
    return Model.from_bytes(state) if state else None


def liked_matrix(user, *, limit: int = 200) -> sp.csr_matrix:
    vectors = (
        Feedback.objects.filter(
            user=user, signal__in=[Feedback.Signal.LIKE, Feedback.Signal.SAVE]
        )
        .order_by("-created_at")
        .values_list("article__vector", flat=True)[:limit]
    )
    return features.decode_rows(vectors)
