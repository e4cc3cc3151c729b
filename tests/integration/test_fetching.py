"""Fetching sources end to end against a local server: conditional GET, redirects,
gone and rate-limited feeds, backoff, disabling and re-enabling, host limits."""

import logging
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
from django.utils import timezone

from feed.ingest import fetch as fetching
from feed.ingest import netguard
from feed.ingest.hostlimit import HostLimiter
from feed.models import Article, Source, Subscription
from feed.services import ingestion, personalisation
from tests import factories
from tests.conftest import Route
from tests.feeds import big_feed

YEAR = timedelta(days=365)
HALF_YEAR = timedelta(days=180)


@pytest.fixture
def served(feed_server):
    feed_server.routes["/feed.xml"] = Route(
        big_feed(3),
        headers={"ETag": '"v1"', "Last-Modified": "Sun, 29 Nov 2026 05:00:00 GMT"},
    )
    return feed_server


def conditional(handler) -> Route:
    if handler.headers.get("If-None-Match") == '"v1"':
        return Route(b"", status=304, headers={"ETag": '"v1"'})
    return Route(big_feed(3), headers={"ETag": '"v1"'})


@pytest.mark.django_db
def test_etag_is_sent_back_and_a_304_stores_nothing_new(served):
    source = factories.make_source(url=served.url("/feed.xml"))
    first = ingestion.fetch_source(source.pk)
    assert len(first.new_ids) == 3
    source.refresh_from_db()
    assert source.etag == '"v1"'
    assert source.last_modified == "Sun, 29 Nov 2026 05:00:00 GMT"

    served.routes["/feed.xml"] = conditional
    second = ingestion.fetch_source(source.pk, force=True)
    assert second.not_modified and second.new_ids == ()
    _, headers = served.requests[-1]
    assert headers["If-None-Match"] == '"v1"'
    assert headers["If-Modified-Since"] == "Sun, 29 Nov 2026 05:00:00 GMT"
    assert "Tidings" in headers["User-Agent"]
    source.refresh_from_db()
    assert source.last_status == 304 and source.consecutive_failures == 0
    assert Article.objects.filter(source=source).count() == 3


@pytest.mark.django_db
def test_a_permanent_redirect_updates_the_stored_address(served):
    source = factories.make_source(url=served.url("/old.xml"))
    served.routes["/old.xml"] = Route(status=301, headers={"Location": "/feed.xml"})
    outcome = ingestion.fetch_source(source.pk)
    assert len(outcome.new_ids) == 3
    source.refresh_from_db()
    assert source.url == served.url("/feed.xml")


@pytest.mark.django_db
def test_a_temporary_redirect_keeps_the_stored_address(served):
    source = factories.make_source(url=served.url("/moved.xml"))
    served.routes["/moved.xml"] = Route(status=302, headers={"Location": "/feed.xml"})
    ingestion.fetch_source(source.pk)
    source.refresh_from_db()
    assert source.url == served.url("/moved.xml")


@pytest.mark.django_db
def test_410_gone_disables_the_source_with_a_reason(feed_server):
    feed_server.routes["/gone.xml"] = Route(status=410)
    source = factories.make_source(url=feed_server.url("/gone.xml"))
    outcome = ingestion.fetch_source(source.pk)
    assert outcome.failed
    source.refresh_from_db()
    assert not source.is_active
    assert "gone" in source.disabled_reason.lower()
    assert ingestion.due_source_ids(now=timezone.now() + timedelta(days=30)) == []


@pytest.mark.django_db
def test_only_default_sources_and_sources_someone_follows_are_due():
    now = timezone.now()
    default = factories.make_source(is_default=True, next_fetch_at=now)
    followed = factories.make_source(is_default=False, next_fetch_at=now)
    for reader in (factories.make_user(), factories.make_user()):
        Subscription.objects.create(user=reader, source=followed)
    orphan = factories.make_source(is_default=False, next_fetch_at=now)
    assert set(ingestion.due_source_ids(now=now)) == {default.pk, followed.pk}
    assert ingestion.fetch_source(orphan.pk, now=now).skipped


@pytest.mark.django_db
def test_a_permanent_redirect_is_stored_in_its_canonical_spelling(served):
    source = factories.make_source(url=served.url("/old.xml"))
    mixed = served.url("/feed.xml").replace("127.0.0.1", "LocalHost")
    served.routes["/old.xml"] = Route(status=301, headers={"Location": mixed})
    assert len(ingestion.fetch_source(source.pk).new_ids) == 3
    source.refresh_from_db()
    assert source.url == mixed.replace("LocalHost", "localhost")


@pytest.mark.django_db
def test_429_waits_at_least_as_long_as_retry_after(feed_server):
    feed_server.routes["/busy.xml"] = Route(status=429, headers={"Retry-After": "7200"})
    source = factories.make_source(url=feed_server.url("/busy.xml"))
    now = timezone.now()
    ingestion.fetch_source(source.pk, now=now)
    source.refresh_from_db()
    assert source.next_fetch_at >= now + timedelta(hours=2)
    assert source.last_status == 429 and "429" in source.last_error


@pytest.mark.django_db
def test_consecutive_failures_back_off_exponentially(feed_server):
    feed_server.routes["/broken.xml"] = Route(b"<html>oops</html>", status=500)
    source = factories.make_source(url=feed_server.url("/broken.xml"))
    now = timezone.now()
    delays = []
    for _ in range(4):
        ingestion.fetch_source(source.pk, now=now, force=True)
        source.refresh_from_db()
        delays.append((source.next_fetch_at - now).total_seconds() / 3600)
    assert source.consecutive_failures == 4
    # One hour by default, doubled per failure, each within the ±10 % jitter.
    for failures, hours in enumerate(delays, start=1):
        assert 0.9 * 2**failures <= hours <= 1.1 * 2**failures, delays


@pytest.mark.django_db
def test_a_source_failing_for_a_week_is_disabled_and_can_be_re_enabled(feed_server):
    feed_server.routes["/down.xml"] = Route(status=503)
    source = factories.make_source(url=feed_server.url("/down.xml"))
    start = timezone.now()
    ingestion.fetch_source(source.pk, now=start)
    source.refresh_from_db()
    assert source.is_active
    ingestion.fetch_source(source.pk, now=start + timedelta(days=7, minutes=1))
    source.refresh_from_db()
    assert not source.is_active
    assert source.disabled_reason.startswith("Disabled after failing since")

    feed_server.routes["/down.xml"] = Route(big_feed(2))
    ingestion.enable_source(source, now=start + timedelta(days=8))
    assert source.pk in ingestion.due_source_ids(now=start + timedelta(days=8))
    outcome = ingestion.fetch_source(source.pk, now=start + timedelta(days=8))
    assert len(outcome.new_ids) == 2
    source.refresh_from_db()
    assert source.is_active and source.consecutive_failures == 0


@pytest.mark.django_db
def test_a_busy_host_postpones_the_fetch_without_counting_a_failure(served, settings):
    source = factories.make_source(url=served.url("/feed.xml"))
    other = factories.make_source(url=served.url("/other.xml"))
    limiter = ingestion.host_limiter()
    assert isinstance(limiter, HostLimiter)
    slots = [limiter.acquire("127.0.0.1") for _ in range(settings.FETCH_MAX_PER_HOST)]
    try:
        now = timezone.now()
        outcome = ingestion.fetch_source(source.pk, now=now)
    finally:
        for slot in slots:
            limiter.release(slot)
    assert outcome.skipped
    source.refresh_from_db()
    assert source.consecutive_failures == 0 and source.fetch_started_at is None
    assert (
        now + timedelta(seconds=29)
        <= source.next_fetch_at
        <= now + timedelta(seconds=91)
    )
    assert served.requests == []
    assert Source.objects.get(pk=other.pk).last_fetched_at is None


@pytest.mark.django_db
def test_a_feed_posting_often_is_fetched_more_often(feed_server):
    feed_server.routes["/busy.xml"] = Route(big_feed(200))
    source = factories.make_source(url=feed_server.url("/busy.xml"))
    now = timezone.now()
    ingestion.fetch_source(source.pk, now=now)
    source.refresh_from_db()
    # 200 items in the last 200 minutes: the floor of 15 minutes applies.
    assert source.items_per_day > 100
    assert source.next_fetch_at - now <= timedelta(minutes=17)


@pytest.mark.django_db
def test_a_private_address_is_refused_unless_allowed(feed_server, settings):
    settings.FETCH_ALLOW_PRIVATE_ADDRESSES = False
    feed_server.routes["/feed.xml"] = Route(big_feed(1))
    source = factories.make_source(url=feed_server.url("/feed.xml"))
    outcome = ingestion.fetch_source(source.pk)
    assert outcome.failed
    assert "only fetches public addresses" in outcome.error
    assert feed_server.requests == []


@pytest.mark.django_db
def test_retention_prunes_old_unsaved_articles_in_batches():
    source = factories.make_source()
    old = timezone.now() - timedelta(days=400)
    articles = factories.make_articles(
        source,
        [
            factories.entry(f"Old story {n} on topic {n * 37}", published=old)
            for n in range(5)
        ]
        + [factories.entry("A fresh story")],
    )
    Article.objects.filter(published_at=old).update(fetched_at=old)
    reader = factories.make_user()
    personalisation.record_feedback(reader, articles[0], "save")
    personalisation.record_feedback(reader, articles[1], "like")
    personalisation.record_feedback(reader, articles[2], "hide")
    personalisation.record_feedback(reader, articles[3], "open")
    deleted = ingestion.prune_old_articles(
        older_than=timedelta(days=180), now=timezone.now(), batch=1
    )
    assert deleted == 2
    remaining = set(Article.objects.values_list("title", flat=True))
    assert remaining == {
        "Old story 0 on topic 0",
        "Old story 1 on topic 37",
        "Old story 2 on topic 74",
        "A fresh story",
    }


@pytest.mark.django_db
def test_retention_keeps_an_old_article_fetched_recently_so_it_does_not_return():
    """An old post still in its feed: pruned, it would come back as new."""
    source = factories.make_source()
    old_post = factories.entry("A slow blog's post", published=timezone.now() - YEAR)
    factories.make_articles(source, [old_post])
    assert ingestion.prune_old_articles(older_than=HALF_YEAR, now=timezone.now()) == 0
    assert ingestion.store_entries(source, [old_post], now=timezone.now()).new_ids == ()
    later = timezone.now() + HALF_YEAR + timedelta(days=1)
    assert ingestion.prune_old_articles(older_than=HALF_YEAR, now=later) == 1


@pytest.mark.django_db
def test_a_non_ascii_etag_is_not_stored_and_the_next_fetch_works(feed_server):
    feed_server.routes["/cafe.xml"] = Route(
        big_feed(3), headers={"ETag": '"caf\u00e9"'}
    )
    source = factories.make_source(url=feed_server.url("/cafe.xml"))
    now = timezone.now()
    ingestion.fetch_source(source.pk, now=now)
    source.refresh_from_db()
    assert source.etag == ""
    outcome = ingestion.fetch_source(source.pk, now=source.next_fetch_at)
    assert not outcome.failed and outcome.duplicates == 3


@pytest.mark.django_db
def test_an_unexpected_error_in_a_fetch_is_logged_and_recorded_as_a_failure(
    monkeypatch, caplog
):
    # No server makes the fetch raise anything but FetchError any more; this stands
    # in for the next bug that would.
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(fetching, "fetch_feed", broken)
    source = factories.make_source()
    with caplog.at_level(logging.ERROR, logger="feed.services.ingestion"):
        outcome = ingestion.fetch_source(source.pk, claim="task-1")
    assert outcome.error == (
        "The feed could not be fetched because of an error in Tidings."
    )
    assert "RuntimeError: a bug" in caplog.text
    source.refresh_from_db()
    assert source.fetch_started_at is None and source.fetch_claim == ""
    assert source.consecutive_failures == 1
    assert source.next_fetch_at > timezone.now() + timedelta(minutes=30)


@pytest.mark.django_db
def test_a_body_that_does_not_parse_leaves_no_validators_behind(feed_server):
    # A static file server: 304 while the validators match, the page otherwise.
    def moved_blog(handler) -> Route:
        if handler.headers.get("If-None-Match") == '"page"':
            return Route(b"", status=304, headers={"ETag": '"page"'})
        return Route(
            b"<html><body>We moved our blog</body></html>",
            headers={"ETag": '"page"', "Content-Type": "text/html"},
        )

    feed_server.routes["/blog.xml"] = moved_blog
    source = factories.make_source(url=feed_server.url("/blog.xml"))
    ingestion.fetch_source(source.pk)
    source.refresh_from_db()
    assert source.etag == ""
    second = ingestion.fetch_source(source.pk, now=source.next_fetch_at)
    assert second.failed
    source.refresh_from_db()
    assert source.last_status == 200 and source.consecutive_failures == 2


@pytest.mark.django_db
def test_a_duplicate_task_does_not_fetch_a_source_that_is_not_due(feed_server):
    feed_server.routes["/busy.xml"] = Route(status=429, headers={"Retry-After": "3600"})
    source = factories.make_source(url=feed_server.url("/busy.xml"))
    now = timezone.now()
    # The scheduler queued the source twice while the fetch queue was backed up.
    first = ingestion.fetch_source(source.pk, now=now, claim="task-1")
    second = ingestion.fetch_source(source.pk, now=now, claim="task-2")
    # A task delivered again after it finished holds the same id.
    again = ingestion.fetch_source(source.pk, now=now, claim="task-1")
    assert first.failed and second.skipped and again.skipped
    assert len(feed_server.requests) == 1
    forced = ingestion.fetch_source(source.pk, now=now, force=True)
    assert forced.failed and len(feed_server.requests) == 2


@pytest.mark.django_db
def test_the_feeds_ttl_still_holds_after_a_304(feed_server):
    body = big_feed(3).replace(
        b"<description>Generated for tests</description>",
        b"<description>Generated for tests</description><ttl>180</ttl>",
        1,
    )
    feed_server.routes["/ttl.xml"] = lambda handler: (
        Route(b"", status=304, headers={"ETag": '"v1"'})
        if handler.headers.get("If-None-Match") == '"v1"'
        else Route(body, headers={"ETag": '"v1"'})
    )
    source = factories.make_source(url=feed_server.url("/ttl.xml"))
    ingestion.fetch_source(source.pk)
    source.refresh_from_db()
    assert source.ttl_minutes == 180
    later = source.next_fetch_at
    assert ingestion.fetch_source(source.pk, now=later).not_modified
    source.refresh_from_db()
    assert source.next_fetch_at - later >= timedelta(minutes=180)


@pytest.mark.django_db
def test_old_validators_do_not_make_a_new_address_answer_304(feed_server):
    new_modified = "Sun, 22 Nov 2026 05:00:00 GMT"

    def static_file(handler) -> Route:  # 304 when not modified since
        since = handler.headers.get("If-Modified-Since")
        if since and parsedate_to_datetime(since) >= parsedate_to_datetime(
            new_modified
        ):
            return Route(b"", status=304)
        return Route(big_feed(3), headers={"Last-Modified": new_modified})

    feed_server.routes["/new.xml"] = static_file
    feed_server.routes["/old.xml"] = Route(status=301, headers={"Location": "/new.xml"})
    source = factories.make_source(
        url=feed_server.url("/old.xml"),
        etag='"old"',
        last_modified="Sun, 29 Nov 2026 05:00:00 GMT",
    )
    outcome = ingestion.fetch_source(source.pk)
    assert len(outcome.new_ids) == 3
    source.refresh_from_db()
    assert source.url == feed_server.url("/new.xml")
    assert source.last_modified == new_modified


@pytest.mark.django_db
def test_a_disabled_reason_is_cut_to_fit_its_column(monkeypatch):
    def nxdomain(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    monkeypatch.setattr(netguard, "resolve", nxdomain)
    host = "feeds." + "a-long-regional-newspaper-subdomain." * 6 + "example.com"
    source = factories.make_source(
        url=f"https://{host}/rss", first_failure_at=timezone.now() - timedelta(days=8)
    )
    outcome = ingestion.fetch_source(source.pk)
    assert host in outcome.error
    source.refresh_from_db()
    assert not source.is_active
    assert source.disabled_reason.startswith("Disabled after failing since")
    source.full_clean()


@pytest.mark.django_db
def test_a_permanent_redirect_too_long_to_store_keeps_the_address(served):
    long_path = "/feed.xml?" + "x" * 2100
    served.routes[long_path] = served.routes["/feed.xml"]
    served.routes["/old.xml"] = Route(status=301, headers={"Location": long_path})
    source = factories.make_source(url=served.url("/old.xml"))
    outcome = ingestion.fetch_source(source.pk)
    assert len(outcome.new_ids) == 3
    source.refresh_from_db()
    assert source.url == served.url("/old.xml")
