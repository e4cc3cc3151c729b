"""Pieces of the offline evaluation, on tiny hand-made data."""

import json

import numpy as np
import pytest

from feed.ranking import evaluation
from feed.ranking.evaluation import CorpusArticle
from feed.ranking.topics import TopicSpec


def test_order_by_breaks_ties_like_the_blend():
    # equal scores: later position first, as blend.rank does with ids
    assert evaluation.order_by(np.array([0.5, 0.9, 0.5])).tolist() == [1, 2, 0]
    assert evaluation.feed_order(np.array([0.5, 0.9, 0.5])).tolist() == [1, 2, 0]


def test_target_grade_is_the_smallest_grade_over_the_liked_topics():
    labels = [{"ai": 2, "chips": 1}, {"ai": 2, "chips": 0}]
    assert evaluation.target_grades(labels, ("ai", "chips")).tolist() == [1, 0]


def test_rated_half_is_fixed_and_about_half():
    ids = [f"{i:040x}" for i in range(1000)]
    half = evaluation.rated_half(ids)
    assert np.array_equal(half, evaluation.rated_half(ids))
    assert 400 < half.sum() < 600
    other = evaluation.rated_half(ids, salt="halving 1:")
    assert 400 < other.sum() < 600
    assert 300 < (half != other).sum() < 700  # about independent of the first


def test_keyword_count_counts_phrases_in_order():
    articles = [
        CorpusArticle("a", "New tariffs", "tariff war and trade war", "x"),
        CorpusArticle("b", "War and trade", "", "x"),
    ]
    baselines = evaluation.Baselines(articles)
    spec = TopicSpec("trade", "Trade policy", seed_terms=("tariff", "trade war"))
    # a: tariff x2 + "trade war" once; b: the words, never in that order
    assert baselines.keyword_count(spec, np.array([0, 1])).tolist() == [3, 0]


def test_read_articles_keeps_the_first_of_each_id(tmp_path):
    path = tmp_path / "a.jsonl"
    rows = [
        {"id": "1", "title": "First", "summary": "s", "outlet": "O"},
        {"id": "1", "title": "Again", "summary": "", "outlet": "O"},
        {"id": "2", "title": "Second", "summary": None, "source": "feed.xml"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    articles = evaluation.read_articles([path])
    assert [(a.id, a.title, a.text, a.source) for a in articles] == [
        ("1", "First", "s", "O"),
        ("2", "Second", "", "feed.xml"),
    ]


def test_evaluate_skips_topics_the_labels_do_not_grade():
    articles = [
        CorpusArticle(f"{i}", f"tariff talks {i}", "trade war", "x") for i in range(30)
    ] + [CorpusArticle(f"g{i}", f"football {i}", "weather", "y") for i in range(30)]
    labels = [{"id": a.id, "trade": int(a.id.isdigit())} for a in articles]
    labels.append({"id": "missing", "trade": 2})
    report = evaluation.evaluate(articles, labels)
    assert list(report.cold_start) == ["trade"]
    assert report.feedback == {}
    assert report.n_labelled == 60
    assert report.n_unknown == 1
    assert report.cold_start["trade"]["tidings"].ap == 1.0
    assert "1 labels name unknown articles" in evaluation.format_report(report)


def test_labels_are_read_whatever_their_small_irregularities(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_bytes(
        "\ufeff".encode()
        + b'{"id": "a", "ai": 2, "chips": "1", "trade": 0.0, "note": "unsure"}\r\n'
        + b"\n"
        + b'{"id": 7, "ai": 0, "chips": 0, "trade": true}\n'
    )
    assert evaluation.read_labels(path) == [
        {"id": "a", "ai": 2.0, "chips": 1.0, "trade": 0.0},
        {"id": "7", "ai": 0.0, "chips": 0.0},
    ]


def test_a_labels_line_that_is_not_json_is_named(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_text('{"id": "a", "ai": 1}\n{"id": "b", "ai": \n')
    with pytest.raises(evaluation.LabelsError, match="line 2"):
        evaluation.read_labels(path)


def test_a_row_missing_one_grade_does_not_drop_the_topic():
    articles = [
        CorpusArticle(f"{i}", f"tariff talks {i}", "trade war", "x") for i in range(30)
    ] + [CorpusArticle(f"g{i}", f"football {i}", "weather", "y") for i in range(30)]
    labels = [{"id": a.id, "trade": int(a.id.isdigit())} for a in articles]
    labels[0] = {"id": labels[0]["id"]}  # the labeller skipped this one
    report = evaluation.evaluate(articles, labels)
    assert list(report.cold_start) == ["trade"]
    assert report.n_labelled == 59 and report.n_incomplete == 1
    assert "1 labels lack a grade" in evaluation.format_report(report)


def test_calibration_scores_against_the_base_rate():
    result = evaluation.calibration(np.array([0.9, 0.2, 0.1, 0.1]), [1, 1, 0, 0])
    # Brier: (0.01 + 0.64 + 0.01 + 0.01) / 4; base rate 0.5 everywhere: 0.25
    assert result.brier == pytest.approx(0.1675)
    assert result.base_rate == 0.5
    assert result.base_brier == pytest.approx(0.25)
    expected = -(np.log(0.9) + np.log(0.2) + 2 * np.log(0.9)) / 4
    assert result.log_loss == pytest.approx(expected)
    assert result.base_log_loss == pytest.approx(np.log(2))


def test_topic_oracle_orders_the_measured_half_by_the_liked_topics():
    ids = [f"{i:040x}" for i in range(40)]
    measured = np.flatnonzero(~evaluation.rated_half(ids))[:3]
    labels = [{"id": i, "ai": 0, "chips": 0} for i in ids]
    labels[measured[2]].update(ai=2, chips=1)  # the one target: grade min(2, 1)
    probabilities = {"ai": np.zeros(40), "chips": np.zeros(40)}
    # products 0.9, 0.5, 0.2 (0.4 * 0.5) for the three measured items: the target
    # comes third, DCG 1 / log2(4), ideal 1
    probabilities["ai"][measured] = [0.9, 0.5, 0.4]
    probabilities["chips"][measured] = [1.0, 1.0, 0.5]
    reader = evaluation.Reader("r", follows="ai", likes=("ai", "chips"))
    assert evaluation.topic_oracle(reader, probabilities, labels) == pytest.approx(0.5)
    probabilities["chips"][measured[2]] = 3.0  # product 1.2: first
    assert evaluation.topic_oracle(reader, probabilities, labels) == 1.0
