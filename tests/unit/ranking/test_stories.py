"""Clustering near-duplicate articles into stories."""

import numpy as np
import scipy.sparse as sp

from feed.ranking import features
from feed.ranking.features import Document
from feed.ranking.stories import Item, match_stories, window_idf

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


def items(*docs, source_id=None, first=100):
    """Clustering's view of `docs`: each from a source of its own unless given."""
    return [
        Item(source_id=i if source_id is None else source_id, title=doc.title)
        for i, doc in enumerate(docs, start=first)
    ]


def match(new_docs, recent_docs, story_ids, *, new_source=None, recent_source=None):
    return match_stories(
        vectors(*new_docs),
        vectors(*recent_docs),
        story_ids,
        new_items=items(*new_docs, source_id=new_source, first=200),
        recent_items=items(*recent_docs, source_id=recent_source),
    )


def test_the_same_event_from_another_outlet_joins_its_story():
    recent = [
        Document(
            "Netherlands restricts exports of ASML chip machines to China",
            "The Dutch government announced new export licence rules for ASML "
            "machines shipped to China.",
        ),
        *BACKGROUND,
    ]
    story_ids = np.array([101, 1, 2, 3, 4, 5, 6])
    new = [
        Document(
            "Dutch restrict exports of ASML chipmaking machines to China",
            "The Netherlands will require export licences for ASML machines shipped "
            "to China, the government said.",
        ),
        Document("Tennis star retires after long career", "She won four titles."),
    ]
    assert match(new, recent, story_ids) == [101, None]


def test_a_republished_item_joins_its_story():
    doc = Document("Fed holds rates steady", "The Federal Reserve kept rates.")
    recent = [doc, *BACKGROUND]
    assert match([doc], recent, np.arange(7) + 10, new_source=1, recent_source=1) == [
        10
    ]


def test_distinct_stories_on_one_topic_stay_apart():
    recent = [
        Document("Nvidia reports record data centre revenue", "Quarterly results."),
        *BACKGROUND,
    ]
    new = [Document("Intel delays its next factory in Ohio", "Construction slows.")]
    assert match(new, recent, np.arange(7)) == [None]


def test_one_sources_series_stays_apart():
    """Alike in words, but an outlet does not report one event twice."""
    boilerplate = "Here is what you need to know today. Sign up for our newsletter."
    yesterday = Document("Morning Briefing: Tuesday", boilerplate)
    today = Document("Morning Briefing: Wednesday", boilerplate)
    recent = [yesterday, *BACKGROUND]
    assert match([today], recent, np.arange(7), new_source=1, recent_source=1) == [None]
    assert match([today], recent, np.arange(7)) == [0]


def test_titles_with_different_numbers_stay_apart():
    japan = Document(
        "Magnitude 6.1 earthquake strikes off coast of Japan",
        "A strong earthquake struck off the coast, the agency said.",
    )
    chile = Document(
        "Magnitude 6.4 earthquake strikes off coast of Chile",
        "A strong earthquake struck off the coast, the agency said.",
    )
    same_quake = Document(
        "Japan hit by magnitude 6.1 quake; 12 injured",
        "A strong earthquake struck off the coast of Japan, the agency said.",
    )
    recent = [japan, *BACKGROUND]
    assert match([chile], recent, np.arange(7)) == [None]
    assert match([same_quake], recent, np.arange(7)) == [0]


def test_articles_of_one_batch_cluster_with_each_other():
    first = Document("Volcano erupts in Iceland near Grindavik", "Lava flows.")
    second = Document("Iceland volcano eruption near Grindavik", "Lava flows again.")
    other = Document("Chess champion wins again", "A quick game.")
    result = match([first, other, second], BACKGROUND, np.arange(6))
    assert result == [None, None, -1]
    one_source = match([first, other, second], BACKGROUND, np.arange(6), new_source=1)
    assert one_source == [None, None, None]


def test_no_recent_articles_and_empty_batches():
    assert match_stories(
        vectors(BACKGROUND[0]),
        features.empty(),
        np.array([]),
        new_items=items(BACKGROUND[0]),
        recent_items=[],
    ) == [None]
    assert (
        match_stories(
            features.empty(),
            vectors(BACKGROUND[0]),
            np.array([1]),
            new_items=[],
            recent_items=items(BACKGROUND[0]),
        )
        == []
    )


def test_window_idf_counts_documents_over_both_matrices():
    # Column 0 in 3 of 4 rows, column 1 in 1, column 2 in none.
    a = sp.csr_matrix(np.array([[1.0, 0, 0], [1.0, 1.0, 0]], dtype=np.float32))
    b = sp.csr_matrix(np.array([[1.0, 0, 0], [0, 0, 0]], dtype=np.float32))
    idf = window_idf(a, b)
    expected = [np.log(5 / 4) + 1, np.log(5 / 2) + 1, np.log(5 / 1) + 1]
    assert np.allclose(idf, expected)
