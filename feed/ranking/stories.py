"""Near-duplicate clustering: which existing story (if any) each new article joins."""

import numpy as np
import scipy.sparse as sp

DEFAULT_THRESHOLD = 0.6


def match_stories(
    new: sp.csr_matrix,
    recent: sp.csr_matrix,
    recent_story_ids: np.ndarray,
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[int | None]:
    """For each new row, the story id of its most similar recent article when the
    cosine similarity reaches `threshold`; None starts a new story. Earlier rows of
    the same batch count as recent for later ones (returned as -(index + 1))."""
    n = new.shape[0]
    result: list[int | None] = [None] * n
    if n == 0:
        return result
    best_sim = np.zeros(n)
    if recent.shape[0]:
        sims = (new @ recent.T).toarray()
        best = sims.argmax(axis=1)
        best_sim = sims[np.arange(n), best]
        for i in range(n):
            if best_sim[i] >= threshold:
                result[i] = int(recent_story_ids[best[i]])
    within = (new @ new.T).toarray()
    for i in range(n):
        earlier = within[i, :i]
        if earlier.size and earlier.max() >= threshold and earlier.max() > best_sim[i]:
            j = int(earlier.argmax())
            result[i] = result[j] if result[j] is not None else -(j + 1)
    return result
