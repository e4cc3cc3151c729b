"""The Redis cache, degrading to "nothing is cached" while Redis is away.

Everything Tidings caches can be recomputed or read from the database (sessions
are cached_db, mutes and "why" lines are derived), so a Redis restart or outage
should cost speed, not pages: Django's RedisCache raises on a refused connection,
and a signed-in reader's every page would be a 500. While Redis is unreachable,
reads miss and writes are dropped (logged at most once a minute). The log-in
throttles, which live in the cache, do not count during that time.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
_UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
_WARN_EVERY_SECONDS = 60.0
_last_warning = 0.0


def _unreachable(error: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= _WARN_EVERY_SECONDS:
        _last_warning = now
        logger.warning("cache unreachable, serving without it: %s", error)


class ForgivingRedisCacheClient(RedisCacheClient):
    def get(self, key, default):
        try:
            return super().get(key, default)
        except _UNREACHABLE as error:
            _unreachable(error)
            return default

    def get_many(self, keys):
        try:
            return super().get_many(keys)
        except _UNREACHABLE as error:
            _unreachable(error)
            return {}

    def has_key(self, key):
        try:
            return super().has_key(key)
        except _UNREACHABLE as error:
            _unreachable(error)
            return False

    def add(self, key, value, timeout):
        try:
            return super().add(key, value, timeout)
        except _UNREACHABLE as error:
            _unreachable(error)
            return False

    def set(self, key, value, timeout):
        try:
            super().set(key, value, timeout)
        except _UNREACHABLE as error:
            _unreachable(error)

    def set_many(self, data, timeout):
        try:
            super().set_many(data, timeout)
        except _UNREACHABLE as error:
            _unreachable(error)

    def touch(self, key, timeout):
        try:
            return super().touch(key, timeout)
        except _UNREACHABLE as error:
            _unreachable(error)
            return False

    def delete(self, key):
        try:
            return super().delete(key)
        except _UNREACHABLE as error:
            _unreachable(error)
            return False

    def delete_many(self, keys):
        try:
            super().delete_many(keys)
        except _UNREACHABLE as error:
            _unreachable(error)


class ForgivingRedisCache(RedisCache):
    """django.core.cache.backends.redis.RedisCache with ForgivingRedisCacheClient."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ForgivingRedisCacheClient
