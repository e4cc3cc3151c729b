"""The personal model learns from a reader's feedback, and stays small."""

import io

import numpy as np
import pytest
from ranking_factories import CHIPS_WORDS, GENERAL_WORDS, TRADE_WORDS, make_document
from scipy.sparse import vstack

from feed.ranking import features
from feed.ranking.features import Document
from feed.ranking.personal import PersonalModel


def documents(words, n, seed):
    rng = np.random.default_rng(seed)
    return [make_document(rng, words, topic_share=0.6) for _ in range(n)]


def test_liked_kinds_rise_and_disliked_kinds_sink():
    liked = features.transform(documents(CHIPS_WORDS, 6, 1))
    disliked = features.transform(documents(TRADE_WORDS, 6, 2))
    background = features.transform(documents((), 100, 3))
    X = features.transform(
        documents(CHIPS_WORDS, 20, 4)
        + documents(TRADE_WORDS, 20, 5)
        + documents((), 20, 6)
    )
    model = PersonalModel().fit(
        vstack([liked, disliked]), ["like"] * 6 + ["dislike"] * 6, background
    )
    scores = model.decision_function(X)
    chips, trade, general = scores[:20], scores[20:40], scores[40:]
    assert chips.min() > general.max() > -1
    assert trade.max() < general.min()
    assert abs(np.median(model.decision_function(background))) < 1e-6


def test_only_likes_use_the_background_as_negatives():
    liked = features.transform(documents(CHIPS_WORDS, 3, 1))
    background = features.transform(documents((), 100, 3))
    model = PersonalModel().fit(liked, ["like", "save", "open"], background)
    new = features.transform(documents(CHIPS_WORDS, 5, 9) + documents((), 5, 10))
    scores = model.decision_function(new)
    assert scores[:5].min() > scores[5:].max()


def test_only_dislikes_push_their_kind_below_the_rest_of_the_feed():
    disliked = features.transform(documents(TRADE_WORDS, 4, 2))
    background = features.transform(documents((), 50, 3))
    model = PersonalModel().fit(disliked, ["dislike", "hide"] * 2, background)
    new = features.transform(documents(TRADE_WORDS, 5, 9) + documents((), 5, 10))
    scores = model.decision_function(new)
    assert scores[:5].max() < scores[5:].min()


def test_only_dislikes_without_a_background_fit_no_model():
    disliked = features.transform(documents(TRADE_WORDS, 4, 2))
    model = PersonalModel().fit(disliked, ["dislike"] * 4)
    assert not model.decision_function(disliked).any()


def both_or_one(n: int, seed: int) -> list[dict[str, float]]:
    """Topic scores of n articles: the first half about topics a and b, the second
    half about a only (probabilities jittered)."""
    rng = np.random.default_rng(seed)
    half = n // 2
    return [
        {"a": float(rng.uniform(0.7, 1)), "b": float(rng.uniform(0.6, 1))}
        for _ in range(half)
    ] + [{"a": float(rng.uniform(0.7, 1))} for _ in range(n - half)]


def test_topic_probabilities_carry_a_preference_the_words_do_not_show():
    # Every text is drawn from the same general words: only the topic scores tell
    # the liked kind (about a and b) from the disliked kind (about a alone).
    rated = features.transform(documents((), 12, 1))
    signals = ["like"] * 6 + ["dislike"] * 6
    background = features.transform(documents((), 60, 2))
    model = PersonalModel().fit(
        rated,
        signals,
        background,
        topic_scores=both_or_one(12, 3),
        background_topic_scores=both_or_one(60, 4),
    )
    new = features.transform(documents((), 20, 5))
    new_topics = both_or_one(20, 6)
    scores = model.decision_function(new, new_topics)
    assert scores[:10].min() > scores[10:].max()
    # Without the topic scores the same words say nothing about the preference.
    words_only = PersonalModel().fit(rated, signals, background)
    plain = words_only.decision_function(new)
    assert not plain[:10].min() > plain[10:].max()
    contributions = model.topic_contributions(new_topics[0])
    assert contributions["b"] > 0
    assert contributions["b"] > contributions["a"]


def fitted_on_topics():
    """Eight rows of general words, liked when about a and b (both_or_one)."""
    X = features.transform(documents((), 8, 1))
    topic_scores = both_or_one(8, 2)
    model = PersonalModel().fit(
        X, ["like"] * 4 + ["dislike"] * 4, X, topic_scores=topic_scores,
        background_topic_scores=topic_scores,
    )  # fmt: skip
    return model, X, topic_scores


def test_topic_weights_survive_the_byte_round_trip():
    model, X, topic_scores = fitted_on_topics()
    restored = PersonalModel.from_bytes(model.to_bytes())
    assert restored.topic_keys_ == ["a", "b"]
    np.testing.assert_allclose(
        restored.decision_function(X, topic_scores),
        model.decision_function(X, topic_scores),
        rtol=1e-5,
    )


def test_a_model_stored_before_topic_features_still_loads():
    X = features.transform(documents(CHIPS_WORDS, 4, 1) + documents(TRADE_WORDS, 4, 2))
    model = PersonalModel().fit(X, ["like"] * 4 + ["dislike"] * 4, X)
    blob = io.BytesIO()
    keep = np.flatnonzero(model.coef_)
    np.savez_compressed(  # the format as it was, without topic_keys / topic_coef
        blob,
        indices=keep.astype(np.int32),
        values=model.coef_[keep].astype(np.float16),
        scalars=np.array([model.intercept_, model.center_, model.scale_]),
        n_feedback=np.array([model.n_feedback_]),
    )
    old = PersonalModel.from_bytes(blob.getvalue())
    assert old.topic_keys_ == []
    np.testing.assert_allclose(
        old.decision_function(X, [{"t1": 0.9}] * 8),
        model.decision_function(X),
        rtol=1e-5,
    )


def test_topic_scores_must_cover_every_row():
    X = features.transform(documents((), 4, 1))
    with pytest.raises(ValueError, match="3 topic score rows for 4"):
        PersonalModel().fit(X, ["like"] * 2 + ["dislike"] * 2, topic_scores=[{}] * 3)


def test_size_stays_bounded_however_much_feedback():
    rng = np.random.default_rng(0)
    rare = [f"w{i}" for i in range(5000)]
    vocabulary = [*GENERAL_WORDS, *CHIPS_WORDS, *TRADE_WORDS, *rare]

    def text(n):
        return " ".join(rng.choice(vocabulary, n))

    docs = [Document(text(8), text(60)) for _ in range(800)]
    X = features.transform(docs)
    signals = ["like" if i % 3 else "dislike" for i in range(800)]
    model = PersonalModel().fit(X, signals, X[:200])
    assert model.n_feedback_ == 500  # max_events
    assert np.count_nonzero(model.coef_) <= 20_000
    assert len(model.to_bytes()) < 1_000_000


def test_scores_survive_the_byte_round_trip():
    X = features.transform(documents(CHIPS_WORDS, 4, 1) + documents(TRADE_WORDS, 4, 2))
    model = PersonalModel().fit(X, ["like"] * 4 + ["dislike"] * 4, X)
    restored = PersonalModel.from_bytes(model.to_bytes())
    np.testing.assert_allclose(
        restored.decision_function(X), model.decision_function(X), rtol=1e-5
    )
    assert restored.n_feedback_ == 8


def test_unknown_signals_are_refused():
    X = features.transform([Document("a", "")])
    with pytest.raises(ValueError, match="love"):
        PersonalModel().fit(X, ["love"])


def test_topic_probabilities_are_softened_so_that_saturated_ones_still_differ():
    model = PersonalModel()
    model.topic_keys_, model.topic_softening_ = ["a", "b"], 2.0
    rows = model._topic_matrix([{"a": 0.5, "b": 0.8}, {"a": 1.0}, {}])
    # sigmoid(logit(p) / 2) = 1 / (1 + sqrt((1 - p) / p)); 1.0 is stored precision
    # 0.9999; a missing topic stays 0; then the product, all times TOPIC_SCALE 0.5
    saturated = 1 / (1 + np.sqrt(1e-4 / 0.9999))
    expected = 0.5 * np.array(
        [[0.5, 1 / 1.5, 0.5 / 1.5], [saturated, 0.0, 0.0], [0.0, 0.0, 0.0]]
    )
    np.testing.assert_allclose(rows, expected, rtol=1e-5)


def test_a_model_stored_before_the_softening_keeps_raw_probabilities():
    model, _, _ = fitted_on_topics()
    stored = dict(np.load(io.BytesIO(model.to_bytes())))
    del stored["topic_softening"]
    blob = io.BytesIO()
    np.savez_compressed(blob, **stored)
    old = PersonalModel.from_bytes(blob.getvalue())
    assert old.topic_softening_ == 1.0
    np.testing.assert_allclose(
        old._topic_matrix([{"a": 0.8, "b": 0.5}]), [[0.4, 0.25, 0.2]], rtol=1e-6
    )
