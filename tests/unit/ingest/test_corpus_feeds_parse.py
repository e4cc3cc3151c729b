"""Every real feed in the shared corpus parses cleanly, with the expected items."""

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from ingest_helpers import corpus_root

from feed.ingest.parse import parse_feed

NOW = datetime(2026, 9, 1, tzinfo=UTC)


def _manifest() -> list[tuple[str, int]]:
    with (corpus_root() / "MANIFEST.tsv").open(newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return [
            (row["file"], int(row["items"]))
            for row in rows
            if row["file"].startswith("feeds/") and row["file"].endswith(".xml")
        ]


MANIFEST = _manifest()


def test_manifest_lists_the_fifty_corpus_feeds_with_4132_items():
    assert len(MANIFEST) == 50
    assert sum(items for _name, items in MANIFEST) == 4132


@pytest.mark.parametrize(("name", "expected"), MANIFEST, ids=[n for n, _ in MANIFEST])
def test_corpus_feed_parses_without_warnings_and_with_every_item(
    corpus: Path, name: str, expected: int
):
    data = (corpus / name).read_bytes()

    feed = parse_feed(data, url="https://feeds.example.com/feed.xml", now=NOW)

    assert feed.warning == ""
    assert feed.skipped == 0
    assert len(feed.entries) == expected
    assert feed.title
    for entry in feed.entries:
        assert entry.title.strip()
        assert entry.url.startswith(("http://", "https://"))
        assert entry.guid
        assert entry.published.tzinfo is not None
        assert entry.published <= NOW
        assert "\x00" not in entry.text
