"""Shared fixtures: real Redis, a real SMTP server, feeds served from 127.0.0.1, and
small factories. PostgreSQL is used when DATABASE_URL points at it (see .ci/run)."""

import os
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.cache import cache

from feed.services import stories
from tests import factories
from tidings import embedded_redis

BASE_DIR = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    """The shared material beside the project (../shared), or TIDINGS_SHARED_DIR."""
    candidates = [
        os.environ.get("TIDINGS_SHARED_DIR", ""),
        str(BASE_DIR.parent / "shared"),
        "/work/shared",
    ]
    for candidate in candidates:
        if candidate and (Path(candidate) / "corpus" / "feeds").is_dir():
            return Path(candidate)
    raise RuntimeError(
        "The shared corpus was not found beside the project; set TIDINGS_SHARED_DIR."
    )


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return shared_dir() / "corpus"


@pytest.fixture(scope="session", autouse=True)
def redis_server() -> Iterator[str]:
    """The Redis the app is configured with; embedded mode starts its own server."""
    process = None
    if settings.EMBEDDED_REDIS:
        process = embedded_redis.start(
            settings.REDIS_URL, data_dir=settings.VAR_DIR / "redis"
        )
    yield settings.REDIS_URL
    embedded_redis.stop(process)


@pytest.fixture(autouse=True)
def fresh_cache(redis_server) -> Iterator[None]:
    """Every test starts with an empty cache: log-in throttles, cached mutes and why
    lines live in the shared Redis for minutes to days, and keys carry row ids that
    a later test's rows may reuse (so do the feature rows story clustering keeps)."""
    cache.clear()
    stories.row_cache.clear()
    yield
    cache.clear()
    stories.row_cache.clear()


# --- SMTP ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class SmtpSink:
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        self.messages.append(
            message_from_bytes(envelope.original_content, policy=policy.default)
        )
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings) -> Iterator[SmtpSink]:
    """A real SMTP server on 127.0.0.1; Django's SMTP backend talks to it."""
    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield sink
    finally:
        controller.stop()


# --- HTTP -------------------------------------------------------------------------------


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


class FeedServer:
    """A small HTTP server on 127.0.0.1 serving canned responses by path."""

    def __init__(self) -> None:
        self.routes: dict[str, Route | Callable[[BaseHTTPRequestHandler], Route]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                server.requests.append((self.path, dict(self.headers)))
                route = server.routes.get(self.path, Route(b"not found", 404))
                if callable(route):
                    route = route(self)
                self.send_response(route.status)
                headers = {"Content-Type": "application/rss+xml", **route.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"


@pytest.fixture
def feed_server(settings) -> Iterator[FeedServer]:
    settings.FETCH_ALLOW_PRIVATE_ADDRESSES = True
    server = FeedServer()
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


# --- Factories ------------------------------------------------------------------------


@pytest.fixture
def make_user(db) -> Callable:
    return factories.make_user


@pytest.fixture
def core_topics(db) -> dict:
    return factories.core_topics()
