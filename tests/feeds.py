"""Feeds written by the tests themselves (no corpus text)."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

SUBJECTS = ["chip fab", "tariff ruling", "language model", "export licence",
            "memory prices", "trade talks", "GPU shipments", "AI safety bill"]  # fmt: skip


def rss(
    items: list[tuple[str, str, str, datetime]], *, title: str = "Test feed"
) -> bytes:
    """RSS 2.0 from (guid, title, description, published) tuples."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0"><channel>',
        f"<title>{escape(title)}</title><link>https://feed.example.com/</link>",
        "<description>Generated for tests</description>",
    ]
    for guid, item_title, description, published in items:
        parts.append(
            f"<item><title>{escape(item_title)}</title>"
            f"<link>https://feed.example.com/{escape(guid)}</link>"
            f'<guid isPermaLink="false">{escape(guid)}</guid>'
            f"<description>{escape(description)}</description>"
            f"<pubDate>{format_datetime(published)}</pubDate></item>"
        )
    parts.append("</channel></rss>")
    return "\n".join(parts).encode()


def big_feed(n: int, *, now: datetime | None = None) -> bytes:
    """n distinct items published over the last n minutes."""
    now = now or datetime.now(UTC)
    items = []
    for i in range(n):
        subject = SUBJECTS[i % len(SUBJECTS)]
        items.append(
            (
                f"item-{i}",
                f"Report {i}: {subject} update number {i} from desk {i % 97}",
                f"Story {i} about the {subject}; reference code {i * 7919 % 100003}.",
                now - timedelta(minutes=i),
            )
        )
    return rss(items, title=f"Big feed of {n}")
