"""Evaluate the ranker on a labelled corpus; the work is in feed.ranking.evaluation."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from feed.ranking import evaluation

REPO_ROOT = Path(__file__).resolve().parents[3]


class Command(BaseCommand):
    help = (
        "Rank a labelled corpus with the real ranker (cold start and simulated "
        "feedback) and print nDCG@10, nDCG@50, P@10 and AP beside keyword, BM25 "
        "and TF-IDF baselines. Reads files only; never touches the database."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        corpus = evaluation.corpus_dir(REPO_ROOT)
        parser.add_argument(
            "--labels",
            type=Path,
            default=corpus / evaluation.LABELS_FILE,
            help="Labelled JSONL: id plus a 0/1/2 grade per topic slug.",
        )
        parser.add_argument(
            "--articles",
            type=Path,
            nargs="+",
            default=[corpus / name for name in evaluation.CORPUS_FILES],
            help="Article JSONL files (id, title, summary); all of them are the "
            "topic models' unlabelled background.",
        )

    def handle(self, *args, labels: Path, articles: list[Path], **options) -> None:
        for path in (labels, *articles):
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
        try:
            evaluation.run(labels, articles, self.stdout)
        except evaluation.LabelsError as error:
            raise CommandError(str(error)) from None
