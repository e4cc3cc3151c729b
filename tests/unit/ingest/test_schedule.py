"""Scheduling: posting rate, back-off, server hints, jitter, bounds."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from feed.ingest.schedule import (
    DEFAULT_DELAY,
    MAX_DELAY,
    MIN_DELAY,
    interval_for_rate,
    items_per_day,
    next_fetch_delay,
)

NOW = datetime(2025, 7, 15, 12, 0, tzinfo=UTC)


def delays(**kwargs) -> list[timedelta]:
    rng = random.Random(7)
    return [next_fetch_delay(rng=rng, **kwargs) for _ in range(200)]


def test_unknown_rate_gives_about_sixty_minutes_with_jitter():
    found = delays()

    assert all(timedelta(minutes=54) <= d <= timedelta(minutes=66) for d in found)
    assert len(set(found)) > 50  # jittered, not a constant


def test_busy_feeds_are_polled_every_fifteen_minutes_at_most():
    assert interval_for_rate(500) == MIN_DELAY
    assert all(d >= MIN_DELAY for d in delays(items_per_day=500))


def test_quiet_feeds_are_polled_at_least_daily():
    assert interval_for_rate(0) == MAX_DELAY
    assert interval_for_rate(0.01) == MAX_DELAY
    assert all(d <= MAX_DELAY * 1.1 for d in delays(items_per_day=0))


def test_rate_sets_the_interval_to_half_the_posting_gap():
    assert interval_for_rate(12) == timedelta(hours=1)
    assert interval_for_rate(1) == timedelta(hours=12)
    assert interval_for_rate(None) == DEFAULT_DELAY


@pytest.mark.parametrize(("failures", "minutes"), [(1, 120), (2, 240), (3, 480)])
def test_consecutive_failures_double_the_delay(failures, minutes):
    found = delays(items_per_day=12, consecutive_failures=failures)

    low, high = timedelta(minutes=minutes * 0.9), timedelta(minutes=minutes * 1.1)
    assert all(low <= d <= high for d in found)


def test_backoff_is_capped_at_a_day():
    assert all(d <= MAX_DELAY * 1.1 for d in delays(consecutive_failures=50))


@pytest.mark.parametrize(
    "hint",
    [
        {"max_age": 3 * 3600},
        {"retry_after": 3 * 3600.0},
        {"ttl_minutes": 180},
    ],
)
def test_server_and_feed_hints_are_lower_bounds(hint):
    assert all(d >= timedelta(hours=3) for d in delays(items_per_day=500, **hint))


def test_hints_below_the_natural_interval_change_nothing():
    plain = delays(items_per_day=12)

    assert delays(items_per_day=12, max_age=60, ttl_minutes=1) == plain


def test_huge_hints_are_honoured_only_up_to_a_day():
    assert all(d <= MAX_DELAY * 1.1 for d in delays(retry_after=30 * 24 * 3600.0))


def test_items_per_day_from_entry_dates():
    dates = [NOW - timedelta(hours=6 * n) for n in range(1, 9)]  # 8 in 2 days

    assert items_per_day(dates, now=NOW) == pytest.approx(4.0)


def test_items_per_day_is_unknown_without_dates_and_zero_for_old_ones():
    assert items_per_day([], now=NOW) is None
    assert items_per_day([NOW - timedelta(days=30)], now=NOW) == 0.0


def test_items_per_day_ignores_future_dates():
    assert items_per_day([NOW + timedelta(days=1)], now=NOW) == 0.0
