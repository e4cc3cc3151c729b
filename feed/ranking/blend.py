"""Blend topic, personal, recency and source signals into one score, then diversify.

All weights live in BlendWeights; score_candidates returns each part separately so
that explanations read the same numbers the ranking used. Django-free.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class BlendWeights:
    topic: float = 1.0
    personal: float = 0.6
    recency: float = 0.35
    half_life_hours: float = 24.0
    source_prior: float = 1.0
    per_source_cap: int = 3  # at most this many cards from one source per page of 10


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
    topic = w.topic * c.topic_probs * c.follow_weights[np.newaxis, :]
    personal = w.personal * np.tanh(c.personal)
    recency = w.recency * np.power(0.5, np.maximum(c.age_hours, 0) / w.half_life_hours)
    prior = w.source_prior * c.source_prior
    total = topic.sum(axis=1) + personal + recency + prior
    return Scored(
        total=total, topic=topic, personal=personal, recency=recency, prior=prior
    )


def diversify(
    order: np.ndarray, c: Candidates, *, per_source_cap: int, window: int = 10
) -> list[int]:
    """Positions in display order: one per story, and no more than `per_source_cap`
    cards from one source in any run of `window`; held-back cards come later."""
    seen_stories: set[int] = set()
    result: list[int] = []
    held: list[int] = []
    for position in order:
        story = int(c.story_ids[position])
        if story in seen_stories:
            continue
        seen_stories.add(story)
        held.append(int(position))
        still_held: list[int] = []
        for candidate in held:
            recent = result[-(window - 1) :] if window > 1 else []
            same_source = sum(
                1 for p in recent if c.source_ids[p] == c.source_ids[candidate]
            )
            if same_source < per_source_cap:
                result.append(candidate)
            else:
                still_held.append(candidate)
        held = still_held
    return result + held


def rank(c: Candidates, w: BlendWeights) -> tuple[list[int], Scored]:
    scored = score_candidates(c, w)
    order = np.lexsort((-c.ids, -scored.total))  # ties: newer id first
    return diversify(order, c, per_source_cap=w.per_source_cap), scored
