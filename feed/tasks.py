"""Celery tasks: thin adapters from ids to services, each with its limits (queues are
in settings.CELERY_TASK_ROUTES: fetch, score, digest, default).

Every task is idempotent (claims, upserts and unique constraints live in the
services), which is what makes acks_late + reject_on_worker_lost safe: a task cut
short by a dying worker runs again and does not duplicate anything.
"""

import logging
from datetime import date, timedelta

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from feed.services import digests, ingestion, scoring

logger = logging.getLogger(__name__)
REFRESH_QUEUED_KEY = "tasks:refresh-topic-models-queued"


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def schedule_due_fetches() -> int:
    ids = ingestion.due_source_ids(now=timezone.now())
    for source_id in ids:
        fetch_source.delay(source_id)
    return len(ids)


@shared_task(bind=True, acks_late=True, time_limit=180, soft_time_limit=150)
def fetch_source(self, source_id: int) -> int:
    outcome = ingestion.fetch_source(source_id, claim=self.request.id or "")
    if not outcome.skipped:
        unscored = ingestion.unscored_ids(source_id=source_id)
        if unscored:
            score_articles.delay(unscored)
        elif outcome.new_ids:
            refresh_topic_models_if_grown()
    return len(outcome.new_ids)


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def score_articles(article_ids: list[int]) -> int:
    stored = scoring.score_articles(article_ids)
    refresh_topic_models_if_grown()
    return stored


def refresh_topic_models_if_grown() -> None:
    """Queue a refit when a topic has no fitted model or the corpus has doubled
    since the last fit: a new deployment's topic models learn from its first
    fetches instead of waiting for the six-hourly refit."""
    if scoring.topic_models_need_refresh():
        _queue_refresh()


def queue_topic_refresh() -> None:
    """Queue a refit of every topic model once the current transaction commits (a
    topic changed, a reader stated what an article is about)."""
    transaction.on_commit(_queue_refresh)


def _queue_refresh() -> None:
    """One refit queued at a time (the task clears the mark; it expires after 15
    minutes should the task be lost)."""
    if cache.add(REFRESH_QUEUED_KEY, 1, 900):
        refresh_topic_models.delay()


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def score_unscored_articles() -> int:
    ids = ingestion.unscored_ids()
    if ids:
        score_articles.delay(ids)
    return len(ids)


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1700)
def prune_old_articles() -> int:
    if not settings.RETENTION_DAYS:
        return 0
    return ingestion.prune_old_articles(
        older_than=timedelta(days=settings.RETENTION_DAYS), now=timezone.now()
    )


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1700)
def refresh_topic_models() -> int:
    # The mark goes first: a topic changed or a verdict stated while this refit runs
    # queues the next one (a refit reads the topics once, at its start).
    cache.delete(REFRESH_QUEUED_KEY)
    return scoring.refresh_topic_models()


@shared_task(acks_late=True, time_limit=300, soft_time_limit=270)
def queue_due_digests() -> int:
    due = digests.due_digests(now=timezone.now())
    for user_id, local_date in due:
        send_digest.delay(user_id, local_date.isoformat())
    return len(due)


@shared_task(
    acks_late=True,
    time_limit=120,
    soft_time_limit=100,
    autoretry_for=(OSError,),  # SMTP, connection, name resolution and timeouts
    retry_backoff=60,
    retry_backoff_max=900,
    max_retries=5,
)
def send_digest(user_id: int, local_date: str) -> str:
    user = get_user_model().objects.get(pk=user_id)
    result = digests.send_digest(user, local_date=date.fromisoformat(local_date))
    return result.status
