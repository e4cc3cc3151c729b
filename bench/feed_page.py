"""Feed page latency against a trivial Django view, on the same gunicorn server.

    .venv/bin/python bench/feed_page.py [--requests 200] [--corpus DIR]

Setup (PostgreSQL, like bench/ingest.py): every corpus feed is ingested with its
items re-dated into the last 72 hours, so the ranked window holds ~4,000 articles;
one reader follows AI, Chips and Trade policy, has liked and disliked a few stories
(so a personal model runs too), and is logged in. Then one gunicorn worker (one
thread) serves, alternately, `/robots.txt` (a view that returns a constant) and the
feed page `/`, and the script reports median and 95th-percentile latency of each
and the ratio of medians.
"""

import argparse
import dataclasses
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tidings_bench"
)
os.environ.setdefault("TIDINGS_VAR_DIR", str(BASE_DIR / "var" / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tidings.settings")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--corpus", type=Path, default=BASE_DIR.parent / "shared" / "corpus" / "feeds"
    )
    args = parser.parse_args()

    import django  # noqa: PLC0415 - settings come from the environment set above

    django.setup()
    import httpx  # noqa: PLC0415
    from django.conf import settings  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from bench.ingest import empty_tables, ensure_database  # noqa: PLC0415
    from feed.defaults import TOPICS  # noqa: PLC0415
    from feed.ingest.parse import parse_feed  # noqa: PLC0415
    from feed.models import (  # noqa: PLC0415
        Article,
        Feedback,
        Follow,
        Source,
        Story,
        Topic,
    )
    from feed.services import ingestion, personalisation, scoring, topics  # noqa: PLC0415
    from tidings import embedded_redis  # noqa: PLC0415

    redis_process = None
    if settings.EMBEDDED_REDIS:
        redis_process = embedded_redis.start(
            settings.REDIS_URL, data_dir=settings.VAR_DIR / "redis"
        )
    ensure_database(connection.settings_dict)
    call_command("migrate", verbosity=0)
    topics.load_default_topics(TOPICS)
    empty_tables(connection, [Feedback, Article, Story, Source])

    now = timezone.now()
    files = sorted(args.corpus.glob("*.xml"))
    for n, path in enumerate(files):
        source = ingestion.source_for_file(path)
        parsed = parse_feed(path.read_bytes(), url=source.url, now=now)
        entries = [
            dataclasses.replace(
                entry, published=now - timedelta(minutes=(n * 997 + i * 37) % (72 * 60))
            )
            for i, entry in enumerate(parsed.entries)
        ]
        ingestion.store_entries(source, entries, now=now)
    scoring.refresh_topic_models()

    from django.contrib.auth import get_user_model  # noqa: PLC0415

    User = get_user_model()
    User.objects.filter(username="bench").delete()
    reader = User.objects.create_user("bench", "bench@example.com", "bench pass 123")
    reader.onboarded = True
    reader.save()
    for slug in ("ai", "chips", "trade"):
        Follow.objects.create(user=reader, topic=Topic.objects.get(slug=slug))
    chips = Article.objects.about(Topic.objects.get(slug="chips"), at_least=0.5)
    for article in chips.order_by("-published_at")[:5]:
        personalisation.record_feedback(reader, article, "like")
    for article in Article.objects.order_by("published_at")[:5]:
        personalisation.record_feedback(reader, article, "dislike")
    client = Client()
    client.force_login(reader)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    window = Article.objects.filter(published_at__gte=now - timedelta(hours=72)).count()

    port = _free_port()
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "tidings.wsgi",
         "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "1",
         "--log-level", "warning"],
        cwd=BASE_DIR,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(
            base_url=base, cookies={settings.SESSION_COOKIE_NAME: cookie}, timeout=30
        ) as http:
            _wait_until_up(http)
            page = http.get("/")
            cards = len(re.findall(r'<article class="card', page.text))
            page.raise_for_status()
            if not cards:
                raise RuntimeError("the feed page shows no cards")
            trivial, feed = [], []
            for _ in range(args.requests):
                for path, sink in (("/robots.txt", trivial), ("/", feed)):
                    started = time.perf_counter()
                    response = http.get(path)
                    sink.append((time.perf_counter() - started) * 1000)
                    response.raise_for_status()
    finally:
        server.terminate()
        server.wait()
        embedded_redis.stop(redis_process)

    def summary(samples: list[float]) -> str:
        p95 = statistics.quantiles(samples, n=20)[-1]
        return f"median {statistics.median(samples):7.1f} ms   p95 {p95:7.1f} ms"

    print(f"window: {window} articles in the last 72 h; the page shows {cards} cards")
    print(f"/robots.txt (constant view): {summary(trivial)}")
    print(f"/ (ranked feed page)       : {summary(feed)}")
    ratio = statistics.median(feed) / statistics.median(trivial)
    print(f"feed page / trivial view = {ratio:.1f}x (median latency)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(http, timeout: float = 30.0) -> None:
    import httpx  # noqa: PLC0415

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            http.get("/robots.txt")
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


if __name__ == "__main__":
    main()
