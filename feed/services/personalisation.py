"""Feedback and the personal model it trains."""

import numpy as np
import scipy.sparse as sp
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q

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


def vectors_and_liked(
    user, article_ids: list[int], *, limit: int = 200
) -> tuple[dict[int, bytes], sp.csr_matrix]:
    """Stored feature rows of `article_ids`, and the rows of the reader's latest
    liked or saved articles (as liked_matrix), in one query."""
    liked_ids = (
        Feedback.objects.filter(
            user=user, signal__in=[Feedback.Signal.LIKE, Feedback.Signal.SAVE]
        )
        .order_by("-created_at")
        .values("article_id")[:limit]
    )
    vectors: dict[int, bytes] = {}
    liked: list[bytes] = []
    wanted = set(article_ids)
    for article_id, vector, is_liked in (
        Article.objects.filter(Q(pk__in=article_ids) | Q(pk__in=liked_ids))
        .annotate(is_liked=ExpressionWrapper(Q(pk__in=liked_ids), BooleanField()))
        .values_list("id", "vector", "is_liked")
    ):
        if article_id in wanted:
            vectors[article_id] = vector
        if is_liked:
            liked.append(vector)
    return vectors, features.decode_rows(liked)


def count_similar(liked: sp.csr_matrix, article: Article) -> int:
    if liked.shape[0] == 0 or not article.vector:
        return 0
    row = features.decode_rows([article.vector])
    similarity = (liked @ row.T).toarray().ravel()
    return int(np.count_nonzero(similarity >= SIMILAR_COSINE))
