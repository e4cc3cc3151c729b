"""OPML import and export: flattening, duplicates, URL rules, refusals, round trip."""

import time
from datetime import UTC, datetime

import pytest

from feed.ingest.opml import OpmlError, OpmlFeed, build_opml, parse_opml

SUBSCRIPTIONS = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My feeds</title></head>
  <body>
    <outline text="Top level" type="rss" xmlUrl="https://top.example/feed"/>
    <outline text="News">
      <outline text="World" title="World &amp; more" type="rss"
               xmlUrl="https://world.example/rss" htmlUrl="https://world.example/"/>
      <outline text="Tech">
        <outline text="Chips" type="rss" xmlUrl="https://chips.example/atom.xml"/>
        <outline text="Chips again" type="rss" xmlUrl="HTTPS://CHIPS.example/atom.xml"/>
      </outline>
    </outline>
    <outline text="Old style" xmlurl="feed://old.example/rss"/>
    <outline text="Bad" xmlUrl="javascript:alert(1)"/>
    <outline text="Local" xmlUrl="file:///etc/passwd"/>
    <outline text="Tagged" xmlUrl="https://tagged.example/f" category="/Science/Space"/>
  </body>
</opml>"""


def test_nested_outlines_are_flattened_with_their_category_path():
    feeds = parse_opml(SUBSCRIPTIONS).feeds

    assert feeds == [
        OpmlFeed("https://top.example/feed", "Top level", ""),
        OpmlFeed("https://world.example/rss", "World & more", "News"),
        OpmlFeed("https://chips.example/atom.xml", "Chips", "News / Tech"),
        OpmlFeed("http://old.example/rss", "Old style", ""),
        OpmlFeed("https://tagged.example/f", "Tagged", "Science / Space"),
    ]


def test_addresses_that_are_not_absolute_http_urls_are_listed_as_unusable():
    data = b"""<opml><body>
      <outline text="Fine" xmlUrl="https://ok.example/rss"/>
      <outline text="No scheme" xmlUrl="blog.example.com/rss"/>
      <outline text="Relative" xmlUrl=" /rss.xml "/>
      <outline text="FTP" xmlUrl="ftp://files.example.com/rss"/>
      <outline text="Blank" xmlUrl="  "/>
    </body></opml>"""

    parsed = parse_opml(data)

    assert [f.url for f in parsed.feeds] == ["https://ok.example/rss"]
    assert parsed.unusable == [
        "blog.example.com/rss",
        "/rss.xml",
        "ftp://files.example.com/rss",
    ]
    assert parse_opml(SUBSCRIPTIONS).unusable == [
        "javascript:alert(1)",
        "file:///etc/passwd",
    ]


def test_build_then_parse_round_trips():
    feeds = parse_opml(SUBSCRIPTIONS).feeds

    created = datetime(2025, 7, 1, tzinfo=UTC)
    rebuilt = build_opml(feeds, title="Export <test>", now=created)

    # Same feeds; folders are written after the feeds at each level.
    assert sorted(parse_opml(rebuilt).feeds, key=repr) == sorted(feeds, key=repr)
    assert b"<title>Export &lt;test&gt;</title>" in rebuilt
    assert b"<dateCreated>Tue, 01 Jul 2025 00:00:00 +0000</dateCreated>" in rebuilt


def test_build_escapes_quotes_and_drops_control_characters():
    feed = OpmlFeed('https://e.example/?a=1&b="2"', 'Say "hi" \x00<b>', "")

    [parsed] = parse_opml(build_opml([feed], title="t")).feeds

    assert parsed.title == 'Say "hi" <b>'
    assert parsed.url == feed.url


def test_a_doctype_is_refused_so_billion_laughs_never_expands():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b'<opml><body><outline text="&c;" xmlUrl="https://e.example/"/></body></opml>'
    )

    with pytest.raises(OpmlError, match="DOCTYPE"):
        parse_opml(laughs)


def test_external_entities_are_refused():
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<opml><body><outline text="&x;" xmlUrl="https://e.example/"/></body></opml>'
    )

    with pytest.raises(OpmlError):
        parse_opml(xxe)


def test_more_than_the_cap_of_feeds_is_refused_quickly():
    outlines = b"".join(
        b'<outline text="f" xmlUrl="https://f%d.example/feed"/>' % n
        for n in range(6_000)
    )
    data = b"<opml><body>" + outlines + b"</body></opml>"
    started = time.monotonic()

    with pytest.raises(OpmlError, match="more than 5,000 feeds"):
        parse_opml(data)

    assert time.monotonic() - started < 5


def test_exactly_the_cap_is_accepted():
    outlines = "".join(
        f'<outline text="f" xmlUrl="https://f{n}.example/feed"/>' for n in range(50)
    )

    parsed = parse_opml(f"<opml><body>{outlines}</body></opml>".encode(), max_feeds=50)

    assert len(parsed.feeds) == 50


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"<opml><body><outline", "not valid XML"),
        (b"<html><body>hi</body></html>", "not OPML"),
        (b"just text", "not valid XML"),
        (b"<opml>" + b"<outline>" * 60 + b"</opml>", "deeper than 50"),
        (b"<opml>" + b" " * (6 * 1024 * 1024) + b"</opml>", "larger than 5 MB"),
    ],
)
def test_unusable_files_raise_a_readable_error(data, message):
    with pytest.raises(OpmlError, match=message):
        parse_opml(data)


def test_latin1_encoded_opml_is_read():
    data = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><opml><body>'
        '<outline text="Café" xmlUrl="https://cafe.example/rss"/></body></opml>'
    ).encode("latin-1")

    assert parse_opml(data).feeds == [OpmlFeed("https://cafe.example/rss", "Café", "")]


@pytest.mark.parametrize(
    ("encoding", "label"),
    [
        ("Shift_JIS", "日本のニュース"),
        ("GB2312", "中文新闻"),
        ("EUC-KR", "한국 뉴스"),
        ("Big5", "中文新聞"),
    ],
)
def test_an_opml_declared_in_a_multibyte_encoding_is_read(encoding, label):
    data = (
        f'<?xml version="1.0" encoding="{encoding}"?><opml version="2.0"><body>'
        f'<outline text="{label}" xmlUrl="https://a.example.com/rss"/></body></opml>'
    ).encode(encoding)

    assert parse_opml(data).feeds == [OpmlFeed("https://a.example.com/rss", label)]


def test_a_legacy_label_is_read_as_browsers_read_it():
    # "①" is in Windows-31J (what servers and editors mean by Shift_JIS), not in
    # strict Shift_JIS.
    data = (
        '<?xml version="1.0" encoding="Shift_JIS"?><opml><body>'
        '<outline text="ニュース①" xmlUrl="https://a.example.com/rss"/></body></opml>'
    ).encode("cp932")

    assert parse_opml(data).feeds[0].title == "ニュース①"


def test_a_doctype_hidden_in_a_declared_encoding_is_still_refused():
    laughs = (
        '<?xml version="1.0" encoding="UTF-7"?>'
        '<!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">]>'
        '<opml><body><outline text="&a;" xmlUrl="https://e.example/"/></body></opml>'
    ).encode("utf-7")

    with pytest.raises(OpmlError, match="DOCTYPE"):
        parse_opml(laughs)
