"""Near-duplicate clustering: which existing story (if any) each new article joins.

Similarity is the cosine of the shared features re-weighted by inverse document
frequency computed over the comparison window itself (the new articles and the
recent ones they are compared with). Words that many articles of the window share
("roundup", "market talk", a feed's boilerplate) count little; names and rare
words that two reports of one event share count a lot. No state to store, and it
adapts to whatever the window holds. Django-free.

On the shared corpus, window-IDF cosines of the same event told by two outlets are
mostly 0.4-0.55 (templated series of different items fall to ~0.35; the same item
re-published is above 0.9, and a sentence added keeps it above 0.85), hence the
default threshold of 0.4.

Two rules keep apart what words alone would join. Two articles of one source are
one story only when one re-publishes the other: an outlet does not report an
event twice, but its series ("Wordle answer for March 9", "… March 10") read
alike. And titles that both carry numbers and share none tell different events
("Magnitude 6.1 earthquake strikes Japan", "Magnitude 6.4 earthquake strikes
Chile").
"""

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from feed.ranking import features

DEFAULT_THRESHOLD = 0.4
SAME_SOURCE_THRESHOLD = 0.85
_NUMBER = re.compile(r"\b(\d+(?:[.,]\d+)*)(?:st|nd|rd|th)?\b")


@dataclass(frozen=True)
class Item:
    """What clustering reads of an article besides its features."""

    source_id: int
    title: str


def window_idf(*matrices: sp.csr_matrix) -> np.ndarray:
    """Smoothed IDF of every column over the rows of `matrices` together (the
    logarithm is taken only for the columns that occur: most of the 2**18 never
    do, and share one value)."""
    n = sum(m.shape[0] for m in matrices)
    df = np.bincount(
        np.concatenate([m.indices for m in matrices]), minlength=matrices[0].shape[1]
    )
    idf = np.full(len(df), np.log(1 + n) + 1.0, dtype=np.float32)
    present = np.flatnonzero(df)
    idf[present] = np.log((1 + n) / (1 + df[present])) + 1.0
    return idf


def _weighted(X: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """X with every column scaled by its IDF, rows L2-normalised."""
    data = X.data.astype(np.float32) * idf[X.indices]
    weighted = sp.csr_matrix((data, X.indices, X.indptr), shape=X.shape)
    features.normalise_rows(weighted)
    return weighted


def _drop_unlikely(
    sims: np.ndarray,
    rows: Sequence[Item],
    columns: Sequence[Item],
    *,
    threshold: float,
    same_source_threshold: float,
) -> None:
    """Zero the similarities of pairs that reach `threshold` but that the rules of
    the module docstring keep apart."""
    same_source = np.equal.outer(
        np.array([r.source_id for r in rows]), np.array([c.source_id for c in columns])
    )
    sims[same_source & (sims < same_source_threshold)] = 0.0
    for i, j in zip(*np.nonzero(sims >= threshold), strict=True):
        a, b = _numbers(rows[i].title), _numbers(columns[j].title)
        if a and b and not a & b:
            sims[i, j] = 0.0


@functools.lru_cache(maxsize=4096)
def _numbers(title: str) -> frozenset[str]:
    return frozenset(n.replace(",", "") for n in _NUMBER.findall(title))


def match_stories(
    new: sp.csr_matrix,
    recent: sp.csr_matrix,
    recent_story_ids: np.ndarray,
    *,
    new_items: Sequence[Item],
    recent_items: Sequence[Item],
    threshold: float = DEFAULT_THRESHOLD,
    same_source_threshold: float = SAME_SOURCE_THRESHOLD,
    idf: np.ndarray | None = None,
) -> list[int | None]:
    """For each new row, the story id of its most similar recent article when the
    similarity reaches `threshold` (`same_source_threshold` for an article of the
    same source) and the titles' numbers agree; None starts a new story. Earlier
    rows of the same batch count as recent for later ones: a row that joins the
    story an earlier, story-less row of the batch starts gets -(index of that row
    + 1). `idf` defaults to the window's own (new + recent rows)."""
    n = new.shape[0]
    result: list[int | None] = [None] * n
    if n == 0:
        return result
    if idf is None:
        idf = window_idf(new, recent)
    new_w = _weighted(new, idf)
    best_sim = np.zeros(n)
    if recent.shape[0]:
        sims = (new_w @ _weighted(recent, idf).T).toarray()
        _drop_unlikely(
            sims,
            new_items,
            recent_items,
            threshold=threshold,
            same_source_threshold=same_source_threshold,
        )
        best = sims.argmax(axis=1)
        best_sim = sims[np.arange(n), best]
        for i in np.flatnonzero(best_sim >= threshold):
            result[i] = int(recent_story_ids[best[i]])
    within = np.tril((new_w @ new_w.T).toarray(), -1)
    _drop_unlikely(
        within,
        new_items,
        new_items,
        threshold=threshold,
        same_source_threshold=same_source_threshold,
    )
    for i in range(1, n):
        earlier = within[i, :i]
        j = int(earlier.argmax())
        if earlier[j] >= threshold and earlier[j] > best_sim[i]:
            result[i] = result[j] if result[j] is not None else -(j + 1)
    return result
