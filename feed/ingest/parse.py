"""Feed bytes in, plain Entry records out.

feedparser does the format work (RSS 0.9x/1.0/2.0, Atom, encodings); this module
neutralises what feedparser lets through (entity expansion, unsafe markup and URLs,
NUL characters, absurd dates) and returns frozen dataclasses. Django-free.
"""

import calendar
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import feedparser
from feedparser.encodings import convert_to_utf8

from feed.ingest import clean

MAX_FEED_BYTES = 10 * 1024 * 1024
MAX_ENTRIES = 10_000
MAX_SUMMARY_TEXT = 1_000

# Everything before the root element that declares a DTD: removed entirely, so that
# no entity (internal, external, parameter) can be defined, expanded or fetched.
_ROOT_ELEMENT = re.compile(rb"<[A-Za-z_]")
_DOCTYPE = re.compile(
    rb"<!DOCTYPE(?:[^\[>]*\[.*?\]\s*>|[^>]*>)", re.DOTALL | re.IGNORECASE
)
_LOOSE_DECLARATION = re.compile(rb"<!(?:ENTITY|ELEMENT|ATTLIST|NOTATION)\b[^>]*>", re.I)
_LOOKS_LIKE_HTML = re.compile(rb"<(?:!doctype\s+html|html[\s>])", re.IGNORECASE)


class ParseError(Exception):
    """The document is not a usable feed; the message is meant for people."""


@dataclass(frozen=True)
class Entry:
    guid: str
    url: str
    title: str
    summary_html: str
    content_html: str
    text: str  # plain text of summary (or content), for ranking and search
    author: str
    published: datetime
    image_url: str


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    site_url: str
    entries: tuple[Entry, ...]
    warning: str = ""  # feedparser's complaint when the feed was malformed but usable
    ttl_minutes: int | None = None
    skipped: int = field(default=0)  # entries dropped for lack of a title and link


def neutralise_dtd(utf8: bytes) -> bytes:
    """Remove the DOCTYPE (with any internal subset) from the document prologue."""
    root = _ROOT_ELEMENT.search(utf8)
    head_end = root.start() if root else len(utf8)
    head, body = utf8[:head_end], utf8[head_end:]
    head = _DOCTYPE.sub(b"", head)
    head = _LOOSE_DECLARATION.sub(b"", head)
    return head + body


def parse_feed(
    data: bytes,
    *,
    url: str,
    now: datetime,
    content_type: str | None = None,
) -> ParsedFeed:
    """Parse feed bytes fetched from `url` (the base for relative links)."""
    if not data or not data.strip():
        raise ParseError("The address returned an empty document, not a feed.")
    if len(data) > MAX_FEED_BYTES:
        raise ParseError(
            f"The feed is larger than {MAX_FEED_BYTES // (1024 * 1024)} MB; refused."
        )

    headers = {"content-type": content_type or "application/xml"}
    detection: dict = {}
    try:
        utf8 = convert_to_utf8(headers, data, detection)
    except (UnicodeError, LookupError) as exc:
        raise ParseError(
            f"The feed's character encoding could not be read ({exc})."
        ) from exc
    safe = neutralise_dtd(utf8)

    try:
        parsed = feedparser.parse(
            io.BytesIO(safe),
            response_headers={
                "content-type": "application/xml; charset=utf-8",
                "content-location": url,
            },
            sanitize_html=True,
            resolve_relative_uris=True,
        )
    except (UnicodeError, ValueError, AttributeError, IndexError, TypeError) as exc:
        raise ParseError(
            f"The feed could not be parsed ({type(exc).__name__})."
        ) from exc

    raw_entries = parsed.get("entries") or []
    if not raw_entries:
        if _LOOKS_LIKE_HTML.search(data[:2048]):
            raise ParseError("The address returned a web page, not a feed.")
        if parsed.get("bozo") and not parsed.get("version"):
            reason = str(parsed.get("bozo_exception") or "not XML")
            raise ParseError(
                f"The document is not a valid RSS or Atom feed ({reason})."
            )

    meta = parsed.get("feed") or {}
    site_url = clean.normalize_link(meta.get("link", ""), url)
    entries: list[Entry] = []
    skipped = 0
    for raw in raw_entries[:MAX_ENTRIES]:
        entry = _entry(raw, base_url=site_url or url, now=now)
        if entry is None:
            skipped += 1
        else:
            entries.append(entry)
    skipped += max(0, len(raw_entries) - MAX_ENTRIES)

    warning = ""
    if parsed.get("bozo"):
        warning = clean.plain_text(
            str(parsed.get("bozo_exception") or ""), max_chars=300
        )
    return ParsedFeed(
        title=clean.clean_title(meta.get("title", "")),
        site_url=site_url,
        entries=tuple(entries),
        warning=warning,
        ttl_minutes=_int_or_none(meta.get("ttl")),
        skipped=skipped,
    )


def _entry(raw: dict, *, base_url: str, now: datetime) -> Entry | None:
    link = clean.normalize_link(raw.get("link", ""), base_url)
    title = clean.clean_title(raw.get("title", ""))
    summary_html = clean.sanitize_html(
        raw.get("summary", ""), base_url=link or base_url
    )
    content_html = ""
    for content in raw.get("content") or []:
        value = content.get("value", "")
        if value and value != raw.get("summary"):
            content_html = clean.sanitize_html(value, base_url=link or base_url)
            break
    text = clean.plain_text(summary_html or content_html, max_chars=MAX_SUMMARY_TEXT)
    if not title:
        title = clean.plain_text(text, max_chars=120)
    if not title and not link:
        return None

    guid = clean.strip_control_chars(str(raw.get("id") or "")).strip()[:1000]
    if not guid:
        guid = link or "sha1:" + hashlib.sha1(title.encode()).hexdigest()  # noqa: S324

    return Entry(
        guid=guid,
        url=link,
        title=title,
        summary_html=summary_html,
        content_html=content_html,
        text=text,
        author=clean.plain_text(raw.get("author", ""), max_chars=200),
        published=clean.clamp_published(_published(raw), now=now),
        image_url=_image(
            raw, base_url=link or base_url, html=summary_html + content_html
        ),
    )


def _published(raw: dict) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = raw.get(key)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
            except (OverflowError, ValueError, OSError):
                continue
    return None


_IMG_SRC = re.compile(r'<img[^>]+src="([^"]+)"')


def _image(raw: dict, *, base_url: str, html: str) -> str:
    candidates = [m.get("url", "") for m in raw.get("media_thumbnail") or []]
    candidates += [
        m.get("url", "")
        for m in raw.get("media_content") or []
        if m.get("medium") == "image" or str(m.get("type", "")).startswith("image/")
    ]
    candidates += [
        e.get("href", "")
        for e in raw.get("enclosures") or []
        if str(e.get("type", "")).startswith("image/")
    ]
    found = _IMG_SRC.search(html)
    if found:
        candidates.append(found.group(1).replace("&amp;", "&"))
    for candidate in candidates:
        image = clean.absolute_url(candidate, base_url, allow_mailto=False)
        if image:
            return image
    return ""


def _int_or_none(value: object) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 100_000 else None
