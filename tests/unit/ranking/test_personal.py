"""The personal model learns from a reader's feedback, and stays small."""

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


def test_only_dislikes_fit_no_model():
    disliked = features.transform(documents(TRADE_WORDS, 4, 2))
    background = features.transform(documents((), 50, 3))
    model = PersonalModel().fit(disliked, ["dislike", "hide"] * 2, background)
    assert not model.decision_function(disliked).any()


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
