"""Blending scores and diversifying the page."""

import numpy as np
import pytest

from feed.ranking.blend import BlendWeights, Candidates, cap_per_source, rank


def candidates(n, **arrays):
    values = {
        "ids": np.arange(n),
        "topic_probs": np.zeros((n, 1)),
        "follow_weights": np.ones(1),
        "personal": np.zeros(n),
        "age_hours": np.zeros(n),
        "source_ids": np.arange(n),
        "story_ids": np.arange(n),
        "source_prior": np.zeros(n),
    }
    values.update(arrays)
    return Candidates(**values)


def test_followed_topics_rank_by_follow_weight_times_probability():
    c = candidates(
        3,
        topic_probs=np.array([[0.9, 0.0], [0.0, 0.9], [0.5, 0.5]]),
        follow_weights=np.array([1.0, 0.3]),
    )
    order, scored = rank(c, BlendWeights(recency=0))
    # 0.9*1, 0.9*0.3 = 0.27, 0.5*1 + 0.5*0.3 = 0.65
    assert order == [0, 2, 1]
    assert scored.topic[2] == pytest.approx([0.5, 0.15])


def test_without_a_personal_model_recency_breaks_topic_ties():
    c = candidates(2, topic_probs=np.ones((2, 1)), age_hours=np.array([48.0, 0.0]))
    order, scored = rank(c, BlendWeights(recency=0.35, half_life_hours=24))
    assert order == [1, 0]
    # two half-lives: 0.35 / 4
    assert scored.recency[0] == pytest.approx(0.0875)


def test_personal_score_lifts_liked_kinds_within_a_topic():
    c = candidates(2, topic_probs=np.ones((2, 1)), personal=np.array([-1.0, 1.0]))
    order, _ = rank(c, BlendWeights())
    assert order == [1, 0]


def test_one_card_per_story_keeps_the_best_scored_article():
    c = candidates(
        4,
        topic_probs=np.array([[0.2], [0.9], [0.8], [0.1]]),
        story_ids=np.array([7, 5, 7, 5]),
    )
    order, _ = rank(c, BlendWeights(recency=0))
    assert order == [1, 2]


def test_per_source_cap_holds_back_the_fourth_card_of_a_source():
    sources = np.array([1, 1, 1, 1, 2, 3])
    c = candidates(6, topic_probs=np.linspace(1, 0.5, 6)[:, None], source_ids=sources)
    order, _ = rank(c, BlendWeights(recency=0, per_source_cap=3, source_window=5))
    assert order == [0, 1, 2, 4, 5, 3]


def test_capped_cards_come_back_once_the_window_moves_on():
    order = cap_per_source(
        np.arange(7), np.array([1, 1, 2, 2, 2, 3, 4]), cap=1, window=2
    )
    # every run of 2 cards holds at most 1 per source
    assert order == [0, 2, 1, 3, 5, 4, 6]


def test_cap_zero_keeps_rank_order():
    order = cap_per_source(np.array([2, 0, 1]), np.zeros(3), cap=0, window=10)
    assert order == [2, 0, 1]


def test_a_single_dominant_source_still_lists_every_card():
    c = candidates(50, topic_probs=np.ones((50, 1)), source_ids=np.zeros(50))
    order, _ = rank(c, BlendWeights())
    assert sorted(order) == list(range(50))


@pytest.mark.parametrize("limit", [0, 1, 7, 21, 150, 400])
def test_a_limited_ranking_is_the_start_of_the_whole_one(limit):
    # Few sources and shared stories, so the cap and the story merging both act.
    rng = np.random.default_rng(3)
    n = 300
    c = candidates(
        n,
        topic_probs=rng.random((n, 1)),
        source_ids=rng.zipf(1.6, n) % 6,
        story_ids=rng.integers(0, 220, n),
    )
    whole, _ = rank(c, BlendWeights())
    first, _ = rank(c, BlendWeights(), limit=limit)
    assert first == whole[:limit]
    assert len(whole) < 300  # stories were merged
