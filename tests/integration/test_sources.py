"""A reader's own sources: add by URL or website, OPML in and out, remove, re-enable."""

import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from feed.ingest.opml import parse_opml
from feed.models import Article, Follow, Source, Subscription
from feed.services import ingestion, reading
from tests import factories
from tests.conftest import Route
from tests.feeds import big_feed


@pytest.fixture
def reader(db):
    return factories.make_user()


@pytest.fixture
def browser(reader) -> Client:
    client = Client()
    client.force_login(reader)
    return client


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_adding_a_feed_address_subscribes_and_fetches_it_at_once(
    browser, reader, feed_server
):
    feed_server.routes["/feed.xml"] = Route(big_feed(4))
    response = browser.post(
        "/sources/add/", {"address": feed_server.url("/feed.xml")}, follow=True
    )
    assert "4 new articles" in messages_of(response)
    source = Source.objects.get(url=feed_server.url("/feed.xml"))
    assert not source.is_default
    assert Subscription.objects.filter(user=reader, source=source).exists()
    assert Article.objects.filter(source=source).count() == 4
    # The articles are in this reader's feed and in nobody else's.
    assert Article.objects.visible_to(reader).filter(source=source).count() == 4
    assert (
        not Article.objects.visible_to(factories.make_user())
        .filter(source=source)
        .exists()
    )


def test_a_website_address_finds_the_feed_it_links_to(browser, feed_server):
    feed_server.routes["/blog/"] = Route(
        b'<html><head><link rel="alternate" type="application/rss+xml" '
        b'href="/blog/rss"></head><body>Hello</body></html>',
        headers={"Content-Type": "text/html"},
    )
    feed_server.routes["/blog/rss"] = Route(big_feed(2))
    browser.post("/sources/add/", {"address": feed_server.url("/blog/")})
    assert Source.objects.filter(url=feed_server.url("/blog/rss")).exists()


def test_a_website_without_a_link_is_tried_at_the_usual_feed_paths(
    browser, feed_server
):
    feed_server.routes["/"] = Route(
        b"<html><body>No link here</body></html>", headers={"Content-Type": "text/html"}
    )
    feed_server.routes["/feed.xml"] = Route(big_feed(2))
    browser.post("/sources/add/", {"address": feed_server.url("/")})
    assert Source.objects.filter(url=feed_server.url("/feed.xml")).exists()


@pytest.mark.parametrize("path", ["/index.xml", "/feed/", "/?feed=rss2"])
def test_every_common_feed_path_is_tried(browser, feed_server, path):
    feed_server.routes["/"] = Route(
        b"<html><body>No link here</body></html>", headers={"Content-Type": "text/html"}
    )
    feed_server.routes[path] = Route(big_feed(2))
    browser.post("/sources/add/", {"address": feed_server.url("/")})
    assert Source.objects.filter(url=feed_server.url(path)).exists()


def test_a_page_linking_to_broken_feeds_still_gets_the_common_paths_tried(
    browser, feed_server
):
    links = "".join(
        f'<link rel="alternate" type="application/rss+xml" href="/broken/{n}">'
        for n in range(8)
    )
    feed_server.routes["/"] = Route(
        f"<html><head>{links}</head></html>".encode(),
        headers={"Content-Type": "text/html"},
    )
    feed_server.routes["/atom.xml"] = Route(big_feed(2))
    browser.post("/sources/add/", {"address": feed_server.url("/")})
    assert Source.objects.get().url == feed_server.url("/atom.xml")
    tried = [path for path, _ in feed_server.requests if path.startswith("/broken/")]
    assert len(tried) == 5


def test_adding_a_source_stops_trying_addresses_at_one_overall_deadline(
    browser, feed_server, settings
):
    settings.ADD_SOURCE_DEADLINE_SECONDS = 1.0
    links = "".join(
        f'<link rel="alternate" type="application/rss+xml" href="/slow/{n}">'
        for n in range(5)
    )
    feed_server.routes["/"] = Route(
        f"<html><head>{links}</head></html>".encode(),
        headers={"Content-Type": "text/html"},
    )

    def slow(handler) -> Route:
        time.sleep(0.5)
        return Route(b"late", 404)

    for n in range(5):
        feed_server.routes[f"/slow/{n}"] = slow
    for path in ["/feed", "/rss", "/feed.xml", "/rss.xml", "/atom.xml", "/index.xml"]:
        feed_server.routes[path] = slow
    # The fetch cut off at the deadline leaves its answer with no one to read it.
    feed_server.httpd.handle_error = lambda request, client_address: None
    response = browser.post(
        "/sources/add/", {"address": feed_server.url("/")}, follow=True
    )
    assert "did not answer in time" in messages_of(response)
    # The page and the two or three links that fit in a second, not all sixteen.
    assert len(feed_server.requests) <= 4
    assert not Subscription.objects.exists()


def test_an_address_without_a_scheme_falls_back_to_http(browser, feed_server):
    feed_server.routes["/feed.xml"] = Route(big_feed(2))
    address = feed_server.url("/feed.xml").removeprefix("http://")
    response = browser.post("/sources/add/", {"address": address}, follow=True)
    assert "2 new articles" in messages_of(response)
    assert Source.objects.get().url == feed_server.url("/feed.xml")


def test_an_address_without_a_scheme_gets_the_http_answer_when_both_fail(
    browser, feed_server
):
    address = feed_server.url("/missing.xml").removeprefix("http://")
    response = browser.post("/sources/add/", {"address": address}, follow=True)
    assert "HTTP 404" in messages_of(response)


def test_a_failed_secure_connection_is_said_in_plain_words(browser, feed_server):
    feed_server.routes["/feed.xml"] = Route(big_feed(2))
    address = feed_server.url("/feed.xml").replace("http://", "https://")
    response = browser.post("/sources/add/", {"address": address}, follow=True)
    assert messages_of(response) == (
        "The server could not be reached (a secure (https) connection could not be "
        "made)."
    )


def test_a_page_without_any_feed_gets_a_clear_message(browser, feed_server):
    feed_server.routes["/plain"] = Route(
        b"<html><body>Just a page</body></html>", headers={"Content-Type": "text/html"}
    )
    response = browser.post(
        "/sources/add/", {"address": feed_server.url("/plain")}, follow=True
    )
    assert "No feed found" in messages_of(response)
    assert not Subscription.objects.exists()


def test_an_unreachable_address_gets_a_clear_message(browser, settings):
    settings.FETCH_ALLOW_PRIVATE_ADDRESSES = True
    response = browser.post(
        "/sources/add/", {"address": "http://127.0.0.1:9/feed"}, follow=True
    )
    assert messages_of(response) == (
        "The server could not be reached (it refused the connection)."
    )


def test_a_private_address_is_refused_with_a_clear_message(browser, settings):
    settings.FETCH_ALLOW_PRIVATE_ADDRESSES = False
    response = browser.post(
        "/sources/add/",
        {"address": "http://169.254.169.254/latest/meta-data/"},
        follow=True,
    )
    assert "cannot be used" in messages_of(response)
    assert not Source.objects.filter(url__contains="169.254").exists()


def opml(outlines: str) -> bytes:
    return (
        '<?xml version="1.0"?><opml version="2.0"><head><title>Mine</title></head>'
        f"<body>{outlines}</body></opml>"
    ).encode()


def upload(browser, data: bytes, name: str = "mine.opml"):
    return browser.post(
        "/sources/import/", {"file": SimpleUploadedFile(name, data)}, follow=True
    )


def test_opml_import_flattens_folders_and_skips_duplicates(browser, reader):
    feeds = "".join(
        f'<outline type="rss" text="Feed {n}" xmlUrl="https://f{n}.example.com/rss"/>'
        for n in range(300)
    )
    data = opml(
        f'<outline text="Tech"><outline text="Chips">{feeds}</outline></outline>'
        '<outline type="rss" text="Again" xmlUrl="https://f1.example.com/rss"/>'
    )
    response = upload(browser, data)
    assert "Imported 300 sources" in messages_of(response)
    assert Subscription.objects.filter(user=reader).count() == 300
    again = upload(browser, data)
    assert "Imported 0 sources (300 you had already)" in messages_of(again)


def test_opml_import_refuses_private_addresses_but_keeps_the_rest(
    browser, reader, settings
):
    settings.FETCH_ALLOW_PRIVATE_ADDRESSES = False
    response = upload(
        browser,
        opml(
            '<outline xmlUrl="https://ok.example.com/rss"/>'
            '<outline xmlUrl="http://10.0.0.5/rss"/>'
        ),
    )
    text = messages_of(response)
    assert "Imported 1 source " in text and "1 could not be used" in text
    assert not Source.objects.filter(url__contains="10.0.0.5").exists()


def test_opml_import_reports_addresses_it_could_not_use(browser, reader):
    response = upload(
        browser,
        opml(
            '<outline text="ok" xmlUrl="https://ok.example.com/rss"/>'
            '<outline text="no scheme" xmlUrl="blog.example.com/rss"/>'
            '<outline text="relative" xmlUrl="/rss.xml"/>'
            '<outline text="ftp" xmlUrl="ftp://files.example.com/rss"/>'
        ),
    )
    assert Subscription.objects.filter(user=reader).count() == 1
    assert messages_of(response) == (
        "Imported 1 source (0 you had already). 3 could not be used, e.g. "
        "blog.example.com/rss: Only full http:// or https:// addresses can be imported."
    )


def test_an_opml_without_a_usable_feed_is_an_error_not_a_success(browser):
    response = upload(browser, opml('<outline text="relative" xmlUrl="/rss.xml"/>'))
    [message] = response.context["messages"]
    assert message.level_tag == "error"
    assert str(message).startswith("No feed in that file could be imported. 1 could")
    assert not Subscription.objects.exists()


@pytest.mark.parametrize(
    "listed",
    ["https://Blog.Example.com/feed", "https://blog.example.com:443/feed"],
)
def test_opml_import_finds_a_feed_spelt_differently(browser, reader, listed):
    source = factories.make_source(url="https://blog.example.com/feed")
    Subscription.objects.create(user=reader, source=source)
    upload(browser, opml(f'<outline text="B" xmlUrl="{listed}"/>'))
    assert list(Source.objects.all()) == [source]


def test_opml_import_keeps_the_case_and_query_of_the_path(browser):
    upload(browser, opml('<outline xmlUrl="HTTPS://E.example.com/Feed?ID=7"/>'))
    assert Source.objects.get().url == "https://e.example.com/Feed?ID=7"


def test_adding_a_feed_spelt_differently_reuses_its_source(browser, feed_server):
    feed_server.routes["/feed.xml"] = Route(big_feed(3))
    url = feed_server.url("/feed.xml")
    factories.make_source(url=url, is_default=True)
    browser.post("/sources/add/", {"address": url.replace("http://", "HTTP://")})
    assert list(Source.objects.values_list("url", flat=True)) == [url]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"<opml><body><outline", "could not be imported"),
        (b"this is not xml at all", "could not be imported"),
        (
            b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            b'<opml><body><outline xmlUrl="https://x.example.com/&b;"/></body></opml>',
            "could not be imported",
        ),
    ],
)
def test_bad_opml_is_refused_with_a_message(browser, data, expected):
    response = upload(browser, data)
    assert expected in messages_of(response)
    assert not Subscription.objects.exists()


def test_an_opml_with_ten_thousand_feeds_is_refused_whole(browser):
    feeds = "".join(
        f'<outline xmlUrl="https://f{n}.example.com/rss"/>' for n in range(10_000)
    )
    response = upload(browser, opml(feeds))
    assert "could not be imported" in messages_of(response)
    assert not Subscription.objects.exists()


def test_opml_export_lists_the_readers_own_sources(browser, reader):
    upload(browser, opml('<outline text="A" xmlUrl="https://a.example.com/rss"/>'
                         '<outline text="B" xmlUrl="https://b.example.com/atom"/>'))  # fmt: skip
    response = browser.get("/sources/export.opml")
    assert response["Content-Type"].startswith("text/x-opml")
    urls = {f.url for f in parse_opml(response.content).feeds}
    assert urls == {"https://a.example.com/rss", "https://b.example.com/atom"}


def test_removing_a_source_unsubscribes_only_this_reader(browser, reader):
    source = factories.make_source(is_default=False)
    Subscription.objects.create(user=reader, source=source)
    other = factories.make_user()
    Subscription.objects.create(user=other, source=source)
    browser.post(f"/sources/{source.pk}/remove/")
    assert not Subscription.objects.filter(user=reader).exists()
    assert Subscription.objects.filter(user=other, source=source).exists()


def test_a_source_nobody_follows_is_not_fetched_until_someone_subscribes_again(
    browser, reader
):
    source = factories.make_source(is_default=False, next_fetch_at=timezone.now())
    Subscription.objects.create(user=reader, source=source)
    article = factories.make_article(source, "An article someone may have saved")
    browser.post(f"/sources/{source.pk}/remove/")
    assert source.pk not in ingestion.due_source_ids(now=timezone.now())
    assert Article.objects.filter(pk=article.pk).exists()

    upload(browser, opml(f'<outline xmlUrl="{source.url}"/>'))
    assert source.pk in ingestion.due_source_ids(now=timezone.now())


def test_a_source_of_another_reader_cannot_be_removed_or_enabled(browser):
    source = factories.make_source(is_default=False, is_active=False)
    Subscription.objects.create(user=factories.make_user(), source=source)
    response = browser.post(f"/sources/{source.pk}/remove/", follow=True)
    assert "You do not follow that source" in messages_of(response)
    assert browser.post(f"/sources/{source.pk}/enable/").status_code == 404
    source.refresh_from_db()
    assert not source.is_active
    assert Subscription.objects.filter(source=source).exists()


def test_an_id_larger_than_any_row_is_a_404_to_enable(browser):
    assert browser.post(f"/sources/{2**70}/enable/").status_code == 404


def test_an_id_larger_than_any_row_removes_nothing(browser):
    response = browser.post(f"/sources/{2**70}/remove/", follow=True)
    assert "You do not follow that source" in messages_of(response)


def test_removing_a_source_twice_ends_on_the_sources_page_both_times(browser, reader):
    source = factories.make_source(is_default=False)
    Subscription.objects.create(user=reader, source=source)
    first = browser.post(f"/sources/{source.pk}/remove/", follow=True)
    second = browser.post(f"/sources/{source.pk}/remove/", follow=True)
    assert f"Removed {source}." in messages_of(first)
    assert second.status_code == 200
    assert "You do not follow that source (any more)." in messages_of(second)


def test_a_disabled_source_shows_why_and_can_be_re_enabled(browser, reader):
    source = factories.make_source(
        is_default=False,
        is_active=False,
        disabled_reason="The feed is gone (HTTP 410).",
    )
    Subscription.objects.create(user=reader, source=source)
    page = browser.get("/sources/").content.decode()
    assert "Disabled." in page and "The feed is gone (HTTP 410)." in page
    browser.post(f"/sources/{source.pk}/enable/")
    source.refresh_from_db()
    assert source.is_active and source.disabled_reason == ""


def test_the_sources_page_shows_health_in_words(browser, reader):
    source = factories.make_source(
        is_default=False,
        consecutive_failures=3,
        last_error="The server answered HTTP 500.",
    )
    Subscription.objects.create(user=reader, source=source)
    page = browser.get("/sources/").content.decode()
    assert "Failing" in page and "3 times in a row" in page and "HTTP 500" in page


def test_articles_of_an_own_source_reach_the_readers_feed(reader, core_topics):
    Follow.objects.create(user=reader, topic=core_topics["chips"])
    source = factories.make_source(is_default=False)
    Subscription.objects.create(user=reader, source=source)
    article = factories.make_article(source, "TSMC opens a new chip fab in Arizona")
    assert article.pk in [i.article.pk for i in reading.rank_feed_for(reader).items]


def test_a_feed_behind_a_temporary_redirect_keeps_the_address_entered(
    browser, feed_server
):
    feed_server.routes["/feed"] = Route(
        status=302, headers={"Location": "/feed-2026-11-29.xml?sig=abc"}
    )
    feed_server.routes["/feed-2026-11-29.xml?sig=abc"] = Route(
        big_feed(3), headers={"ETag": '"v1"'}
    )
    browser.post("/sources/add/", {"address": feed_server.url("/feed")})
    source = Source.objects.get()
    assert source.url == feed_server.url("/feed")
    assert source.etag == '"v1"'
    assert Article.objects.filter(source=source).count() == 3


def test_a_feed_behind_permanent_redirects_is_stored_at_its_new_address(
    browser, feed_server
):
    feed_server.routes["/old"] = Route(status=301, headers={"Location": "/feed.xml"})
    feed_server.routes["/feed.xml"] = Route(big_feed(2))
    browser.post("/sources/add/", {"address": feed_server.url("/old")})
    assert Source.objects.get().url == feed_server.url("/feed.xml")


def test_a_discovered_feed_behind_a_temporary_redirect_keeps_the_linked_address(
    browser, feed_server
):
    feed_server.routes["/blog/"] = Route(
        b'<html><head><link rel="alternate" type="application/rss+xml" '
        b'href="/blog/rss"></head><body>Hello</body></html>',
        headers={"Content-Type": "text/html"},
    )
    feed_server.routes["/blog/rss"] = Route(
        status=307, headers={"Location": "/cdn/rss?expires=1764400000"}
    )
    feed_server.routes["/cdn/rss?expires=1764400000"] = Route(big_feed(2))
    browser.post("/sources/add/", {"address": feed_server.url("/blog/")})
    assert Source.objects.get().url == feed_server.url("/blog/rss")


def test_opml_import_refuses_host_names_that_are_not_valid(browser, reader):
    response = upload(
        browser,
        opml(
            '<outline xmlUrl="https://ok.example.com/rss"/>'
            '<outline xmlUrl="https://xn--a.com/rss"/>'
            '<outline xmlUrl="https://\uff11\uff12\uff17.\uff10.\uff10.\uff11/rss"/>'
        ),
    )
    text = messages_of(response)
    assert "Imported 1 source " in text and "2 could not be used" in text
    assert Subscription.objects.filter(user=reader).count() == 1


# -- names ---------------------------------------------------------------------------


def test_one_readers_opml_label_is_not_the_name_other_readers_see(browser, feed_server):
    feed_server.routes["/feed.xml"] = Route(big_feed(2))
    url = feed_server.url("/feed.xml")
    upload(browser, opml(f'<outline text="Junk I never read" xmlUrl="{url}"/>'))
    assert Source.objects.get().title == "Junk I never read"  # until fetched
    ingestion.fetch_source(Source.objects.get().pk, force=True)
    other = Client()
    other.force_login(factories.make_user())
    response = other.post("/sources/add/", {"address": url}, follow=True)
    assert "Junk I never read" not in messages_of(response)
    assert "Junk I never read" not in other.get("/sources/").content.decode()
    assert Source.objects.get().title == "Big feed of 2"


def test_a_feed_that_renames_itself_is_renamed(browser, reader, feed_server):
    feed_server.routes["/feed.xml"] = Route(big_feed(2))
    source = factories.make_source(
        url=feed_server.url("/feed.xml"), title="Old name", is_default=False
    )
    Subscription.objects.create(user=reader, source=source)
    ingestion.fetch_source(source.pk, force=True)
    source.refresh_from_db()
    assert source.title == "Big feed of 2"


def test_a_default_source_keeps_the_name_it_was_loaded_with(db, feed_server):
    feed_server.routes["/feed.xml"] = Route(big_feed(2))
    source = factories.make_source(url=feed_server.url("/feed.xml"), title="Curated")
    ingestion.fetch_source(source.pk, force=True)
    source.refresh_from_db()
    assert source.title == "Curated"


# -- addresses -----------------------------------------------------------------------


def test_a_schemeless_address_too_long_once_http_is_added_gets_a_message(
    browser, feed_server
):
    prefix = feed_server.url("/feed.xml?pad=").removeprefix("http://")
    address = prefix + "a" * (2000 - len(prefix))
    feed_server.routes["/" + address.split("/", 1)[1]] = Route(big_feed(2))
    response = browser.post("/sources/add/", {"address": address}, follow=True)
    assert "longer than 2,000 characters" in messages_of(response)
    assert not Source.objects.exists()


def test_a_permanent_redirect_too_long_to_store_keeps_the_address_entered(
    browser, feed_server
):
    target = "/feed.xml?pad=" + "a" * 2100
    feed_server.routes["/old"] = Route(status=301, headers={"Location": target})
    feed_server.routes[target] = Route(big_feed(2))
    response = browser.post(
        "/sources/add/", {"address": feed_server.url("/old")}, follow=True
    )
    assert "2 new articles" in messages_of(response)
    assert Source.objects.get().url == feed_server.url("/old")


def test_a_fragment_does_not_make_a_second_source(browser, feed_server):
    feed_server.routes["/feed.xml"] = Route(big_feed(2))
    url = feed_server.url("/feed.xml")
    browser.post("/sources/add/", {"address": url})
    browser.post("/sources/add/", {"address": url + "#latest"})
    assert list(Source.objects.values_list("url", flat=True)) == [url]


@pytest.mark.parametrize("prefix", ["feed://", "feed:http://"])
def test_a_feed_scheme_address_is_added(browser, feed_server, prefix):
    feed_server.routes["/feed.xml"] = Route(big_feed(2))
    url = feed_server.url("/feed.xml")
    address = prefix + url.removeprefix("http://")
    response = browser.post("/sources/add/", {"address": address}, follow=True)
    assert "2 new articles" in messages_of(response), messages_of(response)
    assert Source.objects.get().url == url


def test_an_address_without_a_scheme_may_carry_a_url_in_its_query(browser, feed_server):
    path = "/feed.xml?from=https://elsewhere.example.com/"
    feed_server.routes[path] = Route(big_feed(2))
    address = feed_server.url(path).removeprefix("http://")
    response = browser.post("/sources/add/", {"address": address}, follow=True)
    assert "2 new articles" in messages_of(response), messages_of(response)


def test_an_address_with_another_scheme_is_refused_as_such(browser):
    response = browser.post(
        "/sources/add/", {"address": "ftp://files.example.com/rss"}, follow=True
    )
    assert "Only http:// and https:// addresses" in messages_of(response)


# -- what adding says ----------------------------------------------------------------


def test_adding_a_source_already_followed_says_so(browser, feed_server):
    feed_server.routes["/feed.xml"] = Route(big_feed(3))
    url = feed_server.url("/feed.xml")
    browser.post("/sources/add/", {"address": url}, follow=True)
    again = browser.post("/sources/add/", {"address": url}, follow=True)
    assert messages_of(again) == "You already follow Big feed of 3."


def test_adding_a_source_others_follow_counts_its_articles_now_in_your_feed(
    browser, feed_server
):
    feed_server.routes["/feed.xml"] = Route(big_feed(3))
    url = feed_server.url("/feed.xml")
    source = factories.make_source(url=url, is_default=False)
    Subscription.objects.create(user=factories.make_user(), source=source)
    ingestion.fetch_source(source.pk, force=True)
    response = browser.post("/sources/add/", {"address": url}, follow=True)
    assert messages_of(response) == "Added Big feed of 3: 3 articles now in your feed."


def test_one_new_article_is_singular(browser, feed_server):
    feed_server.routes["/feed.xml"] = Route(big_feed(1))
    response = browser.post(
        "/sources/add/", {"address": feed_server.url("/feed.xml")}, follow=True
    )
    assert messages_of(response) == "Added Big feed of 1: 1 new article."


# -- re-enabling ---------------------------------------------------------------------


def test_re_enable_on_an_active_source_keeps_its_retry_after(
    browser, reader, feed_server
):
    feed_server.routes["/busy.xml"] = Route(
        status=429, headers={"Retry-After": "86400"}
    )
    source = factories.make_source(url=feed_server.url("/busy.xml"), is_default=False)
    Subscription.objects.create(user=reader, source=source)
    ingestion.fetch_source(source.pk)
    source.refresh_from_db()
    retry_at = source.next_fetch_at
    assert retry_at > timezone.now() + timedelta(hours=20)
    response = browser.post(f"/sources/{source.pk}/enable/", follow=True)
    assert "is active; it is fetched on its schedule" in messages_of(response)
    source.refresh_from_db()
    assert source.next_fetch_at == retry_at
    assert source.consecutive_failures == 1


def disabled_by_failures(feed_server) -> Source:
    """A source that failed for a week and was disabled for it."""
    feed_server.routes["/down.xml"] = Route(status=503)
    source = factories.make_source(url=feed_server.url("/down.xml"))
    start = timezone.now() - timedelta(days=9)
    ingestion.fetch_source(source.pk, now=start, force=True)
    ingestion.fetch_source(
        source.pk, now=start + timedelta(days=7, minutes=1), force=True
    )
    source.refresh_from_db()
    assert not source.is_active
    return source


@pytest.fixture
def admin_browser(db) -> Client:
    client = Client()
    client.force_login(factories.make_user(is_staff=True, is_superuser=True))
    return client


def admin_form_data(admin_browser, change_url: str) -> dict[str, str]:
    """The admin change form's fields as the page shows them, ready to post back."""
    form = admin_browser.get(change_url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if name == "next_fetch_at":
            local = timezone.localtime(value)
            data["next_fetch_at_0"] = local.strftime("%Y-%m-%d")
            data["next_fetch_at_1"] = local.strftime("%H:%M:%S")
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = (
                field.prepare_value(value) if name == "fetch_interval" else value
            )
    return data


def test_a_source_ticked_active_in_the_admin_survives_its_next_failure(
    feed_server, admin_browser
):
    source = disabled_by_failures(feed_server)
    change_url = f"/admin/feed/source/{source.pk}/change/"
    data = admin_form_data(admin_browser, change_url)
    data["is_active"] = "on"
    assert admin_browser.post(change_url, data).status_code == 302
    source.refresh_from_db()
    assert source.is_active and source.disabled_reason == ""
    assert source.consecutive_failures == 0 and source.first_failure_at is None

    ingestion.fetch_source(source.pk, now=timezone.now(), force=True)
    source.refresh_from_db()
    assert source.is_active, source.disabled_reason


def test_the_admin_action_re_enables_disabled_sources(feed_server, admin_browser):
    source = disabled_by_failures(feed_server)
    response = admin_browser.post(
        "/admin/feed/source/",
        {"action": "re_enable", "_selected_action": [source.pk]},
        follow=True,
    )
    assert "1 source re-enabled, to be fetched shortly." in messages_of(response)
    source.refresh_from_db()
    assert source.is_active and source.consecutive_failures == 0
    assert source.next_fetch_at <= timezone.now()
