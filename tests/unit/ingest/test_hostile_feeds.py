"""Hostile feeds: each test names the attack and asserts the concrete safe outcome.

Small crafted documents live in fixtures/; big ones are generated here.
"""

import base64
import dataclasses
import re
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest
from ingest_helpers import Reply, item, rss

from feed.ingest import parse as parse_module
from feed.ingest.parse import Entry, ParsedFeed, ParseError, parse_feed

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2025, 7, 15, 12, 0, tzinfo=UTC)
MB = 1024 * 1024
URL = "https://hostile.example/feed.xml"
UNSAFE_MARKUP = re.compile(
    r"<\s*/?\s*(script|style|iframe|object|embed|svg|math|form|input|template|base|"
    r"meta|textarea|noscript|animate)\b|\son\w+\s*=|javascript:|vbscript:|data:|"
    r"xlink:|style\s*=",
    re.IGNORECASE,
)


def parse(data: bytes, **kwargs) -> ParsedFeed:
    return parse_feed(data, url=URL, now=NOW, **kwargs)


def strings_of(entry: Entry) -> list[str]:
    values: list[str] = []
    for field in dataclasses.fields(entry):
        value = getattr(entry, field.name)
        if isinstance(value, str):
            values.append(value)
        elif isinstance(value, tuple):
            values.extend(value)
    return values


def assert_entry_is_safe(entry: Entry) -> None:
    for value in strings_of(entry):
        assert not UNSAFE_MARKUP.search(value), value
        assert "\x00" not in value
    for url in (entry.url, entry.image_url, entry.author_url):
        assert url == "" or url.startswith(("http://", "https://"))
    for text in (entry.title, entry.text, entry.author, *entry.categories):
        assert "<" not in text or "&lt;" in text, text


@dataclasses.dataclass
class Measured:
    feed: ParsedFeed
    seconds: float
    peak_bytes: int


def measured(data: bytes, **kwargs) -> Measured:
    tracemalloc.start()
    started = time.monotonic()
    try:
        feed = parse(data, **kwargs)
        seconds = time.monotonic() - started
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return Measured(feed, seconds, peak)


# -- script injection and unsafe URLs ----------------------------------------------


def test_script_injection_in_every_rss_field_is_neutralised():
    feed = parse((FIXTURES / "xss-everywhere.rss").read_bytes())

    [entry] = feed.entries
    assert_entry_is_safe(entry)
    assert feed.title == "Hostile feed"
    assert feed.site_url == ""
    assert feed.image_url == ""
    assert entry.title == "Escaped script title"
    assert entry.author == "Eve"
    assert entry.categories == ("Politics",)
    assert "<p>Summary <b>bold</b></p>" in entry.summary_html
    assert '<a href="https://example.com/ok" ' in entry.summary_html
    assert "alert" not in entry.summary_html + entry.content_html + entry.text


def test_javascript_and_data_urls_in_every_rss_url_field_are_dropped():
    feed = parse((FIXTURES / "xss-everywhere.rss").read_bytes())

    [entry] = feed.entries
    assert entry.url == ""  # link and permalink guid were javascript:
    assert entry.guid.startswith("sha256:")  # stable key, but not a javascript: URL
    # enclosure, media:thumbnail (data:), media:content and itunes:image were all
    # unsafe: the only image left is the first <img> of the sanitised summary.
    assert entry.image_url == "https://hostile.example/x"


def test_script_injection_in_every_atom_field_is_neutralised():
    feed = parse((FIXTURES / "xss-everywhere.atom").read_bytes())

    [entry] = feed.entries
    assert_entry_is_safe(entry)
    assert feed.title == "Hostile Atom"
    assert feed.site_url == ""
    assert feed.image_url == ""
    assert entry.url == ""
    assert entry.author == "Eve"
    assert entry.author_url == ""
    assert entry.guid.startswith("sha256:")
    assert entry.content_html.startswith("<p>XHTML body</p>")
    assert entry.summary_html.endswith("Summary text")


def test_plain_text_title_with_raw_script_markup_becomes_plain_text():
    # feedparser returns type="text" titles with their markup decoded: raw <script>.
    data = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry>'
        b'<title type="text">&lt;script&gt;alert(1)&lt;/script&gt;Breaking</title>'
        b'<link href="https://hostile.example/1"/><id>1</id></entry></feed>'
    )

    [entry] = parse(data).entries

    assert entry.title == "Breaking"


def test_double_escaped_markup_in_a_title_stays_visible_text():
    feed = parse(rss(item(title="Use &amp;amp;lt;b&amp;amp;gt; for bold")))

    [entry] = feed.entries
    assert entry.title == "Use &lt;b&gt; for bold"


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        " javascript:alert(1)",
        "jav&#x09;ascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "file:///etc/passwd",
        "vbscript:msgbox(1)",
        "ftp://example.com/file",
    ],
)
def test_item_links_with_unsafe_schemes_are_dropped(link):
    feed = parse(rss(item(title="Unsafe link", link=link)))

    [entry] = feed.entries
    assert entry.url == ""
    assert entry.title == "Unsafe link"


# -- entity expansion and external entities ----------------------------------------


def test_billion_laughs_is_not_expanded():
    result = measured((FIXTURES / "billion-laughs.xml").read_bytes())

    [entry] = result.feed.entries
    assert "lol" * 10 not in entry.title + entry.text + entry.summary_html
    assert len(entry.summary_html) < 200
    assert result.seconds < 10
    assert result.peak_bytes < 50 * MB


def _quadratic_blowup(declaration: str) -> str:
    """One 100,000-char entity referenced 10,000 times: 1,000,000,000 chars if
    expanded (SECURITY-NOTES: 39 s and 2.9 GB in bare feedparser)."""
    references = "&big;" * 10_000
    return (
        f"{declaration}\n"
        f'<!DOCTYPE rss [<!ENTITY big "{"A" * 100_000}">]>\n'
        '<rss version="2.0"><channel><title>Blow-up</title>'
        "<item><title>Quadratic</title><link>https://hostile.example/q</link>"
        f"<description>{references}</description></item></channel></rss>"
    )


def _utf7_hiding_markup(text: str) -> bytes:
    """UTF-7 with every markup character base64-encoded ("<" is "+ADw-"), after an
    ASCII XML declaration: no "<!ENTITY", "&" or "<" bytes remain in the body."""
    declaration, body = text.split("\n", 1)
    hidden = "".join(
        "+" + base64.b64encode(char.encode("utf-16-be")).decode().rstrip("=") + "-"
        if char in "<>!&"
        else char
        for char in body
    )
    return (declaration + "\n" + hidden).encode("ascii")


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("utf-8", lambda text: text.encode("utf-8")),
        ("UTF-16", lambda text: text.encode("utf-16")),  # with BOM
        ("UTF-16BE", lambda text: text.encode("utf-16-be")),  # without BOM
        ("UTF-7", _utf7_hiding_markup),
    ],
)
def test_quadratic_entity_blowup_is_not_expanded_in_any_encoding(encoding, encode):
    data = encode(_quadratic_blowup(f'<?xml version="1.0" encoding="{encoding}"?>'))
    if encoding == "UTF-7":
        assert b"<!ENTITY" not in data
        assert b"&big;" not in data

    result = measured(data)

    [entry] = result.feed.entries
    assert entry.title == "Quadratic"
    assert "AAAAAAAAAA" not in entry.summary_html + entry.text
    assert len(entry.summary_html) < 200_000
    assert "not well-formed" in result.feed.warning
    assert result.seconds < 20
    assert result.peak_bytes < 200 * MB


def test_utf7_declared_only_in_the_content_type_is_defused_too():
    body = _utf7_hiding_markup(_quadratic_blowup('<?xml version="1.0"?>'))

    feed = parse(body, content_type="application/rss+xml; charset=utf-7")

    [entry] = feed.entries
    assert "AAAAAAAAAA" not in entry.summary_html


def test_external_file_entity_is_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        '<rss version="2.0"><channel><title>x</title><item><title>&xxe;</title>'
        "<link>https://hostile.example/1</link><description>&xxe;</description>"
        "</item></channel></rss>"
    ).encode()

    feed = parse(data)

    [entry] = feed.entries
    assert all("TOP-SECRET" not in value for value in strings_of(entry))
    assert entry.title == "&xxe;"


def test_external_http_entity_and_dtd_are_not_fetched(web):
    web.route("/entity", Reply(body=b"FETCHED-ENTITY"))
    web.route("/evil.dtd", Reply(body=b'<!ENTITY remote "FETCHED-DTD">'))
    data = (
        '<?xml version="1.0"?>'
        f'<!DOCTYPE rss SYSTEM "{web.url("/evil.dtd")}" ['
        f'<!ENTITY web SYSTEM "{web.url("/entity")}">'
        f'<!ENTITY % param SYSTEM "{web.url("/evil.dtd")}"> %param;]>'
        '<rss version="2.0"><channel><title>x</title><item><title>&web;</title>'
        "<link>https://hostile.example/1</link><description>&remote;</description>"
        "</item></channel></rss>"
    ).encode()

    feed = parse(data)

    [entry] = feed.entries
    assert all("FETCHED" not in value for value in strings_of(entry))
    assert web.received == []


def test_entity_declarations_hidden_after_a_fake_end_of_doctype_are_inert():
    # A ']>' inside a quoted entity value must not end the DOCTYPE early.
    data = (
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "]><rss>">'
        f'<!ENTITY big "{"B" * 10_000}">]>'
        '<rss version="2.0"><channel><title>x</title><item><title>t</title>'
        "<link>https://hostile.example/1</link><description>&big;&big;&big;"
        "</description></item></channel></rss>"
    ).encode()

    [entry] = parse(data).entries

    assert "BBBBBBBBBB" not in entry.summary_html


def test_entity_declarations_in_the_body_are_not_honoured():
    data = (
        b'<rss version="2.0"><!DOCTYPE x [<!ENTITY big "CCCCCCCCCCCCCCCCCCCC">]>'
        b"<channel><title>x</title><item><title>t</title>"
        b"<link>https://hostile.example/1</link><description>&big;&big;"
        b"</description></item></channel></rss>"
    )

    [entry] = parse(data).entries

    assert "CCCCCCCCCC" not in entry.summary_html + entry.text


# -- characters and encodings ------------------------------------------------------


def test_lone_surrogate_character_references_do_not_crash_and_become_replacement():
    data = rss(item(title="a&#xD800;b&#55296;c", description="x&#xDFFF;y &#x110000; z"))

    [entry] = parse(data).entries

    assert entry.title == "a\ufffdb\ufffdc"
    assert entry.text == "x\ufffdy \ufffd z"


@pytest.mark.parametrize(
    "reference",
    ["&#x00000000D800;", "&#0000000055296;", "&#xD800 ", "&#99999999999999;"],
)
def test_disguised_surrogate_and_out_of_range_references_become_replacement(
    reference,
):
    [entry] = parse(rss(item(title=f"a{reference}-b"))).entries

    assert entry.title.replace(" ", "") == "a\ufffd-b"


def test_nul_bytes_raw_and_as_references_are_removed_from_every_field():
    data = rss(
        item(
            title="Nul\x00 in &#0;title",
            link="https://hostile.example/\x00nul",
            description="body\x00 with &#0; nul &amp;#0;",
            extra="<author>a\x00b@example.com (Nul\x00 Name)</author>"
            "<category>ca\x00t</category>",
        )
    )

    [entry] = parse(data).entries

    assert all("\x00" not in value for value in strings_of(entry))
    assert entry.title == "Nul in title"
    assert entry.url == "https://hostile.example/nul"
    assert entry.categories == ("cat",)


def test_other_control_characters_are_removed():
    data = rss(item(title="bell\x07 back\x08 esc\x1b &#x1B;end"))

    [entry] = parse(data).entries

    assert entry.title == "bell back esc end"


def test_invalid_utf8_bytes_in_a_utf8_feed_are_replaced_not_fatal():
    data = rss(item(title="Café \xff\xfe broken", description="Zoë")).replace(
        "\xff\xfe".encode(), b"\xff\xfe"
    )

    feed = parse(data)

    [entry] = feed.entries
    assert entry.title == "Café \ufffd\ufffd broken"
    assert entry.text == "Zoë"
    assert feed.encoding == "utf-8"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_feeds_with_or_without_bom_are_read(codec):
    text = rss(item(title="Zoë — ☃ 雪", description="naïve")).decode()
    text = text.replace('encoding="utf-8"', 'encoding="UTF-16"')

    feed = parse(text.encode(codec))

    [entry] = feed.entries
    assert entry.title == "Zoë — ☃ 雪"
    assert entry.text == "naïve"
    assert feed.encoding.startswith("utf-16")


# -- size and count ----------------------------------------------------------------


def test_ten_thousand_items_are_all_parsed():
    items = "".join(
        item(
            title=f"Item {n}",
            link=f"https://hostile.example/{n}",
            guid=f"id-{n}",
            description=f"<p>Body {n}</p>",
        )
        for n in range(10_000)
    )

    started = time.monotonic()
    feed = parse(rss(items))

    assert len(feed.entries) == 10_000
    assert feed.skipped == 0
    assert feed.entries[-1].guid == "id-9999"
    assert time.monotonic() - started < 60


def test_items_beyond_the_cap_are_counted_as_skipped_with_a_warning(monkeypatch):
    assert parse_module.MAX_ENTRIES == 10_000
    monkeypatch.setattr(parse_module, "MAX_ENTRIES", 40)
    items = "".join(
        f"<item><title>{n}</title><link>https://h.example/{n}</link></item>"
        for n in range(65)
    )

    feed = parse(rss(items))

    assert len(feed.entries) == 40
    assert feed.skipped == 25
    assert "first 40 entries" in feed.warning


def test_a_five_megabyte_item_is_parsed_with_capped_html_and_text():
    paragraph = "<p>" + "word " * 200 + "</p>"
    huge = paragraph * (5 * MB // len(paragraph) + 1)
    data = rss(item(title="Huge", description=f"<![CDATA[{huge}]]>"))
    assert len(data) > 5 * MB

    result = measured(data)

    [entry] = result.feed.entries
    assert entry.title == "Huge"
    assert 100_000 < len(entry.summary_html) <= 210_000
    assert len(entry.text) <= 1_001
    assert entry.summary_html.endswith("</p>")
    assert result.seconds < 30
    assert result.peak_bytes < 400 * MB


def test_a_feed_over_ten_megabytes_is_refused():
    with pytest.raises(ParseError, match="larger than 10 MB"):
        parse(b"<rss>" + b" " * (10 * MB) + b"</rss>")


def test_deeply_nested_markup_is_flattened_to_text_quickly():
    # 30,000 levels fit under the 200,000-char cap; nh3 would need seconds.
    nested = "<div>" * 30_000 + "deep text" + "</div>" * 30_000
    data = rss(item(title="Deep", description=f"<![CDATA[{nested}]]>"))

    result = measured(data)

    [entry] = result.feed.entries
    assert entry.summary_html == "<p>deep text</p>"
    assert result.seconds < 10


def test_block_containers_are_kept_up_to_the_nesting_cap():
    kept = "<div>" * 256 + "text" + "</div>" * 256
    flattened = "<section>" * 257 + "text" + "</section>" * 257

    [a, b] = parse(
        rss(
            item(title="Kept", description=f"<![CDATA[{kept}]]>")
            + item(title="Flat", description=f"<![CDATA[{flattened}]]>")
        )
    ).entries

    assert a.summary_html == kept
    assert b.summary_html == "<p>text</p>"


def test_an_element_with_thousands_of_attributes_is_flattened_to_text():
    tag = "<p " + " ".join(f'a{n}="1"' for n in range(10_000)) + ">text</p>"
    data = rss(item(title="Attrs", description=f"<![CDATA[{tag}]]>"))

    [entry] = parse(data).entries

    assert entry.summary_html == "<p>text</p>"


def test_an_xml_element_with_a_hundred_thousand_attributes_is_refused_quickly():
    # xml.sax makes feedparser quadratic in attributes: 10,000 already take ~7 s.
    attributes = " ".join(f'a{n}="1"' for n in range(100_000))
    data = rss(item(extra=f'<source url="https://e.example/" {attributes}>x</source>'))
    started = time.monotonic()

    with pytest.raises(ParseError, match="more than 64 attributes"):
        parse(data)

    assert time.monotonic() - started < 5


def test_sixty_four_attributes_on_an_element_are_accepted():
    attributes = " ".join(f'a{n}="1"' for n in range(63))
    data = rss(item(extra=f'<source url="https://e.example/" {attributes}>x</source>'))

    assert len(parse(data).entries) == 1


def test_a_million_tags_are_refused_quickly():
    data = rss("<item><title>t</title>" + "<x/>" * 1_000_000 + "</item>")
    started = time.monotonic()

    with pytest.raises(ParseError, match="more than the 500,000"):
        parse(data)

    assert time.monotonic() - started < 5


def test_a_malformed_feed_with_two_hundred_thousand_tags_is_refused_quickly():
    data = rss("<item><title>t</title>" + "<p>" * 200_000 + "</item>")
    started = time.monotonic()

    with pytest.raises(ParseError, match="not well-formed XML and has 200,0"):
        parse(data)

    assert time.monotonic() - started < 5


def test_a_well_formed_feed_above_the_malformed_cap_is_read(monkeypatch):
    monkeypatch.setattr(parse_module, "MAX_ELEMENTS_MALFORMED", 1_000)
    data = rss("<item><title>Many</title>" + "<x/>" * 2_000 + "</item>")

    [entry] = parse(data).entries

    assert entry.title == "Many"


def test_thousands_of_namespace_prefixes_are_refused_quickly():
    # feedparser looks each unfamiliar-namespace element up among all prefixes.
    declarations = "".join(
        "<d " + " ".join(f'xmlns:p{j}_{k}="urn:n{j}:{k}"' for k in range(60)) + "/>"
        for j in range(100)
    )
    elements = '<z xmlns="urn:n99:59"/>' * 10_000
    data = rss(f"<item><title>t</title>{declarations}{elements}</item>")
    started = time.monotonic()

    with pytest.raises(ParseError, match="6,000 namespace prefixes"):
        parse(data)

    assert time.monotonic() - started < 5


def test_a_default_namespace_repeated_on_every_entry_is_fine():
    entries = "".join(
        f'<entry><title>{n}</title><id>{n}</id><content type="xhtml">'
        f'<div xmlns="http://www.w3.org/1999/xhtml"><p>{n}</p></div></content></entry>'
        for n in range(100)
    )
    data = f'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>{entries}</feed>'

    assert len(parse(data.encode()).entries) == 100


def test_a_malformed_feed_full_of_bare_ampersands_is_refused_quickly():
    data = rss(item(description="&" * 2_000_000))
    started = time.monotonic()

    with pytest.raises(ParseError, match="2,000,0.. '&' characters"):
        parse(data)

    assert time.monotonic() - started < 5


def test_a_well_formed_feed_with_many_entity_references_is_read(monkeypatch):
    monkeypatch.setattr(parse_module, "MAX_AMPERSANDS_MALFORMED", 1_000)

    [entry] = parse(rss(item(description="&amp;" * 2_000))).entries

    assert entry.text.startswith("&&&")


def test_many_unclosed_cdata_sections_are_handled_in_linear_time():
    data = rss("<item><title>t</title>" + "<![CDATA[" * 150_000 + "</item>")
    started = time.monotonic()

    feed = parse(data)

    assert time.monotonic() - started < 10
    assert [entry.title for entry in feed.entries] == ["t"]


def test_markup_inside_cdata_does_not_count_as_tags():
    html = "<b>x</b>" * 150_000  # 300,000 "<" inside CDATA, plain text to XML
    data = rss(item(title="Cdata", description=f"<![CDATA[{html}]]>"))

    [entry] = parse(data).entries

    assert entry.title == "Cdata"
    assert entry.summary_html.startswith("<b>x</b>")


# -- duplicates, missing and absurd fields ------------------------------------------


def test_duplicate_guids_are_kept_for_storage_to_deduplicate():
    data = rss(
        item(title="First", guid="same")
        + item(title="Second", guid="same", link="https://example.com/b")
    )

    feed = parse(data)

    assert [e.guid for e in feed.entries] == ["same", "same"]
    assert [e.title for e in feed.entries] == ["First", "Second"]


def test_missing_guid_falls_back_to_the_link():
    [entry] = parse(rss(item(link="https://example.com/story?utm_source=x"))).entries

    assert entry.guid == "https://example.com/story"
    assert entry.url == "https://example.com/story"


def test_missing_title_falls_back_to_the_start_of_the_text():
    [entry] = parse(rss(item(title="", description="Only a body here."))).entries

    assert entry.title == "Only a body here."


def test_missing_link_keeps_the_entry_with_a_content_fingerprint_guid():
    [entry] = parse(rss(item(title="No link", link="", description="x"))).entries

    assert entry.url == ""
    assert entry.guid.startswith("fingerprint:")


def test_missing_date_becomes_the_fetch_time_and_is_flagged():
    [entry] = parse(rss(item())).entries

    assert entry.published == NOW
    assert not entry.date_known


def test_an_item_with_nothing_to_show_is_skipped():
    feed = parse(rss("<item><guid>only-a-guid</guid></item>" + item(title="Kept")))

    assert [e.title for e in feed.entries] == ["Kept"]
    assert feed.skipped == 1


@pytest.mark.parametrize(
    "date",
    [
        "Mon, 01 Jan 0001 00:00:00 GMT",
        "Thu, 01 Jan 1970 00:00:00 GMT",
        "Fri, 01 Jan 2999 00:00:00 GMT",
        "Sat, 01 Jan 2026 00:00:00 GMT",  # after NOW: future
        "not a date at all",
        "Mon, 99 Foo 2025 99:99:99 XYZ",
        # Read by the fallbacks after feedparser gives up; the bounds still hold.
        "Mon, 01 Jan 0001 00:00:00",
        "Fri, 01 Jan 2999 00:00:00",
        "2999-01-01T00:00:00",
        "Mon, 01 Jan 99999999999999999999 00:00:00",
    ],
)
def test_far_past_future_and_garbage_dates_become_the_fetch_time(date):
    [entry] = parse(rss(item(extra=f"<pubDate>{date}</pubDate>"))).entries

    assert entry.published == NOW
    assert not entry.date_known


def test_a_sane_date_with_an_offset_is_converted_to_utc():
    extra = "<pubDate>Tue, 01 Jul 2025 14:30:00 +0200</pubDate>"

    [entry] = parse(rss(item(extra=extra))).entries

    assert entry.published == datetime(2025, 7, 1, 12, 30, tzinfo=UTC)
    assert entry.date_known


# -- not feeds ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b"<!DOCTYPE html><html><head><title>Shop</title></head><body>x</body>",
            "The address returned a web page, not a feed.",
        ),
        (b"<html lang=en><p>hi", "The address returned a web page, not a feed."),
        (b"", "The address returned an empty document, not a feed."),
        (b" \r\n\t ", "The address returned an empty document, not a feed."),
        (b"\xef\xbb\xbf  ", "The address returned an empty document, not a feed."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "something that is not a feed"),
        (b"Service temporarily down", "something that is not a feed"),
        (b'{"version": "https://jsonfeed.org/version/1.1"}', "JSON"),
        (b"<note><to>x</to></note>", "not an RSS or Atom feed"),
    ],
)
def test_documents_that_are_not_feeds_raise_a_readable_parse_error(body, message):
    with pytest.raises(ParseError) as caught:
        parse(body)

    assert message in str(caught.value)


# Found by fuzzing: mangled markup that breaks feedparser's lenient parser.
def test_markup_that_crashes_feedparser_is_a_parse_error():
    with pytest.raises(ParseError, match=r"could not be parsed \(KeyError\)"):
        parse(b"<rss><item<category</item>s</category>")


def test_markup_that_gives_feedparser_a_null_link_is_an_empty_feed():
    feed = parse(b"<rss><id<d</id></rss>")

    assert feed.entries == ()
    assert feed.site_url == ""
    assert "not well-formed" in feed.warning


def test_an_entry_link_with_a_host_nh3_rejects_keeps_the_entry():
    # urllib accepts a no-break space in a host name; nh3's URL parser does not.
    link = "https://news.example.com\u00a0/story"
    data = rss(item(link=link, description="<![CDATA[<a href='/rel'>x</a>]]>"))

    [entry] = parse(data).entries

    assert entry.url == ""
    assert entry.summary_html.startswith('<a href="https://example.com/rel"')


def test_a_malformed_feed_that_still_has_entries_is_kept_with_a_warning():
    data = rss(item(title="Broken &nbsp; but readable")).replace(
        b"</channel>", b"<unclosed></channel>"
    )

    feed = parse(data)

    assert [e.title for e in feed.entries] == ["Broken but readable"]
    assert "not well-formed" in feed.warning


def test_a_valid_feed_with_no_items_is_an_empty_feed_not_an_error():
    feed = parse(rss(""))

    assert feed.entries == ()
    assert feed.title == "Test feed"
    assert feed.warning == ""
