"""HostLimiter against a real Redis: the limit holds across threads and processes,
leases expire."""

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from feed.ingest.hostlimit import HostBusy, HostLimiter


def test_at_most_limit_holders_run_at_once_across_threads(ingest_redis, unique_host):
    limiter = HostLimiter(ingest_redis, limit=2, lease_seconds=30)
    lock = threading.Lock()
    running = peak = finished = 0
    errors: list[BaseException] = []

    def worker() -> None:
        nonlocal running, peak, finished
        try:
            # Each thread has its own limiter, as separate processes would.
            own = HostLimiter(
                ingest_redis, limit=2, lease_seconds=30, poll_interval=0.01
            )
            with own.slot(unique_host, wait=20):
                with lock:
                    running += 1
                    peak = max(peak, running)
                time.sleep(0.05)
                with lock:
                    running -= 1
                    finished += 1
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert finished == 8
    assert peak == 2
    assert limiter.holders(unique_host) == 0


# One worker process: takes a slot, counts itself in while it holds it, records how
# many were in, and leaves. argv: redis URL, host.
HOLDER = """
import sys, time, redis
from feed.ingest.hostlimit import HostLimiter
client = redis.Redis.from_url(sys.argv[1])
host = sys.argv[2]
limiter = HostLimiter(client, limit=2, lease_seconds=30, poll_interval=0.01)
with limiter.slot(host, wait=30):
    client.rpush(host + ":seen", client.incr(host + ":in"))
    time.sleep(0.3)
    client.decr(host + ":in")
"""


def test_at_most_limit_holders_run_at_once_across_processes(
    ingest_redis, redis_url, unique_host
):
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", HOLDER, redis_url, unique_host],
            cwd=Path(__file__).resolve().parents[3],
        )
        for _ in range(6)
    ]
    assert [p.wait(timeout=60) for p in processes] == [0] * 6
    seen = [int(n) for n in ingest_redis.lrange(f"{unique_host}:seen", 0, -1)]
    ingest_redis.delete(f"{unique_host}:seen", f"{unique_host}:in")
    assert len(seen) == 6
    assert max(seen) == 2
    assert HostLimiter(ingest_redis, limit=2).holders(unique_host) == 0


def test_no_slot_within_the_wait_raises_host_busy(ingest_redis, unique_host):
    limiter = HostLimiter(ingest_redis, limit=1, lease_seconds=30)
    held = limiter.acquire(unique_host)

    with pytest.raises(HostBusy, match="1 fetches running"):
        limiter.acquire(unique_host, wait=0.2)

    limiter.release(held)
    assert limiter.acquire(unique_host, wait=0)


def test_a_crashed_holders_slot_expires_with_its_lease(ingest_redis, unique_host):
    limiter = HostLimiter(ingest_redis, limit=1, lease_seconds=0.5, poll_interval=0.02)
    limiter.acquire(unique_host)  # the "crashed" holder never releases

    with pytest.raises(HostBusy):
        limiter.acquire(unique_host, wait=0)
    started = time.monotonic()
    slot = limiter.acquire(unique_host, wait=10)

    assert 0.2 < time.monotonic() - started < 10
    assert limiter.holders(unique_host) == 1
    limiter.release(slot)


def test_renew_extends_a_live_lease_and_fails_for_an_expired_one(
    ingest_redis, unique_host
):
    limiter = HostLimiter(ingest_redis, limit=1, lease_seconds=0.3)
    slot = limiter.acquire(unique_host)

    time.sleep(0.15)
    assert limiter.renew(slot)
    time.sleep(0.2)  # past the first lease, within the renewed one
    assert limiter.holders(unique_host) == 1
    time.sleep(0.3)
    assert not limiter.renew(slot)
    assert limiter.holders(unique_host) == 0


def test_hosts_are_limited_independently_and_urls_map_to_their_host(
    ingest_redis, unique_host
):
    limiter = HostLimiter(ingest_redis, limit=1, lease_seconds=30)
    first = limiter.acquire(f"https://{unique_host.upper()}./feed.xml")
    other = limiter.acquire("other-" + unique_host)

    with pytest.raises(HostBusy):
        limiter.acquire(unique_host, wait=0)

    assert first.host == unique_host
    limiter.release(first)
    limiter.release(other)


def test_the_slot_is_released_when_the_block_raises(ingest_redis, unique_host):
    limiter = HostLimiter(ingest_redis, limit=1, lease_seconds=30)

    with pytest.raises(RuntimeError), limiter.slot(unique_host, wait=0):
        raise RuntimeError("fetch failed")

    assert limiter.holders(unique_host) == 0


def test_idle_host_keys_expire_from_redis(ingest_redis, unique_host):
    limiter = HostLimiter(ingest_redis, limit=1, lease_seconds=5)
    slot = limiter.acquire(unique_host)

    ttl_ms = ingest_redis.pttl(limiter.prefix + unique_host)

    assert 0 < ttl_ms <= 5000
    limiter.release(slot)
