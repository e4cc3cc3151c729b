"""When to fetch a feed next: pure functions over what the last fetches showed.

The delay follows the feed's posting rate (twice as often as it posts, between
15 minutes and 24 hours; 60 minutes when the rate is unknown), doubles with each
consecutive failure (up to 24 hours), never undercuts what the server or the feed
asked for (Cache-Control max-age, Retry-After, RSS ``<ttl>``, each honoured up to
24 hours), and carries +-10 % jitter so feeds added together drift apart.
Django-free; `rng` is a parameter so tests are repeatable.
"""

import random
from collections.abc import Iterable
from datetime import datetime, timedelta

MIN_DELAY = timedelta(minutes=15)
DEFAULT_DELAY = timedelta(minutes=60)
MAX_DELAY = timedelta(hours=24)
JITTER = 0.10
MAX_BACKOFF_DOUBLINGS = 10
RATE_WINDOW = timedelta(days=7)


def interval_for_rate(items_per_day: float | None) -> timedelta:
    """Poll twice per expected new item, within [MIN_DELAY, MAX_DELAY]."""
    if items_per_day is None:
        return DEFAULT_DELAY
    if items_per_day <= 0:
        return MAX_DELAY
    interval = timedelta(days=1) / (2 * items_per_day)
    return min(max(interval, MIN_DELAY), MAX_DELAY)


def next_fetch_delay(
    *,
    items_per_day: float | None = None,
    consecutive_failures: int = 0,
    max_age: int | None = None,
    retry_after: float | None = None,
    ttl_minutes: int | None = None,
    rng: random.Random | None = None,
) -> timedelta:
    """How long to wait before fetching the feed again.

    `items_per_day` from `items_per_day()` (None when unknown), failures since the
    last success, `max_age` (seconds, FetchResult.max_age), `retry_after`
    (seconds, FetchError.retry_after), `ttl_minutes` (ParsedFeed.ttl_minutes).
    """
    rng = rng or random.Random()  # noqa: S311 - jitter, not security
    delay = interval_for_rate(items_per_day)
    doublings = min(max(consecutive_failures, 0), MAX_BACKOFF_DOUBLINGS)
    delay = min(delay * (2**doublings), MAX_DELAY)
    delay = delay * rng.uniform(1 - JITTER, 1 + JITTER)

    floors = [MIN_DELAY]
    if max_age:
        floors.append(timedelta(seconds=max_age))
    if retry_after:
        floors.append(timedelta(seconds=retry_after))
    if ttl_minutes:
        floors.append(timedelta(minutes=ttl_minutes))
    delay = max(delay, min(max(floors), MAX_DELAY))
    delay = min(delay, MAX_DELAY * (1 + JITTER))
    return timedelta(seconds=round(delay.total_seconds()))


def items_per_day(
    published: Iterable[datetime], *, now: datetime, window: timedelta = RATE_WINDOW
) -> float | None:
    """Posting rate over the last `window`, from entry dates.

    None when there are no dates at all (unknown), 0.0 when none falls in the
    window (a quiet feed). The span counted runs from the oldest date in the
    window to `now`, at least an hour. Pass only dates the feed really gave
    (Entry.date_known), not fetch times.
    """
    dates = list(published)
    if not dates:
        return None
    recent = [moment for moment in dates if now - window <= moment <= now]
    if not recent:
        return 0.0
    span = max(now - min(recent), timedelta(hours=1))
    return len(recent) / (span / timedelta(days=1))
