"""`manage.py ingest` over the real corpus, files, directories and URLs."""

from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.core.management import call_command
from django.test import Client

from feed.models import Article, Source
from tests import factories
from tests.conftest import Route


def ingest(*targets: str) -> int:
    try:
        call_command("ingest", *targets)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def corpus_items(feeds: Path) -> tuple[int, int]:
    """(items, items with distinct GUIDs) per the files themselves, read with the
    standard library's XML parser rather than with Tidings' own."""
    total = distinct = 0
    for path in sorted(feeds.glob("*.xml")):
        items = ElementTree.parse(path).getroot().iter("item")
        guids = [
            (item.findtext("guid") or item.findtext("link") or "").strip()
            for item in items
        ]
        total += len(guids)
        distinct += len(set(guids))
    return total, distinct


@pytest.mark.django_db
def test_every_corpus_feed_ingests_and_a_second_run_adds_nothing(
    corpus_dir, core_topics, capsys
):
    feeds = corpus_dir / "feeds"
    total, distinct_guids = corpus_items(feeds)
    assert ingest(str(feeds)) == 0
    first = capsys.readouterr().out
    files = sorted(feeds.glob("*.xml"))
    stored = Article.objects.count()
    # Every item is stored or reported as a duplicate of one stored from its file
    # (same GUID, same link, or same title and text). Items that share a link but
    # not a GUID (the AP feed's live pages) are all stored.
    assert (
        f"{len(files)} sources: {stored} new, {total - stored} duplicate, 0 failed"
        in first
    )
    assert distinct_guids - 10 <= stored <= distinct_guids
    assert Source.objects.filter(url__startswith="file://").count() == len(files)
    assert Article.objects.about(core_topics["chips"], at_least=0.5).exists()

    assert ingest(str(feeds)) == 0
    second = capsys.readouterr().out
    assert Article.objects.count() == stored
    assert f"{len(files)} sources: 0 new, {total} duplicate, 0 failed" in second


@pytest.mark.django_db
def test_a_missing_path_fails_after_the_others_are_read(
    corpus_dir, core_topics, capsys
):
    feed = corpus_dir / "feeds" / "npr-news-2025-06-06.xml"
    assert ingest("/nonexistent/feed.xml", str(feed)) == 1
    out = capsys.readouterr().out
    assert "No such file" in out
    assert Article.objects.count() == 10


@pytest.mark.django_db
def test_a_bad_file_is_reported_and_does_not_stop_the_good_one(
    tmp_path, corpus_dir, core_topics, capsys
):
    (tmp_path / "a-broken.xml").write_text("<html><body>not a feed</body></html>")
    good = corpus_dir / "feeds" / "npr-news-2025-06-06.xml"
    (tmp_path / "b-good.rss").write_bytes(good.read_bytes())
    (tmp_path / "notes.txt").write_text("ignored: not a feed suffix")
    assert ingest(str(tmp_path)) == 1
    out = capsys.readouterr().out
    assert "a-broken.xml" in out and "web page, not a feed" in out
    assert "notes.txt" not in out
    assert Article.objects.count() == 10


@pytest.mark.django_db
def test_a_url_is_fetched_from_a_local_server(
    feed_server, corpus_dir, core_topics, capsys
):
    body = (corpus_dir / "feeds" / "npr-news-2025-06-06.xml").read_bytes()
    feed_server.routes["/npr.xml"] = Route(body)
    feed_server.routes["/gone.xml"] = Route(b"", status=410)
    assert ingest(feed_server.url("/npr.xml"), feed_server.url("/gone.xml")) == 1
    out = capsys.readouterr().out
    assert "gone" in out.lower()
    assert Article.objects.filter(source__url=feed_server.url("/npr.xml")).count() == 10
    assert not Source.objects.filter(url=feed_server.url("/gone.xml")).exists()


@pytest.mark.django_db
def test_an_unreachable_url_leaves_no_default_source_for_readers(settings, capsys):
    settings.FETCH_ALLOW_PRIVATE_ADDRESSES = True
    assert ingest("http://127.0.0.1:9/typo.xml") == 1
    assert "1 failed" in capsys.readouterr().out
    reader = Client()
    reader.force_login(factories.make_user())
    assert "typo.xml" not in reader.get("/sources/").content.decode()
    assert not Source.objects.exists()


@pytest.mark.django_db
def test_a_url_that_is_not_a_feed_leaves_no_source(feed_server, capsys):
    feed_server.routes["/page"] = Route(
        b"<html><body>Hello</body></html>", headers={"Content-Type": "text/html"}
    )
    assert ingest(feed_server.url("/page")) == 1
    assert "web page, not a feed" in capsys.readouterr().out
    assert not Source.objects.exists()


@pytest.mark.django_db
def test_a_failing_url_keeps_the_source_it_already_was(feed_server, capsys):
    feed_server.routes["/down.xml"] = Route(status=500)
    source = factories.make_source(url=feed_server.url("/down.xml"))
    assert ingest(source.url) == 1
    source.refresh_from_db()
    assert source.consecutive_failures == 1


@pytest.mark.django_db
def test_a_url_is_stored_under_its_canonical_address(
    feed_server, corpus_dir, core_topics, capsys
):
    body = (corpus_dir / "feeds" / "npr-news-2025-06-06.xml").read_bytes()
    feed_server.routes["/npr.xml"] = Route(body)
    url = feed_server.url("/npr.xml")
    spelled_otherwise = url.replace("http://127.0.0.1", "HTTP://127.0.0.1.")
    assert ingest(url) == 0
    assert ingest(spelled_otherwise) == 0
    assert list(Source.objects.values_list("url", flat=True)) == [url]
    assert "0 new, 10 duplicate, 0 failed" in capsys.readouterr().out


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "http://",
        "http://[::1/feed",
        "https://exa mple.com/feed",
        "http://127.0.0.1:99999/feed",
    ],
)
def test_an_invalid_url_fails_and_leaves_no_source(url, capsys):
    assert ingest(url) == 1
    assert "1 failed" in capsys.readouterr().out
    assert not Source.objects.exists()
