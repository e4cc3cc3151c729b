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
from Platt scaling of the score over the background articles against the
pseudo-label "uses a seed phrase in a topical context" (see fit). Explanations read
the very same weights (term_weights / top_terms). With too few articles to learn
from, the seed view alone scores with default weights. Follows scikit-learn's
estimator conventions. Django-free.
"""

import io
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import chain

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
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
        "Climate" and "energy"), in order, without two phrases that mean the same
        tokens ("chip" and "Chips")."""
        name_parts = re.split(r"\s*(?:&|\band\b|,|/|\+)\s*", self.name)
        seen: dict[tuple[str, ...], str] = {}
        for phrase in (*self.seed_terms, *name_parts):
            tokens = tuple(features.tokenize(phrase))
            if tokens:
                seen.setdefault(tokens, phrase.strip())
        return tuple(seen.values())

    def seed_document(self) -> features.Document:
        return features.Document(
            title=" ".join([self.name, *self.seed_terms]), text=self.description
        )


def idf_weights(X: sp.csr_matrix) -> np.ndarray:
    """Smoothed inverse document frequency of every hashed feature over X's rows."""
    n = X.shape[0]
    df = np.bincount(X.indices, minlength=X.shape[1])
    return (np.log((1 + n) / (1 + df)) + 1.0).astype(np.float32)


@dataclass(frozen=True)
class SeedPhrases:
    """A topic's seed phrases as feature columns: phrase k owns
    columns[offsets[k]:offsets[k + 1]] and is present in an article to the extent of
    the smallest of those values (all its terms, both hashes, must be there)."""

    phrases: tuple[str, ...]
    offsets: np.ndarray
    columns: np.ndarray

    @classmethod
    def of(cls, spec: TopicSpec) -> "SeedPhrases":
        phrases, offsets, columns = [], [0], []
        for phrase in spec.seed_phrases():
            phrase_columns = features.phrase_columns(phrase)
            if phrase_columns:
                phrases.append(phrase)
                columns.extend(phrase_columns)
                offsets.append(len(columns))
        return cls(
            tuple(phrases), np.array(offsets, np.int64), np.array(columns, np.int64)
        )

    @cached_property
    def _slots(self) -> tuple[np.ndarray, np.ndarray]:
        """Position of every feature column among the distinct self.columns (-1:
        none), and of each of self.columns among those distinct ones (a column may
        serve several phrases)."""
        distinct, position = np.unique(self.columns, return_inverse=True)
        slots = np.full(features.N_FEATURES, -1, dtype=np.int32)
        slots[distinct] = np.arange(len(distinct), dtype=np.int32)
        return slots, position

    def presence(self, X: sp.csr_matrix) -> np.ndarray:
        """(n_rows, n_phrases): each phrase's feature value in each row, 0 if absent."""
        n = X.shape[0]
        if not self.phrases:
            return np.zeros((n, 0), dtype=np.float32)
        slots, position = self._slots
        hit = slots[X.indices]
        keep = hit >= 0
        rows = np.repeat(np.arange(n), np.diff(X.indptr))[keep]
        values = np.zeros((n, int(slots.max()) + 1), dtype=np.float32)
        values[rows, hit[keep]] = X.data[keep]
        return np.minimum.reduceat(values[:, position], self.offsets[:-1], axis=1)


def seed_evidence(seed_score, weight, scale):
    """The seed view's share of a topic score: weight · log(1 + scale · s(x))."""
    return weight * np.log1p(scale * seed_score)


def calibrated(score, slope, offset):
    """Platt scaling: sigmoid(slope · score + offset)."""
    return 1.0 / (1.0 + np.exp(-np.clip(slope * score + offset, -35, 35)))


class TopicClassifier(BaseEstimator):
    """Binary classifier "is this article about the topic" from seed text alone.

    score(x) = context · x + intercept + seed_weight · log(1 + seed_scale · s(x)),
    s(x) = Σ_phrases idf(phrase) · presence(phrase, x);
    probability = sigmoid(slope · score + offset).

    Parameters
    ----------
    C : inverse L2 regularisation of the context model.
    seed_weight, seed_scale : strength of the seed view and how fast repeated or
        multiple seed phrases saturate (like BM25's term-frequency saturation).
    min_matches : fewer seed-matching background articles than this (or fewer
        non-matching ones) and the classifier keeps the seed view alone.
    max_iter, tol : stopping rules of the logistic regression solver.
    feedback_weight : weight of an article with stated topicality (see fit) relative
        to a pseudo-labelled one.
    context_quantile : a seed match counts as on-topic for calibration when its
        context score is above this quantile of the articles without a match.
    """

    def __init__(
        self,
        *,
        C: float = 1.0,
        seed_weight: float = 1.0,
        seed_scale: float = 4.0,
        min_matches: int = 10,
        max_iter: int = 200,
        tol: float = 1e-4,
        feedback_weight: float = 3.0,
        context_quantile: float = 0.9,
    ) -> None:
        self.C = C
        self.seed_weight = seed_weight
        self.seed_scale = seed_scale
        self.min_matches = min_matches
        self.max_iter = max_iter
        self.tol = tol
        self.feedback_weight = feedback_weight
        self.context_quantile = context_quantile

    def fit(
        self,
        X: sp.csr_matrix,
        spec: TopicSpec,
        *,
        feedback: tuple[sp.csr_matrix, np.ndarray] | None = None,
    ) -> "TopicClassifier":
        """Learn from the deployment's own articles X (rows of features.transform);
        X may be empty, which gives a seed-only classifier.

        `feedback`: (rows, on_topic) for articles whose topicality readers or an
        editor stated ("not about Chips"); they join the context model's training
        with weight `feedback_weight`, beside the pseudo-labels."""
        X = sp.csr_matrix(X, dtype=np.float32)
        self.slug_ = spec.slug
        self.n_documents_ = X.shape[0]
        self.seeds_ = SeedPhrases.of(spec)
        presence = self.seeds_.presence(X)
        df = np.count_nonzero(presence, axis=0)
        self.seed_idf_ = (np.log((1 + len(X.indptr) - 1) / (1 + df)) + 1.0).astype(
            np.float32
        )
        seed_score = presence @ self.seed_idf_
        matched = seed_score > 0
        self.n_matches_ = int(matched.sum())
        self.coef_ = np.zeros(features.N_FEATURES, dtype=np.float32)
        self.intercept_ = 0.0
        if min(self.n_matches_, X.shape[0] - self.n_matches_) < self.min_matches:
            # Seed view alone, calibrated by two anchors: no match at all is
            # p = 0.02; one typical phrase in the title of a short article
            # (feature value about 0.3) is p = 0.75.
            typical = float(np.median(self.seed_idf_)) if len(self.seed_idf_) else 1.0
            anchor = float(self._seed_evidence(np.array([0.3 * typical]))[0])
            self.offset_ = float(np.log(0.02 / 0.98))
            self.slope_ = (float(np.log(0.75 / 0.25)) - self.offset_) / anchor
            return self

        # Context view: every term but the seed phrases, trained to recognise the
        # articles that use them (the stronger the use, the more the row counts).
        # Two models on alternate halves give honest (out-of-fold) context scores
        # for calibration; their average is the classifier's context weights.
        masked = self._masked(X)
        sample_weight = np.where(matched, seed_score / seed_score[matched].mean(), 1.0)
        extra_rows, extra_labels, extra_weights = self._feedback_rows(feedback)
        fold = np.arange(X.shape[0]) % 2
        if min(np.bincount(fold[matched], minlength=2)) < 2:
            fold[:] = 0  # too few matches to split: one model, in-sample scores
        context = np.zeros(X.shape[0])
        coefs, intercepts = [], []
        for k in np.unique(fold):
            train = fold != k if len(np.unique(fold)) > 1 else fold == k
            model = LogisticRegression(C=self.C, max_iter=self.max_iter, tol=self.tol)
            with warnings.catch_warnings():
                # pseudo-labels are noisy: an approximate optimum is enough
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.fit(
                    sp.vstack([masked[train], extra_rows]).tocsr(),
                    np.r_[matched[train], extra_labels],
                    sample_weight=np.r_[sample_weight[train], extra_weights],
                )
            held_out = ~train if len(np.unique(fold)) > 1 else train
            context[held_out] = model.decision_function(masked[held_out])
            coefs.append(model.coef_.ravel())
            intercepts.append(model.intercept_[0])
        self.coef_ = np.mean(coefs, axis=0).astype(np.float32)
        self.coef_[self.seeds_.columns] = 0.0
        self.intercept_ = float(np.mean(intercepts))

        # Calibration: Platt scaling of the (out-of-fold) score. On-topic: seed
        # matches whose context is more topical than that of most articles
        # without a match (context_quantile). Off-topic: articles without a seed
        # match, and the other seed matches (a "chip" in a cookie recall).
        # Measured on the dev labels (evaluate_ranker's calibration table): taking
        # only the most typical half of the matches as on-topic, as before, made the
        # curve too steep, so that an article naming the topic in passing got
        # p < 0.01 although most such articles are on topic.
        score = context + self._seed_evidence(seed_score)
        # (On a small corpus the context may not separate that well: the upper
        # half of the matches then counts as on-topic whatever the quantile.)
        threshold = min(
            np.quantile(context[~matched], self.context_quantile),
            np.median(context[matched]),
        )
        spurious = matched & (context < threshold)
        positive = matched & ~spurious
        self.n_spurious_ = int(spurious.sum())
        calibration = LogisticRegression(C=1e4)
        calibration.fit(score[:, np.newaxis], positive)
        self.slope_ = float(calibration.coef_[0, 0])
        self.offset_ = float(calibration.intercept_[0])
        return self

    def _masked(self, X: sp.csr_matrix) -> sp.csr_matrix:
        masked = sp.csr_matrix(X, dtype=np.float32, copy=True)
        masked.data[np.isin(masked.indices, self.seeds_.columns)] = 0
        masked.eliminate_zeros()
        return masked

    def _feedback_rows(
        self, feedback: tuple[sp.csr_matrix, np.ndarray] | None
    ) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
        if feedback is None or feedback[0].shape[0] == 0:
            return features.empty(), np.zeros(0, bool), np.zeros(0)
        rows, on_topic = feedback
        on_topic = np.asarray(on_topic, dtype=bool)
        weights = np.full(len(on_topic), self.feedback_weight)
        return self._masked(rows), on_topic, weights

    def _seed_evidence(self, seed_score: np.ndarray) -> np.ndarray:
        return seed_evidence(seed_score, self.seed_weight, self.seed_scale)

    def _score(self, X: sp.csr_matrix, seed_score: np.ndarray) -> np.ndarray:
        context = np.asarray(X @ self.coef_, dtype=np.float64).ravel()
        return context + self.intercept_ + self._seed_evidence(seed_score)

    def seed_scores(self, X: sp.csr_matrix) -> np.ndarray:
        """The seed view alone: IDF-weighted presence of the seed phrases."""
        return self.seeds_.presence(X) @ self.seed_idf_

    def decision_function(self, X: sp.csr_matrix) -> np.ndarray:
        """The topic score (uncalibrated log-odds), one per row."""
        return self._score(X, self.seed_scores(X))

    def predict_proba(self, X: sp.csr_matrix) -> np.ndarray:
        """Probability of the topic for each row (a 1-D array)."""
        return calibrated(self.decision_function(X), self.slope_, self.offset_)

    def term_contributions(self, doc: features.Document) -> dict[str, float]:
        """Each of the article's terms (unigram or bigram, normalised as
        features.terms) with its share of the article's calibrated log-odds: the
        context weight of its columns times its feature value, plus, for a seed
        phrase, its proportional share of the saturated seed evidence. These are
        exactly the numbers the score added up."""
        x = features.transform([doc])
        values = np.zeros(features.N_FEATURES, dtype=np.float64)
        values[x.indices] = x.data
        result: dict[str, float] = {}
        for term in set(features.document_terms(doc)):
            columns = list(features.feature_columns(term))
            result[term] = float(values[columns] @ self.coef_[columns])
        presence = self.seeds_.presence(x)[0]
        linear = presence * self.seed_idf_
        total = float(linear.sum())
        if total > 0:
            share = float(self._seed_evidence(np.array([total]))[0]) / total
            for term, part in zip(self.seed_terms(), linear, strict=True):
                if part > 0:
                    result[term] = result.get(term, 0.0) + share * float(part)
        return {term: self.slope_ * value for term, value in result.items()}

    def seed_terms(self) -> list[str]:
        """The seed phrases as normalised terms (the keys term_contributions uses)."""
        return [" ".join(features.tokenize(p)) for p in self.seeds_.phrases]

    def term_weights(self, indices: np.ndarray) -> np.ndarray:
        """Context weight of each feature column (calibrated units). Prefer
        term_contributions, which also counts the seed phrases."""
        return self.slope_ * self.coef_[np.asarray(indices, dtype=np.int64)]

    def top_terms(self, doc: features.Document, k: int = 3) -> list[str]:
        """The article's terms that pull it most towards the topic."""
        return top_terms(self.term_contributions(doc), k=k)

    def to_bytes(self) -> bytes:
        """Compact state: context weights above _PRUNE as float16 (about 6 bytes per
        kept term) and the seed phrases with their IDF."""
        keep = np.flatnonzero(np.abs(self.coef_) >= _PRUNE)
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            indices=keep.astype(np.int32),
            values=self.coef_[keep].astype(np.float16),
            phrases=np.array(self.seeds_.phrases, dtype=str),
            offsets=self.seeds_.offsets,
            columns=self.seeds_.columns,
            seed_idf=self.seed_idf_,
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
        model.seeds_ = SeedPhrases(
            tuple(str(p) for p in data["phrases"]), data["offsets"], data["columns"]
        )
        model.seed_idf_ = data["seed_idf"]
        model.intercept_, model.slope_, model.offset_ = (
            float(v) for v in data["scalars"]
        )
        model.n_documents_, model.n_matches_ = (int(v) for v in data["counts"])
        model.slug_ = str(data["slug"])
        return model


# Context weights smaller than this are dropped when a model is stored: a term's
# feature value is at most 1, so it moves the score by less than this.
_PRUNE = 1e-3


def top_terms(contributions: dict[str, float], *, k: int = 3) -> list[str]:
    """The k terms with the largest positive contributions, skipping a term that
    overlaps one already chosen ("export control" hides "export")."""
    chosen: list[str] = []
    for term, value in sorted(contributions.items(), key=lambda kv: (-kv[1], kv[0])):
        if value <= 0 or len(chosen) == k:
            break
        words = set(term.split())
        if any(words & set(c.split()) for c in chosen):
            continue
        chosen.append(term)
    return chosen


class TopicBank:
    """Fitted classifiers scoring together: one sparse product for all their context
    weights and one pass over all their seed columns. Gives each classifier's own
    predict_proba, in columns (the ingest path scores every new article for every
    topic; one classifier at a time, most of the cost was per-call overhead)."""

    def __init__(self, classifiers: Sequence[TopicClassifier]) -> None:
        self.n_topics = len(classifiers)
        self._coef = np.zeros((features.N_FEATURES, self.n_topics), dtype=np.float32)
        for k, classifier in enumerate(classifiers):
            self._coef[:, k] = classifier.coef_
        self._intercept = np.array([c.intercept_ for c in classifiers])
        self._slope = np.array([c.slope_ for c in classifiers])
        self._offset = np.array([c.offset_ for c in classifiers])
        self._seed_weight = np.array([c.seed_weight for c in classifiers])
        self._seed_scale = np.array([c.seed_scale for c in classifiers])
        # Every classifier's phrases side by side: phrase p owns phrase_columns
        # [starts[p]:starts[p + 1]] and adds seed_idf to its classifier's seed score.
        # A column may serve several classifiers ("chip" for Chips, "ai chip" for AI).
        columns, starts, owner, idf = [], [], [], []
        for k, classifier in enumerate(classifiers):
            seeds = classifier.seeds_
            for p in range(len(seeds.phrases)):
                starts.append(len(columns))
                columns.extend(seeds.columns[seeds.offsets[p] : seeds.offsets[p + 1]])
                owner.append(k)
                idf.append(classifier.seed_idf_[p])
        self._seed_columns = SeedPhrases(
            tuple(map(str, range(len(owner)))),
            np.array([*starts, len(columns)], dtype=np.int64),
            np.array(columns, dtype=np.int64),
        )
        self._phrase_to_topic = np.zeros((len(owner), self.n_topics))
        self._phrase_to_topic[np.arange(len(owner)), owner] = idf

    def predict_proba(self, X: sp.csr_matrix) -> np.ndarray:
        """(rows, topics): probability of each classifier's topic for each row."""
        X = sp.csr_matrix(X, dtype=np.float32)
        seed_scores = self._seed_columns.presence(X) @ self._phrase_to_topic
        score = (
            np.asarray(X @ self._coef, dtype=np.float64)
            + self._intercept
            + seed_evidence(seed_scores, self._seed_weight, self._seed_scale)
        )
        return calibrated(score, self._slope, self._offset)


def probability_columns(
    topic_scores: Sequence[Mapping[str, float]], keys: Sequence[str]
) -> np.ndarray:
    """(rows, keys): each row's stored probability for each key, 0 where absent.
    (One dict.get per cell through map: 1.6 times as fast as a nested list
    comprehension on a 5,000-article window.)"""
    missing = [0.0] * len(keys)
    cells = chain.from_iterable(map(row.get, keys, missing) for row in topic_scores)
    return np.fromiter(
        cells, dtype=np.float64, count=len(topic_scores) * len(keys)
    ).reshape(len(topic_scores), len(keys))


def fit_topics(
    X: sp.csr_matrix, specs: Sequence[TopicSpec], **params: object
) -> dict[str, TopicClassifier]:
    return {spec.slug: TopicClassifier(**params).fit(X, spec) for spec in specs}
