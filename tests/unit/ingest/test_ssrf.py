"""The SSRF guard: address classification, URL refusals, checks at connect time."""

import ipaddress

import pytest
from ingest_helpers import Reply, item, rss

from feed.ingest import netguard
from feed.ingest.fetch import (
    FetchError,
    FetchPolicy,
    check_url,
    check_url_syntax,
    fetch_feed,
)

FEED = rss(item())

BLOCKED = [
    ("127.0.0.1", "loopback"),
    ("127.255.255.254", "loopback"),
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.255", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local"),
    ("169.254.0.1", "link-local"),
    ("100.64.0.1", "carrier-grade NAT"),
    ("100.100.100.200", "carrier-grade NAT"),
    ("0.0.0.0", "unspecified"),
    ("0.1.2.3", "unspecified"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "broadcast"),
    ("168.63.129.16", "Azure"),
    ("192.0.2.10", "documentation"),
    ("198.18.0.1", "benchmarking"),
    ("::1", "loopback"),
    ("::", "unspecified"),
    ("fe80::1", "link-local"),
    ("fc00::1", "unique local"),
    ("fd12:3456:789a::1", "unique local"),
    ("ff02::1", "multicast"),
    ("::ffff:127.0.0.1", "loopback (embedded in IPv6)"),
    ("::ffff:169.254.169.254", "link-local (cloud metadata) (embedded"),
    ("::ffff:10.0.0.1", "private (embedded"),
    ("::127.0.0.1", "IPv4-compatible"),
    ("::a9fe:a9fe", "IPv4-compatible"),
    ("64:ff9b::7f00:1", "loopback (embedded"),
    ("64:ff9b::a9fe:a9fe", "link-local (cloud metadata) (embedded"),
    ("64:ff9b:1::1", "local NAT64"),
    ("2002:7f00:1::", "loopback (embedded"),
    ("2002:a9fe:a9fe::1", "link-local (cloud metadata) (embedded"),
    ("2002:c0a8:101::1", "private (embedded"),
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"),
    ("2001:db8::1", "documentation"),
    ("fec0::1", "site-local"),
]
PUBLIC = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "100.63.255.255",
    "100.128.0.1",
    "172.32.0.1",
    "2606:4700:4700::1111",
    "2a00:1450:4001:82b::200e",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
    "2002:808:808::1",
]


@pytest.mark.parametrize(("address", "reason"), BLOCKED)
def test_non_public_addresses_are_refused_with_a_reason(address, reason):
    assert reason in netguard.refusal_reason(ipaddress.ip_address(address))
    assert not netguard.is_public_address(address)


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_allowed(address):
    assert netguard.refusal_reason(ipaddress.ip_address(address)) == ""
    assert netguard.is_public_address(address)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed",
        "http://127.0.0.1./feed",
        "http://[::1]/feed",
        "http://[::ffff:127.0.0.1]/feed",
        "http://[::127.0.0.1]/feed",
        "http://[64:ff9b::7f00:1]/feed",
        "http://[fe80::1%25eth0]/feed",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.100.100.200/latest/meta-data/",
        "http://168.63.129.16/machine",
        "http://10.0.0.1:8080/",
        "http://localhost/feed",
        "http://LOCALHOST./feed",
        "http://admin.localhost/",
        "http://127.1/",
        "http://0x7f.1/",
        "http://0x7f000001/",
        "http://2130706433/",
        "http://017700000001/",
        "http://0177.0.0.1/",
        "http://169.254.43518/",
        "http://0/",
    ],
)
def test_private_hosts_and_their_disguises_are_refused_without_dns(url, monkeypatch):
    def no_dns(host: str, port: int) -> list[str]:
        raise AssertionError(f"{host} should be refused before any DNS lookup")

    monkeypatch.setattr(netguard, "resolve", no_dns)

    with pytest.raises(FetchError) as caught:
        check_url(url)

    assert caught.value.kind == "refused"


@pytest.mark.parametrize(
    "url",
    [
        "http://evil.example@127.0.0.1/",
        "http://127.0.0.1@evil.example/",
        "http://user:pass@feeds.example.com/",
        "http://:@feeds.example.com/",
    ],
)
def test_user_info_tricks_are_refused_even_when_private_is_allowed(url):
    with pytest.raises(FetchError) as caught:
        check_url(url, allow_private=True)

    assert caught.value.kind == "refused"
    assert "user name or password" in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/feed",
        "gopher://127.0.0.1:70/",
        "javascript:alert(1)",
        "data:text/xml,<rss/>",
        "feed://example.com/rss",
        "//example.com/feed",
        "example.com/feed",
        "http:///feed",
        "http://exa mple.com/",
        "http://exa\u00a0mple.com/",
        "http://example.com/a\u2028b",
        "http://example.com/\x00",
        "http://example.com\\@127.0.0.1/",
    ],
)
def test_other_schemes_and_malformed_urls_are_refused(url):
    with pytest.raises(FetchError) as caught:
        check_url(url, allow_private=True)

    assert caught.value.kind == "refused"


def test_a_dns_name_resolving_to_loopback_is_refused(monkeypatch):
    monkeypatch.setattr(netguard, "resolve", lambda host, port: ["127.0.0.1"])

    with pytest.raises(FetchError) as caught:
        check_url("https://innocent.example.com/feed")

    assert caught.value.kind == "refused"
    assert "loopback" in str(caught.value)


def test_a_dns_name_with_any_private_answer_is_refused(monkeypatch):
    monkeypatch.setattr(
        netguard, "resolve", lambda host, port: ["93.184.216.34", "10.0.0.7"]
    )

    with pytest.raises(FetchError) as caught:
        check_url("https://mixed.example.com/feed")

    assert caught.value.kind == "refused"


def test_a_dns_name_with_only_public_answers_is_accepted(monkeypatch):
    monkeypatch.setattr(
        netguard, "resolve", lambda host, port: ["93.184.216.34", "2606:2800::1"]
    )

    assert check_url("  https://news.example.com/feed  ") == (
        "https://news.example.com/feed"
    )


def test_an_unknown_host_is_unreachable_not_refused(monkeypatch):
    def nxdomain(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    monkeypatch.setattr(netguard, "resolve", nxdomain)

    with pytest.raises(FetchError) as caught:
        check_url("https://no-such-host.example/feed")

    assert caught.value.kind == "unreachable"


def test_check_url_syntax_applies_the_rules_that_need_no_dns(monkeypatch):
    def no_dns(host: str, port: int) -> list[str]:
        raise AssertionError("check_url_syntax must not resolve")

    monkeypatch.setattr(netguard, "resolve", no_dns)

    assert check_url_syntax(" https://feeds.example.com/rss ") == (
        "https://feeds.example.com/rss"
    )
    for refused in ("ftp://e.example/", "http://u@e.example/", "http://127.1/"):
        with pytest.raises(FetchError) as caught:
            check_url_syntax(refused)
        assert caught.value.kind == "refused"


def test_allow_private_lets_tests_reach_loopback():
    assert check_url("http://127.0.0.1:8000/feed", allow_private=True)


def test_fetching_the_local_server_without_allow_private_is_refused(web):
    url = web.route("/private", Reply(body=FEED))

    with pytest.raises(FetchError) as caught:
        fetch_feed(url)

    assert caught.value.kind == "refused"
    assert web.received == []


def test_dns_rebinding_is_caught_at_connect_time(web, monkeypatch):
    """The name looked public when checked, then resolves to loopback: refused."""
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])
    monkeypatch.setattr(netguard, "resolve", lambda host, port: next(answers))
    web.route("/rebind", Reply(body=FEED))
    url = f"http://rebind.example.com:{web.port}/rebind"

    assert check_url(url) == url
    with pytest.raises(FetchError) as caught:
        fetch_feed(url)

    assert caught.value.kind == "refused"
    assert web.received == []


@pytest.fixture
def loopback_as_public(monkeypatch):
    """Pretend 127.0.0.1 (the test server) is public, so redirects can be tested.

    Only that one address: every other loopback, private or metadata address is
    still refused, which is what the redirect tests below rely on.
    """
    real = netguard.refusal_reason

    def reason(address: netguard.IPAddress) -> str:
        if str(address) == "127.0.0.1":
            return ""
        return real(address)

    monkeypatch.setattr(netguard, "refusal_reason", reason)


@pytest.mark.usefixtures("loopback_as_public")
@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/iam/",
        "http://127.0.0.2:{port}/secret",
        "http://[::1]:{port}/secret",
        "http://localhost:{port}/secret",
        "http://0x7f.1:{port}/secret",
        "http://internal.example:{port}/secret",
    ],
)
def test_a_redirect_to_a_private_address_is_refused(web, monkeypatch, target):
    monkeypatch.setattr(
        netguard,
        "resolve",
        lambda host, port: ["10.0.0.9"] if host == "internal.example" else [host],
    )
    web.route("/secret", Reply(body=b"internal data"))
    url = web.route(
        "/redirect",
        Reply(status=302, headers={"Location": target.format(port=web.port)}),
    )

    with pytest.raises(FetchError) as caught:
        fetch_feed(url)

    assert caught.value.kind == "refused"
    assert web.requests_to("/secret") == []


@pytest.mark.usefixtures("loopback_as_public")
def test_a_redirect_within_public_addresses_is_followed(web):
    web.route("/start", Reply(status=301, headers={"Location": "/final"}))
    final = web.route("/final", Reply(body=FEED))

    result = fetch_feed(web.url("/start"), policy=FetchPolicy())

    assert result.content == FEED
    assert result.permanent_url == final


def test_the_guard_connects_to_the_checked_address(web, monkeypatch):
    calls: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        return ["127.0.0.1"]

    monkeypatch.setattr(netguard, "resolve", resolve)
    web.route("/named", Reply(body=FEED))

    result = fetch_feed(
        f"http://feeds.named.test:{web.port}/named",
        policy=FetchPolicy(allow_private=True),
    )

    assert result.content == FEED
    assert calls == ["feeds.named.test"]  # resolved once, by the guard
    assert web.requests_to("/named")[0].headers["host"] == (
        f"feeds.named.test:{web.port}"
    )


@pytest.mark.parametrize(
    "host", ["xn--a.com", "\uff11\uff12\uff17.\uff10.\uff10.\uff11", "a\u0300b.com"]
)
def test_host_names_idna_refuses_are_refused_before_any_request(host):
    url = f"http://{host}/feed"

    with pytest.raises(FetchError) as by_syntax:
        check_url_syntax(url)
    with pytest.raises(FetchError) as by_fetch:
        fetch_feed(url, policy=FetchPolicy(allow_private=True))

    for caught in (by_syntax, by_fetch):
        assert caught.value.kind == "refused"
        assert str(caught.value) == (
            "This is not a valid web address (the host name is not valid)."
        )


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("0.0.0.0", "0.0.0.0 is not a public address (unspecified/this-network); "),
        ("::127.0.0.1", "::127.0.0.1 is not a public address (IPv4-compatible); "),
    ],
)
def test_a_refused_literal_address_is_explained_in_a_sentence(address, message):
    with pytest.raises(netguard.AddressRefused) as caught:
        netguard.check_host(address)

    assert str(caught.value) == message + "Tidings only fetches public addresses."


def test_a_name_resolving_to_a_refused_address_is_explained_in_a_sentence(
    monkeypatch,
):
    monkeypatch.setattr(netguard, "resolve", lambda host, port: ["0.0.0.0"])

    with pytest.raises(netguard.AddressRefused) as caught:
        netguard.resolve_checked("zero.example.com", 80)

    assert str(caught.value) == (
        "zero.example.com resolves to 0.0.0.0, which is not public "
        "(unspecified/this-network); Tidings only fetches public addresses."
    )
