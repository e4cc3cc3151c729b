"""Daily digests: due at the reader's local hour, sent once per local date over SMTP."""

import zoneinfo
from datetime import date, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError, transaction

from feed.models import DigestLog, Follow
from feed.services import digests
from feed.tasks import queue_due_digests
from tests import factories
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
    DigestLog.objects.create(user=digest_reader, local_date=monday)
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


def test_a_forged_unsubscribe_token_is_refused(digest_reader, client):
    response = client.post("/unsubscribe/forged-token/")
    assert response.status_code == 404
    digest_reader.refresh_from_db()
    assert digest_reader.digest_enabled
