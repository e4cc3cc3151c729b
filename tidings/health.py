"""Liveness of the services the app needs (for /healthz and load balancers)."""

import redis
from django.conf import settings
from django.db import DatabaseError, connection


def problems() -> list[str]:
    """Names of the services that do not answer; empty when all is well."""
    found = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        found.append("database")
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
    except (redis.RedisError, OSError):
        found.append("redis")
    return found
