"""Topic classifiers learned without hand labels.

Each topic is a name, a description and seed terms. The seed text is matched against
the deployment's own articles (IDF-weighted cosine); the confident ends become
pseudo-labels for a logistic regression over the shared features. With too few
articles to learn from, the classifier falls back to the seed similarity itself.
Follows scikit-learn's estimator conventions. Django-free.
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

from feed.ranking import features


@dataclass(frozen=True)
class TopicSpec:
    slug: str
    name: str
    description: str = ""
    seed_terms: tuple[str, ...] = ()

    def seed_document(self) -> features.Document:
        return features.Document(
            title=" ".join([self.name, *self.seed_terms]), text=self.description
        )


def idf_weights(X: sp.csr_matrix) -> np.ndarray:
    """Smoothed inverse document frequency of every hashed feature over X's rows."""
    n = X.shape[0]
    df = np.bincount(X.indices, minlength=X.shape[1])
    return (np.log((1 + n) / (1 + df)) + 1.0).astype(np.float32)


class TopicClassifier(BaseEstimator):
    """Binary classifier "is this document about the topic" from seed text alone."""

    def __init__(
        self,
        *,
        min_documents: int = 50,
        positive_fraction: float = 0.05,
        negative_fraction: float = 0.5,
        C: float = 1.0,
    ) -> None:
        self.min_documents = min_documents
        self.positive_fraction = positive_fraction
        self.negative_fraction = negative_fraction
        self.C = C

    def fit(self, X: sp.csr_matrix, spec: TopicSpec) -> "TopicClassifier":
        seed = features.transform([spec.seed_document()])
        self.seed_ = seed
        self.n_documents_ = X.shape[0]
        if X.shape[0] < self.min_documents:
            self.coef_ = None
            self.intercept_ = 0.0
            return self
        idf = idf_weights(X)
        weighted = normalize(X.multiply(idf).tocsr())
        query = normalize(seed.multiply(idf).tocsr())
        similarity = np.asarray((weighted @ query.T).todense()).ravel()
        order = np.argsort(-similarity)
        n_pos = max(5, int(self.positive_fraction * len(order)))
        positives = [i for i in order[:n_pos] if similarity[i] > 0]
        n_neg = int(self.negative_fraction * len(order))
        negatives = order[-n_neg:] if n_neg else []
        if len(positives) < 3 or len(negatives) < 3:
            self.coef_ = None
            self.intercept_ = 0.0
            return self
        rows = sp.vstack([X[positives], seed, seed, X[negatives]]).tocsr()
        labels = np.r_[np.ones(len(positives) + 2), np.zeros(len(negatives))]
        model = LogisticRegression(C=self.C, class_weight="balanced", max_iter=200)
        model.fit(rows, labels)
        self.coef_ = sp.csr_matrix(model.coef_.astype(np.float32))
        self.coef_.eliminate_zeros()
        self.intercept_ = float(model.intercept_[0])
        return self

    def decision_function(self, X: sp.csr_matrix) -> np.ndarray:
        if self.coef_ is None:
            similarity = np.asarray((X @ self.seed_.T).todense()).ravel()
            return 12.0 * (similarity - 0.15)
        return np.asarray((X @ self.coef_.T).todense()).ravel() + self.intercept_

    def predict_proba(self, X: sp.csr_matrix) -> np.ndarray:
        """Probability of the topic for each row (a 1-D array)."""
        return 1.0 / (1.0 + np.exp(-self.decision_function(X)))

    def term_weights(self, indices: np.ndarray) -> np.ndarray:
        """Weight of each feature index towards the topic (to explain a score)."""
        source = self.coef_ if self.coef_ is not None else self.seed_
        return np.asarray(source[:, indices].todense()).ravel()

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        coef = (
            self.coef_
            if self.coef_ is not None
            else sp.csr_matrix((1, features.N_FEATURES))
        )
        np.savez_compressed(
            buffer,
            has_coef=np.array([self.coef_ is not None]),
            coef_indices=coef.indices.astype(np.int32),
            coef_data=coef.data.astype(np.float32),
            intercept=np.array([self.intercept_]),
            seed_indices=self.seed_.indices.astype(np.int32),
            seed_data=self.seed_.data.astype(np.float32),
            n_documents=np.array([self.n_documents_]),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> "TopicClassifier":
        data = np.load(io.BytesIO(bytes(blob)), allow_pickle=False)
        model = cls()
        model.seed_ = _row(data["seed_indices"], data["seed_data"])
        model.coef_ = (
            _row(data["coef_indices"], data["coef_data"])
            if data["has_coef"][0]
            else None
        )
        model.intercept_ = float(data["intercept"][0])
        model.n_documents_ = int(data["n_documents"][0])
        return model


def _row(indices: np.ndarray, values: np.ndarray) -> sp.csr_matrix:
    return sp.csr_matrix(
        (values, indices, np.array([0, len(indices)])), shape=(1, features.N_FEATURES)
    )


def fit_topics(
    X: sp.csr_matrix, specs: Sequence[TopicSpec], **params: object
) -> dict[str, TopicClassifier]:
    return {spec.slug: TopicClassifier(**params).fit(X, spec) for spec in specs}
