"""Cleaning of feed text: sanitised HTML, plain titles, normalised links and dates.

Plain functions over strings and datetimes; no Django. Every function here accepts
hostile input (it comes straight from feeds) and returns something safe to store and
show: HTML that passed nh3 with a small allow-list, text without control characters,
http(s) URLs only, aware UTC datetimes inside sane bounds.
"""

import hashlib
import html
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import nh3

MAX_TITLE_CHARS = 300
MAX_URL_CHARS = 2000
# nh3 (html5ever + ammonia) is quadratic in nesting depth and in the number of
# attributes on one element, so markup is capped before it gets there.
MAX_HTML_INPUT_CHARS = 200_000
MAX_TAG_DEPTH = 256
MAX_ATTRIBUTES_PER_TAG = 64
EARLIEST_PUBLISHED = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_TOLERANCE = timedelta(minutes=5)

# Block containers (div, section, ...) stay: unwrapped, their text would run
# together ("First paragraph.Second paragraph.").
ALLOWED_TAGS = {
    "a", "abbr", "article", "b", "blockquote", "br", "caption", "cite", "code", "dd",
    "del", "details", "div", "dl", "dt", "em", "figcaption", "figure", "footer", "h1",
    "h2", "h3", "h4", "h5", "h6", "header", "hr", "i", "img", "ins", "kbd", "li",
    "mark", "ol", "p", "pre", "q", "s", "section", "small", "span", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr",
    "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"title", "lang"},
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "ol": {"start"},
}  # No `cite`: nh3 does not check it as a URL, so it could carry javascript:.
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# Removed together with their content, not just unwrapped.
DROPPED_WITH_CONTENT = {
    "script", "style", "iframe", "object", "embed", "svg", "math", "form", "template",
    "noscript", "textarea", "select", "button", "frameset", "frame", "noembed",
    "noframes", "xmp", "plaintext", "applet", "title", "head",
}  # fmt: skip
LINK_REL = "noopener noreferrer nofollow"
FORCED_ATTRIBUTES = {
    "a": {"target": "_blank"},
    "img": {"loading": "lazy", "decoding": "async", "referrerpolicy": "no-referrer"},
}

TRACKING_PARAMS = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|yclid|"
    r"igshid|_hsenc|_hsmi|mkt_tok|oly_anon_id|oly_enc_id|vero_id|wickedid|rb_clickid|"
    r"s_cid|ncid|cmpid|ocid|sr_share|at_medium|at_campaign|guccounter|guce_referrer|"
    r"guce_referrer_sig|__twitter_impression|_ga|_gl|spm|share_source|ref_src)$",
    re.IGNORECASE,
)
# C0 controls except tab/newline/return, DEL, C1 controls, lone surrogates and the
# two non-characters U+FFFE/U+FFFF: none belongs in stored text (PostgreSQL rejects
# NUL, XML forbids most of the rest).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Every pattern here must stay linear on hostile input: a class that excludes "<"
# stops each attempt at the next "<", so "<<<<..." or "<a<a<a..." cannot make a
# match attempt from every "<" run to the end of the text.
# A tag is "<" and a letter, optionally after "/" ("<b>", "</p>"), or a comment,
# declaration or processing instruction ("<!--", "<?"); "2 < 3 but 5 > 4" is text.
_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<[!?][^<>]*>")
_DROPPED_OPEN = re.compile(
    r"<(script|style|template|svg|math|iframe|object|noscript|textarea|title)\b",
    re.IGNORECASE,
)
_DROPPED_CLOSE = {
    name: re.compile(rf"</{name}\s*>", re.IGNORECASE)
    for name in (
        "script", "style", "template", "svg", "math", "iframe", "object",
        "noscript", "textarea", "title",
    )
}  # fmt: skip
_START_OR_END_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)([^<>]*)>")
# Tags that never nest in practice: void elements and those whose end tag may be
# omitted (html5ever closes the open one when the next starts).
_NON_NESTING = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
    "source", "track", "wbr", "p", "li", "dt", "dd", "option", "optgroup", "tr", "td",
    "th", "tbody", "thead", "tfoot", "colgroup", "rt", "rp", "param",
}  # fmt: skip
# Characters that never belong in a host name (spaces of any kind included).
_BAD_HOST = re.compile(
    r"[\s<>\"'`{}|\\^%@/?#\x00-\x1f\x7f-\x9f\u00a0\u2000-\u200f\u2028-\u202f\u3000\ufeff]"
)
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def strip_control_chars(text: str) -> str:
    """Remove NULs, other control characters, lone surrogates and U+FFFE/U+FFFF."""
    return _CONTROL.sub("", text)


def collapse_whitespace(text: str) -> str:
    return " ".join(text.split())


def _truncate(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    cut = text[: max_chars - 1]
    word_cut = cut.rsplit(" ", 1)[0]
    if len(word_cut) >= max_chars // 2:
        cut = word_cut
    return cut.rstrip() + "…"


def _drop_blocks(text: str, *, keep_unclosed: bool = False) -> str:
    """Remove script-like elements with their content, in one pass.

    An element left open swallows the rest of the text, as it would in a browser,
    unless `keep_unclosed` (plain-text titles: "Why <script> blocks rendering").
    """
    pieces: list[str] = []
    position = 0
    while True:
        opening = _DROPPED_OPEN.search(text, position)
        if opening is None:
            pieces.append(text[position:])
            break
        pieces.append(text[position : opening.start()])
        closing = _DROPPED_CLOSE[opening.group(1).lower()].search(text, opening.end())
        if closing is None:
            if keep_unclosed:
                pieces.append(text[opening.start() :])
            break
        pieces.append(" ")
        position = closing.end()
    return "".join(pieces)


def _text_of_markup(fragment: str, *, sanitized: bool = False) -> str:
    text = fragment
    if not sanitized and "<" in text:
        text = _drop_blocks(text)
    if "<" in text:
        text = _TAG.sub(" ", text)
    return html.unescape(text)


def plain_text(
    fragment: str, *, max_chars: int | None = None, sanitized: bool = False
) -> str:
    """Plain text of an HTML fragment.

    Script-like blocks and tags are removed, entities are decoded exactly once (so
    ``&amp;lt;b&amp;gt;`` reads ``&lt;b&gt;``), whitespace is collapsed and control
    characters go. The result is text, to be escaped wherever it is shown.
    `sanitized=True` says the fragment came from sanitize_html (no control
    characters, no script or style left to drop), which saves two passes.
    """
    if not fragment or not isinstance(fragment, str):
        return ""
    if not sanitized:
        fragment = strip_control_chars(fragment)
    if max_chars is None:
        return collapse_whitespace(_text_of_markup(fragment, sanitized=sanitized))
    # Long articles: work on a growing prefix instead of the whole document.
    window = max(4 * max_chars, 4096)
    while True:
        head = fragment[:window]
        if window < len(fragment):
            # Do not cut inside a tag: drop a trailing partial tag.
            last_open = head.rfind("<")
            if last_open > head.rfind(">"):
                head = head[:last_open]
        text = collapse_whitespace(_text_of_markup(head, sanitized=sanitized))
        if len(text) > max_chars or window >= len(fragment):
            return _truncate(text, max_chars)
        window *= 4


def plain_text_from_text(raw: str, *, max_chars: int | None = None) -> str:
    """Normalise text that is already plain (no markup meaning): spaces, controls."""
    text = collapse_whitespace(strip_control_chars(raw if isinstance(raw, str) else ""))
    return _truncate(text, max_chars) if max_chars is not None else text


def clean_title(raw: str, *, is_html: bool = True) -> str:
    """A one-line title: tags stripped, entities decoded once, at most 300 chars.

    `is_html=False` is for titles a feed declares (or feedparser guesses) to be
    plain text: they are taken literally, "Why <canvas> is slow" included, except
    that complete script-like elements (``<script>...</script>``) go with their
    content: they are never a title's words, and no stored text should carry them.
    """
    raw = raw if isinstance(raw, str) else ""
    if is_html:
        return plain_text(raw, max_chars=MAX_TITLE_CHARS)
    if "<" in raw:
        raw = _drop_blocks(raw, keep_unclosed=True)
    return plain_text_from_text(raw, max_chars=MAX_TITLE_CHARS)


def _markup_is_pathological(fragment: str) -> bool:
    """True when nh3 would take superlinear time: deep nesting or huge tags."""
    depth = 0
    for match in _START_OR_END_TAG.finditer(fragment):
        closing, name, rest = match.groups()
        name = name.lower()
        if closing:
            if name not in _NON_NESTING and depth:
                depth -= 1
            continue
        if rest.count("=") > MAX_ATTRIBUTES_PER_TAG:
            return True
        if name in _NON_NESTING or rest.endswith("/"):
            continue
        depth += 1
        if depth > MAX_TAG_DEPTH:
            return True
    return False


def _escaped_paragraphs(text: str) -> str:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "".join(
        "<p>" + html.escape(collapse_whitespace(p), quote=False) + "</p>"
        for p in paragraphs
    )


def text_to_html(text: str) -> str:
    """Safe HTML for content a feed declares as plain text."""
    return _escaped_paragraphs(strip_control_chars(text or "")[:MAX_HTML_INPUT_CHARS])


def sanitize_html(fragment: str, *, base_url: str = "") -> str:
    """Sanitise feed HTML with nh3; relative links and images resolve against base_url.

    Only the tags and attributes above survive; links and images must be http(s)
    (links may be mailto:), images are asked for over https; links open in a new
    tab without referrer or opener; images load lazily without referrer. Input is
    capped at 200,000 characters and checked for pathological nesting or attribute
    counts first (nh3 is quadratic in both): such markup is reduced to escaped
    plain text.
    """
    fragment = strip_control_chars(fragment if isinstance(fragment, str) else "")
    if len(fragment) > MAX_HTML_INPUT_CHARS:
        fragment = fragment[:MAX_HTML_INPUT_CHARS]
        last_open = fragment.rfind("<")
        if last_open > fragment.rfind(">"):
            fragment = fragment[:last_open]
    if not fragment.strip():
        return ""
    if "<" not in fragment:
        # No markup at all: nh3 would only re-escape it; this is the same, faster.
        return html.escape(html.unescape(fragment), quote=False).strip()
    if _markup_is_pathological(fragment):
        return _escaped_paragraphs(plain_text(fragment, max_chars=20_000))
    base = absolute_url(base_url, allow_mailto=False)
    try:
        cleaned = _nh3_clean(fragment, ("rewrite_with_base", base) if base else "deny")
    except ValueError:
        # nh3 parses the base with the WHATWG URL rules, stricter than urllib's:
        # a base it rejects means relative URLs are dropped instead.
        cleaned = _nh3_clean(fragment, "deny")
    if "http://" in cleaned and "<img" in cleaned:
        # The page is served over https and its Content-Security-Policy allows
        # https images only: ask for them over https (as browsers upgrade mixed
        # content) instead of showing a broken image.
        cleaned = _PLAIN_HTTP_IMAGE.sub(r"\1https://", cleaned)
    return cleaned.strip()


# An <img> whose src is plain http, as nh3 writes it (attributes double-quoted).
_PLAIN_HTTP_IMAGE = re.compile(r'(<img\b[^>]*?\ssrc=")http://', re.IGNORECASE)


def _nh3_clean(fragment: str, url_relative: object) -> str:
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        url_relative=url_relative,
        link_rel=LINK_REL,
        set_tag_attribute_values=FORCED_ATTRIBUTES,
        strip_comments=True,
    )


def url_scheme(value: str) -> str:
    match = _SCHEME.match(value)
    return match.group(1).lower() if match else ""


def feed_scheme_to_http(value: str) -> str:
    """feed://host/x and feed:https://host/x are old spellings of http(s) URLs."""
    lowered = value[:12].lower()
    if lowered.startswith("feed:http"):
        return value[5:]
    if lowered.startswith("feed://"):
        return "http://" + value[7:]
    return value


def absolute_url(value: str, base_url: str = "", *, allow_mailto: bool = True) -> str:
    """An absolute http(s) URL (or mailto:) for `value`, or "" for anything else.

    Control characters and surrounding spaces are removed first, the way browsers
    do, so ``" jav\\tascript:"`` is recognised as the javascript: URL it is.
    """
    value = value.strip() if isinstance(value, str) else ""
    if not value.isprintable():
        value = _CONTROL.sub("", value).replace("\t", "").replace("\n", "")
        value = value.replace("\r", "").strip()
    if not value or len(value) > MAX_URL_CHARS:
        return ""
    try:
        absolute = value[:8].lower().startswith(("http://", "https://"))
        joined = urljoin(base_url, value) if base_url and not absolute else value
        parts = urlsplit(joined)
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    if scheme == "mailto" and allow_mailto:
        return joined
    try:
        hostname = parts.hostname
    except ValueError:
        return ""
    if scheme not in {"http", "https"} or not hostname or _BAD_HOST.search(hostname):
        return ""
    return joined


def _strip_tracking(query: str) -> str:
    if not query:
        return ""
    kept = []
    for pair in query.split("&"):
        if not pair:
            continue
        key = pair.split("=", 1)[0]
        if TRACKING_PARAMS.match(key):
            continue
        kept.append(pair)
    return "&".join(kept)


_URL_SAFE = "/:@!$&'()*+,;=-._~%?#[]"
# http(s), a lower-case host name without port or final dot, a path, and an
# optional non-empty query of plain URL characters: what _normalize leaves as is.
_CANONICAL_URL = re.compile(
    r"https?://[a-z0-9-]+(?:\.[a-z0-9-]+)*/[A-Za-z0-9/:@!$&'()*+,;=\-._~%]*"
    r"(?:\?[A-Za-z0-9/:@!$&'()*+,;=\-._~%?]+)?"
)
_URL_CLEAN = re.compile(r"[A-Za-z0-9/:@!$&'()*+,;=\-._~%?#\[\]]*")


def normalize_link(value: str, base_url: str = "") -> str:
    """An absolute http(s) article link, canonicalised for de-duplication.

    Relative links resolve against `base_url`; the scheme and host are lower-cased,
    default ports, user names and passwords and tracking parameters (utm_*, fbclid,
    gclid, mc_cid, ...) are removed and spaces are percent-encoded. The fragment is
    kept: changelogs and link blogs point each item at an anchor of one page.
    Anything else gives "".
    """
    if not isinstance(value, str):
        return ""
    if _CANONICAL_URL.fullmatch(value):
        # Already canonical except perhaps for tracking parameters: most feed
        # links, so this path skips the URL parsing below.
        query = value.partition("?")[2]
        if not query or _strip_tracking(query) == query:
            return value
    return _normalize(value, base_url)


def _normalize(value: str, base_url: str) -> str:
    url = absolute_url(value, base_url, allow_mailto=False)
    if not url:
        return ""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        host = (parts.hostname or "").rstrip(".")
        port = parts.port
    except ValueError:
        return ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host
    if port is not None and (scheme, port) not in {("http", 80), ("https", 443)}:
        netloc = f"{host}:{port}"
    path = parts.path or "/"
    query = _strip_tracking(parts.query)
    fragment = parts.fragment
    if not _URL_CLEAN.fullmatch(path + query + fragment):
        path = quote(path, safe=_URL_SAFE)
        query = quote(query, safe=_URL_SAFE)
        fragment = quote(fragment, safe=_URL_SAFE)
    return urlunsplit((scheme, netloc, path, query, fragment))


def canonical_feed_url(value: str) -> str:
    """One spelling of a feed's address, to store sources under and look them up by.

    The scheme and host are lower-cased and the host's final dot and the default
    port dropped; the path and query are kept exactly (paths are case-sensitive,
    and a feed's query can choose the feed). The fragment is dropped: it is never
    sent to the server, so it cannot choose another feed. A value that is not an
    http(s) URL, or that has a user name, is returned unchanged for the fetcher to
    refuse.
    """
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").rstrip(".")
        port = parts.port
    except ValueError:
        return value
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"} or not host or "@" in parts.netloc:
        return value
    if ":" in host:
        host = f"[{host}]"
    if port is not None and (scheme, port) not in {("http", 80), ("https", 443)}:
        host = f"{host}:{port}"
    return urlunsplit((scheme, host, parts.path, parts.query, ""))


def clamp_published(value: datetime | None, *, now: datetime) -> datetime:
    """An aware UTC date within sane bounds.

    Missing dates, dates more than five minutes after `now` (the fetch time) and
    dates before 1990-01-01 (no web feed is older; such values are placeholders
    like year 1 or the Unix epoch) all become `now`.
    """
    if value is None:
        return now
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    if value > now + FUTURE_TOLERANCE or value < EARLIEST_PUBLISHED:
        return now
    return value


def fingerprint(title: str, text: str) -> str:
    """A content fingerprint that survives GUID rewrites and whitespace/case changes."""
    basis = (title + " " + text[:500]).casefold()
    basis = unicodedata.normalize("NFKC", basis)
    basis = re.sub(r"[\W_]+", " ", basis).strip()
    return hashlib.sha256(basis.encode()).hexdigest()


def without_sections(text: str, opening: str, closing: str) -> str:
    """`text` without the sections from `opening` to `closing` (CDATA, comments),
    in one linear pass; an unclosed section runs to the end.

    (A lazy regex would rescan to the end of the text from every unclosed opening,
    which is quadratic.)"""
    pieces: list[str] = []
    position = 0
    while True:
        start = text.find(opening, position)
        if start < 0:
            pieces.append(text[position:])
            break
        pieces.append(text[position:start])
        end = text.find(closing, start + len(opening))
        if end < 0:
            break
        position = end + len(closing)
    return "".join(pieces)
