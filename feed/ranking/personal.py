"""A reader's personal model: a small linear model learned from their feedback.

Refitted from the reader's most recent feedback events (a bounded window), which
keeps the model small and lets every new signal count on the very next request.
Django-free.
"""

import io

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression

from feed.ranking import features

# Label and weight per feedback signal: positive signals pull similar articles up.
SIGNAL_WEIGHTS = {
    "like": (1, 1.0),
    "save": (1, 1.0),
    "open": (1, 0.3),
    "dislike": (0, 1.0),
    "hide": (0, 0.7),
}


class PersonalModel(BaseEstimator):
    def __init__(self, *, C: float = 1.0, max_terms: int = 20_000) -> None:
        self.C = C
        self.max_terms = max_terms

    def fit(
        self,
        X: sp.csr_matrix,
        signals: list[str],
        background: sp.csr_matrix | None = None,
    ) -> "PersonalModel":
        """Fit on feedback rows; `background` rows act as weak negatives when a reader
        has only given positive feedback so far."""
        labels = np.array([SIGNAL_WEIGHTS[s][0] for s in signals], dtype=float)
        weights = np.array([SIGNAL_WEIGHTS[s][1] for s in signals], dtype=float)
        if (
            background is not None
            and background.shape[0]
            and labels.min(initial=1) == 1
        ):
            X = sp.vstack([X, background]).tocsr()
            labels = np.r_[labels, np.zeros(background.shape[0])]
            weights = np.r_[weights, np.full(background.shape[0], 0.2)]
        self.n_feedback_ = len(signals)
        if len(set(labels)) < 2:
            self.coef_ = sp.csr_matrix((1, features.N_FEATURES), dtype=np.float32)
            self.intercept_ = 0.0
            return self
        model = LogisticRegression(C=self.C, max_iter=200)
        model.fit(X, labels, sample_weight=weights)
        coef = model.coef_.ravel().astype(np.float32)
        keep = np.argsort(-np.abs(coef))[: self.max_terms]
        keep = keep[coef[keep] != 0]
        self.coef_ = sp.csr_matrix(
            (coef[keep], (np.zeros(len(keep), dtype=int), keep)),
            shape=(1, features.N_FEATURES),
        )
        self.intercept_ = float(model.intercept_[0])
        return self

    def decision_function(self, X: sp.csr_matrix) -> np.ndarray:
        """Centered score: positive means 'more like what the reader liked'."""
        return np.asarray((X @ self.coef_.T).todense()).ravel()

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            indices=self.coef_.indices.astype(np.int32),
            data=self.coef_.data.astype(np.float32),
            intercept=np.array([self.intercept_]),
            n_feedback=np.array([self.n_feedback_]),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> "PersonalModel":
        data = np.load(io.BytesIO(bytes(blob)), allow_pickle=False)
        model = cls()
        indices, values = data["indices"], data["data"]
        model.coef_ = sp.csr_matrix(
            (values, indices, np.array([0, len(indices)])),
            shape=(1, features.N_FEATURES),
        )
        model.intercept_ = float(data["intercept"][0])
        model.n_feedback_ = int(data["n_feedback"][0])
        return model
