"""HTTP fetching of feeds: conditional GET, redirects, size and time limits, SSRF guard.

Django-free: configuration comes in as a FetchPolicy, results go out as FetchResult.
Errors are FetchError with a message a person can act on and a machine `kind`.
"""

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx


@dataclass(frozen=True)
class FetchPolicy:
    timeout: float = 20.0  # overall deadline for the whole fetch, redirects included
    connect_timeout: float = 5.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    allow_private: bool = False  # development and tests only
    user_agent: str = "Tidings/1.0 (feed reader)"


@dataclass(frozen=True)
class FetchResult:
    url: str  # final URL after redirects
    status: int
    content: bytes
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""
    permanent_url: str = ""  # where a 301/308 chain says the feed now lives
    not_modified: bool = False


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
        self.kind = kind  # refused | unreachable | timeout | too_large | http | gone
        self.status = status
        self.retry_after = retry_after


def check_url(url: str, *, allow_private: bool = False) -> str:
    """Refuse URLs that are not http(s) or whose host resolves to a private address."""
    try:
        parts = urlsplit(url.strip())
    except ValueError as exc:
        raise FetchError("This is not a valid web address.", kind="refused") from exc
    if parts.scheme.lower() not in {"http", "https"}:
        raise FetchError(
            "Only http:// and https:// addresses can be fetched.", kind="refused"
        )
    if not parts.hostname or parts.username or parts.password:
        raise FetchError("The address has no usable host name.", kind="refused")
    if not allow_private:
        for address in _resolve(parts.hostname, parts.port or 443):
            if not _is_public(address):
                raise FetchError(
                    f"{parts.hostname} points to a private or reserved network "
                    "address; "
                    "Tidings only fetches public addresses.",
                    kind="refused",
                )
    return url.strip()


def _resolve(
    host: str, port: int
) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(
            f"The host {host} could not be found.", kind="unreachable"
        ) from exc
    return [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def fetch_feed(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    policy: FetchPolicy | None = None,
) -> FetchResult:
    policy = policy or FetchPolicy()
    deadline = time.monotonic() + policy.timeout
    headers = {
        "User-Agent": policy.user_agent,
        "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, "
        "text/xml;q=0.8, */*;q=0.5",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified

    timeout = httpx.Timeout(policy.timeout, connect=policy.connect_timeout)
    permanent_url = ""
    permanent_chain = True
    current = url
    with httpx.Client(
        timeout=timeout, follow_redirects=False, trust_env=False
    ) as client:
        for _hop in range(policy.max_redirects + 1):
            check_url(current, allow_private=policy.allow_private)
            try:
                with client.stream("GET", current, headers=headers) as response:
                    if response.is_redirect:
                        location = response.headers.get("location", "")
                        if not location:
                            raise FetchError(
                                f"The server answered {response.status_code} without a "
                                "Location.",
                                kind="http",
                                status=response.status_code,
                            )
                        permanent_chain = permanent_chain and response.status_code in {
                            301,
                            308,
                        }
                        current = urljoin(current, location)
                        if permanent_chain:
                            permanent_url = current
                        continue
                    return _finish(response, current, permanent_url, policy, deadline)
            except httpx.TimeoutException as exc:
                raise FetchError(
                    f"The server did not answer within {policy.timeout:.0f} seconds.",
                    kind="timeout",
                ) from exc
            except httpx.HTTPError as exc:
                raise FetchError(
                    f"The server could not be reached ({type(exc).__name__}).",
                    kind="unreachable",
                ) from exc
    raise FetchError(
        f"The feed redirected more than {policy.max_redirects} times.", kind="http"
    )


def _finish(
    response: httpx.Response,
    url: str,
    permanent_url: str,
    policy: FetchPolicy,
    deadline: float,
) -> FetchResult:
    status = response.status_code
    if status == 304:
        return FetchResult(
            url=url,
            status=status,
            content=b"",
            etag=response.headers.get("etag", ""),
            last_modified=response.headers.get("last-modified", ""),
            permanent_url=permanent_url,
            not_modified=True,
        )
    if status == 410:
        raise FetchError("The feed is gone (HTTP 410).", kind="gone", status=status)
    if status >= 400:
        raise FetchError(
            f"The server answered HTTP {status}.",
            kind="http",
            status=status,
            retry_after=_retry_after(response.headers.get("retry-after")),
        )
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > policy.max_bytes:
        raise FetchError(_too_large(policy), kind="too_large", status=status)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > policy.max_bytes:
            raise FetchError(_too_large(policy), kind="too_large", status=status)
        if time.monotonic() > deadline:
            raise FetchError(
                f"The feed took more than {policy.timeout:.0f} seconds to download.",
                kind="timeout",
            )
        chunks.append(chunk)
    return FetchResult(
        url=url,
        status=status,
        content=b"".join(chunks),
        content_type=response.headers.get("content-type", ""),
        etag=response.headers.get("etag", ""),
        last_modified=response.headers.get("last-modified", ""),
        permanent_url=permanent_url,
    )


def _too_large(policy: FetchPolicy) -> str:
    return f"The feed is larger than {policy.max_bytes // (1024 * 1024)} MB; refused."


def _retry_after(value: str | None) -> float | None:
    if value and value.strip().isdigit():
        return float(value.strip())
    return None
