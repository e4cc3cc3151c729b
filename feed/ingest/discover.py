"""Feed autodiscovery: the feeds a web page links to, and where feeds usually live.

When a person gives the address of a site instead of its feed, `parse_feed` says
"The address returned a web page". The caller then fetches that page and asks
`find_feed_links` for the ``<link rel="alternate" type="application/rss+xml">``
(or Atom) elements, and failing that tries `candidate_urls` (COMMON_FEED_PATHS on
the same site). Every URL returned is absolute http(s); each must still go through
`fetch_feed` and its SSRF guard. Django-free.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from feed.ingest import clean
from feed.ingest.parse import decode_document, split_prolog

FEED_TYPES = {
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/x-rss+xml",
    "application/x-atom+xml",
}
COMMON_FEED_PATHS = (
    "/feed",
    "/rss",
    "/feed.xml",
    "/rss.xml",
    "/atom.xml",
    "/index.xml",
    "/feed/",
    "/rss/",
    "/feeds/posts/default",
    "/?feed=rss2",
)
MAX_HTML_BYTES = 2 * 1024 * 1024
MAX_LINKS = 20
FEED_ROOTS = {"rss", "feed", "rdf:rdf", "rdf"}


# A <link> or <base> tag; a quoted attribute may hold ">" (title="Posts > All").
_LINK_OR_BASE = re.compile(
    r"""<(?:link|base)\b(?:[^<>"']|"[^"<]{0,2000}"|'[^'<]{0,2000}')*>""",
    re.IGNORECASE,
)
# Feeds of a site's comments, listed last: the reader wants the posts.
_COMMENTS = re.compile(r"comment", re.IGNORECASE)


def _without_comments(text: str) -> str:
    return clean.without_sections(text, "<!--", "-->")


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base = ""
        self.links: list[tuple[str, str]] = []  # (href, title)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in {"link", "base"}:
            return
        values = {name.lower(): (value or "") for name, value in attrs}
        if tag == "base":
            if not self.base and values.get("href"):
                self.base = values["href"]
            return
        rel = set(values.get("rel", "").lower().split())
        kind = values.get("type", "").lower().split(";", 1)[0].strip()
        if rel & {"alternate", "feed"} and kind in FEED_TYPES and values.get("href"):
            self.links.append((values["href"], values.get("title", "")))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def find_feed_links(html: bytes, base_url: str) -> list[str]:
    """Absolute http(s) URLs of the feeds a page declares, unique, in page order
    except that comment feeds come last.

    Reads at most the first 2 MB. Honours ``<base href>``. ``feed:`` URLs are
    turned into http(s); other schemes are dropped.
    """
    text, _encoding = decode_document(html[:MAX_HTML_BYTES], None)
    collector = _LinkCollector()
    # Only <link> and <base> tags matter. They are cut out with a linear pattern
    # and parsed one by one: html.parser on a whole hostile page is quadratic in
    # Python 3.11 ("<a <a <a ..." takes minutes for 100 kB; CVE-2025-6069).
    for tag in _LINK_OR_BASE.findall(_without_comments(text)):
        try:
            collector.feed(tag)
            collector.close()
        except AssertionError:
            # html.parser asserts on some malformed markup; skip that tag.
            collector.reset()
    base = clean.absolute_url(base_url, allow_mailto=False)
    if collector.base:
        base = clean.absolute_url(collector.base, base, allow_mailto=False) or base
    links = sorted(
        collector.links,
        key=lambda link: bool(_COMMENTS.search(link[0]) or _COMMENTS.search(link[1])),
    )
    found: list[str] = []
    for href, _title in links:
        url = clean.absolute_url(clean.feed_scheme_to_http(href.strip()), base)
        if url.startswith(("http://", "https://")) and url not in found:
            found.append(url)
        if len(found) >= MAX_LINKS:
            break
    return found


def candidate_urls(site_url: str) -> list[str]:
    """COMMON_FEED_PATHS on the site of `site_url` (its scheme and host)."""
    url = clean.absolute_url(site_url, allow_mailto=False)
    if not url:
        return []
    parts = urlsplit(url)
    root = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
    return [root + path for path in COMMON_FEED_PATHS]


def looks_like_feed(data: bytes) -> bool:
    """True when the document's root element is rss, feed (Atom) or rdf:RDF.

    A cheap sniff on the first 64 kB, to pick a candidate before parsing it.
    """
    text, _encoding = decode_document(data[:65536], None)
    _prolog, body = split_prolog(text)
    if not body.startswith("<"):
        return False
    name = body[1:40].split(None, 1)[0].split(">", 1)[0].rstrip("/").lower()
    return name in FEED_ROOTS
