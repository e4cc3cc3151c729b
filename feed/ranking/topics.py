"""Topic classifiers learned without hand labels, from a name and a few seed terms.

Two views of each article are combined (co-training in its simplest form):

* the **seed view**: how strongly the article uses the topic's seed phrases, each
  weighted by its inverse document frequency over the deployment's articles
  (a rare, specific phrase such as "export controls" counts more than "customs");
* the **context view**: a logistic regression over every *other* term, trained to
  tell articles that use the seed phrases from articles that do not. With the seed
  columns masked it has to learn the company a topic keeps ("Nvidia", "wafer",
  "Beijing" for chips), so it lifts on-topic articles that use none of the seed
  phrases and holds back seed matches in the wrong context (a chocolate-chip
  cookie, sanctions ordered by a court).

Both views are linear in the shared features, so the classifier is one weight
vector: score = X · (context + seed_weight · seed) + intercept. Probabilities come
from a two-component mixture fitted to the scores of the background articles
(off-topic bulk vs on-topic tail), so p ≈ 0.5 where an article is as likely to
belong to the on-topic component as not. Explanations read the very same weights
(term_weights / top_terms). With too few articles to learn from, the seed view
alone scores with default weights. Follows scikit-learn's estimator conventions.
Django-free.
"""

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression

from feed.ranking import features


@dataclass(frozen=True)
class TopicSpec:
    """What a topic is about: shown to readers and used as the training signal."""

    slug: str
    name: str
    description: str = ""
    seed_terms: tuple[str, ...] = ()

    def seed_phrases(self) -> tuple[str, ...]:
        """The seed terms plus the parts of the name ("Climate & energy" gives
        "Climate" and "energy"), without duplicates, in order."""
        name_parts = re.split(r"\s*(?:&|\band\b|,|/|\+)\s*", self.name)
        seen: dict[str, None] = {}
        for phrase in (*self.seed_terms, *name_parts):
            phrase = phrase.strip()
            if phrase and features.tokenize(phrase):
                seen.setdefault(phrase, None)
        return tuple(seen)

    def seed_document(self) -> features.Document:
        return features.Document(
            title=" ".join([self.name, *self.seed_terms]), text=self.description
        )


def idf_weights(X: sp.csr_matrix) -> np.ndarray:
    """Smoothed inverse document frequency of every hashed feature over X's rows."""
    n = X.shape[0]
    df = np.bincount(X.indices, minlength=X.shape[1])
    return (np.log((1 + n) / (1 + df)) + 1.0).astype(np.float32)


def seed_vector(spec: TopicSpec, idf: np.ndarray | None = None) -> np.ndarray:
    """Dense weight per feature column for the seed view: a phrase's columns get its
    IDF (a three-word phrase spreads it over its two bigrams)."""
    weights = np.zeros(features.N_FEATURES, dtype=np.float32)
    for phrase in spec.seed_phrases():
        columns = features.phrase_columns(phrase)
        if not columns:
            continue
        for column in columns:
            weight = (idf[column] if idf is not None else 1.0) / len(columns)
            weights[column] = max(weights[column], weight)
    return weights


class TopicClassifier(BaseEstimator):
    """Binary classifier "is this article about the topic" from seed text alone.

    score(x) = context · x + intercept + seed_weight · log(1 + seed_scale · seed · x)
    probability = sigmoid(slope · score + offset)

    Parameters
    ----------
    C : inverse L2 regularisation of the context model.
    seed_weight, seed_scale : strength of the seed view and how fast repeated or
        multiple seed phrases saturate (like BM25's term-frequency saturation).
    min_matches : fewer seed-matching background articles than this (or fewer
        non-matching ones) and the classifier keeps the seed view alone.
    max_iter : iterations of the logistic regression solver.
    """

    def __init__(
        self,
        *,
        C: float = 1.0,
        seed_weight: float = 1.0,
        seed_scale: float = 4.0,
        min_matches: int = 10,
        max_iter: int = 200,
    ) -> None:
        self.C = C
        self.seed_weight = seed_weight
        self.seed_scale = seed_scale
        self.min_matches = min_matches
        self.max_iter = max_iter

    def fit(self, X: sp.csr_matrix, spec: TopicSpec) -> "TopicClassifier":
        """Learn from the deployment's own articles X (rows of features.transform);
        X may be empty, which gives a seed-only classifier."""
        X = sp.csr_matrix(X, dtype=np.float32)
        self.slug_ = spec.slug
        self.n_documents_ = X.shape[0]
        idf = idf_weights(X) if X.shape[0] else None
        self.seed_coef_ = seed_vector(spec, idf)
        self.seed_columns_ = np.flatnonzero(self.seed_coef_).astype(np.int32)
        seed_score = X @ self.seed_coef_
        matched = seed_score > 0
        self.n_matches_ = int(matched.sum())
        self.coef_ = np.zeros(features.N_FEATURES, dtype=np.float32)
        self.intercept_ = 0.0
        if min(self.n_matches_, X.shape[0] - self.n_matches_) < self.min_matches:
            # Seed view alone, default calibration: one specific phrase in the title
            # of a short article is about p = 0.75, no match at all p = 0.02.
            self.slope_, self.offset_ = 2.0, -4.0
            return self

        # Context view: every term but the seed phrases, trained to recognise the
        # articles that use them (the stronger the use, the more the row counts).
        masked = X.copy()
        masked.data[np.isin(masked.indices, self.seed_columns_)] = 0
        masked.eliminate_zeros()
        sample_weight = np.where(matched, seed_score / seed_score[matched].mean(), 1.0)
        model = LogisticRegression(C=self.C, max_iter=self.max_iter)
        model.fit(masked, matched.astype(int), sample_weight=sample_weight)
        self.coef_ = model.coef_.ravel().astype(np.float32)
        self.coef_[self.seed_columns_] = 0.0
        self.intercept_ = float(model.intercept_[0])

        # Platt scaling of the combined score against the seed-match proxy: the
        # probability that an article is written in the topic's language.
        calibration = LogisticRegression(C=1e4)
        calibration.fit(self.decision_function(X)[:, np.newaxis], matched.astype(int))
        self.slope_ = float(calibration.coef_[0, 0])
        self.offset_ = float(calibration.intercept_[0])
        return self

    def _seed_evidence(self, seed_score: np.ndarray) -> np.ndarray:
        return self.seed_weight * np.log1p(self.seed_scale * seed_score)

    def decision_function(self, X: sp.csr_matrix) -> np.ndarray:
        """The topic score (uncalibrated log-odds), one per row."""
        context = np.asarray(X @ self.coef_, dtype=np.float64).ravel()
        seed = np.asarray(X @ self.seed_coef_, dtype=np.float64).ravel()
        return context + self.intercept_ + self._seed_evidence(seed)

    def predict_proba(self, X: sp.csr_matrix) -> np.ndarray:
        """Probability of the topic for each row (a 1-D array)."""
        z = self.slope_ * self.decision_function(X) + self.offset_
        return 1.0 / (1.0 + np.exp(-np.clip(z, -35, 35)))

    def contributions(self, row: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """(columns, contributions) of one article's features to its calibrated
        log-odds, exactly additive: the seed view's saturating total is shared out
        over the seed terms in proportion to their linear share."""
        row = sp.csr_matrix(row)
        columns, values = row.indices, row.data.astype(np.float64)
        linear_seed = values * self.seed_coef_[columns]
        seed_total = float(linear_seed.sum())
        share = self._seed_evidence(seed_total) / seed_total if seed_total > 0 else 0.0
        return columns, self.slope_ * (
            values * self.coef_[columns] + share * linear_seed
        )

    def term_weights(self, indices: np.ndarray) -> np.ndarray:
        """Weight of each feature column towards the topic, per unit of feature
        value (seed terms at their unsaturated weight)."""
        indices = np.asarray(indices, dtype=np.int64)
        seed = self.seed_weight * self.seed_scale * self.seed_coef_[indices]
        return self.slope_ * (self.coef_[indices] + seed)

    def top_terms(self, text: str, k: int = 3) -> list[str]:
        """The words of `text` that pull it most towards the topic, read from the
        same weights as the score (a bigram beats the unigrams it contains)."""
        return top_terms(text, self, k=k)

    def to_bytes(self) -> bytes:
        """Compact state: context weights above _PRUNE as float16, the seed view
        exactly (about 6 bytes per kept term)."""
        keep = np.flatnonzero(np.abs(self.coef_) >= _PRUNE)
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            indices=keep.astype(np.int32),
            values=self.coef_[keep].astype(np.float16),
            seed_columns=self.seed_columns_.astype(np.int32),
            seed_values=self.seed_coef_[self.seed_columns_],
            scalars=np.array(
                [self.intercept_, self.slope_, self.offset_], dtype=np.float64
            ),
            params=np.array([self.seed_weight, self.seed_scale], dtype=np.float64),
            counts=np.array([self.n_documents_, self.n_matches_], dtype=np.int64),
            slug=np.array(self.slug_),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> "TopicClassifier":
        data = np.load(io.BytesIO(bytes(blob)), allow_pickle=False)
        seed_weight, seed_scale = (float(v) for v in data["params"])
        model = cls(seed_weight=seed_weight, seed_scale=seed_scale)
        model.coef_ = np.zeros(features.N_FEATURES, dtype=np.float32)
        model.coef_[data["indices"]] = data["values"].astype(np.float32)
        model.seed_columns_ = data["seed_columns"]
        model.seed_coef_ = np.zeros(features.N_FEATURES, dtype=np.float32)
        model.seed_coef_[model.seed_columns_] = data["seed_values"]
        model.intercept_, model.slope_, model.offset_ = (
            float(v) for v in data["scalars"]
        )
        model.n_documents_, model.n_matches_ = (int(v) for v in data["counts"])
        model.slug_ = str(data["slug"])
        return model


# Context weights smaller than this are dropped when a model is stored: a term's
# feature value is at most 1, so it moves the score by less than this.
_PRUNE = 1e-3


def top_terms(text: str, classifier: TopicClassifier, *, k: int = 3) -> list[str]:
    """The terms of `text` with the largest positive weight towards the topic,
    skipping terms that overlap one already chosen."""
    candidates = sorted(set(features.terms(text)))
    if not candidates:
        return []
    columns = np.array([features.feature_index(t) for t in candidates])
    values = classifier.term_weights(columns)
    chosen: list[str] = []
    for i in np.argsort(-values, kind="stable"):
        if values[i] <= 0 or len(chosen) == k:
            break
        term = candidates[i]
        if any(term in c or c in term for c in chosen):
            continue
        chosen.append(term)
    return chosen


def fit_topics(
    X: sp.csr_matrix, specs: Sequence[TopicSpec], **params: object
) -> dict[str, TopicClassifier]:
    return {spec.slug: TopicClassifier(**params).fit(X, spec) for spec in specs}
