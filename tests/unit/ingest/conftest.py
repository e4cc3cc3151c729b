"""Fixtures for the ingest core: a local HTTP server, real Redis, the corpus.

Nothing here reaches the internet: every response comes from a server on
127.0.0.1 started for the test session, which can drip bytes slowly, send any
status and headers, compressed bodies and redirects.
"""

import contextlib
import datetime
import http.server
import os
import ssl
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
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


# -- TLS --------------------------------------------------------------------------


@dataclass(frozen=True)
class TlsSite:
    port: int
    hostname: str
    client_context: ssl.SSLContext  # trusts the test CA, and only it


def _certificate_pair(hostname: str) -> tuple[bytes, bytes, bytes]:
    """(CA cert PEM, leaf cert PEM, leaf key PEM) for `hostname`, made now."""
    now = datetime.datetime.now(datetime.UTC)

    def build(subject: str, key, issuer: str, issuer_key, *, ca: bool):
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(
                x509.BasicConstraints(ca=ca, path_length=None), critical=True
            )
        )
        if not ca:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName(hostname)]), critical=False
            )
        return builder.sign(issuer_key, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = build("Tidings test CA", ca_key, "Tidings test CA", ca_key, ca=True)
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = build(hostname, leaf_key, "Tidings test CA", ca_key, ca=False)
    pem = serialization.Encoding.PEM
    key_pem = leaf_key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return ca.public_bytes(pem), leaf.public_bytes(pem), key_pem


@pytest.fixture(scope="session")
def _tls_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[TlsSite, "_Server"]]:
    hostname = "feeds.tls.test"
    ca_pem, cert_pem, key_pem = _certificate_pair(hostname)
    directory = tmp_path_factory.mktemp("tls")
    (directory / "cert.pem").write_bytes(cert_pem + ca_pem)
    (directory / "key.pem").write_bytes(key_pem)
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(directory / "cert.pem", directory / "key.pem")
    server = _Server()
    server.socket = server_context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    client_context = ssl.create_default_context(cadata=ca_pem.decode())
    yield TlsSite(server.server_address[1], hostname, client_context), server
    server.stopping.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def tls_web(_tls_server) -> Iterator[tuple[TlsSite, FeedServer]]:
    """An HTTPS server on 127.0.0.1 whose certificate names feeds.tls.test."""
    site, server = _tls_server
    handle = FeedServer(server)
    handle.reset()
    yield site, handle
    handle.reset()
