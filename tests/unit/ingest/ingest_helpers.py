"""Small factories for the ingest tests: server replies, feed documents, the corpus."""

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Reply:
    """What the test server answers. `body` may be bytes or an iterable of chunks."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | Iterable[bytes] = b""
    delay: float = 0.0  # seconds to sleep before each body chunk (drip)
    content_length: bool = True  # send Content-Length for a bytes body
    raw: bytes | None = None  # write these bytes as the whole response instead


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]  # lower-case names


def corpus_root() -> Path:
    """TIDINGS_CORPUS_DIR, else ../shared/corpus beside the repo, else /work/shared."""
    configured = os.environ.get("TIDINGS_CORPUS_DIR")
    if configured:
        return Path(configured)
    sibling = Path(__file__).resolve().parents[3] / ".." / "shared" / "corpus"
    if sibling.is_dir():
        return sibling
    return Path("/work/shared/corpus")


def rss(items: str, *, channel: str = "", declaration: str = "") -> bytes:
    """A small RSS 2.0 document around the given <item> elements."""
    head = declaration or '<?xml version="1.0" encoding="utf-8"?>'
    return (
        f'{head}\n<rss version="2.0"><channel><title>Test feed</title>'
        f"<link>https://example.com/</link>{channel}{items}</channel></rss>"
    ).encode()


def item(
    *,
    title: str = "A title",
    link: str = "https://example.com/a",
    guid: str = "",
    description: str = "",
    extra: str = "",
) -> str:
    parts = [f"<title>{title}</title>" if title else ""]
    parts.append(f"<link>{link}</link>" if link else "")
    parts.append(f"<guid>{guid}</guid>" if guid else "")
    parts.append(f"<description>{description}</description>" if description else "")
    return "<item>" + "".join(parts) + extra + "</item>"
