"""HTTP fetching of feeds: conditional GET, redirects, size and time limits, SSRF guard.

`fetch_feed` makes one GET (plus at most `max_redirects` more for redirects) with:

* the SSRF guard of `netguard` on the address actually connected to, re-applied on
  every redirect hop, and only http(s) URLs without user names or passwords;
* one overall deadline for everything (DNS, connect, TLS, headers, body, all hops),
  not just per-read timeouts;
* a size cap on the bytes received *and* on the bytes after decompression, which
  happens here in bounded steps, so a gzip or brotli bomb is refused after
  `max_bytes` of output, never fully inflated;
* conditional requests (ETag / Last-Modified -> 304), permanent-redirect tracking,
  and the server's caching and rate-limit hints (Cache-Control max-age,
  Retry-After) returned for scheduling.

Django-free: configuration comes in as a FetchPolicy, results go out as FetchResult.
Errors are FetchError with a message a person can act on and a machine `kind`:
refused | unreachable | timeout | too_large | http | gone | rate_limited.
"""

import functools
import re
import ssl
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import brotli
import httpcore
import httpx

from feed.ingest import netguard

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
PERMANENT_REDIRECTS = {301, 308}
RATE_LIMIT_STATUSES = {429, 503}
MAX_HINT_SECONDS = 7 * 24 * 3600  # Cache-Control / Retry-After values are capped
DECODE_STEP = 64 * 1024  # decompressed bytes produced per step
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5"
)


@dataclass(frozen=True)
class FetchPolicy:
    timeout: float = 20.0  # overall deadline for the whole fetch, redirects included
    connect_timeout: float = 5.0
    max_bytes: int = 10 * 1024 * 1024  # on the wire and after decompression
    max_redirects: int = 5
    allow_private: bool = False  # development and tests only
    user_agent: str = "Tidings/1.0 (feed reader)"
    read_timeout: float = 10.0  # silence between two reads; the deadline still rules


@dataclass(frozen=True)
class FetchResult:
    url: str  # final URL after redirects
    status: int
    content: bytes  # decompressed body ("" for 304)
    content_type: str = ""
    etag: str = ""  # validators: "" when absent or not header-safe
    last_modified: str = ""
    permanent_url: str = ""  # set only when every redirect hop was 301/308
    not_modified: bool = False
    max_age: int | None = None  # seconds, from Cache-Control (s-maxage, max-age)
    redirects: int = 0  # hops followed
    wire_bytes: int = 0  # body bytes as received, before decompression


class FetchError(Exception):
    """A fetch that failed; str(error) is meant for people."""

    def __init__(
        self,
        message: str,
        *,
        kind: str,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        # refused | unreachable | timeout | too_large | http | gone | rate_limited
        self.kind = kind
        self.status = status
        self.retry_after = retry_after  # seconds, when the server said

    @property
    def permanent(self) -> bool:
        """True for failures that retrying soon will not fix (refusals, 410, 4xx)."""
        if self.kind in {"refused", "gone", "too_large"}:
            return True
        transient = {408, 425}  # request timeout, too early
        return (
            self.kind == "http"
            and self.status is not None
            and 400 <= self.status < 500
            and self.status not in transient
        )


# -- URL checks -------------------------------------------------------------------


def _check_syntax(url: str, *, allow_private: bool) -> tuple[str, str, int]:
    """(url, host, port) for an http(s) URL that may be fetched; FetchError if not."""
    url = url.strip() if isinstance(url, str) else ""
    if not url or any(c.isspace() or not c.isprintable() or c == "\\" for c in url):
        raise FetchError(
            "This is not a valid web address (it contains spaces or control "
            "characters).",
            kind="refused",
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchError("This is not a valid web address.", kind="refused") from exc
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise FetchError(
            "Only http:// and https:// addresses can be fetched.", kind="refused"
        )
    if "@" in parts.netloc:
        raise FetchError(
            "Addresses with a user name or password (user@host) are not fetched.",
            kind="refused",
        )
    if port == 0:
        raise FetchError("Port 0 cannot be fetched.", kind="refused")
    if not _usable_by_httpx(url):
        raise FetchError(
            "This is not a valid web address (the host name is not valid).",
            kind="refused",
        )
    try:
        host = netguard.check_host(parts.hostname or "", allow_private=allow_private)
    except netguard.AddressRefused as exc:
        raise FetchError(str(exc), kind="refused") from exc
    return url, host, port or (443 if scheme == "https" else 80)


def _usable_by_httpx(url: str) -> bool:
    """Whether httpx can read the URL: it refuses host names that IDNA does not
    allow (`xn--a.com`, full-width digits, a leading combining mark) with
    InvalidURL, or with idna's errors (ValueErrors) when it decodes the host."""
    try:
        httpx.URL(url).host  # noqa: B018 - decoding the host is the check
    except (httpx.InvalidURL, ValueError):
        return False
    return True


def _refuse_unusable_location(response: httpx.Response) -> None:
    """A response hook: httpx reads a redirect's Location itself (for
    `next_request`) before `fetch_feed` checks it, and would raise on this one."""
    location = response.headers.get("location", "")
    if response.status_code in REDIRECT_STATUSES and not _usable_by_httpx(location):
        raise FetchError(
            "The server redirected to an address that is not valid.", kind="refused"
        )


def check_url(url: str, *, allow_private: bool = False) -> str:
    """Refuse URLs that are not http(s) or whose host resolves to a non-public address.

    Returns the URL stripped of surrounding spaces. Meant for validating a URL a
    person enters; `fetch_feed` applies the same rules again when it connects.
    """
    url, host, port = _check_syntax(url, allow_private=allow_private)
    try:
        netguard.resolve_checked(host, port, allow_private=allow_private)
    except netguard.AddressRefused as exc:
        raise FetchError(str(exc), kind="refused") from exc
    except (netguard.HostNotFound, netguard.DeadlineExceeded) as exc:
        raise FetchError(str(exc), kind="unreachable") from exc
    return url


def check_url_syntax(url: str, *, allow_private: bool = False) -> str:
    """Like `check_url`, without resolving the host: for long lists such as an OPML
    import, where every address is checked again when it is fetched."""
    return _check_syntax(url, allow_private=allow_private)[0]


# -- transport --------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()


_CORE_ERRORS: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ProtocolError, httpx.ProtocolError),
    (httpcore.TimeoutException, httpx.TimeoutException),
)


def _as_httpx_error(exc: Exception, request: httpx.Request) -> Exception:
    for core_type, httpx_type in _CORE_ERRORS:
        if isinstance(exc, core_type):
            return httpx_type(str(exc) or core_type.__name__, request=request)
    return exc


class _CoreBody(httpx.SyncByteStream):
    def __init__(self, response: httpcore.Response, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._response.iter_stream()
        except httpcore.TimeoutException as exc:
            raise _as_httpx_error(exc, self._request) from exc
        except (httpcore.NetworkError, httpcore.ProtocolError) as exc:
            raise _as_httpx_error(exc, self._request) from exc

    def close(self) -> None:
        self._response.close()


class GuardedTransport(httpx.BaseTransport):
    """An httpx transport over an httpcore pool whose sockets go through the guard."""

    def __init__(self, *, allow_private: bool, deadline: float) -> None:
        self.backend = netguard.GuardedBackend(
            allow_private=allow_private, deadline=deadline
        )
        self._pool = httpcore.ConnectionPool(
            ssl_context=_ssl_context(),
            max_connections=4,
            http1=True,
            http2=False,
            retries=0,
            network_backend=self.backend,
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,  # type: ignore[arg-type]
            extensions=request.extensions,
        )
        try:
            response = self._pool.handle_request(core_request)
        except (
            httpcore.TimeoutException,
            httpcore.NetworkError,
            httpcore.ProtocolError,
        ) as exc:
            raise _as_httpx_error(exc, request) from exc
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_CoreBody(response, request),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._pool.close()


# -- bounded decompression --------------------------------------------------------


class _Decoder:
    """Decompresses in steps of at most DECODE_STEP output bytes."""

    def feed(self, data: bytes) -> Iterator[bytes]:
        raise NotImplementedError

    def finish(self) -> Iterator[bytes]:
        return iter(())


class _Identity(_Decoder):
    def feed(self, data: bytes) -> Iterator[bytes]:
        if data:
            yield data


class _Zlib(_Decoder):
    """gzip (possibly multi-member) and deflate (zlib-wrapped or raw)."""

    def __init__(self, *, gzip: bool) -> None:
        self._gzip = gzip
        self._inflater: Any = None
        self._head = b""

    def _new(self, first: bytes) -> Any:
        if self._gzip:
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        # "deflate" should be zlib-wrapped, but servers also send raw deflate.
        wrapped = (
            len(first) >= 2
            and first[0] & 0x0F == 8
            and (first[0] << 8 | first[1]) % 31 == 0
        )
        return zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._inflater is None:
            self._head += data
            if len(self._head) < 2:
                return
            data, self._head = self._head, b""
            self._inflater = self._new(data)
        pending = data
        while True:
            try:
                out = self._inflater.decompress(pending, DECODE_STEP)
            except zlib.error as exc:
                raise _DecodeError(str(exc)) from exc
            if out:
                yield out
            if self._inflater.eof:
                rest = self._inflater.unused_data
                if not (self._gzip and rest.startswith(b"\x1f\x8b")):
                    return  # trailing padding or junk after the stream: ignored
                self._inflater = self._new(rest)  # next gzip member
                pending = rest
                continue
            pending = self._inflater.unconsumed_tail
            if not pending and len(out) < DECODE_STEP:
                return

    def finish(self) -> Iterator[bytes]:
        if self._inflater is None:
            if self._head:
                raise _DecodeError("truncated compressed body")
            return
        # Drain what zlib still holds, in bounded steps (flush() has no limit).
        # A truncated stream is accepted, as browsers do.
        while not self._inflater.eof:
            try:
                out = self._inflater.decompress(b"", DECODE_STEP)
            except zlib.error as exc:
                raise _DecodeError(str(exc)) from exc
            if not out:
                return
            yield out


class _Brotli(_Decoder):
    def __init__(self) -> None:
        self._decompressor = brotli.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            out = self._decompressor.process(data, output_buffer_limit=DECODE_STEP)
            if out:
                yield out
            while not self._decompressor.can_accept_more_data():
                out = self._decompressor.process(b"", output_buffer_limit=DECODE_STEP)
                if not out:
                    break
                yield out
        except brotli.error as exc:
            raise _DecodeError(str(exc)) from exc

    def finish(self) -> Iterator[bytes]:
        if not self._decompressor.is_finished():
            raise _DecodeError("truncated brotli body")
        return iter(())


class _DecodeError(Exception):
    pass


def _decoders(content_encoding: str) -> list[_Decoder]:
    """Decoders in the order to apply them (reverse of the header's order)."""
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    decoders: list[_Decoder] = []
    for coding in reversed(codings):
        if coding in {"identity", ""}:
            continue
        if coding in {"gzip", "x-gzip"}:
            decoders.append(_Zlib(gzip=True))
        elif coding == "deflate":
            decoders.append(_Zlib(gzip=False))
        elif coding == "br":
            decoders.append(_Brotli())
        else:
            raise FetchError(
                f"The server used an unsupported compression ({coding}).", kind="http"
            )
    if len(decoders) > 2:
        raise FetchError("The server compressed the feed more than twice.", kind="http")
    return decoders or [_Identity()]


def _run_chain(decoders: list[_Decoder], data: bytes, *, last: bool) -> Iterator[bytes]:
    def stage(index: int, pieces: Iterator[bytes]) -> Iterator[bytes]:
        if index == len(decoders):
            yield from pieces
            return
        decoder = decoders[index]

        def fed() -> Iterator[bytes]:
            for piece in pieces:
                yield from decoder.feed(piece)
            if last:
                yield from decoder.finish()

        yield from stage(index + 1, fed())

    return stage(0, iter([data]))


# -- header hints -----------------------------------------------------------------


def parse_retry_after(
    value: str | None, *, now: datetime | None = None
) -> float | None:
    """Seconds to wait from a Retry-After header (delay-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return min(float(value), MAX_HINT_SECONDS)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    seconds = (moment - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), MAX_HINT_SECONDS)


_CACHE_AGE = re.compile(r"(?:^|,)\s*(s-maxage|max-age)\s*=\s*\"?(\d{1,12})\"?", re.I)


def parse_max_age(cache_control: str | None) -> int | None:
    """Freshness lifetime in seconds from Cache-Control; s-maxage wins (we share).

    no-store / no-cache give 0. Absent or unreadable gives None.
    """
    if not cache_control:
        return None
    found = {
        name.lower(): int(value) for name, value in _CACHE_AGE.findall(cache_control)
    }
    seconds = found.get("s-maxage", found.get("max-age"))
    if seconds is None:
        directives = {d.strip().lower() for d in cache_control.split(",")}
        return 0 if directives & {"no-store", "no-cache"} else None
    return min(seconds, MAX_HINT_SECONDS)


# -- the fetch --------------------------------------------------------------------


def _too_large(policy: FetchPolicy, status: int) -> FetchError:
    size = policy.max_bytes / (1024 * 1024)
    return FetchError(
        f"The feed is larger than {size:g} MB; refused.",
        kind="too_large",
        status=status,
    )


def _deadline_error(policy: FetchPolicy) -> FetchError:
    return FetchError(
        f"The feed did not arrive within {policy.timeout:g} seconds.", kind="timeout"
    )


def _timeout_error(
    exc: httpx.TimeoutException, policy: FetchPolicy, deadline: float
) -> FetchError:
    """Which limit ran out: the connect or read timeout, or the overall deadline
    (every socket wait is cut to the time left, so those end at the deadline)."""
    if time.monotonic() < deadline:
        if isinstance(exc, httpx.ConnectTimeout):
            return FetchError(
                "The server did not accept a connection within "
                f"{policy.connect_timeout:g} seconds.",
                kind="timeout",
            )
        if isinstance(exc, httpx.ReadTimeout):
            return FetchError(
                f"The server stopped sending for {policy.read_timeout:g} seconds.",
                kind="timeout",
            )
    return _deadline_error(policy)


def _status_error(response: httpx.Response) -> FetchError:
    status = response.status_code
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    if status == 410:
        return FetchError(
            "The feed is gone (HTTP 410): the site removed it for good.",
            kind="gone",
            status=status,
        )
    if status in RATE_LIMIT_STATUSES:
        when = f" It asked to wait {retry_after:.0f} seconds." if retry_after else ""
        said = (
            "The server says it received too many requests"
            if status == 429
            else "The server is temporarily unavailable"
        )
        return FetchError(
            f"{said} (HTTP {status}).{when}",
            kind="rate_limited",
            status=status,
            retry_after=retry_after,
        )
    phrase = response.reason_phrase or "error"
    return FetchError(
        f"The server answered HTTP {status} ({phrase}).",
        kind="http",
        status=status,
        retry_after=retry_after,
    )


def _read_body(
    response: httpx.Response, policy: FetchPolicy, deadline: float
) -> tuple[bytes, int]:
    status = response.status_code
    declared = response.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > policy.max_bytes:
        raise _too_large(policy, status)
    decoders = _decoders(response.headers.get("content-encoding", ""))
    chunks: list[bytes] = []
    size = wire = 0
    try:
        for raw in response.iter_raw():
            wire += len(raw)
            if wire > policy.max_bytes:
                raise _too_large(policy, status)
            for piece in _run_chain(decoders, raw, last=False):
                size += len(piece)
                if size > policy.max_bytes:
                    raise _too_large(policy, status)
                chunks.append(piece)
            if time.monotonic() > deadline:
                raise _deadline_error(policy)
        for piece in _run_chain(decoders, b"", last=True):
            size += len(piece)
            if size > policy.max_bytes:
                raise _too_large(policy, status)
            chunks.append(piece)
    except _DecodeError as exc:
        raise FetchError(
            f"The server sent a corrupt compressed body ({exc}).",
            kind="http",
            status=status,
        ) from exc
    return b"".join(chunks), wire


def fetch_feed(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    policy: FetchPolicy | None = None,
) -> FetchResult:
    """GET a feed within the policy's limits; FetchError says why not.

    304 gives `not_modified=True`, no content, and the validators (the server's,
    else the ones sent). Redirects (at most
    `policy.max_redirects`) are followed by hand, each target checked like the
    first URL; `permanent_url` is the final URL when every hop was 301/308.
    The validators are sent only while the redirects keep to the same host and
    path: they describe that resource, and another one could answer 304 to them.
    """
    policy = policy or FetchPolicy()
    deadline = time.monotonic() + policy.timeout
    current, _host, _port = _check_syntax(url, allow_private=policy.allow_private)
    resource = _resource(current)
    headers = {
        "User-Agent": policy.user_agent,
        "Accept": ACCEPT,
        "Accept-Encoding": "gzip, deflate, br",
    }
    if _header_safe(etag):
        headers["If-None-Match"] = etag
    if _header_safe(last_modified):
        headers["If-Modified-Since"] = last_modified
    timeout = httpx.Timeout(
        policy.read_timeout, connect=policy.connect_timeout, pool=policy.timeout
    )
    transport = GuardedTransport(allow_private=policy.allow_private, deadline=deadline)
    all_permanent = True
    with httpx.Client(
        transport=transport,
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
        event_hooks={"response": [_refuse_unusable_location]},
    ) as client:
        for hop in range(policy.max_redirects + 1):
            try:
                outcome = _request(client, current, headers, policy, deadline)
            except netguard.AddressRefused as exc:
                raise FetchError(str(exc), kind="refused") from exc
            except netguard.HostNotFound as exc:
                raise FetchError(str(exc), kind="unreachable") from exc
            except httpx.TimeoutException as exc:
                raise _timeout_error(exc, policy, deadline) from exc
            except httpx.HTTPError as exc:
                raise FetchError(
                    f"The server could not be reached ({_describe(exc)}).",
                    kind="unreachable",
                ) from exc
            if isinstance(outcome, FetchResult):
                permanent = outcome.url if hop and all_permanent else ""
                return replace(outcome, permanent_url=permanent, redirects=hop)
            status, location = outcome
            all_permanent = all_permanent and status in PERMANENT_REDIRECTS
            current, _host, _port = _check_syntax(
                urljoin(current, location), allow_private=policy.allow_private
            )
            if _resource(current) != resource:
                headers.pop("If-None-Match", None)
                headers.pop("If-Modified-Since", None)
    raise FetchError(
        f"The feed redirected more than {policy.max_redirects} times; giving up.",
        kind="http",
    )


def _header_safe(value: str) -> bool:
    """A validator that can be sent back as a header value (httpx sends ASCII)."""
    return bool(value) and len(value) < 1024 and value.isascii() and value.isprintable()


def _validator(value: str) -> str:
    """A validator from a response, or "" when it could not be sent back."""
    return value if _header_safe(value) else ""


def _resource(url: str) -> tuple[str, str]:
    """(host, path) of a checked URL: what conditional headers are valid for."""
    parts = urlsplit(url)
    return (parts.hostname or "").rstrip("."), parts.path or "/"


# Low-level reasons a connection fails, found in the error's text, in words a person
# understands; a certificate problem keeps its short reason.
_CONNECTION_FAILURES = (
    ("connection refused", "it refused the connection"),
    ("connection reset", "it dropped the connection"),
    ("certificate verify failed", "its security certificate was not accepted"),
    ("[ssl", "a secure (https) connection could not be made"),
)
_CERTIFICATE_PROBLEM = re.compile(r"certificate verify failed: ([^(]{1,80})")


def _describe(exc: Exception) -> str:
    text = str(exc).strip()
    lowered = text.lower()
    for needle, plain in _CONNECTION_FAILURES:
        if needle in lowered:
            problem = _CERTIFICATE_PROBLEM.search(text)
            return plain + (f" ({problem.group(1).strip()})" if problem else "")
    if isinstance(exc.__cause__, ssl.SSLError) or "CERTIFICATE" in text.upper():
        return f"secure connection failed: {text[:200]}"
    return text[:200] or type(exc).__name__


def _request(
    client: httpx.Client,
    url: str,
    headers: dict[str, str],
    policy: FetchPolicy,
    deadline: float,
) -> FetchResult | tuple[int, str]:
    """One GET: a FetchResult, or (status, Location) for a redirect."""
    with client.stream("GET", url, headers=headers) as response:
        status = response.status_code
        if status in REDIRECT_STATUSES:
            location = response.headers.get("location", "").strip()
            if not location:
                raise FetchError(
                    f"The server answered {status} (redirect) without a Location.",
                    kind="http",
                    status=status,
                )
            return status, location
        common = {
            "url": url,
            "status": status,
            "etag": _validator(response.headers.get("etag", "")),
            "last_modified": _validator(response.headers.get("last-modified", "")),
            "max_age": parse_max_age(response.headers.get("cache-control")),
            "content_type": response.headers.get("content-type", ""),
        }
        if status == 304:
            # Servers need not repeat the validators; keep the ones that matched.
            common["etag"] = common["etag"] or headers.get("If-None-Match", "")
            common["last_modified"] = common["last_modified"] or headers.get(
                "If-Modified-Since", ""
            )
            return FetchResult(content=b"", not_modified=True, **common)
        if status >= 400 or status < 200 or status == 300:
            raise _status_error(response)
        content, wire = _read_body(response, policy, deadline)
        return FetchResult(content=content, wire_bytes=wire, **common)
