"""Work that runs at the same time as other work: two workers on the same source
never duplicate an article, and a fetch, a prune or a story update does not undo
what another transaction committed meanwhile.

The tests marked `needs_concurrent_transactions` hold one transaction open while
another runs: PostgreSQL only (SQLite runs one writer at a time anyway)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from feed.ingest import fetch as fetching
from feed.models import Article, Feedback, Source, Story
from feed.services import ingestion, personalisation, stories
from tests import factories
from tests.conftest import Route
from tests.feeds import big_feed
from tests.threads import start, wait_until_blocked_on_lock

needs_concurrent_transactions = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent transactions"
)


def run_together(*calls):
    """Run the calls in threads released at the same instant; return their results."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    errors: list = []

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_two_workers_storing_the_same_entries_at_once_store_each_once():
    source = factories.make_source()
    entries = [
        factories.entry(f"Distinct headline number {n} about {w}", guid=f"guid-{n}")
        for n, w in enumerate(["chips", "tariffs", "models", "fabs"] * 50)
    ]
    now = timezone.now()
    first, second = run_together(
        lambda: ingestion.store_entries(source, entries, now=now),
        lambda: ingestion.store_entries(source, entries, now=now),
    )
    assert Article.objects.filter(source=source).count() == 200
    assert len(first.new_ids) + len(second.new_ids) == 200
    assert not set(first.new_ids) & set(second.new_ids)
    # No story is left behind without articles by the worker that lost the race.
    assert not Story.objects.filter(articles__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_two_fetches_of_one_source_at_once_fetch_it_once(feed_server):
    feed_server.routes["/feed.xml"] = Route(big_feed(300))
    source = factories.make_source(url=feed_server.url("/feed.xml"))
    outcomes = run_together(
        lambda: ingestion.fetch_source(source.pk),
        lambda: ingestion.fetch_source(source.pk),
    )
    assert sorted(o.skipped for o in outcomes) == [False, True]
    assert Article.objects.filter(source=source).count() == 300
    assert len([path for path, _ in feed_server.requests if path == "/feed.xml"]) == 1


@pytest.mark.django_db(transaction=True)
def test_a_redelivered_task_may_take_back_its_own_claim(feed_server):
    feed_server.routes["/feed.xml"] = Route(big_feed(5))
    source = factories.make_source(url=feed_server.url("/feed.xml"))
    now = timezone.now()
    assert ingestion.claim_source(source.pk, now=now, claim="task-1") is not None
    # The worker died: another task must wait, the same task may go on.
    assert ingestion.claim_source(source.pk, now=now, claim="task-2") is None
    outcome = ingestion.fetch_source(source.pk, now=now, claim="task-1")
    assert not outcome.skipped and len(outcome.new_ids) == 5


# --- Retention -----------------------------------------------------------------------

TITLE = "Nvidia unveils its next AI chip for data centers at a developer event"
TEXT = "The GPU maker says the accelerator doubles performance per watt."


class _PausingTransaction:
    """Stands in for `transaction` in ingestion: runs `before` at the first
    atomic(), the one prune_old_articles deletes in."""

    def __init__(self, real, before) -> None:
        self._real, self._before, self._done = real, before, False

    def atomic(self, *args, **kwargs):
        if not self._done:
            self._done = True
            self._before()
        return self._real.atomic(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._real, name)


@needs_concurrent_transactions
@pytest.mark.django_db(transaction=True)
def test_pruning_does_not_delete_an_article_saved_while_it_runs(monkeypatch):
    reader = factories.make_user()
    article = factories.make_article(factories.make_source(), TITLE, TEXT)
    old = timezone.now() - timedelta(days=60)
    Article.objects.filter(pk=article.pk).update(published_at=old, fetched_at=old)

    def reader_saves_it():  # between the choice of articles and their deletion
        errors = []
        start(
            lambda: personalisation.record_feedback(reader, article, "save"), errors
        ).join(60)
        assert not errors, errors

    monkeypatch.setattr(
        ingestion,
        "transaction",
        _PausingTransaction(ingestion.transaction, reader_saves_it),
    )
    ingestion.prune_old_articles(older_than=timedelta(days=30), now=timezone.now())
    assert Article.objects.filter(pk=article.pk).exists(), (
        "the saved article was pruned"
    )
    assert Feedback.objects.filter(user=reader, signal="save").exists()


# --- A source changed while it is fetched ------------------------------------------


def _paused_fetch(monkeypatch, answer):
    """fetch_feed waits for `go_on` once `fetching_now` is set, then returns (or
    raises) what `answer(url)` gives."""
    fetching_now, go_on = threading.Event(), threading.Event()

    def slow_fetch(url, **kwargs):
        fetching_now.set()
        assert go_on.wait(30)
        return answer(url)

    monkeypatch.setattr(fetching, "fetch_feed", slow_fetch)
    return fetching_now, go_on


def _not_modified(url):
    return fetching.FetchResult(
        url=url, status=304, content=b"", etag='"v1"', not_modified=True
    )


def _new_entries(url):
    return fetching.FetchResult(
        url=url, status=200, content=big_feed(5), content_type="application/rss+xml"
    )


def _failure(url):
    raise fetching.FetchError("The server answered 503.", kind="http", status=503)


FETCH_ANSWERS = pytest.mark.parametrize(
    "answer", [_not_modified, _new_entries, _failure], ids=["304", "200", "503"]
)


@needs_concurrent_transactions
@FETCH_ANSWERS
@pytest.mark.django_db(transaction=True)
def test_a_source_deleted_during_its_fetch_stays_deleted(monkeypatch, answer):
    source = factories.make_source(etag='"v1"')
    fetching_now, go_on = _paused_fetch(monkeypatch, answer)
    errors = []
    worker = start(lambda: ingestion.fetch_source(source.pk), errors)
    assert fetching_now.wait(30)
    Source.objects.filter(pk=source.pk).delete()
    go_on.set()
    worker.join(60)
    assert not errors, errors
    assert not Source.objects.filter(pk=source.pk).exists(), "the source came back"
    assert not Article.objects.exists()


@needs_concurrent_transactions
@FETCH_ANSWERS
@pytest.mark.django_db(transaction=True)
def test_disabling_a_source_during_its_fetch_sticks(monkeypatch, answer):
    source = factories.make_source(etag='"v1"')
    fetching_now, go_on = _paused_fetch(monkeypatch, answer)
    errors = []
    worker = start(lambda: ingestion.fetch_source(source.pk), errors)
    assert fetching_now.wait(30)
    Source.objects.filter(pk=source.pk).update(
        is_active=False, disabled_reason="Removed by admin", prior=-1.0
    )
    go_on.set()
    worker.join(60)
    assert not errors, errors
    source.refresh_from_db()
    assert (source.is_active, source.disabled_reason, source.prior) == (
        False,
        "Removed by admin",
        -1.0,
    )
    # What the fetch owns is still written.
    assert source.fetch_started_at is None
    assert source.last_fetched_at is not None


# --- Stories -----------------------------------------------------------------------


def _store(source, n: int, now) -> None:
    copy = factories.entry(
        TITLE,
        TEXT,
        url=f"https://outlet{n}.example/nvidia",
        published=now - timedelta(hours=2),
    )
    ingestion.store_entries(source, [copy], now=now)


@needs_concurrent_transactions
@pytest.mark.django_db(transaction=True)
def test_two_copies_stored_at_once_join_one_story_with_the_right_count(monkeypatch):
    now = timezone.now()
    first = factories.make_article(
        factories.make_source(title="Outlet 0"),
        TITLE,
        TEXT,
        url="https://outlet0.example/nvidia",
        published=now - timedelta(hours=3),
    )
    assert first.story_id is None
    one, two = (factories.make_source(title=f"Outlet {n}") for n in (1, 2))
    paused, go_on = threading.Event(), threading.Event()
    original = stories.recount

    def recount(ids):  # worker 1 has made the lone article a story, uncommitted
        if threading.current_thread().name == "worker-1":
            paused.set()
            assert go_on.wait(30)
        return original(ids)

    monkeypatch.setattr(stories, "recount", recount)
    errors = []
    first_worker = start(lambda: _store(one, 1, now), errors, "worker-1")
    assert paused.wait(30)
    second_worker = start(lambda: _store(two, 2, now), errors, "worker-2")
    wait_until_blocked_on_lock()
    go_on.set()
    first_worker.join(60)
    second_worker.join(60)
    assert not errors, errors
    story_ids = list(Article.objects.order_by("id").values_list("story_id", flat=True))
    wrong = [
        (s.pk, s.article_count, s.articles.count())
        for s in Story.objects.all()
        if s.article_count != s.articles.count()
    ]
    assert not wrong, f"stories with a wrong article_count: {wrong}; {story_ids}"
    assert len(set(story_ids)) == 1, story_ids
    assert None not in story_ids, story_ids


@needs_concurrent_transactions
@pytest.mark.django_db(transaction=True)
def test_two_copies_added_at_once_to_a_story_are_both_counted(monkeypatch):
    now = timezone.now()
    for n in (0, 1):
        factories.make_article(
            factories.make_source(title=f"Outlet {n}"),
            TITLE,
            TEXT,
            url=f"https://outlet{n}.example/nvidia",
            published=now - timedelta(hours=3),
        )
    (story,) = Story.objects.all()
    assert story.article_count == 2
    one, two = (factories.make_source(title=f"Outlet {n}") for n in (2, 3))
    counted, go_on = threading.Event(), threading.Event()
    original = stories.recount

    def recount(ids):  # worker 1 has counted its article, uncommitted
        original(ids)
        if threading.current_thread().name == "worker-1":
            counted.set()
            assert go_on.wait(30)

    monkeypatch.setattr(stories, "recount", recount)
    errors = []
    first_worker = start(lambda: _store(one, 2, now), errors, "worker-1")
    assert counted.wait(30)
    second_worker = start(lambda: _store(two, 3, now), errors, "worker-2")
    wait_until_blocked_on_lock()
    go_on.set()
    first_worker.join(60)
    second_worker.join(60)
    assert not errors, errors
    story.refresh_from_db()
    assert story.articles.count() == 4
    assert story.article_count == 4
