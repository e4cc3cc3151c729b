"""Cleaning of feed text: sanitised HTML, plain titles, normalised links and dates.

Django-free: plain functions over strings and datetimes.
"""

import hashlib
import html
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import nh3

MAX_TITLE_CHARS = 300
MAX_HTML_INPUT_CHARS = 200_000
MAX_TAG_DEPTH = 100

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del",
    "details", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s",
    "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "time", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "blockquote": {"cite"},
    "q": {"cite"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# Removed together with their content, not just unwrapped.
DROPPED_WITH_CONTENT = {
    "script", "style", "iframe", "object", "embed", "svg", "math", "form", "template",
    "noscript", "textarea", "select", "button",
}  # fmt: skip

TRACKING_PARAMS = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|yclid|"
    r"igshid|_hsenc|_hsmi|mkt_tok|oly_anon_id|oly_enc_id|vero_id|wickedid|rb_clickid|"
    r"s_cid|ncid|cmpid|ocid|sr_share|at_medium|at_campaign|guccounter|guce_referrer|"
    r"guce_referrer_sig)$",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def strip_control_chars(text: str) -> str:
    """Remove NULs, other C0 controls and lone surrogates (PostgreSQL rejects NUL)."""
    return _CONTROL.sub("", text)


def plain_text(fragment: str, *, max_chars: int | None = None) -> str:
    """Plain text of HTML: tags stripped, entities decoded once, spaces collapsed."""
    text = _TAG.sub(" ", strip_control_chars(fragment or ""))
    text = html.unescape(text)
    text = _TAG.sub(" ", text) if "<" in text and ">" in text else text
    text = _SPACE.sub(" ", strip_control_chars(text)).strip()
    if max_chars is not None and len(text) > max_chars:
        cut = text[: max_chars - 1].rsplit(" ", 1)[0] or text[: max_chars - 1]
        text = cut + "…"
    return text


def clean_title(raw: str) -> str:
    return plain_text(raw, max_chars=MAX_TITLE_CHARS)


def _nesting_too_deep(fragment: str) -> bool:
    depth = 0
    for match in re.finditer(r"</?[a-zA-Z][^>]*>", fragment):
        tag = match.group(0)
        if tag.startswith("</"):
            depth = max(0, depth - 1)
        elif not tag.endswith("/>") and not _is_void(tag):
            depth += 1
            if depth > MAX_TAG_DEPTH:
                return True
    return False


_VOID = {"br", "img", "hr", "wbr", "input", "meta", "link", "source", "col", "area"}


def _is_void(tag: str) -> bool:
    name = re.match(r"<\s*([a-zA-Z0-9]+)", tag)
    return bool(name) and name.group(1).lower() in _VOID


def sanitize_html(fragment: str, *, base_url: str = "") -> str:
    """Sanitise feed HTML with nh3; relative links and images resolve against base_url.

    Input is capped in size and nesting depth first: nh3 is quadratic in nesting depth.
    Too deep markup is reduced to its escaped plain text.
    """
    fragment = strip_control_chars(fragment or "")[:MAX_HTML_INPUT_CHARS]
    if not fragment.strip():
        return ""
    if _nesting_too_deep(fragment):
        return "<p>" + html.escape(plain_text(fragment, max_chars=5000)) + "</p>"

    def rewrite(tag: str, attribute: str, value: str) -> str | None:
        if attribute in {"href", "src", "cite"}:
            absolute = absolute_url(value, base_url)
            return absolute or None
        return value

    cleaned = nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=rewrite,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        set_tag_attribute_values={
            "a": {"target": "_blank"},
            "img": {
                "loading": "lazy",
                "decoding": "async",
                "referrerpolicy": "no-referrer",
            },
        },
    )
    return cleaned.strip()


def absolute_url(value: str, base_url: str = "", *, allow_mailto: bool = True) -> str:
    """An absolute http(s) URL (or mailto:) for `value`, or "" for anything else."""
    value = strip_control_chars((value or "").strip())
    if not value or len(value) > 2000:
        return ""
    try:
        joined = urljoin(base_url, value) if base_url else value
        parts = urlsplit(joined)
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    if scheme == "mailto" and allow_mailto:
        return joined
    if scheme not in {"http", "https"} or not parts.hostname:
        return ""
    return joined


def normalize_link(value: str, base_url: str = "") -> str:
    """An absolute http(s) article link without tracking parameters or fragment."""
    url = absolute_url(value, base_url, allow_mailto=False)
    if not url:
        return ""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not TRACKING_PARAMS.match(k)]  # fmt: skip
    netloc = parts.netloc.lower()
    return urlunsplit(
        (parts.scheme.lower(), netloc, parts.path or "/", urlencode(query), "")
    )


def clamp_published(value: datetime | None, *, now: datetime) -> datetime:
    """UTC dates within sane bounds: missing, future or pre-1990 dates become `now`."""
    if value is None:
        return now
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    if value > now + timedelta(minutes=5) or value.year < 1990:
        return now
    return value


def fingerprint(title: str, text: str) -> str:
    """A content fingerprint that survives GUID rewrites and whitespace/case changes."""
    basis = (title + " " + text[:500]).casefold()
    basis = unicodedata.normalize("NFKC", basis)
    basis = re.sub(r"[\W_]+", " ", basis).strip()
    return hashlib.sha256(basis.encode()).hexdigest()
