"""A per-host concurrency limit shared by every worker process, kept in Redis.

Politeness, not correctness: at most `limit` fetches run against one host at a
time, across all Celery workers. Each holder owns a member of a sorted set keyed by
host, scored with its lease expiry (Redis server time, so worker clocks do not
matter). A holder that crashes without releasing simply stops counting once its
lease expires; nothing needs cleaning up. Keep `lease_seconds` above the fetch
deadline (FetchPolicy.timeout), or call `renew` for longer work.

    limiter = HostLimiter(redis_client, limit=2, lease_seconds=60)
    with limiter.slot("feeds.example.com", wait=10):
        fetch_feed(...)

`HostBusy` is raised when no slot frees up within `wait` seconds; a task should
then retry later rather than block a worker.

This is not an exactly-once lock (that comes from the database): an expired lease
can let a third fetch in while a slow one is still running.
"""

import os
import random
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from feed.ingest.netguard import host_of

# KEYS[1] = host key; ARGV = limit, lease ms, token. 1 when a slot was taken.
_ACQUIRE = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  return 0
end
local lease = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now + lease, ARGV[3])
if redis.call('PTTL', KEYS[1]) < lease then
  redis.call('PEXPIRE', KEYS[1], lease)
end
return 1
"""
# KEYS[1] = host key; ARGV = lease ms, token. 1 when the lease was extended.
_RENEW = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local expiry = redis.call('ZSCORE', KEYS[1], ARGV[2])
if not expiry or tonumber(expiry) <= now then
  return 0
end
local lease = tonumber(ARGV[1])
redis.call('ZADD', KEYS[1], 'XX', now + lease, ARGV[2])
if redis.call('PTTL', KEYS[1]) < lease then
  redis.call('PEXPIRE', KEYS[1], lease)
end
return 1
"""
# KEYS[1] = host key. The number of unexpired holders.
_COUNT = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')
"""


class HostBusy(Exception):
    """No slot for the host became free within the wait; retry later."""

    def __init__(self, host: str, wait: float, limit: int) -> None:
        super().__init__(
            f"{host} already has {limit} fetches running; no slot freed up "
            f"within {wait:g} seconds."
        )
        self.host = host
        self.wait = wait


@dataclass(frozen=True)
class Slot:
    host: str
    token: str


class HostLimiter:
    """At most `limit` concurrent holders per host, across processes."""

    def __init__(
        self,
        redis_client: Any,
        *,
        limit: int = 2,
        lease_seconds: float = 60.0,
        prefix: str = "tidings:hostlimit:",
        poll_interval: float = 0.05,
        max_poll_interval: float = 1.0,
    ) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        if lease_seconds <= 0:
            raise ValueError("lease_seconds must be positive")
        self.redis = redis_client
        self.limit = limit
        self.lease_ms = max(1, int(lease_seconds * 1000))
        self.prefix = prefix
        self.poll_interval = poll_interval
        self.max_poll_interval = max_poll_interval
        self._acquire = redis_client.register_script(_ACQUIRE)
        self._renew = redis_client.register_script(_RENEW)
        self._count = redis_client.register_script(_COUNT)
        self._random = random.Random()  # noqa: S311 - jitter, not security

    @staticmethod
    def normalise(host: str) -> str:
        """The key part for a host name or URL: lower case, no port, no final dot."""
        host = host.strip()
        if "://" in host:
            host = host_of(host)
        return host.lower().rstrip(".")

    def _key(self, host: str) -> str:
        return self.prefix + host

    def try_acquire(self, host: str) -> Slot | None:
        """A slot if one is free right now, else None."""
        host = self.normalise(host)
        token = f"{os.getpid()}:{uuid.uuid4().hex}"
        taken = self._acquire(
            keys=[self._key(host)], args=[self.limit, self.lease_ms, token]
        )
        return Slot(host=host, token=token) if int(taken) == 1 else None

    def acquire(self, host: str, *, wait: float = 0.0) -> Slot:
        """Take a slot, polling with jittered back-off for up to `wait` seconds."""
        deadline = time.monotonic() + max(wait, 0.0)
        interval = self.poll_interval
        while True:
            slot = self.try_acquire(host)
            if slot is not None:
                return slot
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise HostBusy(self.normalise(host), wait, self.limit)
            pause = interval * self._random.uniform(0.5, 1.5)
            time.sleep(min(pause, remaining))
            interval = min(interval * 2, self.max_poll_interval)

    def release(self, slot: Slot) -> None:
        self.redis.zrem(self._key(slot.host), slot.token)

    def renew(self, slot: Slot) -> bool:
        """Extend the lease; False if it had already expired (the slot is lost)."""
        renewed = self._renew(
            keys=[self._key(slot.host)], args=[self.lease_ms, slot.token]
        )
        return int(renewed) == 1

    def holders(self, host: str) -> int:
        """How many unexpired slots the host has now."""
        return int(self._count(keys=[self._key(self.normalise(host))]))

    @contextmanager
    def slot(self, host: str, *, wait: float = 30.0) -> Iterator[Slot]:
        """Hold a slot for the duration of the block; HostBusy after `wait`."""
        held = self.acquire(host, wait=wait)
        try:
            yield held
        finally:
            self.release(held)
