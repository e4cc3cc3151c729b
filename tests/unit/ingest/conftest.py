"""Fixtures for the ingest core: a local HTTP server, real Redis, the corpus.

Nothing here reaches the internet: every response comes from a server on
127.0.0.1 started for the test session, which can drip bytes slowly, send any
status and headers, compressed bodies and redirects.
"""

import contextlib
import http.server
import os
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest
import redis
from ingest_helpers import Received, Reply, corpus_root

FIXTURES = Path(__file__).parent / "fixtures"


def pytest_addoption(parser: pytest.Parser) -> None:
    # These tests run with `-p no:django`; declare pytest-django's ini key so the
    # project's DJANGO_SETTINGS_MODULE setting is not an "unknown option" error.
    parser.addini("DJANGO_SETTINGS_MODULE", "Django settings (pytest-django)")


# -- local HTTP server ------------------------------------------------------------


Route = Reply | Callable[[Received], Reply]


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        received = Received(
            path=self.path, headers={k.lower(): v for k, v in self.headers.items()}
        )
        self.server.received.append(received)
        route = self.server.routes.get(self.path.split("?", 1)[0])
        if route is None:
            reply = Reply(status=404, body=b"not found")
        else:
            reply = route(received) if callable(route) else route
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, TimeoutError):
            self._send(reply)
        self.close_connection = True

    def _send(self, reply: Reply) -> None:
        if reply.raw is not None:
            self._drip([reply.raw] if not reply.delay else _bytes_of(reply.raw), reply)
            return
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if isinstance(reply.body, bytes) and reply.content_length:
            self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Connection", "close")
        self.end_headers()
        body = [reply.body] if isinstance(reply.body, bytes) else reply.body
        self._drip(body, reply)

    def _drip(self, chunks: Iterable[bytes], reply: Reply) -> None:
        for chunk in chunks:
            if reply.delay:
                time.sleep(reply.delay)
            self.wfile.write(chunk)
            self.wfile.flush()
            if self.server.stopping.is_set():
                return


def _bytes_of(data: bytes) -> Iterator[bytes]:
    for index in range(len(data)):
        yield data[index : index + 1]


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Route] = {}
        self.received: list[Received] = []
        self.stopping = threading.Event()


class FeedServer:
    """Handle on the session's local server; routes are reset for every test."""

    def __init__(self, server: _Server) -> None:
        self._server = server
        self.port = server.server_address[1]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, reply: Route) -> str:
        self._server.routes[path] = reply
        return self.url(path)

    @property
    def received(self) -> list[Received]:
        return self._server.received

    def requests_to(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path.split("?", 1)[0] == path]

    def reset(self) -> None:
        self._server.routes.clear()
        self._server.received.clear()


@pytest.fixture(scope="session")
def _http_server() -> Iterator[_Server]:
    server = _Server()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.stopping.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def web(_http_server: _Server) -> Iterator[FeedServer]:
    handle = FeedServer(_http_server)
    handle.reset()
    yield handle
    handle.reset()


# -- Redis ------------------------------------------------------------------------


def _answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except (redis.RedisError, OSError):
        return False


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """REDIS_URL if set, else local Redis db 15, else an embedded server."""
    configured = os.environ.get("REDIS_URL")
    if configured:
        yield configured
        return
    local = "redis://127.0.0.1:6379/15"
    if _answers(local):
        yield local
        return
    # Imported only here: the tidings package pulls in Celery and Django settings.
    from tidings import embedded_redis  # noqa: PLC0415

    directory = tmp_path_factory.mktemp("redis")
    url = f"unix://{directory / 'redis.sock'}"
    process: subprocess.Popen | None = embedded_redis.start(url, data_dir=directory)
    yield url
    embedded_redis.stop(process)


@pytest.fixture
def ingest_redis(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def unique_host() -> str:
    """A host key no other test (or parallel run) uses."""
    return f"host-{uuid.uuid4().hex}.example"


# -- corpus -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def corpus() -> Path:
    return corpus_root()
