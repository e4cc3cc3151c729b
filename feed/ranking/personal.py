"""A reader's personal model: a small linear model learned from their feedback.

A class-balanced, L2-regularised logistic regression over the shared features,
refitted from the reader's most recent feedback events (a bounded window), so every
new signal counts on the very next request and the model never grows. Its score is
standardised against a sample of recent articles: 0 means "like a typical recent
article", +1 two standard deviations more like what the reader liked, -1 as much
more like what they disliked. That keeps the blend weight meaningful whatever the
number of events. Only the largest weights are kept (float16), which bounds the
stored size. Django-free.
"""

import io
import warnings
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
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
# Background articles stand in for the negatives, at this weight, while a reader
# has only given positive feedback. Only-negative feedback fits no model: a reader
# who follows AI and dislikes ten AI stories has not said "no AI" (and disliked
# articles leave the feed anyway).
BACKGROUND_WEIGHT = 0.2


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
    ) -> "PersonalModel":
        """Fit on feedback rows X (one per event, newest first) and their signals.
        `background`: a sample of recent articles the reader has not rated (a few
        hundred), used to standardise the score and as weak negatives while all
        feedback is positive."""
        X = sp.csr_matrix(X, dtype=np.float32)[: self.max_events]
        signals = list(signals)[: self.max_events]
        unknown = set(signals) - SIGNAL_WEIGHTS.keys()
        if unknown:
            raise ValueError(f"Unknown feedback signals: {sorted(unknown)}")
        labels = np.array([SIGNAL_WEIGHTS[s][0] for s in signals], dtype=int)
        weights = np.array([SIGNAL_WEIGHTS[s][1] for s in signals], dtype=float)
        has_background = background is not None and background.shape[0] > 0
        self.n_feedback_ = len(signals)
        self.coef_ = np.zeros(features.N_FEATURES, dtype=np.float32)
        self.intercept_ = 0.0
        self.center_, self.scale_ = 0.0, 1.0
        if len(signals) == 0:
            return self
        rows = X
        if len(set(labels)) < 2:
            if not has_background or labels[0] == 0:
                return self
            rows = sp.vstack([X, background]).tocsr()
            labels = np.r_[labels, np.zeros(background.shape[0], dtype=int)]
            weights = np.r_[weights, np.full(background.shape[0], BACKGROUND_WEIGHT)]
        # Fit on the columns these rows use (a few tens of thousands of 2**18):
        # the same model, several times faster.
        used = np.unique(rows.indices)
        compact = sp.csr_matrix(
            (rows.data, np.searchsorted(used, rows.indices), rows.indptr),
            shape=(rows.shape[0], len(used)),
        )
        model = LogisticRegression(C=self.C, class_weight="balanced", max_iter=500)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(compact, labels, sample_weight=weights)
        coef = model.coef_.ravel().astype(np.float32)
        keep = np.argsort(-np.abs(coef), kind="stable")[: self.max_terms]
        self.coef_[used[keep]] = coef[keep].astype(np.float16).astype(np.float32)
        self.intercept_ = float(model.intercept_[0])
        reference = background if has_background else X
        raw = self._raw(reference)
        spread = float(raw.std())
        self.center_ = float(np.median(raw))
        self.scale_ = 2.0 * spread if spread > 1e-9 else 1.0
        return self

    def _raw(self, X: sp.csr_matrix) -> np.ndarray:
        return np.asarray(X @ self.coef_, dtype=np.float64).ravel() + self.intercept_

    def decision_function(self, X: sp.csr_matrix) -> np.ndarray:
        """Standardised score: 0 is a typical recent article, positive is more like
        what the reader liked (about +1 at two standard deviations)."""
        if not self.n_feedback_ or not self.coef_.any():
            return np.zeros(X.shape[0])
        return (self._raw(X) - self.center_) / self.scale_

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
        return model
