"""Two workers on the same source at once never duplicate an article."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from feed.models import Article, Story
from feed.services import ingestion
from tests import factories
from tests.conftest import Route
from tests.feeds import big_feed


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
