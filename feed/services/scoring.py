"""Topic probabilities per article, and refreshing the topic models they come from.

New articles get their probabilities when they are stored (feed.services.ingestion
calls `topic_scores_for`); `score_articles` rescores stored articles after a model
refresh or for any article a dead worker left unscored.
"""

import logging
from collections.abc import Sequence
from datetime import datetime

import numpy as np
import scipy.sparse as sp
from django.db import connection, transaction
from django.db.models import Count, F, Min
from django.utils import timezone

from feed.ingest.clean import plain_text
from feed.models import Article, Topic, TopicModel
from feed.ranking import features
from feed.ranking.topics import TopicBank, TopicClassifier, TopicSpec
from feed.services import verdicts

logger = logging.getLogger(__name__)

# Probabilities below this are not stored: the feed treats them as zero.
STORE_MIN_PROBABILITY = 0.05
BACKGROUND_SIZE = 20_000
CHUNK = 2000

# Per-process cache of fitted classifiers: topic id -> (trained_at or None, model).
_classifiers: dict[int, tuple[datetime | None, TopicClassifier]] = {}
# The last TopicBank built, with the classifiers it was built from (compared by
# identity: a refitted or reloaded model is a new object).
_bank: tuple[list[TopicClassifier], TopicBank] | None = None


def topic_spec(topic: Topic) -> TopicSpec:
    return TopicSpec(
        slug=topic.slug,
        name=topic.name,
        description=topic.description,
        seed_terms=tuple(topic.seed_term_list),
    )


def topic_classifiers(
    topics: Sequence[Topic], *, trained: dict[int, datetime] | None = None
) -> dict[int, TopicClassifier]:
    """The current classifier of each topic; seed-only when none was fitted yet.
    `trained`: when each topic's stored model was fitted (topic id -> trained_at),
    if the caller read it already (topic_scores_for reads it with the topics)."""
    if trained is None:
        trained = dict(
            TopicModel.objects.filter(topic__in=topics).values_list(
                "topic_id", "trained_at"
            )
        )
    else:
        trained = dict(trained)
    stale = [
        t.pk
        for t in topics
        if t.pk in trained and _classifiers.get(t.pk, (None,))[0] != trained[t.pk]
    ]
    for topic_id, state, trained_at in TopicModel.objects.filter(
        topic_id__in=stale
    ).values_list("topic_id", "state", "trained_at"):
        try:
            _classifiers[topic_id] = (trained_at, TopicClassifier.from_bytes(state))
        except (KeyError, ValueError, OSError):
            # Stored by an older version of the ranker: derived data, refit later.
            logger.warning("dropping unreadable model of topic %s", topic_id)
            TopicModel.objects.filter(topic_id=topic_id).delete()
            del trained[topic_id]
    result = {}
    for topic in topics:
        cached = _classifiers.get(topic.pk)
        if topic.pk not in trained and (cached is None or cached[0] is not None):
            empty = sp.csr_matrix((0, features.N_FEATURES), dtype=np.float32)
            cached = (None, TopicClassifier().fit(empty, topic_spec(topic)))
            _classifiers[topic.pk] = cached
        result[topic.pk] = _classifiers[topic.pk][1]
    return result


def model_version(topic_id: int) -> str:
    """Which fitted model of a topic this process uses ("seed" before any fit)."""
    trained_at = _classifiers.get(topic_id, (None,))[0]
    return f"{trained_at.timestamp():.0f}" if trained_at else "seed"


def topic_scores_for(X: sp.csr_matrix) -> list[dict[str, float]]:
    """For each row, {Topic.score_key: probability} for the topics at or above the
    floor."""
    topics = list(Topic.objects.annotate(model_trained_at=F("model__trained_at")))
    scores: list[dict[str, float]] = [{} for _ in range(X.shape[0])]
    if X.shape[0] == 0:
        return scores
    trained = {t.pk: t.model_trained_at for t in topics if t.model_trained_at}
    probabilities = topic_bank(topics, trained=trained).predict_proba(X)
    rows, columns = np.nonzero(probabilities >= STORE_MIN_PROBABILITY)
    keys = [topic.score_key for topic in topics]
    for i, k in zip(rows.tolist(), columns.tolist(), strict=True):
        scores[i][keys[k]] = round(float(probabilities[i, k]), 4)
    return scores


def topic_bank(
    topics: Sequence[Topic], *, trained: dict[int, datetime] | None = None
) -> TopicBank:
    """The current classifiers of `topics`, in that order, scoring together (built
    again only when one of them changed). `trained`: as for topic_classifiers."""
    global _bank
    by_topic = topic_classifiers(topics, trained=trained)
    classifiers = [by_topic[topic.pk] for topic in topics]
    if (
        _bank is None
        or len(_bank[0]) != len(classifiers)
        or any(a is not b for a, b in zip(_bank[0], classifiers, strict=True))
    ):
        _bank = (classifiers, TopicBank(classifiers))
    return _bank[1]


def article_matrix(articles: Sequence[Article]) -> sp.csr_matrix:
    """Stored feature rows of `articles`, recomputed (and stored) for rows stored
    without one or by an older version of the features."""
    missing = [i for i, a in enumerate(articles) if not features.is_current(a.vector)]
    if missing:
        rows = features.transform(
            [features.Document(articles[i].title, _text(articles[i])) for i in missing]
        )
        for j, i in enumerate(missing):
            articles[i].vector = features.encode_row(rows[j])
        Article.objects.bulk_update([articles[i] for i in missing], ["vector"])
    return features.decode_rows(a.vector for a in articles)


def _text(article: Article) -> str:
    return plain_text(article.summary or article.content, max_chars=1000)


def score_topics(articles: Sequence[Article], X: sp.csr_matrix) -> int:
    """Store each article's topic probabilities (replacing earlier ones); returns how
    many (article, topic) probabilities were stored."""
    scores = topic_scores_for(X)
    now = timezone.now()
    field = Article._meta.get_field("topic_scores")
    rows = [
        (field.get_db_prep_save(score, connection), now, article.pk)
        for article, score in zip(articles, scores, strict=True)
    ]
    table = Article._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET topic_scores = %s, scored_at = %s WHERE id = %s",  # noqa: S608
            rows,
        )
    return sum(len(score) for score in scores)


def score_articles(article_ids: Sequence[int]) -> int:
    """Rescore stored articles; returns the probabilities stored."""
    stored = 0
    for start in range(0, len(article_ids), CHUNK):
        chunk = list(
            Article.objects.filter(pk__in=article_ids[start : start + CHUNK])
            .only("id", "vector", "title", "summary", "content")
            .order_by("id")
        )
        if chunk:
            stored += score_topics(chunk, article_matrix(chunk))
    return stored


def topic_models_need_refresh() -> bool:
    """True when some topic has no fitted model, or the corpus doubled since the fit."""
    topic_count = Topic.objects.count()
    models = TopicModel.objects.aggregate(n=Count("id"), docs=Min("n_documents"))
    if models["n"] < topic_count:
        return True
    fitted_on = models["docs"] or 0
    if fitted_on >= BACKGROUND_SIZE:
        return False
    return Article.objects.count() >= max(2 * fitted_on, fitted_on + 50)


def refresh_topic_models(*, background_size: int = BACKGROUND_SIZE) -> int:
    """Refit every topic's classifier on the most recent articles and rescore them."""
    articles = list(
        Article.objects.only("id", "vector", "title", "summary", "content").order_by(
            "-id"
        )[:background_size]
    )
    X = (
        article_matrix(articles)
        if articles
        else sp.csr_matrix((0, features.N_FEATURES))
    )
    now = timezone.now()
    for topic in Topic.objects.all():
        classifier = TopicClassifier().fit(
            X, topic_spec(topic), feedback=verdicts.training_rows(topic)
        )
        TopicModel.objects.update_or_create(
            topic=topic,
            defaults={
                "state": classifier.to_bytes(),
                "trained_at": now,
                "n_documents": X.shape[0],
            },
        )
    for start in range(0, len(articles), CHUNK):
        chunk = articles[start : start + CHUNK]
        score_topics(chunk, X[start : start + CHUNK])
    logger.info("refreshed topic models on %d articles", X.shape[0])
    return X.shape[0]
