"""A story reaches the reader once: read marks, digests and the "why" line count
stories, not the copies of one story that several outlets publish."""

import zoneinfo
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from feed.models import Follow, ReadMark
from feed.services import digests, personalisation, reading
from tests import factories

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
TITLE = "Nvidia unveils its next AI chip for data centers at a developer event"
TEXT = "The GPU maker says the accelerator doubles performance per watt."


@pytest.mark.django_db
def test_a_story_read_from_one_source_does_not_come_back_as_another_sources_card(
    core_topics,
):
    reader = factories.make_user(mark_read_on_scroll=True)
    Follow.objects.create(user=reader, topic=core_topics["chips"])
    client = Client()
    client.force_login(reader)
    now = timezone.now()
    first, second = (
        factories.make_articles(
            factories.make_source(title=f"Outlet {n}"),
            [factories.entry(TITLE, TEXT, url=f"https://outlet{n}.example/nvidia",
                             published=now - timedelta(hours=2 + n))],
        )[0]
        for n in range(2)
    )  # fmt: skip
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.story_id and first.story_id == second.story_id
    (card,) = [
        i.article.pk for i in reading.rank_feed_for(reader, hide_read=True).items
    ]
    assert client.post("/articles/read/", {"ids": str(card)}).status_code == 204
    after = [i.article.pk for i in reading.rank_feed_for(reader, hide_read=True).items]
    assert after == [], "the story just read comes back from the other outlet"


@pytest.mark.django_db
def test_the_digest_leaves_out_stories_the_reader_already_read(
    core_topics, smtp_server
):
    with time_machine.travel(datetime(2026, 11, 30, 7, 5, tzinfo=PARIS), tick=False):
        reader = factories.make_user(
            "digester", timezone="Europe/Paris", digest_hour=7, mark_read_on_scroll=True
        )
        Follow.objects.create(user=reader, topic=core_topics["chips"])
        read, unread = factories.make_articles(
            factories.make_source(title="Fab News"),
            [factories.entry("Nvidia stock falls as DeepSeek trains on H800 chips",
                             "Export controls on GPUs did not stop the model."),
             factories.entry("TSMC starts 2nm chip production in Arizona fab",
                             "The semiconductor foundry ships wafers.")],
        )  # fmt: skip
        ReadMark.objects.create(user=reader, article=read)
        result = digests.send_digest(reader, local_date=date(2026, 11, 30))
    assert result.status == "sent"
    text = smtp_server.messages[0].get_body(("plain",)).get_content()
    assert "TSMC" in text
    assert "Nvidia stock falls" not in text, "already read in the feed"


@pytest.mark.django_db
def test_a_story_in_yesterdays_digest_is_not_repeated_when_another_source_joins(
    core_topics, smtp_server
):
    reader = factories.make_user("digester", timezone="Europe/Paris", digest_hour=7)
    Follow.objects.create(user=reader, topic=core_topics["chips"])
    monday = datetime(2026, 11, 30, 7, 5, tzinfo=PARIS)
    with time_machine.travel(monday - timedelta(hours=2), tick=False):
        factories.make_articles(
            factories.make_source(title="Outlet A"),
            [factories.entry(TITLE, TEXT, url="https://a.example/nvidia")],
        )
    with time_machine.travel(monday, tick=False):
        assert digests.send_digest(reader, local_date=monday.date()).status == "sent"
    with time_machine.travel(monday + timedelta(hours=3), tick=False):
        (copy,) = factories.make_articles(
            factories.make_source(title="Outlet B"),
            [factories.entry(TITLE, TEXT, url="https://b.example/nvidia")],
        )
        factories.make_articles(
            factories.make_source(title="Outlet C"),
            [factories.entry("TSMC starts 2nm chip production in Arizona fab",
                             "The semiconductor foundry ships wafers.")],
        )  # fmt: skip
    copy.refresh_from_db()
    assert copy.story_id is not None
    with time_machine.travel(monday + timedelta(days=1), tick=False):
        tuesday = digests.send_digest(reader, local_date=date(2026, 12, 1))
    assert tuesday.status == "sent"
    text = smtp_server.messages[1].get_body(("plain",)).get_content()
    assert "TSMC" in text
    assert "Nvidia unveils" not in text, "yesterday's story again"


@pytest.mark.django_db
def test_the_digest_says_one_more_source_in_the_singular(core_topics, smtp_server):
    reader = factories.make_user("digester", timezone="Europe/Paris", digest_hour=7)
    Follow.objects.create(user=reader, topic=core_topics["chips"])
    for n in range(2):
        factories.make_articles(
            factories.make_source(title=f"Outlet {n}"),
            [factories.entry(TITLE, TEXT, url=f"https://o{n}.example/nvidia")],
        )
    assert digests.send_digest(reader, local_date=date(2026, 11, 30)).status == "sent"
    message = smtp_server.messages[0]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "+1 more source)" in text, text
    assert "+1 more source " in html


@pytest.mark.django_db
def test_liking_and_saving_one_story_counts_it_once_in_the_why_line(core_topics):
    reader = factories.make_user()
    Follow.objects.create(user=reader, topic=core_topics["chips"])
    now = timezone.now()
    (old,) = factories.make_articles(
        factories.make_source(),
        [factories.entry(TITLE, TEXT, published=now - timedelta(days=5))],
    )
    (new,) = factories.make_articles(
        factories.make_source(),
        [
            factories.entry(
                TITLE + " in Taipei", TEXT, published=now - timedelta(hours=1)
            )
        ],
    )
    factories.make_article(
        factories.make_source(),
        "TSMC starts 2nm production at its new Arizona fab",
        "The foundry ships its first wafers to Apple.",
    )
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.story_id is None or old.story_id != new.story_id
    personalisation.record_feedback(reader, old, "like")
    why = {i.article.pk: i.why for i in reading.rank_feed_for(reader).items}
    assert why[new.pk].endswith("you liked 1 similar story"), why[new.pk]
    personalisation.record_feedback(reader, old, "save")
    why = {i.article.pk: i.why for i in reading.rank_feed_for(reader).items}
    assert why[new.pk].endswith("you liked 1 similar story"), why[new.pk]
