"""The one-line reason shown with every feed item."""

import numpy as np

from feed.ranking import explain, features
from feed.ranking.blend import Scored
from feed.ranking.features import Document
from feed.ranking.topics import TopicClassifier, TopicSpec


def scored(topic, personal=0.0, recency=0.0):
    return Scored(
        total=np.array([0.0]),
        topic=np.array([topic]),
        personal=np.array([personal]),
        recency=np.array([recency]),
        prior=np.array([0.0]),
    )


def test_names_topic_terms_and_liked_similar():
    line = explain.why(
        scored([0.9, 0.1], personal=0.4),
        0,
        topic_names=["Chips", "Trade policy"],
        matched_terms=["Nvidia", "export controls"],
        liked_similar=3,
    )
    assert (
        line == "Chips · matches Nvidia, export controls · you liked 3 similar stories"
    )


def test_names_two_topics_when_both_count():
    line = explain.why(scored([0.6, 0.9]), 0, topic_names=["Chips", "Trade policy"])
    assert line == "Trade policy + Chips"


def test_falls_back_to_recent_or_sources():
    assert explain.why(scored([0.0], recency=0.3), 0, topic_names=["AI"]) == "recent"
    assert explain.why(scored([0.0]), 0, topic_names=["AI"]) == "from your sources"


def test_personal_lift_from_liked_topics():
    line = explain.why(
        scored([0.8], personal=0.5),
        0,
        topic_names=["AI"],
        liked_topics=["Chips", "Trade policy"],
    )
    assert line == "AI · you like Chips + Trade policy stories"


def test_names_the_topics_the_reader_marked():
    line = explain.why(
        scored([1.0]), 0, topic_names=["Trade policy"], marked_topics=["Trade policy"]
    )
    assert line == "Trade policy · you marked it Trade policy"


def test_liked_topics_are_those_the_personal_model_rewards_most():
    names = {"t1": "AI", "t2": "Chips", "t3": "Trade policy"}
    contributions = {"t1": 0.2, "t2": 0.9, "t3": -0.4, "t9": 2.0}
    # t9 is a topic the reader cannot see (someone else's): never named.
    assert explain.liked_topics(contributions, names) == ["Chips", "AI"]
    assert explain.liked_topics({"t1": 0.1, "t3": -1.0}, names) == []


def test_personal_lift_without_a_count():
    line = explain.why(scored([0.0], personal=0.5), 0, topic_names=["AI"])
    assert line == "close to what you liked"


def test_matched_terms_are_the_words_that_weighed_most_as_written(matrix):
    spec = TopicSpec("trade", "Trade policy", seed_terms=("tariff", "export controls"))
    model = TopicClassifier().fit(matrix, spec)
    doc = Document("New export controls and tariffs", "football weather tariffs")
    terms = explain.matched_terms(doc, model)
    assert terms[:2] == ["export controls", "tariffs"]


def test_count_similar_counts_liked_rows_above_the_threshold():
    liked = features.transform(
        [Document("nvidia gpu export", ""), Document("football match", "")]
    )
    rows = features.transform(
        [Document("nvidia gpu export curbs", ""), Document("weather", "")]
    )
    assert explain.count_similar(liked, rows).tolist() == [1, 0]
    assert explain.count_similar(liked[:0], rows).tolist() == [0, 0]
    assert explain.count_similar(liked, rows[:0]).tolist() == []
    excluded = np.ones((rows.shape[0], liked.shape[0]), dtype=bool)
    assert explain.count_similar(liked, rows, exclude=excluded).tolist() == [0, 0]
