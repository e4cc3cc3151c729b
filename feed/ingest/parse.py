"""Feed bytes in, plain Entry records out.

feedparser does the format work (RSS 0.9x/1.0/2.0, Atom, dates); this module does
everything it must not be trusted with:

* the bytes are decoded here (BOM, XML declaration, HTTP charset, UTF-8 validity),
  and every later check runs on the decoded text, so UTF-16 or UTF-7 cannot hide
  markup from it;
* the whole prolog (XML declaration, DOCTYPE with its internal subset, comments,
  processing instructions) is replaced by a plain UTF-8 declaration, so no entity
  can be declared, expanded (billion laughs, quadratic blow-up) or fetched
  (external entities);
* character references feedparser would crash on (``&#xD800;``) or that are not
  text (``&#0;``) are replaced, NULs and other control characters removed;
* feedparser runs without its own sanitiser and URI resolver (nh3 and this module
  do that, faster and stricter), and its output is cleaned field by field: HTML
  through nh3, titles to plain text, every URL checked to be http(s).

Django-free: bytes and `now` in, frozen dataclasses out.
"""

import calendar
import codecs
import email.utils
import functools
import hashlib
import io
import re
import xml.parsers.expat
import xml.sax
from dataclasses import dataclass
from datetime import UTC, datetime
from html import unescape as html_unescape
from typing import Any

import feedparser

from feed.ingest import clean

MAX_FEED_BYTES = 10 * 1024 * 1024
MAX_ENTRIES = 10_000
MAX_SUMMARY_TEXT = 1_000
MAX_GUID_CHARS = 1_000
MAX_AUTHOR_CHARS = 200
MAX_CATEGORIES = 20
MAX_CATEGORY_CHARS = 100
MAX_ICON_PIXELS = 32  # an inline image this small is an icon, not a lead image
# feedparser costs 10-40 us per element (more in its lenient parser for malformed
# XML), and its strict parser (through xml.sax's AttributesNSImpl) is quadratic in
# the attributes of one element: 10,000 take 7 s. Real feeds stay far below these
# caps (the corpus maximum is ~6,300 tags in 500 items).
MAX_ELEMENTS = 500_000
MAX_ELEMENTS_MALFORMED = 100_000
# The lenient parser also spends ~2 us on every "&" (10 MB of them: 20 s).
MAX_AMPERSANDS_MALFORMED = 1_000_000
# feedparser scans every namespace prefix seen so far for each element in an
# unfamiliar namespace: elements x prefixes. Feeds use a handful of prefixes.
MAX_NAMESPACE_PREFIXES = 50
MAX_ATTRIBUTES = 64

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_XML_ENCODING = re.compile(
    rb"""^\s*<\?xml[^>]{0,200}?\bencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._:-]{0,40})["']"""
)
_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]{1,40})""", re.IGNORECASE)
# Codecs that are not character encodings of documents, or are tricks.
_REFUSED_CODECS = {
    "unicode_escape", "raw_unicode_escape", "punycode", "idna", "mbcs", "oem",
    "undefined", "charmap",
}  # fmt: skip
# Legacy labels read as the superset browsers decode them with (WHATWG Encoding
# Standard): servers say gb2312 or Shift_JIS about GBK or Windows-31J text, and a
# strict codec would throw the whole feed out as mojibake for one character.
_SUPERSET_CODECS = {
    "gb2312": "gb18030", "gbk": "gb18030", "shift_jis": "cp932", "euc_kr": "cp949",
    "big5": "big5hkscs", "tis-620": "cp874", "iso8859-1": "cp1252", "ascii": "cp1252",
}  # fmt: skip
_CHARREF = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_WHITESPACE = " \t\r\n\ufeff"
_NAME_START = re.compile(r"[A-Za-z_:\u00c0-\uffff]")
_DTD_TOKEN = re.compile(r"""["'\[\]>]|<!--""")
_HTML_START = re.compile(r"<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.I)
# A start tag with more than MAX_ATTRIBUTES "=" signs: a candidate, counted exactly
# below. Possessive quantifiers over classes without "<", ">" and "=" keep it linear.
_MANY_EQUALS = re.compile(
    rf"<[A-Za-z_][^<>=]*+(?:=[^<>=]*+){{{MAX_ATTRIBUTES + 1},}}+>"
)
_NAMESPACE_PREFIX = re.compile(r"\bxmlns:([^\s=/>]+)\s*=")
_ATTRIBUTE = re.compile(r"""[\s"'][^\s=<>"'/]+\s*=""")
_UNSAFE_GUID_SCHEMES = {"javascript", "vbscript", "data", "file", "about", "blob"}
_FEED_VERSIONS_UNKNOWN = {"", None}


class ParseError(Exception):
    """The document is not a usable feed; the message is meant for people."""


@dataclass(frozen=True)
class Entry:
    guid: str  # an opaque key, unique within the feed as far as the feed says
    url: str  # absolute http(s) link to the article, or ""
    title: str  # plain text, never empty
    summary_html: str  # sanitised HTML
    content_html: str  # sanitised HTML, "" when the feed has no separate content
    text: str  # plain text of summary (or content), for ranking and search
    author: str  # plain text
    published: datetime  # aware UTC, clamped (see clean.clamp_published)
    image_url: str  # absolute http(s) URL, or ""
    categories: tuple[str, ...] = ()  # plain text tags from the feed
    author_url: str = ""  # absolute http(s) URL, or ""
    date_known: bool = True  # False when the feed gave no usable date


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    site_url: str
    entries: tuple[Entry, ...]
    warning: str = ""  # what was wrong with a malformed but usable feed
    ttl_minutes: int | None = None
    skipped: int = 0  # entries dropped: nothing to show, or beyond MAX_ENTRIES
    encoding: str = ""  # the character encoding the bytes were read with
    image_url: str = ""  # the feed's own logo, when it names one


# -- decoding ---------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _codec_name(label: str) -> str:
    """Python's name for an encoding label (as browsers read it, see
    _SUPERSET_CODECS), or "" when unknown or refused."""
    try:
        name = codecs.lookup(label.strip().lower()).name
    except LookupError:
        return ""
    if name.replace("-", "_") in _REFUSED_CODECS:
        return ""
    return _SUPERSET_CODECS.get(name, name)


@functools.lru_cache(maxsize=64)
def _is_single_byte(name: str) -> bool:
    try:
        return len(bytes(range(256)).decode(name, "replace")) == 256
    except (LookupError, ValueError):
        return False


def _is_utf8_with_non_ascii(data: bytes) -> bool:
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _try_decode(data: bytes, name: str) -> str | None:
    try:
        return data.decode(name)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_document(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode feed bytes to text; returns (text, encoding used).

    Order of evidence: a byte-order mark; UTF-16/32 without a BOM recognised from
    the first bytes; then the charset of the HTTP Content-Type and the XML
    declaration, each used only if the bytes really decode with it. Bytes that are
    valid UTF-8 with non-ASCII characters are read as UTF-8 even when a single-byte
    charset (latin-1, windows-1252, ...) is declared: that label is wrong. The last
    resort is windows-1252, then latin-1, which decode anything.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(name, "replace")
            return text, name
    if data[:4] in (b"<\x00?\x00", b"<\x00\x00\x00") or data[:2] == b"<\x00":
        name = "utf-32-le" if data[:4] == b"<\x00\x00\x00" else "utf-16-le"
        return data.decode(name, "replace"), name
    if data[:4] in (b"\x00<\x00?", b"\x00\x00\x00<") or data[:2] == b"\x00<":
        name = "utf-32-be" if data[:4] == b"\x00\x00\x00<" else "utf-16-be"
        return data.decode(name, "replace"), name

    declared: list[str] = []
    if content_type:
        found = _CHARSET.search(content_type)
        if found:
            declared.append(_codec_name(found.group(1)))
    in_document = _XML_ENCODING.match(data[:512])
    if in_document:
        declared.append(_codec_name(in_document.group(1).decode("ascii")))

    utf8_evident: bool | None = None
    for name in declared:
        if not name or name.startswith(("utf_16", "utf_32", "utf-16", "utf-32")):
            continue  # no BOM and not sniffed as such above: the label is wrong
        if _is_single_byte(name):
            if utf8_evident is None:
                utf8_evident = _is_utf8_with_non_ascii(data)
            if utf8_evident:
                return data.decode("utf-8"), "utf-8"
        text = _try_decode(data, name)
        if text is not None:
            return text, name
    text = _try_decode(data, "utf-8")
    if text is not None:
        return text, "utf-8"
    # Mostly UTF-8 with a few broken bytes: keep it UTF-8 and mark the damage,
    # rather than turning every accented letter into mojibake.
    lenient = data.decode("utf-8", "replace")
    damaged = lenient.count("\ufffd")
    if sum(1 for char in lenient if char > "\x7f") - damaged >= damaged:
        return lenient, "utf-8"
    text = _try_decode(data, "cp1252")
    if text is not None:
        return text, "cp1252"
    return data.decode("latin-1"), "latin-1"


# -- defusing ---------------------------------------------------------------------


def _skip_quoted_or_comment(text: str, pos: int, end: int) -> int:
    """Position after the DTD token starting at pos (a quote or a comment)."""
    if text.startswith("<!--", pos):
        close = text.find("-->", pos + 4, end)
        return end if close < 0 else close + 3
    quote = text[pos]
    close = text.find(quote, pos + 1, end)
    return end if close < 0 else close + 1


def _end_of_doctype(text: str, start: int) -> int:
    """Index just after the DOCTYPE (or other declaration) starting at `start`."""
    end = len(text)
    pos = start + 2
    in_subset = False
    while True:
        token = _DTD_TOKEN.search(text, pos)
        if token is None:
            return end
        found = token.group()
        if found in {'"', "'", "<!--"}:
            pos = _skip_quoted_or_comment(text, token.start(), end)
        elif found == "[":
            in_subset, pos = True, token.end()
        elif found == "]":
            in_subset, pos = False, token.end()
        elif not in_subset:  # ">"
            return token.end()
        else:
            pos = token.end()


def split_prolog(text: str) -> tuple[str, str]:
    """Split a document into (prolog, rest) at the root element's start tag.

    The prolog is everything before the root element: XML declaration, comments,
    processing instructions, DOCTYPE with its internal subset (quoted strings and
    comments inside it are skipped, so a ``]>`` or ``<rss>`` in an entity value
    does not end it early).
    """
    pos, end = 0, len(text)
    while pos < end:
        if text[pos] in _WHITESPACE:
            pos += 1
        elif text.startswith("<?", pos):
            close = text.find("?>", pos + 2)
            pos = end if close < 0 else close + 2
        elif text.startswith("<!--", pos):
            close = text.find("-->", pos + 4)
            pos = end if close < 0 else close + 3
        elif text[pos : pos + 9].upper() == "<!DOCTYPE":
            pos = _end_of_doctype(text, pos)
        elif text.startswith("<!", pos):
            # Any other declaration before the root (a stray <!ENTITY ...>).
            pos = _end_of_doctype(text, pos)
        else:
            break
    return text[:pos], text[pos:]


def _replace_charref(match: re.Match[str]) -> str:
    hex_digits, decimal = match.groups()
    try:
        code = int(hex_digits, 16) if hex_digits else int(decimal)
    except ValueError:
        return "\ufffd"
    if code in (0x9, 0xA, 0xD):
        return match.group(0)
    if code < 0x20 or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
        return "" if code < 0x20 else "\ufffd"
    if code > 0x10FFFF:
        return "\ufffd"
    return match.group(0)


def check_markup_limits(body: str, document: bytes) -> None:
    """Refuse documents whose structure alone would make parsing slow.

    `body` is the decoded text, `document` the defused bytes given to feedparser.
    Counts markup outside CDATA sections: at most MAX_ELEMENTS tags, or
    MAX_ELEMENTS_MALFORMED when the XML is not well-formed (feedparser's lenient
    parser is slower; it also gets at most MAX_AMPERSANDS_MALFORMED "&"), at
    most MAX_NAMESPACE_PREFIXES distinct namespace prefixes
    and MAX_ATTRIBUTES attributes on any element. The quick counts are C-speed
    passes; exact ones run only when those trip.
    """
    if body.count("<") > MAX_ELEMENTS_MALFORMED:
        tags = _without_cdata(body).count("<")
        if tags > MAX_ELEMENTS:
            raise ParseError(
                f"The feed has {tags:,} tags, more than the {MAX_ELEMENTS:,} "
                "Tidings reads; refused."
            )
        if tags > MAX_ELEMENTS_MALFORMED and not _well_formed(document):
            raise ParseError(
                f"The feed is not well-formed XML and has {tags:,} tags, more "
                f"than the {MAX_ELEMENTS_MALFORMED:,} Tidings reads in such "
                "feeds; refused."
            )
    ampersands = body.count("&")
    if ampersands > MAX_AMPERSANDS_MALFORMED and not _well_formed(document):
        raise ParseError(
            f"The feed is not well-formed XML and has {ampersands:,} '&' "
            f"characters, more than the {MAX_AMPERSANDS_MALFORMED:,} Tidings "
            "reads in such feeds; refused."
        )
    if body.count("xmlns:") > MAX_NAMESPACE_PREFIXES:
        prefixes = set(_NAMESPACE_PREFIX.findall(_without_cdata(body)))
        if len(prefixes) > MAX_NAMESPACE_PREFIXES:
            raise ParseError(
                f"The feed declares {len(prefixes):,} namespace prefixes, more "
                f"than the {MAX_NAMESPACE_PREFIXES} Tidings reads; refused."
            )
    if "=" not in body or not _MANY_EQUALS.search(body):
        return
    for match in _MANY_EQUALS.finditer(_without_cdata(body)):
        if len(_ATTRIBUTE.findall(match.group())) > MAX_ATTRIBUTES:
            raise ParseError(
                f"The feed has an element with more than {MAX_ATTRIBUTES} "
                "attributes; refused."
            )


def _without_cdata(body: str) -> str:
    """The text with CDATA sections removed (clean.without_sections)."""
    return clean.without_sections(body, "<![CDATA[", "]]>")


def _well_formed(document: bytes) -> bool:
    """Whether expat (with namespaces, as feedparser uses it) accepts the bytes."""
    parser = xml.parsers.expat.ParserCreate("utf-8", " ")
    try:
        parser.Parse(document, True)
    except xml.parsers.expat.ExpatError:
        return False
    return True


def defuse(text: str) -> bytes:
    """The document as UTF-8 bytes that are safe to give to feedparser.

    The prolog is replaced by a bare UTF-8 XML declaration: no DOCTYPE, hence no
    entity declarations and nothing to expand or fetch. Illegal characters and
    character references to them are removed or replaced.
    """
    prolog, body = split_prolog(text)
    body = _XML_ILLEGAL.sub("", body)
    if "&#" in body:
        body = _CHARREF.sub(_replace_charref, body)
    # Lone surrogates cannot be encoded; they only come from decoding errors.
    encoded = body.encode("utf-8", "replace")
    # As many line breaks as the prolog had, so error line numbers stay true.
    lines = b"\n" * min(prolog.count("\n"), 10_000)
    return b'<?xml version="1.0" encoding="utf-8"?>' + lines + encoded


# -- parsing ----------------------------------------------------------------------


def _refuse_non_feed(text: str, parsed: Any) -> None:
    """Raise ParseError with a readable reason when a document yielded no entries."""
    _prolog, body = split_prolog(text)
    head = body.lstrip()[:2048]
    prolog_head = _prolog.lstrip()[:2048]
    if _HTML_START.match(head) or _HTML_START.search(prolog_head):
        raise ParseError("The address returned a web page, not a feed.")
    if head[:1] in {"{", "["}:
        raise ParseError(
            "The address returned JSON, not an RSS or Atom feed "
            "(JSON Feed is not supported)."
        )
    if not head.startswith("<") or not _NAME_START.match(head[1:2]):
        raise ParseError("The address returned something that is not a feed.")
    version = parsed.get("version")
    if version in _FEED_VERSIONS_UNKNOWN:
        reason = _bozo_detail(parsed)
        suffix = f" ({reason})" if reason else ""
        raise ParseError(f"The document is not an RSS or Atom feed{suffix}.")


def _bozo_detail(parsed: Any) -> str:
    """What feedparser found wrong, phrased for people ("" when nothing)."""
    if not parsed.get("bozo"):
        return ""
    exc = parsed.get("bozo_exception")
    if isinstance(exc, xml.sax.SAXParseException):
        detail = (
            f"{exc.getMessage()} at line {exc.getLineNumber()}, "
            f"column {exc.getColumnNumber()}"
        )
    else:
        detail = str(exc)
    return clean.plain_text_from_text(detail, max_chars=200)


def _bozo_message(parsed: Any) -> str:
    detail = _bozo_detail(parsed)
    if not detail:
        return ""
    if isinstance(parsed.get("bozo_exception"), xml.sax.SAXParseException):
        return f"The feed is not well-formed XML ({detail}); read leniently."
    return f"The feed has errors ({detail}); read leniently."


def parse_feed(
    data: bytes,
    *,
    url: str,
    now: datetime,
    content_type: str | None = None,
) -> ParsedFeed:
    """Parse feed bytes fetched from `url` (the base for relative links).

    Raises ParseError with a message for people when the bytes are empty, too big,
    a web page, JSON or anything else that is not RSS or Atom. A malformed feed
    that still yields entries is returned with `warning` set. Entries that have
    neither a title, a text nor a link are counted in `skipped`. Duplicate GUIDs
    are kept as they are: de-duplication belongs to storage.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    if not data or not data.strip():
        raise ParseError("The address returned an empty document, not a feed.")
    if len(data) > MAX_FEED_BYTES:
        raise ParseError(
            f"The feed is larger than {MAX_FEED_BYTES // (1024 * 1024)} MB; refused."
        )
    text, encoding = decode_document(data, content_type)
    if not text.strip(_WHITESPACE + "\x00"):
        raise ParseError("The address returned an empty document, not a feed.")
    safe = defuse(text)
    check_markup_limits(text, safe)
    base_url = clean.absolute_url(url, allow_mailto=False)
    try:
        parsed = feedparser.parse(
            io.BytesIO(safe),
            # No content-location: feedparser would urljoin every element
            # against it (a third of its time); links are resolved below.
            response_headers={"content-type": "application/xml; charset=utf-8"},
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except MemoryError:
        raise
    except Exception as exc:
        # feedparser's lenient parser has internal errors on mangled input
        # (KeyError, AttributeError, UnicodeEncodeError ...): not a usable feed.
        raise ParseError(
            f"The feed could not be parsed ({type(exc).__name__})."
        ) from exc

    raw_entries = parsed.get("entries") or []
    if not raw_entries:
        _refuse_non_feed(text, parsed)

    meta = parsed.get("feed") or {}
    site_url = clean.normalize_link(_str(meta.get("link")), base_url)
    entry_base = site_url or base_url
    entries: list[Entry] = []
    skipped = max(0, len(raw_entries) - MAX_ENTRIES)
    for raw in raw_entries[:MAX_ENTRIES]:
        # A plain dict: FeedParserDict's alias lookups cost more than the cleaning.
        entry = _entry(dict(raw), base_url=entry_base, now=now)
        if entry is None:
            skipped += 1
        else:
            entries.append(entry)

    warnings = []
    if parsed.get("bozo"):
        warnings.append(_bozo_message(parsed))
    if len(raw_entries) > MAX_ENTRIES:
        warnings.append(f"only the first {MAX_ENTRIES:,} entries were read")
    title_detail = meta.get("title_detail") or {}
    return ParsedFeed(
        title=clean.clean_title(
            _str(meta.get("title")), is_html=_is_html(title_detail)
        ),
        site_url=site_url,
        entries=tuple(entries),
        warning="; ".join(w for w in warnings if w),
        ttl_minutes=_int_or_none(meta.get("ttl")),
        skipped=skipped,
        encoding=encoding,
        image_url=_feed_image(meta, base_url=entry_base),
    )


def _is_html(detail: Any) -> bool:
    # dict.get skips FeedParserDict's alias lookups, which cost more than this.
    kind = dict.get(detail, "type") if isinstance(detail, dict) else None
    return "html" in str(kind or "text/html")


def _html_field(value: str, detail: Any, *, base_url: str) -> str:
    if not value:
        return ""
    if _is_html(detail):
        return clean.sanitize_html(value, base_url=_xml_base(detail, base_url))
    return clean.text_to_html(value)


def _xml_base(detail: Any, base_url: str) -> str:
    """The field's xml:base (resolved against base_url) if it has one, else base_url."""
    base = dict.get(detail, "base") if isinstance(detail, dict) else None
    if not base or not isinstance(base, str):
        return base_url
    return clean.absolute_url(base, base_url, allow_mailto=False) or base_url


def _entry(raw: Any, *, base_url: str, now: datetime) -> Entry | None:
    raw_id = _str(raw.get("id"))
    raw_link = _str(raw.get("link"))
    # feedparser copies a permalink <guid> into a missing link; such a copy counts
    # only when it really is an absolute URL ("12345" is an id, not a relative
    # link). A <link> element of the same value is listed in `links`.
    guid_copy = (
        raw.get("guidislink")
        and raw_link == raw_id
        and not any(item.get("href") == raw_link for item in _dicts(raw.get("links")))
    )
    link = clean.normalize_link(raw_link, "" if guid_copy else base_url)
    html_base = link or base_url

    raw_summary = _str(raw.get("summary"))
    summary_html = _html_field(
        raw_summary, raw.get("summary_detail"), base_url=html_base
    )
    content_html = ""
    for content in _dicts(raw.get("content")):
        value = _str(content.get("value"))
        if value and value != raw_summary:
            content_html = _html_field(value, content, base_url=html_base)
            if content_html:
                break
    text = clean.plain_text(
        summary_html or content_html, max_chars=MAX_SUMMARY_TEXT, sanitized=True
    )

    title = clean.clean_title(
        _str(raw.get("title")), is_html=_is_html(raw.get("title_detail"))
    )
    if not title:
        title = clean.plain_text_from_text(text, max_chars=120)
    if not title:
        if not link:
            return None
        title = link

    published, date_known = _published(raw, now=now)
    author, author_url = _author(raw)
    return Entry(
        guid=_guid(raw_id, link=link, title=title, text=text),
        url=link,
        title=title,
        summary_html=summary_html,
        content_html=content_html,
        text=text,
        author=author,
        published=published,
        image_url=_image(raw, base_url=html_base, html=summary_html + content_html),
        categories=_categories(raw),
        author_url=author_url,
        date_known=date_known,
    )


def _guid(raw_id: str, *, link: str, title: str, text: str) -> str:
    guid = clean.collapse_whitespace(clean.strip_control_chars(raw_id))
    if guid and (
        len(guid) > MAX_GUID_CHARS
        or clean.url_scheme(guid.replace("\t", "")) in _UNSAFE_GUID_SCHEMES
    ):
        # Kept stable and unique, but never a string that could act as a URL.
        return "sha256:" + hashlib.sha256(guid.encode()).hexdigest()
    if guid:
        return guid
    if link:
        return link
    return "fingerprint:" + clean.fingerprint(title, text)


def _published(raw: Any, *, now: datetime) -> tuple[datetime, bool]:
    for key in ("published", "updated", "created"):
        moment = _moment(raw.get(key + "_parsed"), raw.get(key))
        if moment is None:
            continue
        clamped = clean.clamp_published(moment, now=now)
        return clamped, clamped == moment
    return now, False


def _moment(parsed: Any, text: Any) -> datetime | None:
    """feedparser's date, else the raw text read as RFC 822 or ISO 8601 (feedparser
    gives up on "Mon, 09 Mar 2026 10:00:00", without a zone); no zone means UTC."""
    if parsed:
        try:
            return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
        except (OverflowError, ValueError, OSError, TypeError):
            return None
    text = text.strip() if isinstance(text, str) else ""
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (ValueError, TypeError, IndexError, OverflowError):
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        if str(moment.year) not in text:
            return None  # a year such as "0001", which email.utils reads as 2001
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _author(raw: Any) -> tuple[str, str]:
    detail = raw.get("author_detail")
    detail = detail if isinstance(detail, dict) else {}
    name = detail.get("name") or raw.get("author") or ""
    author = clean.plain_text(str(name), max_chars=MAX_AUTHOR_CHARS)
    author_url = clean.absolute_url(str(detail.get("href") or ""), allow_mailto=False)
    return author, author_url


def _categories(raw: Any) -> tuple[str, ...]:
    found: list[str] = []
    for tag in _dicts(raw.get("tags")):
        term = clean.plain_text(
            str(tag.get("label") or tag.get("term") or ""),
            max_chars=MAX_CATEGORY_CHARS,
        )
        if term and term not in found:
            found.append(term)
        if len(found) >= MAX_CATEGORIES:
            break
    return tuple(found)


_IMG_TAG = re.compile(r"<img\s[^>]*>")
# nh3 writes every attribute as name="value" with no raw quote inside a value, so
# matching them one after another never starts inside an alt="... src=...".
_IMG_ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')
_IMAGE_PATH = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)$", re.IGNORECASE)
_EMOJI_IMAGES = "s.w.org/images/core/emoji/"  # WordPress's emoji as images


def _image(raw: Any, *, base_url: str, html: str) -> str:
    candidates = [m.get("url", "") for m in _dicts(raw.get("media_thumbnail"))]
    media = [m for m in _dicts(raw.get("media_content")) if _is_image_media(m)]
    media.sort(key=lambda m: _int_or_none(m.get("width")) or 0, reverse=True)
    candidates += [m.get("url", "") for m in media]
    candidates += [
        link.get("href", "")
        for link in _dicts(raw.get("links"))
        if link.get("rel") == "enclosure"
        and str(link.get("type", "")).startswith("image/")
    ]
    image = raw.get("image")
    if isinstance(image, dict):
        candidates.append(image.get("href", ""))
    for candidate in candidates:
        url = clean.absolute_url(str(candidate or ""), base_url, allow_mailto=False)
        if url:
            return url
    return _inline_image(html) if "<img" in html else ""


def _is_image_media(media: dict) -> bool:
    """Whether a media:content is an image: by medium or type, else (feeds such as
    the Guardian's give neither) by a width or an image file name."""
    medium, kind = media.get("medium"), str(media.get("type") or "")
    if medium or kind:
        return medium == "image" or kind.startswith("image/")
    url = str(media.get("url") or "")
    return bool(media.get("width")) or bool(_IMAGE_PATH.search(url.split("?")[0]))


def _inline_image(html: str) -> str:
    """The first image of sanitised HTML (so already an absolute http(s) URL) that
    is not an emoji or an icon."""
    for tag in _IMG_TAG.finditer(html):
        attributes = dict(_IMG_ATTRIBUTE.findall(tag.group()))
        src = html_unescape(attributes.get("src", ""))
        if not src or _EMOJI_IMAGES in src:
            continue
        sizes = (_int_or_none(attributes.get(side)) for side in ("width", "height"))
        if any(size is not None and size <= MAX_ICON_PIXELS for size in sizes):
            continue
        return src
    return ""


def _feed_image(meta: Any, *, base_url: str) -> str:
    image = meta.get("image")
    image = image if isinstance(image, dict) else {}
    candidate = image.get("href") or image.get("url") or meta.get("logo") or ""
    return clean.absolute_url(str(candidate), base_url, allow_mailto=False)


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _dicts(value: object) -> list[dict]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]


def _int_or_none(value: object) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 100_000 else None
