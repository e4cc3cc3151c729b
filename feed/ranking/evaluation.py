"""Offline evaluation of the ranker on a labelled corpus (`manage.py evaluate_ranker`).

Runs the product's own code path: features.transform, a TopicClassifier per topic
fitted on every corpus article as unlabelled background (never on the labels),
blend.rank for a reader following one topic, and PersonalModel for simulated
feedback. Prints nDCG@10, nDCG@50, P@10 and average precision per core topic side
by side with three baselines computed in the same run from the same topic text:
keyword count, BM25 (rank_bm25) and TF-IDF cosine. Django-free.

Ordering conventions shared by every method: candidates are the labelled articles
sorted by id; equal scores keep the blend's tie rule (later position first);
relevance for P@10 and AP is grade >= 1, nDCG uses the grades (gain 2^g - 1).
The evaluation ranks by topic relevance alone: recency and source priors are
neutral (the corpus spans 2004-2026) and the per-source cap is off, because the
labels judge topicality, not a page's mix.
"""

import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import numpy as np
import scipy.sparse as sp
from rank_bm25 import BM25Okapi
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import brier_score_loss, log_loss

from feed import defaults
from feed.ranking import blend, features, metrics
from feed.ranking.personal import PersonalModel
from feed.ranking.topics import TopicClassifier, TopicSpec

CORPUS_FILES = ("articles.jsonl", "articles_datasets.jsonl")
LABELS_FILE = "labels-dev.jsonl"
# Topic probabilities below this are not stored with an article (as in
# feed.services.scoring), and an article touches a topic when it has one.
STORED_PROBABILITY = 0.05
BACKGROUND_SAMPLE = 200
EVALUATION_WEIGHTS = blend.BlendWeights(recency=0.0, source_prior=0.0, per_source_cap=0)
FEEDBACK_ROUNDS = 3
# Besides the fixed halving (and its mirror image), the simulation runs on
# this many other random halvings and reports their mean: with 5 to 25 targets in a
# measured half, one halving's figure moves by 0.2 with the luck of the split.
OTHER_HALVINGS = 12
ITEMS_RATED_PER_ROUND = 10


def corpus_dir(repo_root: Path) -> Path:
    """Where the shared corpus lives: next to the repository, in shared/corpus."""
    return repo_root.parent / "shared" / "corpus"


@dataclass(frozen=True)
class CorpusArticle:
    id: str
    title: str
    text: str
    source: str


@dataclass(frozen=True)
class Reader:
    """A simulated reader: follows one topic, likes only items relevant (grade >= 1)
    to every topic in `likes`, dislikes everything else they are shown."""

    name: str
    follows: str
    likes: tuple[str, ...]


READERS = (
    Reader("follows ai, likes ai+chips", follows="ai", likes=("ai", "chips")),
    Reader(
        "follows chips, likes chips+trade", follows="chips", likes=("chips", "trade")
    ),
)


@dataclass(frozen=True)
class Scores:
    ndcg10: float
    ndcg50: float
    p10: float
    ap: float


@dataclass(frozen=True)
class Calibration:
    """How well a topic's probabilities match the labels (relevant: grade >= 1),
    beside the best constant (the labelled set's base rate)."""

    brier: float
    log_loss: float
    base_rate: float
    base_brier: float
    base_log_loss: float


def calibration(probabilities: np.ndarray, relevant: np.ndarray) -> Calibration:
    relevant = np.asarray(relevant, dtype=bool)
    p = np.clip(np.asarray(probabilities, dtype=np.float64), 1e-6, 1 - 1e-6)
    rate = float(relevant.mean())
    constant = np.full(len(p), min(max(rate, 1e-6), 1 - 1e-6))
    return Calibration(
        brier=float(brier_score_loss(relevant, p)),
        log_loss=float(log_loss(relevant, p, labels=[False, True])),
        base_rate=rate,
        base_brier=float(brier_score_loss(relevant, constant)),
        base_log_loss=float(log_loss(relevant, constant, labels=[False, True])),
    )


@dataclass
class Report:
    n_labelled: int
    n_background: int
    n_unknown: int = 0  # labels of articles not in the article files
    n_incomplete: int = 0  # labels without a grade for every evaluated topic
    # topic -> method -> scores; the ranker is method "tidings"
    cold_start: dict[str, dict[str, Scores]] = field(default_factory=dict)
    # topic -> calibration of the probabilities a deployment stores per article
    calibration: dict[str, Calibration] = field(default_factory=dict)
    # reader name -> target-nDCG@10 before feedback and after each round
    feedback: dict[str, list[float]] = field(default_factory=dict)
    # reader name -> target-nDCG@10 of the measured half ranked by the product of
    # the liked topics' probabilities: what the topic models alone allow a ranker
    # that knew the reader's taste exactly (a diagnostic, not a method)
    topic_oracle: dict[str, float] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def read_articles(paths: Iterable[Path]) -> list[CorpusArticle]:
    """Articles from JSONL files (id, title, summary, source); first id wins."""
    seen: dict[str, CorpusArticle] = {}
    for path in paths:
        with open(path, encoding="utf-8-sig") as lines:
            for line in lines:
                if not line.strip():
                    continue
                row = json.loads(line)
                if row["id"] in seen:
                    continue
                seen[row["id"]] = CorpusArticle(
                    id=row["id"],
                    title=row.get("title") or "",
                    text=row.get("summary") or "",
                    source=row.get("outlet") or row.get("source") or "",
                )
    return list(seen.values())


class LabelsError(ValueError):
    """A labels file that cannot be read; the message names the line."""


def read_labels(path: Path) -> list[dict]:
    """Rows {"id": str, <topic slug>: grade} of a labels JSONL file. Blank lines and
    a byte-order mark are fine; grades may be numbers or numeric strings; other
    fields (a note, a labeller's name) are left out."""
    rows = []
    with open(path, encoding="utf-8-sig") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise LabelsError(
                    f"{path}, line {number}: not JSON ({error.msg})"
                ) from None
            if not isinstance(row, dict) or not isinstance(row.get("id"), str | int):
                raise LabelsError(
                    f"{path}, line {number}: expected an object with an id"
                )
            grades = {k: _grade(v) for k, v in row.items() if k != "id"}
            rows.append(
                {
                    "id": str(row["id"]),
                    **{k: g for k, g in grades.items() if g is not None},
                }
            )
    return rows


def _grade(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        grade = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return grade if np.isfinite(grade) else None


def score_ranking(grades_in_order: Sequence[float]) -> Scores:
    return Scores(
        ndcg10=metrics.ndcg_at_k(grades_in_order, 10),
        ndcg50=metrics.ndcg_at_k(grades_in_order, 50),
        p10=metrics.precision_at_k(grades_in_order, 10),
        ap=metrics.average_precision(grades_in_order),
    )


def order_by(scores: np.ndarray) -> np.ndarray:
    """Positions best first, ties broken like blend.rank (later position first)."""
    positions = np.arange(len(scores))
    return np.lexsort((-positions, -np.asarray(scores, dtype=np.float64)))


def topic_text(spec: TopicSpec) -> str:
    """The text every baseline queries with: the topic's name, description and
    seed terms (what a reader or the catalogue gives us)."""
    return " ".join([spec.name, spec.description, *spec.seed_terms])


def _article_text(article: CorpusArticle) -> str:
    return f"{article.title} {article.text}"


class Baselines:
    """Keyword count, BM25 and TF-IDF cosine over the same corpus and tokeniser."""

    def __init__(self, corpus: Sequence[CorpusArticle]) -> None:
        texts = [_article_text(a) for a in corpus]
        self.tokens = [features.tokenize(t) for t in texts]
        self.bm25 = BM25Okapi(self.tokens)
        self.tfidf = TfidfVectorizer(analyzer=features.terms, sublinear_tf=True)
        self.tfidf_matrix = self.tfidf.fit_transform(texts)

    def keyword_count(self, spec: TopicSpec, rows: np.ndarray) -> np.ndarray:
        """Occurrences of the name and seed phrases (as token sequences)."""
        phrases = [tuple(features.tokenize(p)) for p in (spec.name, *spec.seed_terms)]
        phrases = [p for p in phrases if p]
        counts = np.zeros(len(rows))
        for k, row in enumerate(rows):
            tokens = self.tokens[row]
            for phrase in phrases:
                width = len(phrase)
                counts[k] += sum(
                    1
                    for i in range(len(tokens) - width + 1)
                    if tuple(tokens[i : i + width]) == phrase
                )
        return counts

    def bm25_scores(self, spec: TopicSpec, rows: np.ndarray) -> np.ndarray:
        query = features.tokenize(topic_text(spec))
        return np.asarray(self.bm25.get_batch_scores(query, list(rows)))

    def tfidf_cosine(self, spec: TopicSpec, rows: np.ndarray) -> np.ndarray:
        query = self.tfidf.transform([topic_text(spec)])
        return (self.tfidf_matrix[rows] @ query.T).toarray().ravel()


def feed_order(
    probabilities: np.ndarray,
    *,
    personal: np.ndarray | None = None,
    weights: blend.BlendWeights = EVALUATION_WEIGHTS,
) -> np.ndarray:
    """Display order of the candidates for a reader following one topic, through
    blend.rank (each candidate its own story and source, all the same age)."""
    n = len(probabilities)
    candidates = blend.Candidates(
        ids=np.arange(n),
        topic_probs=np.asarray(probabilities, dtype=np.float64)[:, np.newaxis],
        follow_weights=np.ones(1),
        personal=np.zeros(n) if personal is None else personal,
        age_hours=np.zeros(n),
        source_ids=np.arange(n),
        story_ids=np.arange(n),
        source_prior=np.zeros(n),
    )
    order, _ = blend.rank(candidates, weights)
    return np.asarray(order)


def target_grades(labels: Sequence[dict], likes: Sequence[str]) -> np.ndarray:
    """Grade of the reader's real interest: the smallest grade over `likes`."""
    return np.array([min(label[t] for t in likes) for label in labels], dtype=float)


def rated_half(ids: Sequence[str], salt: str = "") -> np.ndarray:
    """A fixed half of the items (by a hash of the id) that the reader rates; the
    other half is only ever measured. Another `salt`, another halving."""
    return np.array(
        [
            hashlib.sha1((salt + i).encode(), usedforsecurity=False).digest()[0] % 2
            == 0
            for i in ids
        ]
    )


def topic_oracle(
    reader: Reader,
    probabilities: dict[str, np.ndarray],
    labels: Sequence[dict],
    *,
    rateable: np.ndarray | None = None,
) -> float:
    """target-nDCG@10 on the never-rated half (default: not rated_half) ordered by
    the product of the probabilities of the topics the reader likes."""
    target = target_grades(labels, reader.likes)
    if rateable is None:
        rateable = rated_half([label["id"] for label in labels])
    measured = np.flatnonzero(~rateable)
    joint = np.prod([probabilities[slug][measured] for slug in reader.likes], axis=0)
    return metrics.ndcg_at_k(target[measured[order_by(joint)]], 10)


def simulate_feedback(
    reader: Reader,
    classifier: TopicClassifier,
    X: sp.csr_matrix,
    labels: Sequence[dict],
    *,
    rounds: int = FEEDBACK_ROUNDS,
    per_round: int = ITEMS_RATED_PER_ROUND,
    background: sp.csr_matrix | None = None,
    topic_scores: Sequence[dict[str, float]] | None = None,
    background_topic_scores: Sequence[dict[str, float]] | None = None,
    rateable: np.ndarray | None = None,
) -> list[float]:
    """target-nDCG@10 on the never-rated half, before feedback and after each round
    in which the reader rates the first `per_round` unrated items of the rated half
    the feed shows (like if on target, dislike otherwise). `rateable`: which items
    the reader may rate (default: rated_half of the ids).
    `topic_scores`: each row's probabilities for every topic model there is, as a
    deployment stores them per article (the personal model learns from them)."""
    probabilities = classifier.predict_proba(X)
    target = target_grades(labels, reader.likes)
    if rateable is None:
        rateable = rated_half([label["id"] for label in labels])
    rated: list[int] = []
    signals: list[str] = []
    personal = np.zeros(X.shape[0])
    curve: list[float] = []
    for round_number in range(rounds + 1):
        order = feed_order(probabilities, personal=personal)
        measured = [p for p in order if not rateable[p]]
        curve.append(metrics.ndcg_at_k(target[measured], 10))
        if round_number == rounds:
            break
        already = set(rated)
        shown = [p for p in order if rateable[p] and p not in already][:per_round]
        rated.extend(shown)
        signals.extend("like" if target[p] >= 1 else "dislike" for p in shown)
        newest_first = rated[::-1]
        model = PersonalModel().fit(
            X[newest_first],
            signals[::-1],
            background=background,
            topic_scores=(
                None
                if topic_scores is None
                else [topic_scores[p] for p in newest_first]
            ),
            background_topic_scores=background_topic_scores,
        )
        personal = model.decision_function(X, topic_scores)
    return curve


def evaluate(
    articles: Sequence[CorpusArticle],
    labels: Sequence[dict],
    *,
    specs: Sequence[TopicSpec] = defaults.TOPICS,
    topics: Sequence[str] = defaults.CORE_TOPICS,
    readers: Sequence[Reader] = READERS,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """The whole evaluation: cold start per topic (ranker and baselines) and the
    feedback simulation. Topic models learn from `articles` (unlabelled); labels
    are read only to score the rankings. Topics and readers whose slugs the labels
    do not grade are skipped; labels of unknown articles are ignored (counted)."""
    clock = time.perf_counter()
    by_id = {a.id: k for k, a in enumerate(articles)}
    known = [x for x in labels if x["id"] in by_id]
    n_unknown = len(labels) - len(known)
    # A topic is evaluated when most rows grade it; rows missing one of the
    # evaluated topics' grades are left out (and counted).
    counts = Counter(key for x in known for key in x)
    graded = {key for key, n in counts.items() if 2 * n >= len(known)} - {"id"}
    complete = [x for x in known if all(t in x for t in graded)]
    n_incomplete = len(known) - len(complete)
    known = complete
    topics = [t for t in topics if t in graded]
    readers = [r for r in readers if {r.follows, *r.likes} <= graded]
    labels = sorted(known, key=lambda x: x["id"])
    rows = np.array([by_id[x["id"]] for x in labels], dtype=np.int64)
    report = Report(
        n_labelled=len(known),
        n_background=len(articles),
        n_unknown=n_unknown,
        n_incomplete=n_incomplete,
    )
    say = progress or (lambda message: None)

    say(f"features for {len(articles)} articles")
    X = features.transform([features.Document(a.title, a.text) for a in articles])
    report.seconds["features"] = time.perf_counter() - clock

    # Every topic of the deployment gets its model: the personal model learns from
    # each article's stored probabilities for all of them, as in a deployment.
    specs_by_slug = {s.slug: s for s in specs}
    classifiers: dict[str, TopicClassifier] = {}
    start = time.perf_counter()
    for slug, spec in specs_by_slug.items():
        say(f"fitting topic model {slug}")
        classifiers[slug] = TopicClassifier().fit(X, spec)
    report.seconds["topic models"] = time.perf_counter() - start

    start = time.perf_counter()
    say("baselines")
    baselines = Baselines(articles)
    methods: dict[str, Callable[[TopicSpec], np.ndarray]] = {
        "keyword count": lambda spec: baselines.keyword_count(spec, rows),
        "BM25": lambda spec: baselines.bm25_scores(spec, rows),
        "TF-IDF cosine": lambda spec: baselines.tfidf_cosine(spec, rows),
    }
    X_labelled = X[rows]
    for slug in topics:
        grades = np.array([x[slug] for x in labels], dtype=float)
        spec = specs_by_slug[slug]
        probabilities = classifiers[slug].predict_proba(X_labelled)
        report.calibration[slug] = calibration(probabilities, grades >= 1)
        order = feed_order(probabilities)
        results = {"tidings": score_ranking(grades[order])}
        for name, method in methods.items():
            results[name] = score_ranking(grades[order_by(method(spec))])
        report.cold_start[slug] = results
    report.seconds["cold start + baselines"] = time.perf_counter() - start

    start = time.perf_counter()
    unlabelled = np.setdiff1d(np.arange(len(articles)), rows)

    def all_topic_scores(rows: np.ndarray) -> list[dict[str, float]]:
        """Each row's probabilities for every topic model, as stored per article
        (only p >= STORED_PROBABILITY, like a deployment)."""
        columns = {
            slug: classifier.predict_proba(X[rows])
            for slug, classifier in classifiers.items()
        }
        return [
            {
                slug: float(p[k])
                for slug, p in columns.items()
                if p[k] >= STORED_PROBABILITY
            }
            for k in range(len(rows))
        ]

    labelled_topics = all_topic_scores(rows)
    labelled_probabilities = {
        slug: classifier.predict_proba(X_labelled)
        for slug, classifier in classifiers.items()
    }
    ids = [label["id"] for label in labels]
    halvings = {
        "": [rated_half(ids)],
        " (halves swapped)": [~rated_half(ids)],
        f" (mean of {OTHER_HALVINGS} other halvings)": [
            rated_half(ids, salt=f"halving {k}:") for k in range(1, OTHER_HALVINGS + 1)
        ],
    }
    for suffix, rateables in halvings.items():
        for reader in readers:
            # The personal model's background: unrated articles the reader's feed
            # would hold (about the followed topic), as the service samples them.
            about = classifiers[reader.follows].predict_proba(X[unlabelled])
            pool = unlabelled[about >= STORED_PROBABILITY]
            sample = np.random.default_rng(0).choice(
                pool, min(BACKGROUND_SAMPLE, len(pool)), replace=False
            )
            name = reader.name + suffix
            say(f"feedback simulation: {name}")
            curves = [
                simulate_feedback(
                    reader,
                    classifiers[reader.follows],
                    X_labelled,
                    labels,
                    background=X[sample] if len(sample) else None,
                    topic_scores=labelled_topics,
                    background_topic_scores=all_topic_scores(sample),
                    rateable=rateable,
                )
                for rateable in rateables
            ]
            report.feedback[name] = [float(v) for v in np.mean(curves, axis=0)]
            report.topic_oracle[name] = float(
                np.mean(
                    [
                        topic_oracle(
                            reader, labelled_probabilities, labels, rateable=rateable
                        )
                        for rateable in rateables
                    ]
                )
            )
    report.seconds["feedback simulation"] = time.perf_counter() - start
    report.seconds["total"] = time.perf_counter() - clock
    return report


def format_report(report: Report) -> str:
    lines = [
        f"Labelled items: {report.n_labelled}; unlabelled background for the topic "
        f"models: {report.n_background} articles."
        + (
            f" ({report.n_unknown} labels name unknown articles: ignored.)"
            if report.n_unknown
            else ""
        )
        + (
            f" ({report.n_incomplete} labels lack a grade for a topic the others "
            "grade: ignored.)"
            if report.n_incomplete
            else ""
        ),
        "",
        "Cold start (a reader following one topic; relevance = grade >= 1 for P@10/AP)",
        f"{'topic':<7} {'method':<15} {'nDCG@10':>8} {'nDCG@50':>8} {'P@10':>6} "
        f"{'AP':>6}",
    ]
    for slug, results in report.cold_start.items():
        best = max(v.ap for k, v in results.items() if k != "tidings")
        for name, s in results.items():
            lines.append(
                f"{slug:<7} {name:<15} {s.ndcg10:8.3f} {s.ndcg50:8.3f} {s.p10:6.2f} "
                f"{s.ap:6.3f}"
            )
        lines.append(
            f"{slug:<7} {'AP - best':<15} {'':>8} {'':>8} {'':>6} "
            f"{results['tidings'].ap - best:+6.3f}"
        )
    lines += [
        "",
        "Calibration of the stored topic probabilities (relevant = grade >= 1; "
        "lower is better)",
        f"{'topic':<7} {'Brier':>7} {'log loss':>9}   {'base rate':>9} "
        f"{'its Brier':>9} {'its log loss':>12}",
    ]
    for slug, c in report.calibration.items():
        lines.append(
            f"{slug:<7} {c.brier:7.3f} {c.log_loss:9.3f}   {c.base_rate:9.2f} "
            f"{c.base_brier:9.3f} {c.base_log_loss:12.3f}"
        )
    lines += [
        "",
        f"Feedback simulation: target-nDCG@10 on the never-rated half "
        f"({ITEMS_RATED_PER_ROUND} ratings per round)",
        f"{'reader':<62} {'before':>7} "
        + " ".join(f"{'round ' + str(r):>8}" for r in range(1, FEEDBACK_ROUNDS + 1))
        + f" {'topic oracle':>13}",
    ]
    for name, curve in report.feedback.items():
        lines.append(
            f"{name:<62} "
            + " ".join(f"{v:7.3f} " for v in curve)
            + f"{report.topic_oracle[name]:12.3f}"
        )
    lines.append(
        "(topic oracle: the never-rated half ordered by the product of the liked "
        "topics' probabilities, as if the reader's taste were known exactly)"
    )
    lines += [
        "",
        "Seconds: "
        + ", ".join(f"{name} {value:.1f}" for name, value in report.seconds.items()),
    ]
    return "\n".join(lines)


def run(labels_path: Path, article_paths: Sequence[Path], out: TextIO) -> Report:
    articles = read_articles(article_paths)
    labels = read_labels(labels_path)
    report = evaluate(
        articles, labels, progress=lambda message: out.write(f"... {message}\n")
    )
    out.write(format_report(report) + "\n")
    return report
