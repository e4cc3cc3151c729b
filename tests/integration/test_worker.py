"""The Celery path with a real worker process and the real Redis broker."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from django.conf import settings
from django.db import connection

from feed.models import Article, Source, Topic, TopicModel
from feed.tasks import fetch_source
from tests import factories
from tests.conftest import Route
from tests.feeds import big_feed
from tidings.celery import app as celery_app

BASE_DIR = Path(__file__).resolve().parents[2]
QUEUES = "default,fetch,score,digest"


def database_url() -> str:
    """The URL of the test database this process uses, for the worker process."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(**env_overrides: str) -> subprocess.Popen:
    """A `celery worker` process on the test database and the app's Redis."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "TIDINGS_VAR_DIR": str(settings.VAR_DIR),
        "FETCH_ALLOW_PRIVATE_ADDRESSES": "true",
        **env_overrides,
    }
    if not settings.EMBEDDED_REDIS:
        env["REDIS_URL"] = settings.REDIS_URL
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tidings", "worker", "--queues", QUEUES,
         "--concurrency", "1", "--loglevel", "WARNING", "--without-gossip",
         "--without-mingle", "--without-heartbeat"],
        cwd=BASE_DIR,
        env=env,
    )  # fmt: skip


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def workers():
    """Start workers with start(**env); all are stopped after the test."""
    celery_app.control.purge()
    started: list[subprocess.Popen] = []

    def start(**env: str) -> subprocess.Popen:
        started.append(start_worker(**env))
        return started[-1]

    yield start
    for process in started:
        stop(process)


@pytest.fixture
def worker(workers):
    return workers()


def wait_for(condition, *, timeout: float = 90.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_fetches_a_feed_over_http_and_leaves_scored_articles(
    worker, feed_server, corpus_dir, core_topics
):
    feed = corpus_dir / "feeds" / "arstechnica-2025-10-03.xml"
    feed_server.routes["/ars.xml"] = Route(feed.read_bytes())
    source = factories.make_source(url=feed_server.url("/ars.xml"))

    fetch_source.delay(source.pk)

    def scored() -> bool:
        articles = Article.objects.filter(source=source)
        return articles.count() == 20 and not articles.filter(scored_at=None).exists()

    assert wait_for(scored), "the worker did not store and score the feed in time"
    assert worker.poll() is None
    assert Article.objects.filter(source=source).exclude(topic_scores={}).exists()
    source.refresh_from_db()
    assert source.last_success_at is not None and source.consecutive_failures == 0
    assert settings.CELERY_TASK_ACKS_LATE
    # A first fetch on a deployment without fitted topic models queues their refit.
    assert wait_for(lambda: TopicModel.objects.count() == Topic.objects.count()), (
        "the first fetch did not lead to fitted topic models"
    )


def pool_children(worker: subprocess.Popen) -> list[psutil.Process]:
    return psutil.Process(worker.pid).children()


def wait_for_claim(source) -> None:
    assert wait_for(
        lambda: Source.objects.filter(
            pk=source.pk, fetch_started_at__isnull=False
        ).exists(),
        timeout=60,
    ), "the worker never started the fetch"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_child_killed_mid_ingest_loses_no_article(
    workers, feed_server, core_topics
):
    feed_server.routes["/big.xml"] = Route(big_feed(10_000))
    source = factories.make_source(url=feed_server.url("/big.xml"))
    worker = workers()
    fetch_source.delay(source.pk)
    wait_for_claim(source)
    time.sleep(0.5)
    (child,) = pool_children(worker)
    child.kill()
    stored_when_killed = Article.objects.filter(source=source).count()
    assert stored_when_killed < 10_000, "the task finished before it could be killed"

    # The worker replaces its child and the requeued task runs again to completion.
    assert wait_for(
        lambda: (
            Article.objects.filter(source=source, scored_at__isnull=False).count()
            == 10_000
        ),
        timeout=240,
    )
    assert Article.objects.filter(source=source).count() == 10_000
    assert (
        len(set(Article.objects.filter(source=source).values_list("guid", flat=True)))
        == 10_000
    )


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_whole_worker_killed_mid_ingest_hands_the_task_to_the_next_worker(
    workers, feed_server, core_topics
):
    feed_server.routes["/big.xml"] = Route(big_feed(3_000))
    source = factories.make_source(url=feed_server.url("/big.xml"))
    first = workers(CELERY_VISIBILITY_TIMEOUT="5")
    fetch_source.delay(source.pk)
    wait_for_claim(source)
    for process in [*pool_children(first), psutil.Process(first.pid)]:
        process.kill()
    first.wait()
    assert Article.objects.filter(source=source).count() < 3_000

    # Unacknowledged, the message returns to the queue after the visibility timeout.
    workers(CELERY_VISIBILITY_TIMEOUT="5")
    assert wait_for(
        lambda: (
            Article.objects.filter(source=source, scored_at__isnull=False).count()
            == 3_000
        ),
        timeout=180,
    )
    assert Article.objects.filter(source=source).count() == 3_000
