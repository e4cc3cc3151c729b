"""Benchmark: parse_feed (parse + clean) against bare feedparser on the same bytes.

Runs both over every corpus feed in the same process, interleaved file by file, and
keeps the best of several rounds per file (CPU time of this process, so another
job on the machine disturbs it less). Prints items/s for both and the ratio
(parse_feed throughput / feedparser throughput; >= 1.0 means parse_feed is as fast).

    python bench/parse.py [--rounds 5] [--corpus DIR]
"""

import argparse
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import feedparser

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from feed.ingest.parse import parse_feed  # noqa: E402


def corpus_dir() -> Path:
    env = os.environ.get("TIDINGS_CORPUS_DIR")
    if env:
        return Path(env)
    sibling = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
    return sibling if sibling.is_dir() else Path("/work/shared/corpus")


def best_of(rounds: int, func, data: bytes) -> tuple[float, int]:
    best, count = float("inf"), 0
    for _ in range(rounds):
        start = time.process_time()
        count = func(data)
        best = min(best, time.process_time() - start)
    return best, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--corpus", type=Path, default=None)
    args = parser.parse_args()
    files = sorted(((args.corpus or corpus_dir()) / "feeds").glob("*.xml"))
    now = datetime.now(UTC)

    def bare(data: bytes) -> int:
        return len(feedparser.parse(data).entries)

    def ours(data: bytes) -> int:
        return len(parse_feed(data, url="https://example.com/feed", now=now).entries)

    bare_total = ours_total = 0.0
    bare_items = ours_items = 0
    size = 0
    for path in files:
        data = path.read_bytes()
        size += len(data)
        seconds, count = best_of(args.rounds, bare, data)
        bare_total += seconds
        bare_items += count
        seconds, count = best_of(args.rounds, ours, data)
        ours_total += seconds
        ours_items += count

    bare_rate = bare_items / bare_total
    ours_rate = ours_items / ours_total
    print(f"{len(files)} feeds, {size / 1e6:.1f} MB, best of {args.rounds} rounds")
    print(
        f"feedparser.parse(bytes): {bare_items} items in {bare_total:.3f} s "
        f"= {bare_rate:,.0f} items/s"
    )
    print(
        f"parse_feed:              {ours_items} items in {ours_total:.3f} s "
        f"= {ours_rate:,.0f} items/s"
    )
    print(f"ratio parse_feed / feedparser: {ours_rate / bare_rate:.2f}x")


if __name__ == "__main__":
    main()
