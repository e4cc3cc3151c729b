"""Ingest feeds now, synchronously: files, directories (recursively) and URLs."""

import signal
import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone
from tqdm import tqdm

from feed.services import ingestion, scoring
from feed.services.ingestion import IngestOutcome


class Command(BaseCommand):
    help = (
        "Fetch, parse, store and score feeds from files, directories (*.xml, *.rss, "
        "*.atom, recursively) and http(s) URLs. Exits 1 if any source failed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("targets", nargs="+", metavar="PATH_OR_URL")

    def handle(self, *args, targets: list[str], **options) -> None:
        self.interrupted = False
        signal.signal(signal.SIGTERM, self._on_sigterm)
        jobs = self._jobs(targets)
        outcomes: list[IngestOutcome] = []
        now = timezone.now()
        progress = tqdm(
            jobs, unit="feed", disable=not sys.stderr.isatty(), file=sys.stderr
        )
        for label, job in progress:
            if self.interrupted:
                break
            progress.set_postfix_str(Path(label).name[:40])
            outcomes.append(job(now))
        new_ids = [i for o in outcomes for i in o.new_ids]
        if scoring.topic_models_need_refresh():
            scoring.refresh_topic_models()
        scoring.score_articles(new_ids)
        self._summary(outcomes)
        if self.interrupted or any(o.failed for o in outcomes):
            sys.exit(1)

    def _jobs(self, targets: list[str]) -> list[tuple[str, object]]:
        jobs = []
        for target in targets:
            if target.lower().startswith(("http://", "https://")):
                jobs.append(
                    (target, lambda now, u=target: ingestion.ingest_url(u, now=now))
                )
                continue
            path = Path(target)
            if not path.exists():
                jobs.append((target, lambda now, t=target: _missing(t)))
                continue
            for file in ingestion.feed_files(path):
                jobs.append(
                    (str(file), lambda now, f=file: ingestion.ingest_file(f, now=now))
                )
        return jobs

    def _summary(self, outcomes: list[IngestOutcome]) -> None:
        width = min(70, max((len(o.label) for o in outcomes), default=10))
        self.stdout.write(f"{'source':<{width}}  {'new':>6}  {'dup':>6}  result")
        for o in outcomes:
            result = (
                "failed: " + o.error
                if o.failed
                else "not modified"
                if o.not_modified
                else "ok"
            )
            label = o.label if len(o.label) <= width else "…" + o.label[-(width - 1) :]
            line = f"{label:<{width}}  {len(o.new_ids):>6}  {o.duplicates:>6}  {result}"
            self.stdout.write(self.style.ERROR(line) if o.failed else line)
        failed = sum(o.failed for o in outcomes)
        total_new = sum(len(o.new_ids) for o in outcomes)
        total_dup = sum(o.duplicates for o in outcomes)
        self.stdout.write(
            f"{len(outcomes)} sources: {total_new} new, {total_dup} duplicate, "
            f"{failed} failed"
        )

    def _on_sigterm(self, signum, frame) -> None:
        self.interrupted = True


def _missing(target: str) -> IngestOutcome:
    return IngestOutcome(
        source_id=0, label=target, error="No such file, directory or http(s) URL."
    )
