"""Topic classifiers learned from seed terms and unlabelled articles."""

import numpy as np
import pytest

from feed.ranking import features, metrics
from feed.ranking.features import Document
from feed.ranking.topics import (
    SeedPhrases,
    TopicBank,
    TopicClassifier,
    TopicSpec,
    probability_columns,
    top_terms,
)

CHIPS = TopicSpec("chips", "Chips", seed_terms=("semiconductor", "chip", "foundry"))
TRADE = TopicSpec("trade", "Trade policy", seed_terms=("tariff", "customs duties"))


@pytest.fixture(scope="module")
def fitted(matrix):
    return {spec.slug: TopicClassifier().fit(matrix, spec) for spec in (CHIPS, TRADE)}


def ap_for(probabilities, relevant):
    order = np.argsort(-probabilities, kind="stable")
    return metrics.average_precision(relevant[order].astype(int))


def test_topic_model_finds_the_topics_articles(corpus, matrix, fitted):
    _, kinds = corpus
    for spec in (CHIPS, TRADE):
        probabilities = fitted[spec.slug].predict_proba(matrix)
        assert ap_for(probabilities, kinds == spec.slug) > 0.95


def test_context_lifts_articles_that_use_none_of_the_seed_terms(fitted):
    model = fitted["chips"]
    only_context = Document("nvidia gpu wafer tsmc lithography", "asml processor")
    ordinary = Document("city council football", "weather museum bakery")
    p_context, p_ordinary = model.predict_proba(
        features.transform([only_context, ordinary])
    )
    assert p_context > 0.5 > p_ordinary


def test_probabilities_are_calibrated_ish(corpus, matrix, fitted):
    _, kinds = corpus
    probabilities = fitted["trade"].predict_proba(matrix)
    on_topic, off_topic = (
        probabilities[kinds == "trade"],
        probabilities[kinds != "trade"],
    )
    assert np.median(on_topic) > 0.8
    assert np.median(off_topic) < 0.05
    # about as many articles above one half as there are trade articles (60)
    assert 45 <= np.count_nonzero(probabilities > 0.5) <= 80


def test_a_sparse_user_topic_works_from_three_words(corpus, matrix):
    _, kinds = corpus
    spec = TopicSpec("quantum-computing", "Quantum computing", seed_terms=("qubit",))
    probabilities = TopicClassifier().fit(matrix, spec).predict_proba(matrix)
    assert ap_for(probabilities, kinds == "quantum") > 0.9


def test_without_background_the_seed_view_alone_scores():
    empty = features.empty()
    model = TopicClassifier().fit(empty, TRADE)
    X = features.transform(
        [Document("New tariffs on steel", ""), Document("Football results", "")]
    )
    p_trade, p_other = model.predict_proba(X)
    assert p_trade > 0.5 > p_other


def test_predictions_survive_the_byte_round_trip(matrix, fitted):
    model = fitted["chips"]
    restored = TopicClassifier.from_bytes(model.to_bytes())
    np.testing.assert_allclose(
        restored.predict_proba(matrix), model.predict_proba(matrix), atol=2e-3
    )
    assert restored.seeds_.phrases == model.seeds_.phrases
    assert len(model.to_bytes()) < 1_000_000


def test_term_contributions_add_up_to_the_score(fitted):
    model = fitted["chips"]
    doc = Document("New semiconductor foundry opens", "nvidia gpu wafer supply")
    contributions = model.term_contributions(doc)
    logit = model.slope_ * model.decision_function(features.transform([doc]))[0]
    assert sum(contributions.values()) + model.slope_ * model.intercept_ == (
        pytest.approx(logit, abs=1e-3)
    )
    assert top_terms(contributions, k=2)[0] in {"semiconductor", "foundry"}


def test_seed_phrases_include_name_parts_once():
    spec = TopicSpec("c", "Climate & energy", seed_terms=("energy", "net zero"))
    assert spec.seed_phrases() == ("energy", "net zero", "Climate")
    assert TopicSpec("x", "Chips", seed_terms=("chip",)).seed_phrases() == ("chip",)


def test_stated_topicality_moves_the_context_model(corpus, matrix, fitted):
    docs, kinds = corpus
    # readers say the quantum articles are about chips too
    quantum = matrix[kinds == "quantum"][:10]
    plain = fitted["chips"]
    told = TopicClassifier().fit(
        matrix, CHIPS, feedback=(quantum, np.ones(quantum.shape[0], bool))
    )
    unseen = matrix[kinds == "quantum"][10:]
    lift = told.decision_function(unseen) - plain.decision_function(unseen)
    assert lift.mean() > 1.0  # log-odds
    general = matrix[kinds == "general"]
    assert (
        abs((told.decision_function(general) - plain.decision_function(general)).mean())
        < 0.5
    )


def test_probability_columns_put_each_stored_probability_in_its_column():
    rows = [{"t1": 0.5, "t9": 0.2}, {}, {"t3": 1.0, "t1": 0.07}]
    table = probability_columns(rows, ["t1", "t3"])
    assert table.tolist() == [[0.5, 0.0], [0.0, 0.0], [0.07, 1.0]]
    assert probability_columns([], ["t1"]).shape == (0, 1)
    assert probability_columns(rows, []).shape == (3, 0)


def test_a_bank_of_classifiers_gives_each_ones_own_probabilities(matrix, fitted):
    # "chip" serves two topics here, and one classifier is the seed view alone.
    hardware = TopicSpec("hw", "Hardware", seed_terms=("chip", "gpu", "wafer"))
    classifiers = [
        fitted["chips"],
        fitted["trade"],
        TopicClassifier().fit(matrix, hardware),
        TopicClassifier().fit(features.empty(), TRADE),
    ]
    together = TopicBank(classifiers).predict_proba(matrix)
    one_by_one = np.column_stack([c.predict_proba(matrix) for c in classifiers])
    assert together.shape == (matrix.shape[0], 4)
    np.testing.assert_allclose(together, one_by_one, rtol=1e-5, atol=1e-7)
    assert TopicBank([]).predict_proba(matrix).shape == (matrix.shape[0], 0)


def test_phrases_sharing_a_column_are_each_present():
    chip = features.phrase_columns("chip")
    seeds = SeedPhrases(
        ("chip", "chip again"),
        np.array([0, len(chip), 2 * len(chip)]),
        np.array(chip + chip),
    )
    presence = seeds.presence(features.transform([Document("A chip", "")]))
    assert presence.shape == (1, 2)
    assert presence[0, 0] > 0 and presence[0, 0] == presence[0, 1]
