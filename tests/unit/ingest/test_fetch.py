"""fetch_feed against a real HTTP server on 127.0.0.1: caching, redirects, limits."""

import gzip
import socket
import time
import tracemalloc
import zlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import brotli
import pytest
from ingest_helpers import Received, Reply, item, rss

from feed.ingest import fetch as fetch_module
from feed.ingest import netguard
from feed.ingest.fetch import (
    FetchError,
    FetchPolicy,
    fetch_feed,
    parse_max_age,
    parse_retry_after,
)
from feed.ingest.parse import parse_feed

LOCAL = FetchPolicy(allow_private=True, timeout=10.0)
FEED = rss(item(title="Hello", link="https://example.com/hello"))
MB = 1024 * 1024


def test_plain_fetch_returns_body_headers_and_sends_a_clear_user_agent(web):
    url = web.route(
        "/feed",
        Reply(
            headers={
                "Content-Type": "application/rss+xml; charset=utf-8",
                "ETag": '"v1"',
                "Last-Modified": "Tue, 01 Jul 2025 10:00:00 GMT",
                "Cache-Control": "public, max-age=900",
            },
            body=FEED,
        ),
    )
    policy = FetchPolicy(allow_private=True, user_agent="Tidings-test/2.0 (+ops)")

    result = fetch_feed(url, policy=policy)

    assert result.status == 200
    assert result.content == FEED
    assert result.url == url
    assert result.content_type.startswith("application/rss+xml")
    assert result.etag == '"v1"'
    assert result.last_modified == "Tue, 01 Jul 2025 10:00:00 GMT"
    assert result.max_age == 900
    assert not result.not_modified
    assert result.permanent_url == ""
    sent = web.requests_to("/feed")[0].headers
    assert sent["user-agent"] == "Tidings-test/2.0 (+ops)"
    assert sent["accept-encoding"] == "gzip, deflate, br"
    assert "if-none-match" not in sent


def test_conditional_headers_round_trip_and_304_gives_not_modified(web):
    def conditional(request: Received) -> Reply:
        if (
            request.headers.get("if-none-match") == '"abc"'
            and request.headers.get("if-modified-since")
            == "Wed, 02 Jul 2025 08:00:00 GMT"
        ):
            return Reply(status=304, headers={"ETag": '"abc"'})
        return Reply(
            headers={
                "ETag": '"abc"',
                "Last-Modified": "Wed, 02 Jul 2025 08:00:00 GMT",
            },
            body=FEED,
        )

    url = web.route("/cond", conditional)

    first = fetch_feed(url, policy=LOCAL)
    second = fetch_feed(
        url, etag=first.etag, last_modified=first.last_modified, policy=LOCAL
    )

    assert first.content == FEED
    assert second.not_modified
    assert second.status == 304
    assert second.content == b""
    assert second.etag == '"abc"'
    assert len(web.requests_to("/cond")) == 2


def test_a_304_without_validators_returns_the_ones_that_were_sent(web):
    url = web.route("/bare304", Reply(status=304))

    result = fetch_feed(
        url, etag='"e1"', last_modified="Wed, 02 Jul 2025 08:00:00 GMT", policy=LOCAL
    )

    assert result.not_modified
    assert result.etag == '"e1"'
    assert result.last_modified == "Wed, 02 Jul 2025 08:00:00 GMT"


def test_chain_of_301_and_308_sets_permanent_url_to_the_final_address(web):
    web.route("/old", Reply(status=301, headers={"Location": "/older"}))
    web.route("/older", Reply(status=308, headers={"Location": web.url("/new")}))
    final = web.route("/new", Reply(body=FEED))

    result = fetch_feed(web.url("/old"), policy=LOCAL)

    assert result.url == final
    assert result.permanent_url == final
    assert result.redirects == 2
    assert result.content == FEED


def test_a_302_anywhere_in_the_chain_means_no_permanent_url(web):
    web.route("/a", Reply(status=301, headers={"Location": "/b"}))
    web.route("/b", Reply(status=302, headers={"Location": "/c"}))
    final = web.route("/c", Reply(body=FEED))

    result = fetch_feed(web.url("/a"), policy=LOCAL)

    assert result.url == final
    assert result.permanent_url == ""


def test_410_is_reported_as_gone(web):
    url = web.route("/gone", Reply(status=410, body=b"bye"))

    with pytest.raises(FetchError) as caught:
        fetch_feed(url, policy=LOCAL)

    assert caught.value.kind == "gone"
    assert caught.value.status == 410
    assert caught.value.permanent


def test_429_with_retry_after_seconds_is_rate_limited(web):
    url = web.route("/busy", Reply(status=429, headers={"Retry-After": "120"}))

    with pytest.raises(FetchError) as caught:
        fetch_feed(url, policy=LOCAL)

    assert caught.value.kind == "rate_limited"
    assert caught.value.status == 429
    assert caught.value.retry_after == 120.0
    assert "120 seconds" in str(caught.value)


def test_503_with_retry_after_http_date_is_rate_limited_with_seconds(web):
    later = datetime.now(UTC) + timedelta(minutes=10)
    url = web.route(
        "/down",
        Reply(status=503, headers={"Retry-After": format_datetime(later, usegmt=True)}),
    )

    with pytest.raises(FetchError) as caught:
        fetch_feed(url, policy=LOCAL)

    assert caught.value.kind == "rate_limited"
    assert caught.value.status == 503
    assert 540 < caught.value.retry_after <= 600


def test_503_without_retry_after_is_rate_limited_without_a_delay(web):
    url = web.route("/down2", Reply(status=503))

    with pytest.raises(FetchError) as caught:
        fetch_feed(url, policy=LOCAL)

    assert caught.value.kind == "rate_limited"
    assert caught.value.retry_after is None


def test_404_is_an_http_error_that_is_permanent(web):
    url = web.route("/missing-feed", Reply(status=404, body=b"nope"))

    with pytest.raises(FetchError) as caught:
        fetch_feed(url, policy=LOCAL)

    assert caught.value.kind == "http"
    assert caught.value.status == 404
    assert "404" in str(caught.value)


@pytest.mark.parametrize(
    ("kind", "status", "permanent"),
    [
        ("refused", None, True),
        ("gone", 410, True),
        ("too_large", 200, True),
        ("http", 404, True),
        ("http", 408, False),
        ("http", 500, False),
        ("rate_limited", 429, False),
        ("timeout", None, False),
        ("unreachable", None, False),
    ],
)
def test_errors_say_whether_retrying_soon_can_help(kind, status, permanent):
    assert FetchError("x", kind=kind, status=status).permanent is permanent


def test_server_dripping_one_byte_at_a_time_fails_at_the_overall_deadline(web):
    url = web.route(
        "/drip",
        Reply(body=(b"x" for _ in range(1000)), delay=0.2, content_length=False),
    )
    policy = FetchPolicy(allow_private=True, timeout=1.5, read_timeout=5.0)

    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch_feed(url, policy=policy)

    assert caught.value.kind == "timeout"
    assert time.monotonic() - started < 8.0  # generous: 1.5 s deadline + scheduling


def test_server_dripping_its_headers_fails_at_the_overall_deadline(web):
    head = b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"a" * 200 + b"\r\n\r\n"
    url = web.route("/drip-head", Reply(raw=head, delay=0.05))
    policy = FetchPolicy(allow_private=True, timeout=1.5, read_timeout=5.0)

    with pytest.raises(FetchError) as caught:
        fetch_feed(url, policy=policy)

    assert caught.value.kind == "timeout"
    assert str(caught.value) == "The feed did not arrive within 1.5 seconds."


def test_body_above_the_cap_with_content_length_is_refused_before_reading(web):
    url = web.route("/big", Reply(body=b"x" * (2 * MB)))

    with pytest.raises(FetchError) as caught:
        fetch_feed(url, policy=FetchPolicy(allow_private=True, max_bytes=MB))

    assert caught.value.kind == "too_large"
    assert "1 MB" in str(caught.value)


def test_body_above_the_cap_without_content_length_is_refused_while_streaming(web):
    chunks = (b"y" * 65536 for _ in range(64))  # 4 MB, no Content-Length
    url = web.route("/big-stream", Reply(body=chunks, content_length=False))

    with pytest.raises(FetchError) as caught:
        fetch_feed(url, policy=FetchPolicy(allow_private=True, max_bytes=MB))

    assert caught.value.kind == "too_large"


def _gzip_bomb(expanded_mb: int) -> bytes:
    """A gzip stream of `expanded_mb` MB of zeros, built in milliseconds.

    A full flush after each 1 MB block makes every block compress to the same
    bytes, so one block is compressed once and repeated. The gzip trailer is left
    off: a client that respects its cap never gets that far.
    """
    block = b"\0" * MB
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    return first + repeated * (expanded_mb - 1)


def test_gzip_bomb_is_refused_after_the_cap_using_little_memory(web):
    bomb = _gzip_bomb(1024)  # ~1 MB on the wire, 1 GB inflated
    assert len(bomb) < 1.2 * MB
    url = web.route("/bomb.gz", Reply(headers={"Content-Encoding": "gzip"}, body=bomb))
    policy = FetchPolicy(allow_private=True, timeout=10.0, max_bytes=2 * MB)

    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(FetchError) as caught:
            fetch_feed(url, policy=policy)
        elapsed = time.monotonic() - started
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert caught.value.kind == "too_large"
    assert elapsed < 10.0
    assert peak < 64 * MB


def test_gzip_body_within_the_cap_is_decompressed(web):
    url = web.route(
        "/feed.gz",
        Reply(headers={"Content-Encoding": "gzip"}, body=gzip.compress(FEED)),
    )

    assert fetch_feed(url, policy=LOCAL).content == FEED


def test_multi_member_gzip_is_decompressed_whole(web):
    body = gzip.compress(FEED[:100]) + gzip.compress(FEED[100:])
    url = web.route(
        "/members.gz", Reply(headers={"Content-Encoding": "gzip"}, body=body)
    )

    assert fetch_feed(url, policy=LOCAL).content == FEED


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS])
def test_deflate_body_zlib_wrapped_or_raw_is_decompressed(web, wbits):
    compressor = zlib.compressobj(6, zlib.DEFLATED, wbits)
    body = compressor.compress(FEED) + compressor.flush()
    url = web.route(
        f"/feed-deflate{wbits}",
        Reply(headers={"Content-Encoding": "deflate"}, body=body),
    )

    assert fetch_feed(url, policy=LOCAL).content == FEED


def test_brotli_body_is_decompressed(web):
    url = web.route(
        "/feed.br",
        Reply(headers={"Content-Encoding": "br"}, body=brotli.compress(FEED)),
    )

    result = fetch_feed(url, policy=LOCAL)

    assert result.content == FEED
    assert result.wire_bytes < len(FEED)


def test_brotli_bomb_is_refused_after_the_cap(web):
    bomb = brotli.compress(b"\0" * (64 * MB), quality=1)
    assert len(bomb) < 100_000
    url = web.route("/bomb.br", Reply(headers={"Content-Encoding": "br"}, body=bomb))
    policy = FetchPolicy(allow_private=True, max_bytes=2 * MB)

    tracemalloc.start()
    try:
        with pytest.raises(FetchError) as caught:
            fetch_feed(url, policy=policy)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert caught.value.kind == "too_large"
    assert peak < 32 * MB


def test_corrupt_gzip_body_is_an_http_error(web):
    url = web.route(
        "/corrupt.gz",
        # A valid gzip header, then a deflate block of the reserved type 3.
        Reply(
            headers={"Content-Encoding": "gzip"},
            body=b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xff\xff\xff",
        ),
    )

    with pytest.raises(FetchError) as caught:
        fetch_feed(url, policy=LOCAL)

    assert caught.value.kind == "http"
    assert "corrupt" in str(caught.value)


def test_unknown_content_encoding_is_refused(web):
    url = web.route("/zstd", Reply(headers={"Content-Encoding": "zstd"}, body=b"??"))

    with pytest.raises(FetchError) as caught:
        fetch_feed(url, policy=LOCAL)

    assert "unsupported compression" in str(caught.value)


def test_more_than_five_redirects_is_an_error(web):
    for n in range(7):
        web.route(f"/hop{n}", Reply(status=302, headers={"Location": f"/hop{n + 1}"}))
    web.route("/hop7", Reply(body=FEED))

    with pytest.raises(FetchError) as caught:
        fetch_feed(web.url("/hop0"), policy=LOCAL)

    assert caught.value.kind == "http"
    assert "more than 5 times" in str(caught.value)
    assert len(web.requests_to("/hop5")) == 1
    assert web.requests_to("/hop6") == []


def test_exactly_five_redirects_are_followed(web):
    for n in range(5):
        web.route(f"/five{n}", Reply(status=301, headers={"Location": f"/five{n + 1}"}))
    final = web.route("/five5", Reply(body=FEED))

    result = fetch_feed(web.url("/five0"), policy=LOCAL)

    assert result.url == final
    assert result.redirects == 5


def test_redirect_loop_stops_after_the_redirect_limit(web):
    web.route("/loop-a", Reply(status=302, headers={"Location": "/loop-b"}))
    web.route("/loop-b", Reply(status=302, headers={"Location": "/loop-a"}))

    with pytest.raises(FetchError) as caught:
        fetch_feed(web.url("/loop-a"), policy=LOCAL)

    assert "redirected more than" in str(caught.value)
    assert len(web.received) == 6


@pytest.mark.parametrize(
    "location",
    ["file:///etc/passwd", "gopher://127.0.0.1:6379/_INFO", "ftp://example.com/f"],
)
def test_redirect_to_a_non_http_scheme_is_refused(web, location):
    url = web.route("/scheme", Reply(status=302, headers={"Location": location}))

    with pytest.raises(FetchError) as caught:
        fetch_feed(url, policy=LOCAL)

    assert caught.value.kind == "refused"


def test_redirect_without_location_is_an_http_error(web):
    url = web.route("/nowhere", Reply(status=302))

    with pytest.raises(FetchError) as caught:
        fetch_feed(url, policy=LOCAL)

    assert caught.value.kind == "http"
    assert "without a Location" in str(caught.value)


def test_unreachable_port_is_reported_as_unreachable():
    with pytest.raises(FetchError) as caught:
        fetch_feed("http://127.0.0.1:9/feed", policy=LOCAL)

    assert caught.value.kind == "unreachable"


def test_retry_after_parsing_accepts_seconds_and_dates_and_rejects_garbage():
    now = datetime(2025, 7, 1, 12, 0, tzinfo=UTC)

    assert parse_retry_after("30", now=now) == 30.0
    assert parse_retry_after("Tue, 01 Jul 2025 12:05:00 GMT", now=now) == 300.0
    assert parse_retry_after("Tue, 01 Jul 2025 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after("", now=now) is None
    assert parse_retry_after("99999999999", now=now) == 7 * 24 * 3600


def test_max_age_prefers_s_maxage_and_treats_no_cache_as_zero():
    assert parse_max_age("public, max-age=600") == 600
    assert parse_max_age("max-age=600, s-maxage=60") == 60
    assert parse_max_age("no-cache") == 0
    assert parse_max_age("private") is None
    assert parse_max_age(None) is None


def test_https_verifies_the_certificate_against_the_host_name_not_the_ip(
    tls_web, monkeypatch
):
    """The guard connects to the checked IP; TLS still checks the real name."""
    site, server = tls_web
    server.route("/secure", Reply(body=FEED))
    monkeypatch.setattr(netguard, "resolve", lambda host, port: ["127.0.0.1"])
    monkeypatch.setattr(fetch_module, "_ssl_context", lambda: site.client_context)

    result = fetch_feed(
        f"https://{site.hostname}:{site.port}/secure",
        policy=FetchPolicy(allow_private=True),
    )

    assert result.content == FEED
    assert server.requests_to("/secure")[0].headers["host"] == (
        f"{site.hostname}:{site.port}"
    )


def test_https_with_a_certificate_for_another_name_is_refused(tls_web, monkeypatch):
    site, server = tls_web
    server.route("/secure", Reply(body=FEED))
    monkeypatch.setattr(fetch_module, "_ssl_context", lambda: site.client_context)

    with pytest.raises(FetchError) as caught:
        fetch_feed(
            f"https://127.0.0.1:{site.port}/secure",
            policy=FetchPolicy(allow_private=True),
        )

    assert caught.value.kind == "unreachable"
    assert "security certificate was not accepted" in str(caught.value)
    assert server.requests_to("/secure") == []


def test_https_with_an_untrusted_certificate_is_refused_by_default(
    tls_web, monkeypatch
):
    site, server = tls_web
    server.route("/secure", Reply(body=FEED))
    monkeypatch.setattr(netguard, "resolve", lambda host, port: ["127.0.0.1"])

    with pytest.raises(FetchError) as caught:
        fetch_feed(
            f"https://{site.hostname}:{site.port}/secure",
            policy=FetchPolicy(allow_private=True),
        )

    assert caught.value.kind == "unreachable"
    assert server.requests_to("/secure") == []


def test_stored_validators_that_are_not_header_safe_are_not_sent(web):
    url = web.route("/validators", Reply(body=FEED))

    fetch_feed(url, etag='"ok"\r\nX-Evil: 1', last_modified="x" * 2000, policy=LOCAL)

    sent = web.requests_to("/validators")[0].headers
    assert "if-none-match" not in sent
    assert "if-modified-since" not in sent
    assert "x-evil" not in sent


def test_a_gzipped_corpus_feed_fetches_and_parses_like_the_original(web, corpus):
    original = (corpus / "feeds" / "guardian-us-2018-01-31.xml").read_bytes()
    url = web.route(
        "/guardian.xml",
        Reply(
            headers={
                "Content-Type": "application/rss+xml; charset=UTF-8",
                "Content-Encoding": "gzip",
            },
            body=gzip.compress(original),
        ),
    )
    now = datetime(2026, 9, 1, tzinfo=UTC)

    result = fetch_feed(url, policy=LOCAL)
    fetched = parse_feed(
        result.content, url=result.url, now=now, content_type=result.content_type
    )
    direct = parse_feed(original, url=result.url, now=now)

    assert result.content == original
    assert len(fetched.entries) == 55
    assert fetched == direct


def test_a_non_ascii_validator_from_the_server_is_not_returned(web):
    # The server sends the header as latin-1 bytes; httpx could not send it back.
    url = web.route(
        "/cafe",
        Reply(
            headers={"ETag": '"caf\u00e9"', "Last-Modified": "Mitt\u00e9 2025"},
            body=FEED,
        ),
    )

    result = fetch_feed(url, policy=LOCAL)

    assert result.content == FEED
    assert result.etag == ""
    assert result.last_modified == ""


def test_a_stored_non_ascii_validator_is_not_sent(web):
    url = web.route("/cafe-sent", Reply(body=FEED))

    result = fetch_feed(
        url, etag='"caf\u00e9"', last_modified="Mitt\u00e9", policy=LOCAL
    )

    assert result.content == FEED
    sent = web.requests_to("/cafe-sent")[0].headers
    assert "if-none-match" not in sent
    assert "if-modified-since" not in sent


def test_a_retry_after_date_beyond_any_calendar_is_ignored():
    assert parse_retry_after("Mon, 01 Jan 99999999999 00:00:00 GMT") is None


@pytest.mark.parametrize(
    "host", ["xn--a.com", "\uff11\uff12\uff17.\uff10.\uff10.\uff11", "a\u0300b.com"]
)
def test_a_redirect_to_a_host_name_idna_refuses_is_refused(web, host):
    url = web.route(
        "/idna",
        Reply(
            raw=f"HTTP/1.1 302 Found\r\nLocation: http://{host}/feed\r\n"
            "Content-Length: 0\r\n\r\n".encode()
        ),
    )

    with pytest.raises(FetchError) as caught:
        fetch_feed(url, policy=LOCAL)

    assert caught.value.kind == "refused"
    assert str(caught.value) == "The server redirected to an address that is not valid."


def _not_modified_when_asked(request: Received) -> Reply:
    if "if-none-match" in request.headers or "if-modified-since" in request.headers:
        return Reply(status=304)
    return Reply(body=FEED)


def _fetch_with_old_validators(url: str):
    return fetch_feed(
        url, etag='"old"', last_modified="Sun, 29 Nov 2026 05:00:00 GMT", policy=LOCAL
    )


def test_validators_are_not_sent_on_after_a_redirect_to_another_resource(web):
    web.route("/new", _not_modified_when_asked)
    web.route(
        "/elsewhere",
        Reply(status=301, headers={"Location": f"http://localhost:{web.port}/new"}),
    )
    web.route("/renamed", Reply(status=301, headers={"Location": "/new"}))

    assert _fetch_with_old_validators(web.url("/elsewhere")).content == FEED
    assert _fetch_with_old_validators(web.url("/renamed")).content == FEED
    for request in web.requests_to("/new"):
        assert "if-none-match" not in request.headers
        assert "if-modified-since" not in request.headers


def test_validators_are_kept_by_a_redirect_to_the_same_host_and_path(web):
    def signed(request: Received) -> Reply:
        if "?" not in request.path:
            return Reply(status=302, headers={"Location": "/signed?sig=abc"})
        return _not_modified_when_asked(request)

    url = web.route("/signed", signed)

    assert _fetch_with_old_validators(url).not_modified


def test_429_says_the_server_received_too_many_requests(web):
    url = web.route("/slow-down", Reply(status=429))

    with pytest.raises(FetchError) as caught:
        fetch_feed(url, policy=LOCAL)

    assert str(caught.value) == (
        "The server says it received too many requests (HTTP 429)."
    )


def test_a_server_that_stops_sending_is_a_read_timeout(web):
    url = web.route(
        "/silent",
        Reply(body=iter([b"<rss>", b"</rss>"]), delay=2.0, content_length=False),
    )
    policy = FetchPolicy(allow_private=True, timeout=10.0, read_timeout=0.5)

    with pytest.raises(FetchError) as caught:
        fetch_feed(url, policy=policy)

    assert caught.value.kind == "timeout"
    assert str(caught.value) == "The server stopped sending for 0.5 seconds."


def test_a_server_that_accepts_no_connection_is_a_connect_timeout():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)  # never accepts: the queue holds one connection
        port = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)):
            policy = FetchPolicy(allow_private=True, timeout=10.0, connect_timeout=0.5)
            with pytest.raises(FetchError) as caught:
                fetch_feed(f"http://127.0.0.1:{port}/feed", policy=policy)

    assert caught.value.kind == "timeout"
    assert str(caught.value) == (
        "The server did not accept a connection within 0.5 seconds."
    )
