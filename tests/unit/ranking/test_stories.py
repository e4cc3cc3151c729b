"""Clustering near-duplicate articles into stories."""

import numpy as np
import scipy.sparse as sp

from feed.ranking import features
from feed.ranking.features import Document
from feed.ranking.stories import match_stories, window_idf

BACKGROUND = [
    Document("Council approves new bike lanes downtown", "The city council voted."),
    Document("Storm brings heavy rain to the coast", "Forecasters warn of floods."),
    Document("Local bakery wins national bread award", "The owners celebrated."),
    Document("Football club signs young striker", "The fee was not disclosed."),
    Document("Museum opens exhibition of modern art", "Tickets go on sale today."),
    Document("Airport expands terminal to cope with demand", "Work starts in May."),
]


def vectors(*docs):
    return features.transform(list(docs))


def test_the_same_event_from_another_outlet_joins_its_story():
    recent = vectors(
        Document(
            "Netherlands restricts exports of ASML chip machines to China",
            "The Dutch government announced new export licence rules for ASML "
            "machines shipped to China.",
        ),
        *BACKGROUND,
    )
    story_ids = np.array([101, 1, 2, 3, 4, 5, 6])
    new = vectors(
        Document(
            "Dutch restrict exports of ASML chipmaking machines to China",
            "The Netherlands will require export licences for ASML machines shipped "
            "to China, the government said.",
        ),
        Document("Tennis star retires after long career", "She won four titles."),
    )
    assert match_stories(new, recent, story_ids) == [101, None]


def test_a_republished_item_joins_its_story():
    doc = Document("Fed holds rates steady", "The Federal Reserve kept rates.")
    recent = vectors(doc, *BACKGROUND)
    assert match_stories(vectors(doc), recent, np.arange(7) + 10) == [10]


def test_distinct_stories_on_one_topic_stay_apart():
    recent = vectors(
        Document("Nvidia reports record data centre revenue", "Quarterly results."),
        *BACKGROUND,
    )
    new = vectors(
        Document("Intel delays its next factory in Ohio", "Construction slows."),
    )
    assert match_stories(new, recent, np.arange(7)) == [None]


def test_articles_of_one_batch_cluster_with_each_other():
    first = Document("Volcano erupts in Iceland near Grindavik", "Lava flows.")
    second = Document("Iceland volcano eruption near Grindavik", "Lava flows again.")
    other = Document("Chess champion wins again", "A quick game.")
    new = vectors(first, other, second)
    result = match_stories(new, vectors(*BACKGROUND), np.arange(6))
    assert result == [None, None, -1]


def test_no_recent_articles_and_empty_batches():
    assert match_stories(vectors(BACKGROUND[0]), features.empty(), np.array([])) == [
        None
    ]
    assert match_stories(features.empty(), vectors(BACKGROUND[0]), np.array([1])) == []


def test_window_idf_counts_documents_over_both_matrices():
    # Column 0 in 3 of 4 rows, column 1 in 1, column 2 in none.
    a = sp.csr_matrix(np.array([[1.0, 0, 0], [1.0, 1.0, 0]], dtype=np.float32))
    b = sp.csr_matrix(np.array([[1.0, 0, 0], [0, 0, 0]], dtype=np.float32))
    idf = window_idf(a, b)
    expected = [np.log(5 / 4) + 1, np.log(5 / 2) + 1, np.log(5 / 1) + 1]
    assert np.allclose(idf, expected)
