"""Ranking metrics on cases worked out by hand (gain 2^g - 1, discount log2(rank+1))."""

import pytest

from feed.ranking.metrics import average_precision, dcg_at_k, ndcg_at_k, precision_at_k


def test_dcg_sums_exponential_gains_over_log_discounts():
    # (2^2-1)/log2(2) + (2^0-1)/log2(3) + (2^1-1)/log2(4) = 3 + 0 + 0.5
    assert dcg_at_k([2, 0, 1], 3) == pytest.approx(3.5)


def test_dcg_stops_at_k():
    # only the first item counts: (2^1-1)/1
    assert dcg_at_k([1, 2, 2], 1) == pytest.approx(1.0)


def test_ndcg_divides_by_the_ideal_order():
    # ideal [2, 1, 0]: 3 + 1/log2(3) = 3.6309298; 3.5 / 3.6309298 = 0.9639404
    assert ndcg_at_k([2, 0, 1], 3) == pytest.approx(0.9639404, abs=1e-6)


def test_ndcg_ideal_uses_all_grades_not_only_the_top_k():
    # top 2 of [0, 2, 2]: 0 + 3/log2(3) = 1.8927893; ideal [2, 2]: 3 + 1.8927893
    # 1.8927893 / 4.8927893 = 0.3868528
    assert ndcg_at_k([0, 2, 2], 2) == pytest.approx(0.3868528, abs=1e-6)


def test_ndcg_with_mixed_grades_at_three():
    # ranking [1, 0, 2]: 1 + 0 + 3/log2(4) = 2.5; ideal [2, 1, 0]: 3.6309298
    # 2.5 / 3.6309298 = 0.6885289
    assert ndcg_at_k([1, 0, 2], 3) == pytest.approx(0.6885289, abs=1e-6)


def test_ndcg_is_one_for_the_ideal_order_and_zero_without_relevant_items():
    assert ndcg_at_k([2, 1, 0, 0], 10) == pytest.approx(1.0)
    assert ndcg_at_k([0, 0, 0], 10) == 0.0


def test_precision_counts_grades_at_or_above_the_threshold():
    # [2, 0 | 1, 0]: one relevant of the top 2
    assert precision_at_k([2, 0, 1, 0], 2) == pytest.approx(0.5)
    # threshold 2: only the grade-2 item counts among 4
    assert precision_at_k([2, 0, 1, 0], 4, threshold=2) == pytest.approx(0.25)


def test_precision_divides_by_k_even_for_a_shorter_list():
    # 1 relevant, k = 3: 1/3
    assert precision_at_k([1], 3) == pytest.approx(1 / 3)


def test_average_precision_means_precision_at_each_relevant_rank():
    # relevant at ranks 1, 3, 6: (1/1 + 2/3 + 3/6) / 3 = 2.1666667 / 3 = 0.7222222
    assert average_precision([1, 0, 2, 0, 0, 1]) == pytest.approx(0.7222222, abs=1e-6)


def test_average_precision_without_relevant_items_is_zero():
    assert average_precision([0, 0, 0]) == 0.0
