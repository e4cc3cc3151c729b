"""Ranker cost on one core: scoring throughput, ranking latency, model sizes.

    python bench/ranker.py                 # uses ../shared/corpus (unlabelled text)
    python bench/ranker.py --articles 5000 --repeat 7

Each claim is printed beside a baseline run in the same process:

* scoring a new article for every built-in topic (features + all topic models),
  beside the raw sparse product X @ W that any linear scorer pays, and beside
  building the features alone;
* ranking a 5,000-article window for one reader (three follows with different
  weights, a personal model), beside a bare argsort of the same totals;
* the stored size of a personal model after the maximum feedback window, and of a
  topic model, against the 1 MB budget.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from feed import defaults  # noqa: E402
from feed.ranking import blend, evaluation, features  # noqa: E402
from feed.ranking.personal import PersonalModel  # noqa: E402
from feed.ranking.topics import TopicBank, TopicClassifier  # noqa: E402


def timed(function, repeat: int) -> float:
    """Median wall time of `repeat` calls, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000, help="batch to score")
    parser.add_argument("--window", type=int, default=5000, help="feed candidates")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--corpus",
        type=Path,
        default=evaluation.corpus_dir(Path(__file__).resolve().parents[1]),
    )
    args = parser.parse_args()

    corpus = evaluation.read_articles(
        args.corpus / name for name in evaluation.CORPUS_FILES
    )
    docs = [features.Document(a.title, a.text) for a in corpus]
    rng = np.random.default_rng(0)
    print(f"corpus: {len(docs)} articles; one core (threadpool limit 1)")

    with threadpool_limits(1):
        start = time.perf_counter()
        X = features.transform(docs)
        models = [TopicClassifier().fit(X, spec) for spec in defaults.TOPICS]
        fit_seconds = time.perf_counter() - start
        print(
            f"\nrefit: features + {len(models)} topic models on {X.shape[0]} "
            f"articles: {fit_seconds:.1f} s"
        )

        batch = [docs[i] for i in rng.choice(len(docs), args.articles, replace=False)]
        X_batch = features.transform(batch)
        W = np.stack([m.coef_ for m in models], axis=1)

        bank = TopicBank(models)  # what the ingest path scores with

        def score_all():
            bank.predict_proba(features.transform(batch))

        score = timed(score_all, args.repeat)
        featurise = timed(lambda: features.transform(batch), args.repeat)
        product = timed(lambda: X_batch @ W, args.repeat)

        def score_one_at_a_time():
            for doc in batch[:500]:
                bank.predict_proba(features.transform([doc]))

        one_by_one = timed(score_one_at_a_time, 1)
        n = len(batch)
        print(f"\nscoring {n} new articles for all {len(models)} topics")
        print(f"  features + all topic models : {n / score:9,.0f} articles/s")
        print(f"  baseline: features alone     : {n / featurise:9,.0f} articles/s")
        print(f"  baseline: raw X @ W product  : {n / product:9,.0f} articles/s")
        print(f"  one article per call         : {500 / one_by_one:9,.0f} articles/s")

        window = rng.choice(X.shape[0], args.window, replace=False)
        blobs = [features.encode_row(X[i]) for i in window]
        liked = rng.choice(X.shape[0], 500, replace=False)
        signals = ["like" if k % 3 == 0 else "dislike" for k in range(500)]
        every_topic = np.column_stack([m.predict_proba(X) for m in models])

        def topic_scores(rows):
            # As stored per article: {topic key: p} for p >= 0.05.
            return [
                {f"t{k}": float(p) for k, p in enumerate(every_topic[i]) if p >= 0.05}
                for i in rows
            ]

        window_topics = topic_scores(window)
        liked_topics = topic_scores(liked)
        background_topics = window_topics[:200]

        def fit_personal(n_events: int) -> PersonalModel:
            return PersonalModel().fit(
                X[liked[:n_events]],
                signals[:n_events],
                X[window[:200]],
                topic_scores=liked_topics[:n_events],
                background_topic_scores=background_topics,
            )

        personal = fit_personal(500)
        probabilities = every_topic[window][:, :3]
        n_sources = 40
        candidates = blend.Candidates(
            ids=np.arange(args.window),
            topic_probs=probabilities,
            follow_weights=np.array([1.0, 0.5, 2.0]),
            personal=personal.decision_function(X[window], window_topics),
            age_hours=rng.uniform(0, 72, args.window),
            source_ids=rng.zipf(1.5, args.window) % n_sources,
            story_ids=rng.integers(0, args.window * 3 // 4, args.window),
            source_prior=np.zeros(args.window),
        )
        weights = blend.BlendWeights()
        rank = timed(lambda: blend.rank(candidates, weights), args.repeat * 4)
        # What the feed page asks for: its first page of 20, and one more card.
        first_page = timed(
            lambda: blend.rank(candidates, weights, limit=21), args.repeat * 4
        )
        totals = blend.score_candidates(candidates, weights).total
        argsort = timed(lambda: np.argsort(-totals), args.repeat * 4)
        decode = timed(lambda: features.decode_rows(blobs), args.repeat)
        rows = features.decode_rows(blobs)
        personal_scoring = timed(
            lambda: personal.decision_function(rows, window_topics), args.repeat * 4
        )
        print(f"\nranking a {args.window}-article window for one reader")
        for label, seconds in (
            ("blend.rank (score, one per story, source cap)", rank),
            ("the same, first page only (limit=21)", first_page),
            ("baseline: argsort of the same totals", argsort),
            ("personal model over the window", personal_scoring),
            ("decoding the window's stored vectors", decode),
        ):
            print(f"  {label:<46}: {seconds * 1e3:6.1f} ms")

        refit = timed(lambda: fit_personal(500), 3)
        refit_small = timed(lambda: fit_personal(30), args.repeat)
        print("\npersonal model refit on every feedback event")
        print(f"  500 events (the cap): {refit * 1e3:6.0f} ms")
        print(f"  30 events           : {refit_small * 1e3:6.0f} ms")

        big = personal
        size = len(big.to_bytes())
        topic_sizes = [len(m.to_bytes()) for m in models]
        vector_bytes = statistics.mean(len(b) for b in blobs)
        print("\nstored sizes")
        print(
            f"  personal model, {big.n_feedback_} feedback events : "
            f"{size / 1024:7.1f} KiB  (budget 1024 KiB)"
        )
        print(
            f"  topic model (median of {len(models)})            : "
            f"{statistics.median(topic_sizes) / 1024:7.1f} KiB"
        )
        print(f"  article vector (mean)               : {vector_bytes:7.0f} B")


if __name__ == "__main__":
    main()
