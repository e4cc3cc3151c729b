"""Ingest throughput: the full pipeline against bare feedparser on the same bytes.

    .venv/bin/python bench/ingest.py [--rounds 3] [--corpus ../shared/corpus/feeds]

Baseline: `feedparser.parse(bytes)` on every corpus feed. Pipeline: what a worker
does per feed (parse + clean + features + topic probabilities + story clustering +
store in PostgreSQL, the scoring being part of the store),
with topic models already fitted as in a running deployment. Both run in this
process on the same files, feed by feed side by side; the database is emptied
before each round. Prints items/s for each and the ratio (target >= 0.5);
--breakdown adds the time of each stage of the pipeline.
"""

import argparse
import functools
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tidings_bench"
)
os.environ.setdefault("TIDINGS_VAR_DIR", str(BASE_DIR / "var" / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tidings.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="time each stage of the pipeline (wall clock, last round)",
    )
    parser.add_argument(
        "--corpus", type=Path, default=BASE_DIR.parent / "shared" / "corpus" / "feeds"
    )
    args = parser.parse_args()

    import django  # noqa: PLC0415 - settings come from the environment set above

    django.setup()
    import feedparser  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from feed.defaults import TOPICS  # noqa: PLC0415
    from feed.models import Article, Source, Story  # noqa: PLC0415
    from feed.services import ingestion, scoring, topics  # noqa: PLC0415

    ensure_database(connection.settings_dict)
    call_command("migrate", verbosity=0)
    topics.load_default_topics(TOPICS)
    files = sorted(args.corpus.glob("*.xml"))
    blobs = [(path, path.read_bytes()) for path in files]

    def reset() -> dict[Path, int]:
        """Empty the tables; the sources exist before a worker fetches them."""
        empty_tables(connection, [Article, Story, Source])
        return {path: ingestion.source_for_file(path).pk for path, _ in blobs}

    def ingest(source_id: int, data: bytes, now) -> int:
        source = Source.objects.get(pk=source_id)  # as a fetch task loads it
        # Storing includes scoring: features, topic probabilities and stories.
        outcome = ingestion.ingest_bytes(source, data, url=source.url, now=now)
        return len(outcome.new_ids) + outcome.duplicates

    bare_parse = feedparser.parse  # before --breakdown wraps it for the pipeline

    def parse(data: bytes) -> int:
        return len(bare_parse(data).entries)

    def timed(function, *args) -> tuple[int, float]:
        started = time.perf_counter()
        result = function(*args)
        return result, time.perf_counter() - started

    # A deployment scores with fitted topic models: fit them once on the corpus.
    sources = reset()
    now = timezone.now()
    for path, data in blobs:
        ingest(sources[path], data, now)
    scoring.refresh_topic_models()

    stages = time_stages() if args.breakdown else None
    base_rates, pipe_rates, ratios = [], [], []
    for round_number in range(1, args.rounds + 1):
        sources = reset()
        if stages is not None:
            stages.clear()
        now = timezone.now()
        # Feed by feed, the two side by side (in alternating order), so that both
        # see the same machine: its speed drifts by a fifth within a minute.
        counts, seconds = Counter(), Counter()
        for k, (path, data) in enumerate(blobs):
            for side in ("baseline", "pipeline")[:: 1 if k % 2 else -1]:
                if side == "baseline":
                    items, spent = timed(parse, data)
                else:
                    items, spent = timed(ingest, sources[path], data, now)
                counts[side] += items
                seconds[side] += spent
        base_rates.append(counts["baseline"] / seconds["baseline"])
        pipe_rates.append(counts["pipeline"] / seconds["pipeline"])
        ratios.append(pipe_rates[-1] / base_rates[-1])
        print(
            f"round {round_number}: feedparser {base_rates[-1]:6.0f} items/s   "
            f"pipeline {pipe_rates[-1]:6.0f} items/s   ratio {ratios[-1]:.2f}   "
            f"({counts['baseline']} items)"
        )
    print(
        f"median: feedparser.parse {statistics.median(base_rates):.0f} items/s, "
        f"full pipeline {statistics.median(pipe_rates):.0f} items/s"
    )
    print(
        f"ratio pipeline / feedparser = {statistics.median(ratios):.2f} "
        "(median of the rounds; target >= 0.5)"
    )
    if stages is not None:
        print("stages of the last pipeline round (s; nested stages count in both):")
        for name, seconds in stages.most_common():
            print(f"  {name:<38} {seconds:6.2f}")


def time_stages() -> Counter:
    """Wrap the pipeline's stages with wall-clock timers; returns the totals."""
    import feedparser  # noqa: PLC0415

    from feed.ranking import features  # noqa: PLC0415
    from feed.services import ingestion, scoring, stories  # noqa: PLC0415

    totals: Counter = Counter()

    def timed(module, name: str, label: str) -> None:
        inner = getattr(module, name)

        @functools.wraps(inner)
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                totals[label] += time.perf_counter() - started

        setattr(module, name, wrapper)

    timed(ingestion, "parse_feed", "parse + clean (parse_feed)")
    timed(feedparser, "parse", "  of which feedparser.parse")
    timed(ingestion, "store_entries", "store (everything below)")
    timed(features, "transform", "  features")
    timed(scoring, "topic_scores_for", "  topic probabilities")
    timed(stories, "story_ids_for", "  story clustering")
    timed(ingestion, "_insert_new_articles", "  INSERT (PostgreSQL, indexes)")
    return totals


def empty_tables(connection, models: list) -> None:
    """Delete every row of `models`' tables (and of the tables referring to them).
    On PostgreSQL, TRUNCATE: rows removed by DELETE stay in the table and its
    indexes as dead tuples until autovacuum comes, and every later query would
    scan them."""
    if connection.vendor == "postgresql":
        tables = ", ".join(m._meta.db_table for m in models)
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {tables} CASCADE")
        return
    for model in models:
        model.objects.all().delete()


def ensure_database(settings_dict: dict) -> None:
    """Create the benchmark database on first use (PostgreSQL)."""
    if "postgresql" not in settings_dict["ENGINE"]:
        return
    import psycopg  # noqa: PLC0415

    name = settings_dict["NAME"]
    with psycopg.connect(
        host=settings_dict["HOST"] or "127.0.0.1",
        port=settings_dict["PORT"] or 5432,
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not exists.fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    main()
