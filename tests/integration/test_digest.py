"""Daily digests: due at the reader's local hour, sent once per local date over SMTP."""

import zoneinfo
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError, transaction

from feed.models import DigestLog, Follow
from feed.services import digests
from feed.tasks import queue_due_digests
from tests import factories
from tests.conftest import free_port
from tidings.celery import app as celery_app

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def monday_morning_in_paris():
    """Every test here runs on Monday 30 November 2026, 07:05 in Paris, unless it
    travels elsewhere; the digest's article arrives just before."""
    with time_machine.travel(datetime(2026, 11, 30, 7, 5, tzinfo=PARIS), tick=False):
        yield


@pytest.fixture
def digest_reader(db, core_topics, monday_morning_in_paris):
    reader = factories.make_user("digester", timezone="Europe/Paris", digest_hour=7)
    Follow.objects.create(user=reader, topic=core_topics["chips"])
    factories.make_articles(
        factories.make_source(title="Fab News"),
        [factories.entry("Nvidia stock falls as DeepSeek trains on H800 chips",
                         "Export controls on GPUs did not stop the model.")],
    )  # fmt: skip
    return reader


def test_a_reader_is_due_from_their_local_hour(digest_reader):
    at_7_10 = datetime(2026, 11, 30, 7, 10, tzinfo=PARIS)
    at_6_50 = datetime(2026, 11, 30, 6, 50, tzinfo=PARIS)
    assert digests.is_due(digest_reader, now=at_7_10)
    assert not digests.is_due(digest_reader, now=at_6_50)
    assert digests.due_digests(now=at_7_10) == [(digest_reader.pk, date(2026, 11, 30))]


def test_a_late_evening_digest_is_caught_up_after_midnight_as_that_days(
    digest_reader, settings
):
    settings.DIGEST_CATCHUP_HOURS = 3
    digest_reader.digest_hour = 23
    digest_reader.save()
    monday = date(2026, 11, 30)
    hours = {
        datetime(2026, 11, 30, 22, 50, tzinfo=PARIS): None,
        datetime(2026, 11, 30, 23, 10, tzinfo=PARIS): monday,
        datetime(2026, 12, 1, 0, 30, tzinfo=PARIS): monday,
        datetime(2026, 12, 1, 1, 59, tzinfo=PARIS): monday,
        datetime(2026, 12, 1, 2, 0, tzinfo=PARIS): None,
    }
    for now, day in hours.items():
        due = [(digest_reader.pk, day)] if day else []
        assert digests.due_digests(now=now) == due, now
    # Once Monday's digest went out, the catch-up hours after midnight send nothing.
    DigestLog.objects.create(user=digest_reader, local_date=monday, status="sent")
    assert digests.due_digests(now=datetime(2026, 12, 1, 0, 30, tzinfo=PARIS)) == []


def test_a_weekday_readers_friday_digest_is_caught_up_early_on_saturday(
    digest_reader,
):
    digest_reader.digest_frequency = "weekdays"
    digest_reader.digest_hour = 23
    friday_night = datetime(2026, 12, 5, 0, 30, tzinfo=PARIS)  # Saturday 00:30
    assert digests.is_due(digest_reader, now=friday_night)
    assert digests.digest_date(digest_reader, now=friday_night) == date(2026, 12, 4)
    assert not digests.is_due(
        digest_reader, now=datetime(2026, 12, 5, 23, 30, tzinfo=PARIS)
    )
    assert not digests.is_due(
        digest_reader, now=datetime(2026, 11, 30, 0, 30, tzinfo=PARIS)
    ), "00:30 on Monday catches up Sunday's digest, which weekday readers skip"


def test_weekday_readers_get_nothing_on_saturday(digest_reader):
    digest_reader.digest_frequency = "weekdays"
    saturday = datetime(2026, 11, 28, 7, 30, tzinfo=PARIS)
    assert not digests.is_due(digest_reader, now=saturday)


def test_the_digest_goes_out_once_over_smtp(digest_reader, smtp_server):
    today = date(2026, 11, 30)
    first = digests.send_digest(digest_reader, local_date=today)
    second = digests.send_digest(digest_reader, local_date=today)
    assert (first.status, second.status) == ("sent", "already")
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "digester@example.com"
    assert "Nvidia stock falls" in message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Nvidia stock falls" in html and "Why:" in html
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].strip().startswith("<http")
    assert message["Message-ID"] == first.message_id
    log = DigestLog.objects.get(user=digest_reader, local_date=today)
    assert log.status == "sent" and log.article_count == 1


def test_the_digest_lists_only_stories_about_the_readers_topics(
    digest_reader, smtp_server
):
    factories.make_articles(
        factories.make_source(title="Garden Weekly"),
        [factories.entry("Ten roses for a shady garden", "Planting tips."),
         factories.entry("Tomatoes ripen late this year", "A cold summer.")],
    )  # fmt: skip
    assert digests.send_digest(digest_reader, local_date=date(2026, 11, 30)).status == (
        "sent"
    )
    text = smtp_server.messages[0].get_body(("plain",)).get_content()
    assert "Nvidia stock falls" in text
    assert "roses" not in text and "Tomatoes" not in text


def test_the_database_refuses_a_second_digest_row_for_a_date(digest_reader):
    DigestLog.objects.create(user=digest_reader, local_date=date(2026, 11, 29))
    with pytest.raises(IntegrityError), transaction.atomic():
        DigestLog.objects.create(user=digest_reader, local_date=date(2026, 11, 29))


def test_send_digests_force_sends_regardless_of_hour_but_once(
    digest_reader, smtp_server, capsys
):
    with time_machine.travel(datetime(2026, 11, 30, 15, 0, tzinfo=PARIS), tick=False):
        call_command("send_digests", user="digester", force=True)
        call_command("send_digests", user="digester", force=True)
    out = capsys.readouterr().out
    assert "sent" in out and "already" in out
    assert len(smtp_server.messages) == 1


def test_the_hourly_task_sends_due_digests_once(digest_reader, smtp_server):
    celery_app.conf.task_always_eager = True
    try:
        with time_machine.travel(
            datetime(2026, 11, 30, 7, 0, tzinfo=PARIS), tick=False
        ):
            assert queue_due_digests.delay().get() == 1
            assert queue_due_digests.delay().get() == 0
    finally:
        celery_app.conf.task_always_eager = False
    assert len(smtp_server.messages) == 1


def test_an_empty_digest_is_not_sent(db, smtp_server):
    reader = factories.make_user()
    result = digests.send_digest(reader, local_date=date(2026, 11, 29))
    assert result.status == "empty"
    assert smtp_server.messages == []


def test_one_click_unsubscribe_turns_the_digest_off(digest_reader, client):
    token = digests.unsubscribe_token(digest_reader)
    page = client.get(f"/unsubscribe/{token}/")
    assert page.status_code == 200
    digest_reader.refresh_from_db()
    assert digest_reader.digest_enabled, "a GET (mail scanners) must change nothing"
    response = client.post(f"/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    digest_reader.refresh_from_db()
    assert not digest_reader.digest_enabled


def test_one_click_unsubscribe_acts_only_on_the_rfc8058_body(digest_reader, client):
    url = f"/unsubscribe/{digests.unsubscribe_token(digest_reader)}/"
    for body in ({}, {"anything": "else"}, {"List-Unsubscribe": "Yes"}):
        response = client.post(url, body)
        assert response.status_code == 400
        # The confirm page again, whose button sends the right body.
        assert 'name="List-Unsubscribe" value="One-Click"' in response.content.decode()
    digest_reader.refresh_from_db()
    assert digest_reader.digest_enabled
    client.post(url, {"List-Unsubscribe": "One-Click"})
    digest_reader.refresh_from_db()
    assert not digest_reader.digest_enabled


def test_a_forged_unsubscribe_token_is_refused(digest_reader, client):
    response = client.post("/unsubscribe/forged-token/")
    assert response.status_code == 404
    digest_reader.refresh_from_db()
    assert digest_reader.digest_enabled


MONDAY = date(2026, 11, 30)


def test_a_send_that_fails_for_any_reason_is_tried_again(
    digest_reader, smtp_server, settings
):
    sink_port, settings.EMAIL_PORT = settings.EMAIL_PORT, free_port()  # no one there
    with pytest.raises(ConnectionRefusedError):
        digests.send_digest(digest_reader, local_date=MONDAY)
    assert DigestLog.objects.get(user=digest_reader).status == "failed"
    # The next hourly run, still within the catch-up hours, queues it again ...
    at_8 = datetime(2026, 11, 30, 8, 0, tzinfo=PARIS)
    assert digests.due_digests(now=at_8) == [(digest_reader.pk, MONDAY)]
    # ... and it goes out once the mail server answers.
    settings.EMAIL_PORT = sink_port
    assert digests.send_digest(digest_reader, local_date=MONDAY).status == "sent"
    assert len(smtp_server.messages) == 1


def test_a_claim_left_by_a_worker_that_died_is_taken_over_later(
    digest_reader, smtp_server
):
    now = datetime(2026, 11, 30, 7, 5, tzinfo=PARIS)
    DigestLog.objects.create(user=digest_reader, local_date=MONDAY, created_at=now)
    # A live claim (another worker is sending) is left alone ...
    assert digests.send_digest(digest_reader, local_date=MONDAY).status == "already"
    assert digests.due_digests(now=now + timedelta(minutes=5)) == []
    # ... one that outlived any send is the claim of a dead worker.
    later = now + timedelta(minutes=20)
    assert digests.due_digests(now=later) == [(digest_reader.pk, MONDAY)]
    result = digests.send_digest(digest_reader, local_date=MONDAY, now=later)
    assert result.status == "sent" and len(smtp_server.messages) == 1


def test_a_reader_who_unsubscribed_after_being_queued_gets_nothing(
    digest_reader, smtp_server
):
    assert digests.due_digests(now=datetime(2026, 11, 30, 7, 5, tzinfo=PARIS))
    digest_reader.digest_enabled = False
    digest_reader.save()
    result = digests.send_digest(digest_reader, local_date=MONDAY)
    assert result.status == "disabled" and smtp_server.messages == []


def test_a_story_stored_while_a_digest_is_being_sent_is_in_the_next_one(
    digest_reader, smtp_server
):
    started = datetime(2026, 11, 30, 7, 5, tzinfo=PARIS)
    with time_machine.travel(started + timedelta(seconds=40), tick=False):
        # The send began at 07:05:00 and was done 40 seconds later.
        assert (
            digests.send_digest(digest_reader, local_date=MONDAY, now=started).status
            == "sent"
        )
    with time_machine.travel(started + timedelta(seconds=20), tick=False):
        factories.make_articles(
            factories.make_source(title="Chip Wire"),
            [factories.entry("TSMC starts 2nm chip production", "Chips and GPUs.",
                             published=started - timedelta(minutes=5))],
        )  # fmt: skip
    assert "TSMC" not in smtp_server.messages[0].get_body(("plain",)).get_content()
    with time_machine.travel(started + timedelta(days=1), tick=False):
        tuesday = digests.send_digest(digest_reader, local_date=date(2026, 12, 1))
    assert tuesday.status == "sent"
    assert "TSMC" in smtp_server.messages[1].get_body(("plain",)).get_content()


def test_the_digest_gives_times_in_the_readers_zone_and_no_empty_links(
    digest_reader, smtp_server
):
    factories.make_articles(
        factories.make_source(title="No Links Daily"),
        [factories.entry("GPU export rules tighten for chips", "Chips.", url="",
                         guid="no-link-1",
                         published=datetime(2026, 11, 30, 6, 30, tzinfo=PARIS))],
    )  # fmt: skip
    digests.send_digest(digest_reader, local_date=MONDAY)
    message = smtp_server.messages[0]
    html = message.get_body(("html",)).get_content()
    assert "GPU export rules tighten" in html and 'href=""' not in html
    assert "30 Nov, 06:30" in html  # Paris time, not 05:30 UTC
    assert "30 Nov, 06:30" in message.get_body(("plain",)).get_content()
