"""Daily digests: who is due, and sending each one at most once per local date."""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from feed import emails
from feed.models import DigestLog
from feed.services import reading

logger = logging.getLogger(__name__)
UNSUBSCRIBE_SALT = "tidings.digest.unsubscribe"
# A digest claimed longer ago than this (well past the send task's time limit) was
# claimed by a worker that died before sending: it may be claimed again.
STALE_CLAIM = timedelta(minutes=15)


@dataclass(frozen=True)
class DigestResult:
    status: str  # sent | empty | already | unverified | disabled
    article_count: int = 0
    message_id: str = ""


def local_date_for(user, *, now: datetime) -> date:
    return now.astimezone(user.tzinfo).date()


def can_receive_digest(user) -> bool:
    """Digests go only to addresses the reader proved they own. Accounts created by
    an administrator (createsuperuser, admin) have no address record and are trusted."""
    if not user.email or not user.is_active:
        return False
    addresses = EmailAddress.objects.filter(user=user)
    return (
        not addresses.exists()
        or addresses.filter(email__iexact=user.email, verified=True).exists()
    )


def digest_date(user, *, now: datetime) -> date:
    """The local date of the reader's latest digest hour at or before `now`: a
    digest due at 23:00 and caught up at 00:30 is still the previous day's."""
    local = now.astimezone(user.tzinfo)
    if local.hour < user.digest_hour:
        return local.date() - timedelta(days=1)
    return local.date()


def is_due(user, *, now: datetime) -> bool:
    """The reader's chosen local hour has come (within the catch-up window, which
    runs on past midnight) on a day their frequency includes."""
    if not user.digest_enabled:
        return False
    local = now.astimezone(user.tzinfo)
    if (local.hour - user.digest_hour) % 24 >= settings.DIGEST_CATCHUP_HOURS:
        return False
    weekday = digest_date(user, now=now).weekday()
    if user.digest_frequency == user.DigestFrequency.WEEKDAYS and weekday >= 5:
        return False
    return not (user.digest_frequency == user.DigestFrequency.WEEKLY and weekday != 0)


def due_digests(*, now: datetime) -> list[tuple[int, date]]:
    """(user id, digest date) for every reader whose digest should go out now."""
    due = []
    users = get_user_model().objects.filter(digest_enabled=True, is_active=True)
    for user in users.exclude(email="").iterator():
        if not is_due(user, now=now):
            continue
        local_date = digest_date(user, now=now)
        taken = DigestLog.objects.filter(user=user, local_date=local_date).exclude(
            _may_retry(now)
        )
        if not taken.exists():
            due.append((user.pk, local_date))
    return due


def _may_retry(now: datetime) -> Q:
    """Digest rows that may be claimed again: failed ones (no mail left the
    building) and claims of a worker that died before sending (STALE_CLAIM)."""
    return Q(status=DigestLog.Status.FAILED) | Q(
        status=DigestLog.Status.CLAIMED, created_at__lt=now - STALE_CLAIM
    )


def _claim(user, local_date: date, *, now: datetime) -> DigestLog | None:
    """Create the (user, date) row; only one caller can. A row that may be tried
    again (_may_retry) is claimed anew; a live claim or a sent digest never."""
    try:
        with transaction.atomic():
            return DigestLog.objects.create(
                user=user, local_date=local_date, created_at=now
            )
    except IntegrityError:
        reclaimed = (
            DigestLog.objects.filter(user=user, local_date=local_date)
            .filter(_may_retry(now))
            .update(status=DigestLog.Status.CLAIMED, error="", created_at=now)
        )
        if reclaimed:
            return DigestLog.objects.get(user=user, local_date=local_date)
        return None


def unsubscribe_token(user) -> str:
    return signing.dumps({"u": user.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def user_for_unsubscribe_token(token: str):
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return get_user_model().objects.filter(pk=data.get("u")).first()


def send_digest(user, *, local_date: date, now: datetime | None = None) -> DigestResult:
    """Send the reader's digest for `local_date` unless it went out already.

    Its stories are those that arrived since the previous digest's `now` (stored as
    that digest's sent_at), so a story stored while a digest is being sent is in
    the next one. Whatever goes wrong before the mail is handed over leaves the
    row FAILED, to be tried again."""
    now = now or timezone.now()
    if not user.digest_enabled:  # e.g. unsubscribed while this send was queued
        return DigestResult(status="disabled")
    if not can_receive_digest(user):
        return DigestResult(status="unverified")
    log = _claim(user, local_date, now=now)
    if log is None:
        return DigestResult(status="already")

    try:
        last = (
            DigestLog.objects.filter(user=user, status=DigestLog.Status.SENT)
            .exclude(pk=log.pk)
            .order_by("-sent_at")
            .values_list("sent_at", flat=True)
            .first()
        )
        default_span = timedelta(days=7 if user.digest_frequency == "weekly" else 1)
        since = max(last or now - default_span, now - timedelta(days=7))
        page = reading.rank_feed_for(
            user,
            limit=user.digest_max_items,
            now=now,
            since=since,
            hide_read=True,
            leave_out=_already_sent(user, since=since, exclude=log.pk),
        )
        if not page.items:
            DigestLog.objects.filter(pk=log.pk).update(status=DigestLog.Status.EMPTY)
            return DigestResult(status="empty")

        message_id = f"<digest-{user.pk}-{local_date:%Y%m%d}@{_mail_domain()}>"
        unsubscribe_url = settings.SITE_URL + reverse(
            "feed:unsubscribe", args=[unsubscribe_token(user)]
        )
        emails.send_digest(
            user,
            page.items,
            local_date=local_date,
            message_id=message_id,
            unsubscribe_url=unsubscribe_url,
        )
    except BaseException as error:  # a time limit or a shutdown too
        DigestLog.objects.filter(pk=log.pk).update(
            status=DigestLog.Status.FAILED,
            error=(str(error) or type(error).__name__)[:1000],
        )
        raise
    DigestLog.objects.filter(pk=log.pk).update(
        status=DigestLog.Status.SENT,
        sent_at=now,
        article_count=len(page.items),
        article_ids=[item.article.pk for item in page.items],
        message_id=message_id,
    )
    return DigestResult(
        status="sent", article_count=len(page.items), message_id=message_id
    )


def _already_sent(user, *, since: datetime, exclude: int) -> set[int]:
    """The articles of the reader's digests sent in the day before `since` or
    after it: their stories are not news for the next digest."""
    lists = (
        DigestLog.objects.filter(
            user=user,
            status=DigestLog.Status.SENT,
            sent_at__gte=since - timedelta(days=1),
        )
        .exclude(pk=exclude)
        .values_list("article_ids", flat=True)
    )
    return {article_id for ids in lists for article_id in ids or ()}


def _mail_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"
