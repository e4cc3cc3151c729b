"""Reading the shared corpus at test time (its text never enters the project)."""

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path


@dataclass(frozen=True)
class LabelledArticle:
    id: str
    title: str
    summary: str
    link: str
    grades: dict[str, int]


def labelled_articles(corpus_dir: Path) -> list[LabelledArticle]:
    texts = {}
    for name in ("articles.jsonl", "articles_datasets.jsonl"):
        with (corpus_dir / name).open(encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                texts[row["id"]] = row
    result = []
    with (corpus_dir / "labels-dev.jsonl").open(encoding="utf-8") as f:
        for line in f:
            label = json.loads(line)
            row = texts.get(label["id"])
            if row is None:
                continue
            result.append(
                LabelledArticle(
                    id=label["id"],
                    title=row.get("title") or "",
                    summary=row.get("summary") or "",
                    link=row.get("link") or "",
                    grades={k: int(label[k]) for k in ("ai", "chips", "trade")},
                )
            )
    return result


def recent_dates(
    n: int, *, now: datetime, hours: float = 48, seed: int = 7
) -> list[datetime]:
    """n publication times spread over the last `hours` (deterministic)."""
    rng = random.Random(seed)
    return [now - timedelta(hours=rng.uniform(0.5, hours)) for _ in range(n)]
