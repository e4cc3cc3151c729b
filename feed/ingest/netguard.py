"""The SSRF guard: which hosts and addresses may be connected to, checked at connect.

A feed URL comes from a user, so it may point at the machine itself, the private
network or a cloud metadata service, directly or through a redirect or a DNS name
that resolves (or later re-resolves) there. The guard therefore works on the
address actually connected to: `GuardedBackend` (an httpcore network backend)
resolves the host once, refuses if any resolved address is not public, and connects
to the checked address. TLS still verifies the certificate against the host name.

The same backend bounds every socket operation by an overall deadline, so a server
that drips one byte a second cannot keep a fetch alive past it.

Django-free. `resolve` is the seam tests replace to simulate DNS answers.
"""

import ipaddress
import re
import socket
import ssl
import threading
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network
# Networks refused in addition to everything `ipaddress` does not call global.
# Listed explicitly because `is_global` misses some (CGNAT, multicast, Azure's
# wireserver) and is True for IPv6 ranges that embed IPv4 addresses.
BLOCKED_NETWORKS: tuple[
    tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str], ...
] = (
    (_V4("0.0.0.0/8"), "unspecified/this-network"),
    (_V4("10.0.0.0/8"), "private"),
    (_V4("100.64.0.0/10"), "carrier-grade NAT (also cloud metadata)"),
    (_V4("127.0.0.0/8"), "loopback"),
    (_V4("169.254.0.0/16"), "link-local (cloud metadata)"),
    (_V4("172.16.0.0/12"), "private"),
    (_V4("192.0.0.0/24"), "IETF protocol assignments"),
    (_V4("192.0.2.0/24"), "documentation"),
    (_V4("192.88.99.0/24"), "6to4 relay"),
    (_V4("192.168.0.0/16"), "private"),
    (_V4("198.18.0.0/15"), "benchmarking"),
    (_V4("198.51.100.0/24"), "documentation"),
    (_V4("203.0.113.0/24"), "documentation"),
    (_V4("224.0.0.0/4"), "multicast"),
    (_V4("255.255.255.255/32"), "broadcast"),
    (_V4("240.0.0.0/4"), "reserved"),
    (_V4("168.63.129.16/32"), "cloud platform service (Azure)"),
    (_V6("::/128"), "unspecified"),
    (_V6("::1/128"), "loopback"),
    (_V6("::/96"), "IPv4-compatible"),
    (_V6("64:ff9b:1::/48"), "local NAT64"),
    (_V6("100::/64"), "discard"),
    (_V6("2001::/32"), "Teredo"),
    (_V6("2001:db8::/32"), "documentation"),
    (_V6("2001:10::/28"), "ORCHID"),
    (_V6("2001:20::/28"), "ORCHIDv2"),
    (_V6("fc00::/7"), "unique local (private)"),
    (_V6("fe80::/10"), "link-local"),
    (_V6("fec0::/10"), "site-local"),
    (_V6("ff00::/8"), "multicast"),
)
_MAPPED = _V6("::ffff:0:0/96")
_NAT64 = _V6("64:ff9b::/96")
_SIX_TO_FOUR = _V6("2002::/16")
# Host names made only of numbers: getaddrinfo reads "127.1", "0x7f.1",
# "2130706433" or "0177.0.0.1" as IPv4 addresses although `ipaddress` does not.
_NUMERIC_HOST = re.compile(
    r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}\.?$", re.I
)
_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


class AddressRefused(Exception):
    """The host or one of its addresses is not on the public internet."""


class HostNotFound(Exception):
    """The host name does not resolve (or not within the time left)."""


class DeadlineExceeded(Exception):
    """The overall deadline passed while waiting for the network."""


def refusal_reason(address: IPAddress) -> str:
    """Why Tidings will not connect to `address`, or "" when it is public."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return "scoped (link-local) IPv6"
        embedded: ipaddress.IPv4Address | None = None
        if address in _MAPPED:
            embedded = address.ipv4_mapped
        elif address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        elif address in _SIX_TO_FOUR:
            embedded = address.sixtofour
        if embedded is not None:
            reason = refusal_reason(embedded)
            return f"{reason} (embedded in IPv6)" if reason else ""
    for network, label in BLOCKED_NETWORKS:
        if address.version == network.version and address in network:
            return label
    if address.is_multicast:
        return "multicast"
    if not address.is_global:
        return "not globally routable"
    return ""


def is_public_address(address: IPAddress | str) -> bool:
    if isinstance(address, str):
        try:
            address = ipaddress.ip_address(address)
        except ValueError:
            return False
    return not refusal_reason(address)


def parse_ip(host: str) -> IPAddress | None:
    """The address a host name is a literal for, or None for a DNS name."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def check_host(host: str, *, allow_private: bool = False) -> str:
    """Refuse host names that cannot be public; return the normalised name.

    Catches what needs no DNS: empty names, "localhost" and *.localhost, numeric
    spellings of IPv4 addresses other than the dotted quad (always refused: no
    feed needs them and they exist to trick filters), and literal addresses that
    are not public. DNS names are checked again on every connection.
    """
    host = host.strip().lower()
    if host.endswith(".") and not host.endswith(".."):
        host = host[:-1]
    if not host or ".." in host or any(c.isspace() for c in host):
        raise AddressRefused("The address has no usable host name.")
    literal = parse_ip(host)
    if literal is None and _NUMERIC_HOST.match(host):
        raise AddressRefused(
            f"{host} is an unusual numeric spelling of an IP address; refused."
        )
    if allow_private:
        return host
    if host in _LOCAL_NAMES or host.endswith(".localhost"):
        raise AddressRefused(
            f"{host} is this machine; Tidings only fetches public hosts."
        )
    if literal is not None:
        reason = refusal_reason(literal)
        if reason:
            raise AddressRefused(
                f"{host} is not a public address ({reason}); "
                "Tidings only fetches public addresses."
            )
    return host


def resolve(host: str, port: int) -> list[str]:
    """All addresses `host` resolves to (the seam tests replace)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [info[4][0] for info in infos]


def _resolve_within(host: str, port: int, timeout: float) -> list[str]:
    """`resolve` with a time limit: getaddrinfo itself has none."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["addresses"] = resolve(host, port)
        except (OSError, UnicodeError, ValueError) as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=run, name=f"resolve {host}", daemon=True)
    worker.start()
    worker.join(max(timeout, 0.0))
    if worker.is_alive():
        raise DeadlineExceeded(f"Looking up {host} took too long.")
    if "error" in outcome or not outcome.get("addresses"):
        raise HostNotFound(f"The host {host} could not be found.")
    return outcome["addresses"]


def resolve_checked(
    host: str, port: int, *, allow_private: bool = False, timeout: float = 10.0
) -> list[IPAddress]:
    """Resolve `host` and return its addresses, refusing if any is not public.

    Refusing when *any* address is private (rather than skipping it) keeps a
    name that mixes public and private answers from reaching the private one on
    a retry or through another client.
    """
    host = check_host(host, allow_private=allow_private)
    literal = parse_ip(host)
    if literal is not None:
        return [literal]
    addresses: list[IPAddress] = []
    for text in _resolve_within(host, port, timeout):
        address = parse_ip(text.split("%", 1)[0] if "%" in text else text)
        if address is None:
            raise HostNotFound(f"The host {host} resolved to an unusable address.")
        if "%" in text and not allow_private:
            raise AddressRefused(f"{host} resolves to a scoped link-local address.")
        if not allow_private:
            reason = refusal_reason(address)
            if reason:
                raise AddressRefused(
                    f"{host} resolves to {address}, which is not public ({reason}); "
                    "Tidings only fetches public addresses."
                )
        if address not in addresses:
            addresses.append(address)
    return addresses


def host_of(url: str) -> str:
    """The lower-case host of a URL without port or trailing dot ("" if none)."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.rstrip(".")


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every operation ends by the overall deadline."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: float) -> None:
        self._inner = inner
        self._deadline = deadline

    def _bound(self, timeout: float | None, error: type[Exception]) -> float:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise error("The overall deadline passed.")
        return remaining if timeout is None else min(timeout, remaining)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._bound(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._bound(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        bounded = self._bound(timeout, httpcore.ConnectTimeout)
        upgraded = self._inner.start_tls(ssl_context, server_hostname, bounded)
        return _DeadlineStream(upgraded, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """Resolve, check every address, connect to a checked address, within a deadline.

    httpcore hands the host name from the URL to `connect_tcp`; the name is
    resolved here exactly once per connection, so a DNS answer that changes
    between a check and the connection (DNS rebinding) cannot slip through.
    """

    def __init__(self, *, allow_private: bool, deadline: float) -> None:
        self.allow_private = allow_private
        self.deadline = deadline
        self._sockets = httpcore.SyncBackend()
        self.connected: list[str] = []  # addresses connected to, for diagnostics

    def _remaining(self) -> float:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise httpcore.ConnectTimeout("The overall deadline passed.")
        return remaining

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = resolve_checked(
                host,
                port,
                allow_private=self.allow_private,
                timeout=self._remaining(),
            )
        except DeadlineExceeded as exc:
            raise httpcore.ConnectTimeout(str(exc)) from exc
        last_error: Exception | None = None
        for address in addresses:
            budget = self._remaining()
            try:
                stream = self._sockets.connect_tcp(
                    str(address),
                    port,
                    timeout=budget if timeout is None else min(timeout, budget),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectError as exc:
                last_error = exc
                continue
            self.connected.append(str(address))
            return _DeadlineStream(stream, self.deadline)
        raise httpcore.ConnectError(f"Could not connect to {host}: {last_error}")

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        raise AddressRefused("Unix sockets are never fetched.")

    def sleep(self, seconds: float) -> None:
        time.sleep(min(seconds, max(self.deadline - time.monotonic(), 0.0)))
