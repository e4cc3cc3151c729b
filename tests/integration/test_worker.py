"""The Celery path with a real worker process and the real Redis broker."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from feed.models import Article, ArticleTopic
from feed.tasks import fetch_source
from tests import factories
from tests.conftest import Route
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


@pytest.fixture
def worker(settings):
    """A `celery worker` child process on the test database and the app's Redis."""
    celery_app.control.purge()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "TIDINGS_VAR_DIR": str(settings.VAR_DIR),
        "FETCH_ALLOW_PRIVATE_ADDRESSES": "true",
    }
    if not settings.EMBEDDED_REDIS:
        env["REDIS_URL"] = settings.REDIS_URL
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tidings", "worker", "--queues", QUEUES,
         "--concurrency", "1", "--loglevel", "WARNING", "--without-gossip",
         "--without-mingle", "--without-heartbeat"],
        cwd=BASE_DIR,
        env=env,
    )  # fmt: skip
    yield process
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


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
    assert ArticleTopic.objects.filter(article__source=source).exists()
    source.refresh_from_db()
    assert source.last_success_at is not None and source.consecutive_failures == 0
    assert settings.CELERY_TASK_ACKS_LATE
