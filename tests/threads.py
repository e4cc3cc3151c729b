"""Threads with their own database connections, for tests of real concurrent
transactions (PostgreSQL)."""

import threading
import time
from collections.abc import Callable

from django.db import connection


def start(call: Callable, errors: list, name: str | None = None) -> threading.Thread:
    """Run `call` in a thread of its own (its own connection); errors go to
    `errors`."""

    def run():
        try:
            call()
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


def waiting_on_locks() -> int:
    """How many other connections wait on a row or table lock now. (Call it outside
    a transaction: PostgreSQL shows one transaction one snapshot of the activity.)"""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            " AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def until(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def wait_until_blocked_on_lock(count: int = 1, timeout: float = 30) -> None:
    """Return once `count` other connections wait on a row or table lock."""
    try:
        until(lambda: waiting_on_locks() >= count, timeout)
    except AssertionError:
        raise AssertionError("no backend got blocked on a lock") from None
