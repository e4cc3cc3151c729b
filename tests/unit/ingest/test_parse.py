"""parse_feed on ordinary feeds: fields, formats, relative links, encodings."""

from datetime import UTC, datetime

import pytest
from ingest_helpers import item, rss

from feed.ingest.parse import decode_document, defuse, parse_feed, split_prolog

NOW = datetime(2025, 7, 15, 12, 0, tzinfo=UTC)
URL = "https://blog.example.org/feeds/all.xml"


def parse(data: bytes, **kwargs):
    return parse_feed(data, url=URL, now=NOW, **kwargs)


def test_rss_item_fields_are_mapped_and_cleaned():
    data = rss(
        item(
            title="Chips &amp; trade",
            link="https://news.example.com/chips?utm_source=rss",
            guid="tag:news.example.com,2025:1",
            description="<![CDATA[<p>First <b>para</b>.</p>]]>",
            extra=(
                "<pubDate>Tue, 01 Jul 2025 10:00:00 GMT</pubDate>"
                "<author>desk@example.com (Ada Lovelace)</author>"
                "<category>Tech</category><category>Trade</category>"
                '<enclosure url="https://cdn.example.com/p.jpg" type="image/jpeg" '
                'length="1"/>'
            ),
        ),
        channel="<ttl>45</ttl>",
    )

    feed = parse(data)

    assert feed.title == "Test feed"
    assert feed.site_url == "https://example.com/"
    assert feed.ttl_minutes == 45
    assert feed.warning == ""
    [entry] = feed.entries
    assert entry.title == "Chips & trade"
    assert entry.url == "https://news.example.com/chips"
    assert entry.guid == "tag:news.example.com,2025:1"
    assert entry.summary_html == "<p>First <b>para</b>.</p>"
    assert entry.content_html == ""
    assert entry.text == "First para ."
    assert entry.author == "Ada Lovelace"
    assert entry.published == datetime(2025, 7, 1, 10, 0, tzinfo=UTC)
    assert entry.date_known
    assert entry.categories == ("Tech", "Trade")
    assert entry.image_url == "https://cdn.example.com/p.jpg"


def test_atom_entry_fields_are_mapped_with_content_and_author_uri():
    data = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://atom.example.net/">
  <title type="html">Atom &lt;em&gt;site&lt;/em&gt;</title>
  <link rel="alternate" href="/"/><link rel="self" href="/atom.xml"/>
  <logo>/logo.png</logo>
  <id>urn:uuid:feed</id><updated>2025-07-01T10:00:00Z</updated>
  <entry>
    <title>Entry one</title>
    <link rel="alternate" href="/posts/1"/>
    <id>urn:uuid:1</id>
    <published>2025-07-01T09:00:00+02:00</published>
    <updated>2025-07-02T09:00:00Z</updated>
    <author><name>Grace</name><uri>https://atom.example.net/grace</uri></author>
    <summary>Short summary</summary>
    <content type="html">&lt;p&gt;Long &lt;a href="/x"&gt;more&lt;/a&gt;</content>
  </entry>
</feed>"""

    feed = parse(data)

    assert feed.title == "Atom site"
    assert feed.site_url == "https://atom.example.net/"
    assert feed.image_url == "https://atom.example.net/logo.png"
    [entry] = feed.entries
    assert entry.url == "https://atom.example.net/posts/1"
    assert entry.guid == "urn:uuid:1"
    assert entry.published == datetime(2025, 7, 1, 7, 0, tzinfo=UTC)
    assert entry.author == "Grace"
    assert entry.author_url == "https://atom.example.net/grace"
    assert entry.summary_html == "<p>Short summary</p>"  # Atom's default is text
    assert entry.content_html.startswith(
        '<p>Long <a href="https://atom.example.net/x" '
    )
    assert entry.text == "Short summary"


def test_relative_links_resolve_against_the_site_link_then_the_feed_url():
    with_site = rss(
        item(link="/2025/story", description="<![CDATA[<img src='i.png'>]]>")
    )
    without_site = with_site.replace(b"<link>https://example.com/</link>", b"")

    [a] = parse(with_site).entries
    [b] = parse(without_site).entries

    assert a.url == "https://example.com/2025/story"
    assert 'src="https://example.com/2025/i.png"' in a.summary_html
    assert b.url == "https://blog.example.org/2025/story"


def test_a_relative_permalink_guid_is_an_id_not_a_link():
    [entry] = parse(rss(item(link="", guid="12345", description="x"))).entries

    assert entry.guid == "12345"
    assert entry.url == ""


def test_an_absolute_permalink_guid_is_used_as_the_link():
    guid = "https://example.com/p/9?utm_medium=rss"

    [entry] = parse(rss(item(link="", guid=guid))).entries

    assert entry.url == "https://example.com/p/9"
    assert entry.guid == guid


def test_plain_text_description_becomes_escaped_paragraphs():
    data = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry>'
        b"<title>x</title><id>1</id><link href='https://e.example/1'/>"
        b'<summary type="text">a &lt; b\n\nsecond &amp; last</summary></entry></feed>'
    )

    [entry] = parse(data).entries

    assert entry.summary_html == "<p>a &lt; b</p><p>second &amp; last</p>"
    assert entry.text == "a < b second & last"


def test_media_thumbnail_is_preferred_as_the_image():
    extra = (
        '<media:thumbnail xmlns:media="http://search.yahoo.com/mrss/" '
        'url="https://cdn.example/thumb.jpg"/>'
    )
    data = rss(item(description="<![CDATA[<img src='/inline.png'>]]>", extra=extra))

    [entry] = parse(data).entries

    assert entry.image_url == "https://cdn.example/thumb.jpg"


def test_first_inline_image_is_the_fallback_image():
    data = rss(item(description="<![CDATA[<p>x<img src='/a&amp;b.png'></p>]]>"))

    [entry] = parse(data).entries

    assert entry.image_url == "https://example.com/a&b.png"


def test_a_link_keeps_its_fragment_so_anchors_of_one_page_stay_apart():
    data = rss(
        item(title="1.1", link="https://example.com/changelog#v1-1")
        + item(title="1.2", link="https://example.com/changelog?utm_source=x#v1-2")
    )

    urls = [entry.url for entry in parse(data).entries]

    assert urls == [
        "https://example.com/changelog#v1-1",
        "https://example.com/changelog#v1-2",
    ]


def test_angle_brackets_in_titles_are_kept_when_they_are_not_tags():
    atom = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry>'
        b'<title type="text">Why &lt;canvas&gt; is slow</title><id>1</id>'
        b"<link href='https://e.example/1'/></entry>"
        b'<entry><title type="html">2 &amp;lt; 3 &lt;b&gt;but&lt;/b&gt; 5 &amp;gt; 4'
        b"</title><id>2</id><link href='https://e.example/2'/></entry></feed>"
    )
    data = rss(item(title="Why 2 &lt; 3 but 5 &gt; 4 in Python"))

    [text_title, html_title] = parse(atom).entries
    [rss_title] = parse(data).entries

    assert text_title.title == "Why <canvas> is slow"
    assert html_title.title == "2 < 3 but 5 > 4"
    assert rss_title.title == "Why 2 < 3 but 5 > 4 in Python"


def test_a_date_without_a_zone_is_read_as_utc():
    dates = ["Mon, 07 Jul 2025 10:00:00", "2025-07-07T10:00:00", "2025-07-07 10:00"]
    data = rss("".join(item(extra=f"<pubDate>{date}</pubDate>") for date in dates))

    entries = parse(data).entries

    assert [e.published for e in entries] == [datetime(2025, 7, 7, 10, tzinfo=UTC)] * 3
    assert all(e.date_known for e in entries)


def test_an_entry_xml_base_resolves_its_relative_urls():
    data = b"""<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://a.example/">
  <title>t</title>
  <entry><title>One</title><id>1</id><link href="https://a.example/posts/1/"/>
    <summary type="html" xml:base="https://cdn.example/media/">&lt;img src="p.jpg"&gt;</summary>
    <content type="html" xml:base="/files/">&lt;a href="doc.pdf"&gt;doc&lt;/a&gt;</content>
  </entry>
</feed>"""

    [entry] = parse(data).entries

    assert 'src="https://cdn.example/media/p.jpg"' in entry.summary_html
    assert 'href="https://a.example/files/doc.pdf"' in entry.content_html


def test_a_relative_link_equal_to_the_permalink_guid_before_it_is_kept():
    data = rss(item(link="", guid="/posts/2.html", extra="<link>/posts/2.html</link>"))

    [entry] = parse(data).entries

    assert entry.url == "https://example.com/posts/2.html"
    assert entry.guid == "/posts/2.html"


def test_media_content_without_medium_or_type_gives_the_widest_image():
    media = (
        '<media:content xmlns:media="http://search.yahoo.com/mrss/" width="140" '
        'url="https://i.example/a/master/3000.jpg?w=140&amp;q=55"/>'
        '<media:content xmlns:media="http://search.yahoo.com/mrss/" width="460" '
        'url="https://i.example/a/master/3000.jpg?w=460&amp;q=55"/>'
        '<media:content xmlns:media="http://search.yahoo.com/mrss/" '
        'url="https://v.example/clip.mp4"/>'
    )

    [entry] = parse(rss(item(extra=media))).entries

    assert entry.image_url == "https://i.example/a/master/3000.jpg?w=460&q=55"


def test_emoji_and_icons_are_not_the_fallback_image():
    description = (
        '<![CDATA[<p>Flag <img src="https://s.w.org/images/core/emoji/14.0.0/72x72/'
        '1f1ef.png" alt="x" class="wp-smiley"> <img src="/icon.png" width="16">'
        ' <img src="/pixel.gif" height="1" width="600">'
        ' <img alt="a src=" src="/photo.jpg"></p>]]>'
    )

    [entry] = parse(rss(item(description=description))).entries

    assert entry.image_url == "https://example.com/photo.jpg"


def test_now_must_be_timezone_aware():
    with pytest.raises(ValueError, match="aware"):
        parse_feed(rss(item()), url=URL, now=datetime(2025, 1, 1))  # noqa: DTZ001


# -- encodings ---------------------------------------------------------------------


def test_declared_latin1_is_decoded_as_windows_1252_as_browsers_do():
    declaration = '<?xml version="1.0" encoding="ISO-8859-1"?>'
    data = rss(item(title="Café crème “quoted”"), declaration=declaration)

    feed = parse(data.decode().encode("cp1252"))

    assert feed.entries[0].title == "Café crème “quoted”"
    assert feed.encoding == "cp1252"


def test_declared_windows_1252_reads_curly_quotes_and_euro():
    declaration = '<?xml version="1.0" encoding="windows-1252"?>'
    text = rss(item(title="\u201cQuote\u201d costs \u20ac5"), declaration=declaration)
    data = text.decode().encode("cp1252")

    [entry] = parse(data).entries

    assert entry.title == "\u201cQuote\u201d costs \u20ac5"


def test_utf8_bytes_mislabelled_latin1_by_the_server_are_read_as_utf8():
    data = rss(item(title="Zoë’s café"))

    feed = parse(data, content_type="text/xml; charset=ISO-8859-1")

    assert feed.entries[0].title == "Zoë’s café"
    assert feed.encoding == "utf-8"


def test_latin1_bytes_mislabelled_utf8_by_the_server_fall_back_to_the_declaration():
    declaration = '<?xml version="1.0" encoding="ISO-8859-1"?>'
    data = rss(item(title="Café"), declaration=declaration).decode().encode("latin-1")

    feed = parse(data, content_type="application/rss+xml; charset=utf-8")

    assert feed.entries[0].title == "Café"


def test_undeclared_8bit_text_is_read_as_windows_1252():
    data = rss(item(title="Caf\u00e9 \u2014 ok")).decode().encode("cp1252")
    data = data.replace(b' encoding="utf-8"', b"")

    feed = parse(data)

    assert feed.entries[0].title == "Café — ok"
    assert feed.encoding == "cp1252"


def test_declared_shift_jis_is_decoded():
    declaration = '<?xml version="1.0" encoding="Shift_JIS"?>'
    data = rss(item(title="東京のニュース"), declaration=declaration)

    feed = parse(data.decode().encode("shift_jis"))

    assert feed.entries[0].title == "東京のニュース"


@pytest.mark.parametrize(
    ("label", "codec", "title"),
    [
        ("gb2312", "gbk", "朱镕基 访问"),
        ("Shift_JIS", "cp932", "①日本語のニュース"),
        ("euc-kr", "cp949", "똠방각하 뉴스"),
        ("big5", "big5hkscs", "香港 嘅新聞"),
        ("tis-620", "cp874", "ข่าว\u00a0ด่วน"),
    ],
)
def test_legacy_labels_are_read_as_the_supersets_browsers_use(label, codec, title):
    declaration = f'<?xml version="1.0" encoding="{label}"?>'
    data = rss(item(title=title), declaration=declaration).decode().encode(codec)

    [entry] = parse(data).entries

    assert entry.title == " ".join(title.split())


@pytest.mark.parametrize(
    ("data", "content_type", "expected"),
    [
        (b"\xef\xbb\xbf<rss/>", None, "utf-8"),
        ("<rss/>".encode("utf-16"), None, "utf-16-le"),
        ("<rss/>".encode("utf-16-be"), None, "utf-16-be"),
        ("<rss/>".encode("utf-32"), None, "utf-32-le"),
        (b"<?xml version='1.0' encoding='utf-16'?><rss/>", None, "utf-8"),
        (b"<rss>caf\xc3\xa9</rss>", "text/xml; charset=us-ascii", "utf-8"),
        (b"<rss/>", "text/xml; charset=no-such-codec", "utf-8"),
        (b"<rss/>", "text/xml; charset=unicode_escape", "utf-8"),
    ],
)
def test_decode_document_picks_the_right_encoding(data, content_type, expected):
    text, encoding = decode_document(data, content_type)

    assert encoding == expected
    assert text.lstrip("\ufeff").startswith("<")


# -- the prolog --------------------------------------------------------------------


def test_split_prolog_skips_quotes_and_comments_inside_the_doctype():
    document = (
        '<?xml version="1.0"?>\n<!-- <rss> in a comment -->\n'
        "<!DOCTYPE rss [<!ENTITY a \"]>\"><!-- ]> --><!ENTITY b '<rss>'>]>\n"
        '<rss version="2.0"/>'
    )

    prolog, rest = split_prolog(document)

    assert rest == '<rss version="2.0"/>'
    assert prolog.endswith("]>\n")


def test_defuse_replaces_the_prolog_and_keeps_line_numbers():
    document = '<?xml version="1.0" encoding="latin-1"?>\n<!DOCTYPE x [\n]>\n<rss/>'

    defused = defuse(document)

    assert defused == b'<?xml version="1.0" encoding="utf-8"?>\n\n\n<rss/>'
