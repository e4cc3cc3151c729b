"""A reader's personal model: a small linear model learned from their feedback.

A class-balanced, L2-regularised logistic regression over the shared features,
refitted from the reader's most recent feedback events (a bounded window), so every
new signal counts on the very next request and the model never grows. Its score is
standardised against a sample of recent articles: 0 means "like a typical recent
article", +1 two standard deviations more like what the reader liked, -1 as much
more like what they disliked. That keeps the blend weight meaningful whatever the
number of events. Only the largest weights are kept (float16), which bounds the
stored size.

Besides the words, the model sees each article's topic probabilities (as stored per
article, keyed by topic; softened, see TOPIC_SOFTENING) and their pairwise products.
A reader who follows AI but likes only the AI stories that are also about chips has
a preference the words of thirty rated stories describe poorly and those two
probabilities describe well: the product "AI x Chips" carries it to articles that
share no word with the rated ones. Django-free.
"""

import io
import warnings
from collections.abc import Mapping, Sequence
from itertools import combinations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from feed.ranking import features
from feed.ranking.topics import probability_columns

# Label and weight per feedback signal: positive signals pull similar articles up.
SIGNAL_WEIGHTS = {
    "like": (1, 1.0),
    "save": (1, 1.0),
    "open": (1, 0.3),
    "dislike": (0, 1.0),
    "hide": (0, 0.7),
}
# Background articles (a sample of what the reader's feed would show them: recent
# articles about the topics they follow, not yet rated) stand in, at this weight,
# for the side the feedback lacks: negatives while a reader has only liked things,
# positives while they have only disliked things ("less like these than the rest of
# my feed" is a preference too: the first round of ten dislikes already moves the
# feed).
BACKGROUND_WEIGHT = 0.2
# Topic probabilities are multiplied by this before fitting, so that the regulariser
# treats one topic column about like a strong word of an L2-normalised text vector.
TOPIC_SCALE = 0.5
# Topic probabilities are softened before use: p -> sigmoid(logit(p) / this), with p
# clipped to the stored precision (4 decimals). Calibrated probabilities saturate:
# most articles clearly about a topic store p = 1.0, so "AI and very much chips" and
# "AI and chips in passing" looked the same to the model; softened, the products
# keep the difference. Measured with evaluate_ranker's feedback simulation (mean of
# 12 halvings, reader "ai, likes ai+chips"): 0.79 with raw probabilities, 0.84
# softened by 2 (0.81-0.83 by 3, 4 or 8).
TOPIC_SOFTENING = 2.0
_STORED_PRECISION = 1e-4
# Topics beyond this many (the most frequent in the training rows) are left out, so
# the pairwise products stay few (at most 24 + 276 columns).
MAX_TOPICS = 24

TopicScores = Mapping[str, float]


class PersonalModel(BaseEstimator):
    """Parameters
    ----------
    C : inverse L2 regularisation.
    max_terms : weights kept after fitting (largest magnitude); bounds the size.
    max_events : only the first this many events are used (pass newest first).
    """

    def __init__(
        self, *, C: float = 10.0, max_terms: int = 20_000, max_events: int = 500
    ) -> None:
        self.C = C
        self.max_terms = max_terms
        self.max_events = max_events

    def fit(
        self,
        X: sp.csr_matrix,
        signals: Sequence[str],
        background: sp.csr_matrix | None = None,
        *,
        topic_scores: Sequence[TopicScores] | None = None,
        background_topic_scores: Sequence[TopicScores] | None = None,
    ) -> "PersonalModel":
        """Fit on feedback rows X (one per event, newest first) and their signals.
        `background`: a sample of the reader's candidates they have not rated (a
        few hundred), used to standardise the score and as the weak opposite while
        all feedback is one-sided. `topic_scores` / `background_topic_scores`: each
        row's topic probabilities ({topic key: p}); without them the model uses
        words alone."""
        X = sp.csr_matrix(X, dtype=np.float32)[: self.max_events]
        signals = list(signals)[: self.max_events]
        n_background = 0 if background is None else background.shape[0]
        event_topics = _rows(topic_scores, X.shape[0])
        background_topics = _rows(background_topic_scores, n_background)
        unknown = set(signals) - SIGNAL_WEIGHTS.keys()
        if unknown:
            raise ValueError(f"Unknown feedback signals: {sorted(unknown)}")
        labels = np.array([SIGNAL_WEIGHTS[s][0] for s in signals], dtype=int)
        weights = np.array([SIGNAL_WEIGHTS[s][1] for s in signals], dtype=float)
        has_background = background is not None and background.shape[0] > 0
        self.n_feedback_ = len(signals)
        self.coef_ = np.zeros(features.N_FEATURES, dtype=np.float32)
        self.topic_keys_: list[str] = []
        self.topic_coef_ = np.zeros(0, dtype=np.float32)
        self.topic_softening_ = TOPIC_SOFTENING
        self.intercept_ = 0.0
        self.center_, self.scale_ = 0.0, 1.0
        if len(signals) == 0:
            return self
        rows, row_topics = X, event_topics
        if len(set(labels)) < 2:
            if not has_background:
                return self
            rows = sp.vstack([X, background]).tocsr()
            row_topics = event_topics + background_topics
            labels = np.r_[labels, np.full(background.shape[0], 1 - labels[0])]
            weights = np.r_[weights, np.full(background.shape[0], BACKGROUND_WEIGHT)]
        self.topic_keys_ = _frequent_keys(row_topics)
        # Fit on the columns these rows use (a few tens of thousands of 2**18):
        # the same model, several times faster.
        used = np.unique(rows.indices)
        compact = sp.csr_matrix(
            (rows.data, np.searchsorted(used, rows.indices), rows.indptr),
            shape=(rows.shape[0], len(used)),
        )
        compact = sp.hstack(
            [compact, sp.csr_matrix(self._topic_matrix(row_topics))], format="csr"
        )
        model = LogisticRegression(C=self.C, class_weight="balanced", max_iter=500)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(compact, labels, sample_weight=weights)
        coef = model.coef_.ravel().astype(np.float32)
        word_coef, self.topic_coef_ = coef[: len(used)], coef[len(used) :]
        keep = np.argsort(-np.abs(word_coef), kind="stable")[: self.max_terms]
        self.coef_[used[keep]] = word_coef[keep].astype(np.float16).astype(np.float32)
        self.intercept_ = float(model.intercept_[0])
        if has_background:
            raw = self._raw(background, background_topics)
        else:
            raw = self._raw(X, event_topics)
        spread = float(raw.std())
        self.center_ = float(np.median(raw))
        self.scale_ = 2.0 * spread if spread > 1e-9 else 1.0
        return self

    def _topic_matrix(self, topic_scores: Sequence[TopicScores]) -> np.ndarray:
        """Per row: the probability of each of topic_keys_, then the products of
        every pair of them."""
        keys = self.topic_keys_
        probabilities = _soften(
            probability_columns(topic_scores, keys), self.topic_softening_
        ).astype(np.float32)
        # Row-major i < j: the same order as combinations(keys, 2) in _topic_names.
        first, second = np.triu_indices(len(keys), 1)
        products = probabilities[:, first] * probabilities[:, second]
        return TOPIC_SCALE * np.hstack([probabilities, products])

    def _topic_names(self) -> list[tuple[str, ...]]:
        keys = self.topic_keys_
        return [(k,) for k in keys] + list(combinations(keys, 2))

    def _raw(self, X: sp.csr_matrix, topic_scores: Sequence[TopicScores]) -> np.ndarray:
        raw = np.asarray(X @ self.coef_, dtype=np.float64).ravel() + self.intercept_
        if self.topic_keys_:
            raw += self._topic_matrix(topic_scores) @ self.topic_coef_
        return raw

    def decision_function(
        self, X: sp.csr_matrix, topic_scores: Sequence[TopicScores] | None = None
    ) -> np.ndarray:
        """Standardised score: 0 is a typical recent article, positive is more like
        what the reader liked (about +1 at two standard deviations).
        `topic_scores`: the rows' topic probabilities, as given to fit."""
        if not self.n_feedback_ or not (self.coef_.any() or self.topic_coef_.any()):
            return np.zeros(X.shape[0])
        raw = self._raw(X, _rows(topic_scores, X.shape[0]))
        return (raw - self.center_) / self.scale_

    def topic_contributions(self, topic_scores: TopicScores) -> dict[str, float]:
        """How much each topic (through its own column and its share of the pair
        products) adds to one article's standardised score, by topic key."""
        if not self.topic_keys_:
            return {}
        values = self._topic_matrix([topic_scores])[0] * self.topic_coef_
        shares: dict[str, float] = dict.fromkeys(self.topic_keys_, 0.0)
        for names, value in zip(self._topic_names(), values, strict=True):
            for key in names:
                shares[key] += float(value) / len(names) / self.scale_
        return shares

    def term_weights(self, indices: np.ndarray) -> np.ndarray:
        """Weight of feature columns in the standardised score (to explain it)."""
        return self.coef_[np.asarray(indices, dtype=np.int64)] / self.scale_

    def to_bytes(self) -> bytes:
        keep = np.flatnonzero(self.coef_)
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            indices=keep.astype(np.int32),
            values=self.coef_[keep].astype(np.float16),
            scalars=np.array([self.intercept_, self.center_, self.scale_]),
            n_feedback=np.array([self.n_feedback_]),
            topic_keys=np.array(self.topic_keys_, dtype=np.str_),
            topic_coef=self.topic_coef_.astype(np.float32),
            topic_softening=np.array([self.topic_softening_]),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> "PersonalModel":
        data = np.load(io.BytesIO(bytes(blob)), allow_pickle=False)
        model = cls()
        model.coef_ = np.zeros(features.N_FEATURES, dtype=np.float32)
        model.coef_[data["indices"]] = data["values"].astype(np.float32)
        model.intercept_, model.center_, model.scale_ = (
            float(v) for v in data["scalars"]
        )
        model.n_feedback_ = int(data["n_feedback"][0])
        # Models stored before topic features existed have words only.
        stored = set(data.files)
        model.topic_keys_ = (
            [str(k) for k in data["topic_keys"]] if "topic_keys" in stored else []
        )
        model.topic_coef_ = (
            data["topic_coef"].astype(np.float32)
            if "topic_coef" in stored
            else np.zeros(0, dtype=np.float32)
        )
        # Models stored before the softening saw raw probabilities (softening 1).
        model.topic_softening_ = (
            float(data["topic_softening"][0]) if "topic_softening" in stored else 1.0
        )
        return model


def _soften(probabilities: np.ndarray, softening: float) -> np.ndarray:
    """sigmoid(logit(p) / softening) for stored probabilities, 0 (not stored) kept."""
    if softening == 1.0:
        return probabilities
    p = np.clip(probabilities, _STORED_PRECISION, 1 - _STORED_PRECISION)
    softened = 1.0 / (1.0 + ((1 - p) / p) ** (1.0 / softening))
    return np.where(probabilities > 0, softened, 0.0)


def _rows(topic_scores: Sequence[TopicScores] | None, n: int) -> list[TopicScores]:
    if topic_scores is None:
        return [{}] * n
    rows = [scores or {} for scores in topic_scores]
    if len(rows) < n:
        raise ValueError(f"{len(rows)} topic score rows for {n} feature rows")
    return rows[:n]


def _frequent_keys(topic_scores: Sequence[TopicScores]) -> list[str]:
    """The topics the rows mention, most often first, at most MAX_TOPICS, sorted."""
    counts: dict[str, int] = {}
    for scores in topic_scores:
        for key in scores:
            counts[key] = counts.get(key, 0) + 1
    frequent = sorted(counts, key=lambda key: (-counts[key], key))[:MAX_TOPICS]
    return sorted(frequent)
