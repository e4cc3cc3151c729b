"""How much a reader's topic verdicts teach a shared topic model (quality, not speed).

    python bench/topic_verdicts.py [--top 30] [--halvings 7] [--weight 3]

For each core topic and each halving of the dev labels (evaluation.rated_half), a
simulated reader corrects what they would see in the rated half: the off-topic
items among the top `--top` of their topic feed ("Not about Chips") and the
on-topic items below p = 0.5 among 4 x `--top` others ("About Chips"). The topic
model is refitted with those verdicts (TopicClassifier's `feedback`, at
`--weight`) and average precision is measured on the never-rated half, beside the
model without them, fitted in the same run on the same corpus.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from feed import defaults  # noqa: E402
from feed.ranking import evaluation, features, metrics  # noqa: E402
from feed.ranking.topics import TopicClassifier  # noqa: E402


def ap(model: TopicClassifier, X, grades: np.ndarray) -> float:
    order = evaluation.order_by(model.predict_proba(X))
    return metrics.average_precision(grades[order])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--halvings", type=int, default=7)
    parser.add_argument("--weight", type=float, default=3.0)
    parser.add_argument(
        "--corpus",
        type=Path,
        default=evaluation.corpus_dir(Path(__file__).resolve().parents[1]),
    )
    args = parser.parse_args()

    articles = evaluation.read_articles(
        args.corpus / name for name in evaluation.CORPUS_FILES
    )
    labels = sorted(
        evaluation.read_labels(args.corpus / evaluation.LABELS_FILE),
        key=lambda label: label["id"],
    )
    row_of = {a.id: k for k, a in enumerate(articles)}
    labels = [label for label in labels if label["id"] in row_of]
    X = features.transform([features.Document(a.title, a.text) for a in articles])
    X_labelled = X[np.array([row_of[label["id"]] for label in labels])]
    ids = [label["id"] for label in labels]
    salts = [""] + [f"halving {k}:" for k in range(1, args.halvings)]

    print(f"{'topic':<7} {'halving':>7} {'not about':>9} {'about':>6} "
          f"{'AP without':>10} {'AP with':>8}")  # fmt: skip
    for slug in defaults.CORE_TOPICS:
        spec = defaults.topic_by_slug(slug)
        grades = np.array([label[slug] for label in labels], dtype=float)
        plain = TopicClassifier().fit(X, spec)
        p = plain.predict_proba(X_labelled)
        before, after = [], []
        for k, salt in enumerate(salts):
            rated = np.flatnonzero(evaluation.rated_half(ids, salt=salt))
            measured = np.setdiff1d(np.arange(len(labels)), rated)
            top = rated[evaluation.order_by(p[rated])][: args.top]
            others = np.random.default_rng(k).choice(
                np.setdiff1d(rated, top), 4 * args.top, replace=False
            )
            not_about = [i for i in top if grades[i] == 0]
            about = [i for i in others if grades[i] >= 1 and p[i] < 0.5]
            stated = np.array(not_about + about, dtype=np.int64)
            taught = TopicClassifier(feedback_weight=args.weight).fit(
                X,
                spec,
                feedback=(X_labelled[stated], grades[stated] >= 1),
            )

            before.append(ap(plain, X_labelled[measured], grades[measured]))
            after.append(ap(taught, X_labelled[measured], grades[measured]))
            print(
                f"{slug:<7} {k:>7} {len(not_about):>9} {len(about):>6} "
                f"{before[-1]:>10.3f} {after[-1]:>8.3f}"
            )
        print(
            f"{slug:<7} {'mean':>7} {'':>9} {'':>6} "
            f"{np.mean(before):>10.3f} {np.mean(after):>8.3f}"
        )


if __name__ == "__main__":
    main()
