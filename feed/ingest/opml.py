"""OPML import and export of subscription lists.

`parse_opml` reads an uploaded OPML file into a flat list of feeds: nested folder
outlines become a category path ("News / Tech"), duplicate feed URLs are dropped,
only absolute http(s) URLs are kept (old ``feed:`` URLs are converted); the other
addresses (relative, without a scheme, ftp:, ...) are listed apart as `unusable`,
for the reader to be told. The bytes are decoded as feeds are
(`parse.decode_document`: BOM, declared encoding read as browsers read it, so
Shift_JIS, GB2312, EUC-KR and Big5 files work). It refuses, with an
OpmlError a person can read: malformed XML, any DOCTYPE (so no entity can be
declared, expanded or fetched: billion laughs, external entities), files over
5 MB, nesting deeper than 50 levels, and more than `max_feeds` feeds (5,000 by
default; the parse stops at the first one over the cap).

`build_opml` writes the reverse: OPML 2.0 with one folder outline per category.
Django-free.
"""

import xml.parsers.expat
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

from feed.ingest import clean
from feed.ingest.parse import decode_document

MAX_OPML_BYTES = 5 * 1024 * 1024
MAX_FEEDS = 5_000
MAX_OUTLINES = 50_000
MAX_DEPTH = 50
MAX_TITLE_CHARS = 300
CATEGORY_SEPARATOR = " / "


class OpmlError(Exception):
    """The file is not a usable OPML subscription list; the message is for people."""


@dataclass(frozen=True)
class OpmlFeed:
    url: str
    title: str = ""
    category: str = ""  # folder path, "" at top level


@dataclass(frozen=True)
class ParsedOpml:
    feeds: list[OpmlFeed]
    unusable: list[str]  # xmlUrl values that are not absolute http(s) URLs


def _feed_url(raw: str) -> str:
    url = clean.feed_scheme_to_http(raw.strip())
    return clean.absolute_url(url, allow_mailto=False)


def _shown(raw_url: str) -> str:
    """An unusable address, cut to a length that fits in a message."""
    return clean.strip_control_chars(raw_url.strip())[:MAX_TITLE_CHARS]


def _label(attributes: dict[str, str]) -> str:
    raw = attributes.get("title") or attributes.get("text") or ""
    return clean.plain_text_from_text(raw, max_chars=MAX_TITLE_CHARS)


class _Reader:
    def __init__(self, max_feeds: int) -> None:
        self.max_feeds = max_feeds
        self.feeds: list[OpmlFeed] = []
        self.unusable: list[str] = []
        self.seen: set[str] = set()
        self.stack: list[str | None] = []  # folder label, or None for non-folders
        self.outlines = 0
        self.root = ""

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if not self.root:
            self.root = name
            if name.lower() != "opml":
                raise OpmlError("This is an XML file, but not OPML.")
        if len(self.stack) >= MAX_DEPTH:
            raise OpmlError(f"The OPML file is nested deeper than {MAX_DEPTH} levels.")
        if name.lower() != "outline":
            self.stack.append(None)
            return
        self.outlines += 1
        if self.outlines > MAX_OUTLINES:
            raise OpmlError(f"The OPML file has more than {MAX_OUTLINES:,} outlines.")
        attributes = {key.lower(): value for key, value in attributes.items()}
        raw_url = attributes.get("xmlurl", "")
        if not raw_url:
            self.stack.append(_label(attributes))  # a folder
            return
        self.stack.append(None)
        url = _feed_url(raw_url)
        if not url:
            if raw_url.strip():
                self.unusable.append(_shown(raw_url))
            return
        key = clean.normalize_link(url)
        if key in self.seen:
            return
        self.seen.add(key)
        if len(self.feeds) >= self.max_feeds:
            raise OpmlError(
                f"The OPML file lists more than {self.max_feeds:,} feeds; "
                "split it into smaller files."
            )
        folders = [label for label in self.stack[:-1] if label]
        category = CATEGORY_SEPARATOR.join(folders)
        if not category and attributes.get("category"):
            parts = attributes["category"].split(",")[0].strip("/ ").split("/")
            category = CATEGORY_SEPARATOR.join(p.strip() for p in parts if p.strip())
        self.feeds.append(
            OpmlFeed(url=url, title=_label(attributes), category=category)
        )

    def end(self, name: str) -> None:
        self.stack.pop()


def _refuse_doctype(*_args: object) -> None:
    raise OpmlError(
        "OPML files with a DOCTYPE are refused (it can hide entity tricks)."
    )


def _refuse_entity(*_args: object) -> int:
    raise OpmlError("OPML files that declare or load entities are refused.")


def parse_opml(data: bytes, *, max_feeds: int = MAX_FEEDS) -> ParsedOpml:
    """The feeds listed in an OPML file, in file order, without duplicates, and
    the addresses of the outlines that are not usable feed URLs."""
    if not data or not data.strip():
        raise OpmlError("The file is empty.")
    if len(data) > MAX_OPML_BYTES:
        raise OpmlError(
            f"The OPML file is larger than {MAX_OPML_BYTES // (1024 * 1024)} MB."
        )
    # Decoded here, as feeds are (declared legacy encodings read as browsers read
    # them), because expat itself knows only UTF-8, UTF-16, latin-1 and ASCII.
    # Text handed to expat is read as UTF-8 whatever its declaration says.
    text, _encoding = decode_document(data)
    reader = _Reader(max_feeds)
    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_entity
    parser.ExternalEntityRefHandler = _refuse_entity
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    try:
        parser.Parse(text, True)
    except xml.parsers.expat.ExpatError as exc:
        reason = xml.parsers.expat.errors.messages.get(exc.code, str(exc))
        raise OpmlError(
            f"The file is not valid XML ({reason} at line {exc.lineno})."
        ) from exc
    except (UnicodeError, LookupError, ValueError) as exc:
        raise OpmlError(f"The file could not be read ({exc}).") from exc
    if reader.root.lower() != "opml":
        raise OpmlError("This is not an OPML file.")
    return ParsedOpml(feeds=reader.feeds, unusable=reader.unusable)


def _attribute(value: str) -> str:
    return quoteattr(clean.strip_control_chars(value))


def build_opml(
    feeds: Iterable[OpmlFeed], *, title: str, now: datetime | None = None
) -> bytes:
    """OPML 2.0 for `feeds`; categories become (nested) folder outlines."""
    tree: dict = {"feeds": [], "folders": {}}
    for feed in feeds:
        node = tree
        parts = feed.category.split(CATEGORY_SEPARATOR)
        for part in [p.strip() for p in parts if p.strip()]:
            node = node["folders"].setdefault(part, {"feeds": [], "folders": {}})
        node["feeds"].append(feed)

    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<opml version="2.0">',
        "  <head>",
        f"    <title>{escape(clean.strip_control_chars(title))}</title>",
    ]
    if now is not None:
        lines.append(f"    <dateCreated>{format_datetime(now)}</dateCreated>")
    lines += ["  </head>", "  <body>"]

    def emit(node: dict, indent: str) -> None:
        for feed in node["feeds"]:
            label = _attribute(feed.title or feed.url)
            lines.append(
                f'{indent}<outline type="rss" text={label} title={label} '
                f"xmlUrl={_attribute(feed.url)}/>"
            )
        for name, child in node["folders"].items():
            label = _attribute(name)
            lines.append(f"{indent}<outline text={label} title={label}>")
            emit(child, indent + "  ")
            lines.append(f"{indent}</outline>")

    emit(tree, "    ")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines).encode("utf-8")
