"""Which entries of a feed store_entries takes for ones it has already stored: the
same GUID, the same link when the link identifies one item, the same title and
text when the link does not."""

from dataclasses import replace
from datetime import timedelta

from django.utils import timezone

from feed.models import Article
from feed.services import ingestion
from tests import factories

BOILERPLATE = "Here is what you need to know today. Sign up for our newsletter."


def store(source, entries):
    return ingestion.store_entries(source, entries, now=timezone.now())


def stored(source) -> int:
    return Article.objects.filter(source=source).count()


def days_ago(days: int):
    return timezone.now() - timedelta(days=days)


def test_a_daily_series_with_one_title_and_boilerplate_is_kept_whole(db):
    source = factories.make_source()
    briefings = [
        factories.entry(
            "Morning Briefing",
            BOILERPLATE,
            url=f"https://news.example.com/briefing/2026-03-0{day}",
            published=days_ago(day),
        )
        for day in (1, 2, 3)
    ]
    store(source, briefings[:2])
    result = store(source, briefings[2:])
    assert len(result.new_ids) == 1
    assert stored(source) == 3


def test_a_title_alone_does_not_make_a_duplicate(db):
    source = factories.make_source()
    store(source, [factories.entry("Open thread", url="https://news.example.com/1")])
    store(source, [factories.entry("Open thread", url="https://news.example.com/2")])
    assert stored(source) == 2


def test_items_linking_to_the_home_page_are_told_apart_by_guid(db):
    source = factories.make_source()
    notices = [
        factories.entry(
            f"Office closed for {reason}",
            f"The office is closed for {reason}.",
            url=home,
            guid=f"notice-{n}",
        )
        for n, (reason, home) in enumerate(
            [
                ("Easter", "https://news.example.com/"),
                ("Christmas", "https://news.example.com/"),
                ("the storm", "https://news.example.com"),
            ]
        )
    ]
    store(source, notices[:1])
    store(source, notices[1:])
    assert stored(source) == 3


def test_items_of_a_batch_sharing_one_link_are_told_apart_by_guid(db):
    source = factories.make_source()
    notices = [
        factories.entry(
            f"Notice {n}: {text}",
            text,
            url="https://news.example.com/notices",
            guid=f"notice-{n}",
        )
        for n, text in enumerate(["Roadworks on Monday.", "New opening hours."])
    ]
    result = store(source, notices)
    assert len(result.new_ids) == 2


def test_a_rewritten_guid_with_the_same_link_or_content_is_a_duplicate(db):
    source = factories.make_source()
    article = factories.entry("Port strike ends", "Dockers return to work.")
    notice = factories.entry(
        "Office closed", "Closed today.", url="https://news.example.com/"
    )
    store(source, [article, notice])
    again = [
        replace(article, guid="rewritten-1"),
        replace(notice, guid="rewritten-2"),
        replace(notice, guid="rewritten-3", url=""),
    ]
    result = store(source, again)
    assert result.new_ids == () and result.duplicates == 3


def test_repeats_within_one_batch_are_stored_once(db):
    source = factories.make_source()
    article = factories.entry("Port strike ends", "Dockers return to work.")
    notice = replace(factories.entry("Office closed", "Closed today."), url="")
    batch = [
        article,
        replace(article, title="Port strike ends (updated)"),  # same GUID and link
        replace(article, guid="other-guid"),  # same link
        notice,
        replace(notice, guid="another-guid"),  # no link, same content
    ]
    result = store(source, batch)
    assert len(result.new_ids) == 2 and result.duplicates == 3
