"""Ingest throughput: the full pipeline against bare feedparser on the same bytes.

    .venv/bin/python bench/ingest.py [--rounds 3] [--corpus ../shared/corpus/feeds]

Baseline: `feedparser.parse(bytes)` on every corpus feed. Pipeline: what a worker
does per feed (parse + clean + features + topic probabilities + story clustering +
store in PostgreSQL, the scoring being part of the store),
with topic models already fitted as in a running deployment. Both run in this
process, alternating, on the same files; the database is emptied before each
pipeline round. Prints items/s for each and the ratio (target >= 0.5).
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

    def reset() -> None:
        Article.objects.all().delete()
        Story.objects.all().delete()
        Source.objects.all().delete()

    def pipeline() -> int:
        now = timezone.now()
        items = 0
        for path, data in blobs:
            source = ingestion.source_for_file(path)
            # Storing includes scoring: features, topic probabilities and stories.
            outcome = ingestion.ingest_bytes(source, data, url=source.url, now=now)
            items += len(outcome.new_ids) + outcome.duplicates
        return items

    def baseline() -> int:
        return sum(len(feedparser.parse(data).entries) for _, data in blobs)

    # A deployment scores with fitted topic models: fit them once on the corpus.
    reset()
    pipeline()
    scoring.refresh_topic_models()

    stages = time_stages() if args.breakdown else None
    base_rates, pipe_rates = [], []
    for round_number in range(1, args.rounds + 1):
        started = time.perf_counter()
        items = baseline()
        base_rates.append(items / (time.perf_counter() - started))
        reset()
        if stages is not None:
            stages.clear()
        started = time.perf_counter()
        stored_items = pipeline()
        pipe_rates.append(stored_items / (time.perf_counter() - started))
        print(
            f"round {round_number}: feedparser {base_rates[-1]:8.0f} items/s   "
            f"pipeline {pipe_rates[-1]:8.0f} items/s   ({items} items)"
        )
    base, pipe = statistics.median(base_rates), statistics.median(pipe_rates)
    print(
        f"median: feedparser.parse {base:.0f} items/s, full pipeline {pipe:.0f} items/s"
    )
    print(f"ratio pipeline / feedparser = {pipe / base:.2f} (target >= 0.5)")
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
