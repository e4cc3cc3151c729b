"""Ranking metrics over graded relevance lists (best-first order). Django-free."""

from collections.abc import Sequence

import numpy as np


def dcg_at_k(grades: Sequence[float], k: int) -> float:
    gains = np.asarray(grades, dtype=float)[:k]
    if gains.size == 0:
        return 0.0
    discounts = np.log2(np.arange(2, gains.size + 2))
    return float(np.sum((2.0**gains - 1.0) / discounts))


def ndcg_at_k(grades: Sequence[float], k: int) -> float:
    """nDCG@k with exponential gain; the ideal order is the grades sorted descending."""
    ideal = dcg_at_k(sorted(grades, reverse=True), k)
    return dcg_at_k(grades, k) / ideal if ideal > 0 else 0.0


def precision_at_k(grades: Sequence[float], k: int, *, threshold: float = 1) -> float:
    top = list(grades)[:k]
    return sum(g >= threshold for g in top) / k if k else 0.0


def average_precision(grades: Sequence[float], *, threshold: float = 1) -> float:
    """Mean of precision at each relevant position (relevant: grade >= threshold)."""
    hits = 0
    total = 0.0
    for position, grade in enumerate(grades, start=1):
        if grade >= threshold:
            hits += 1
            total += hits / position
    return total / hits if hits else 0.0
