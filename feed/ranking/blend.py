"""Blend topic, personal, recency and source signals into one score, then diversify.

score = topic · Σ_t follow_weight_t · p_t          (followed topics' probabilities)
      + personal · tanh(personal model score)      (0 without a personal model)
      + recency · 0.5 ** (age / half_life)
      + source_prior · prior of the article's source

All weights live in BlendWeights; score_candidates returns each part separately so
that explanations read the same numbers the ranking used. Diversity: one card per
story (its best-scored article), and at most `per_source_cap` cards from one source
in any run of `source_window` consecutive cards (held-back cards come back as soon
as the cap allows). Django-free.
"""

from collections import Counter, deque
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class BlendWeights:
    topic: float = 1.0
    personal: float = 0.6
    recency: float = 0.35
    half_life_hours: float = 24.0
    source_prior: float = 1.0
    per_source_cap: int = 3  # cards from one source per run of source_window; 0: off
    source_window: int = 10


@dataclass(frozen=True)
class Candidates:
    """Parallel arrays over n candidate articles and t followed topics."""

    ids: np.ndarray  # (n,) article ids
    topic_probs: np.ndarray  # (n, t) probability per followed topic
    follow_weights: np.ndarray  # (t,)
    personal: np.ndarray  # (n,) personal model score, 0 when there is none
    age_hours: np.ndarray  # (n,)
    source_ids: np.ndarray  # (n,)
    story_ids: np.ndarray  # (n,)
    source_prior: np.ndarray  # (n,)


@dataclass(frozen=True)
class Scored:
    total: np.ndarray  # (n,)
    topic: np.ndarray  # (n, t) weighted contribution of each followed topic
    personal: np.ndarray  # (n,)
    recency: np.ndarray  # (n,)
    prior: np.ndarray  # (n,)


def score_candidates(c: Candidates, w: BlendWeights) -> Scored:
    probs = np.asarray(c.topic_probs, dtype=np.float64).reshape(len(c.ids), -1)
    follow = np.asarray(c.follow_weights, dtype=np.float64).reshape(-1)
    topic = w.topic * probs * follow[np.newaxis, :]
    personal = w.personal * np.tanh(np.asarray(c.personal, dtype=np.float64))
    age = np.maximum(np.asarray(c.age_hours, dtype=np.float64), 0.0)
    recency = w.recency * np.exp2(-age / w.half_life_hours)
    prior = w.source_prior * np.asarray(c.source_prior, dtype=np.float64)
    total = topic.sum(axis=1) + personal + recency + prior
    return Scored(
        total=total, topic=topic, personal=personal, recency=recency, prior=prior
    )


def one_per_story(order: np.ndarray, story_ids: np.ndarray) -> np.ndarray:
    """`order` without the later articles of stories already present."""
    order = np.asarray(order)
    if order.size == 0:
        return order
    _, first = np.unique(np.asarray(story_ids)[order], return_index=True)
    return order[np.sort(first)]


def cap_per_source(
    order: np.ndarray,
    source_ids: np.ndarray,
    *,
    cap: int,
    window: int,
    limit: int | None = None,
) -> list[int]:
    """Re-order so that no `window` consecutive cards hold more than `cap` from one
    source. A card that would break the cap is held back and placed as soon as it
    fits, ahead of lower-ranked cards; when nothing fits, rank order wins.
    `limit`: only the first this many cards are wanted (cards are placed in order
    and never moved, so they are the first of the whole re-ordering)."""
    limit = len(order) if limit is None else min(limit, len(order))
    order = [int(p) for p in order]
    if cap <= 0 or window <= 1:
        return order[:limit]
    sources = np.asarray(source_ids)[order].tolist()
    placed: list[int] = []
    recent: deque = deque()  # sources of the last window - 1 cards
    in_window: Counter = Counter()
    held: dict[object, deque[int]] = {}  # source -> ranks held back, best first

    def place(rank: int) -> None:
        source = sources[rank]
        placed.append(order[rank])
        recent.append(source)
        in_window[source] += 1
        if len(recent) >= window:
            in_window[recent.popleft()] -= 1

    def best_held(*, fitting: bool) -> int | None:
        best = None
        for source, queue in held.items():
            if (not fitting or in_window[source] < cap) and (
                best is None or queue[0] < best
            ):
                best = queue[0]
        return best

    def release(rank: int) -> None:
        queue = held[sources[rank]]
        queue.popleft()
        if not queue:
            del held[sources[rank]]
        place(rank)

    for rank, source in enumerate(sources):
        if len(placed) >= limit:
            return placed[:limit]
        while held:
            ready = best_held(fitting=True)
            if ready is None:
                break
            release(ready)
        if in_window[source] < cap:
            place(rank)
        elif source in held:
            held[source].append(rank)
        else:
            held[source] = deque([rank])
    while held and len(placed) < limit:
        ready = best_held(fitting=True)
        release(ready if ready is not None else best_held(fitting=False))
    return placed[:limit]


def diversify(
    order: np.ndarray, c: Candidates, w: BlendWeights, *, limit: int | None = None
) -> list[int]:
    """Display positions: one card per story, then the per-source cap (the first
    `limit` cards only, when given)."""
    order = one_per_story(order, c.story_ids)
    return cap_per_source(
        order, c.source_ids, cap=w.per_source_cap, window=w.source_window, limit=limit
    )


def rank(
    c: Candidates, w: BlendWeights, *, limit: int | None = None
) -> tuple[list[int], Scored]:
    """(positions of the candidates in display order, the score's parts). With
    `limit`, only the first `limit` positions (a page and one more tells whether
    there is a next page): the same as the start of the whole order, cheaper."""
    scored = score_candidates(c, w)
    order = np.lexsort((-np.asarray(c.ids), -scored.total))  # ties: newer id first
    return diversify(order, c, w, limit=limit), scored
