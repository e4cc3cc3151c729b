"""One line saying why an article is in a reader's feed, from the score's own parts:
"Chips · matches Nvidia, export controls · you liked 3 similar".

The topic part names the followed topics whose weighted probability counted most
(blend.Scored.topic); the matched terms are the topic's seed phrases found in the
article, ordered by their contributions to that topic's score
(TopicClassifier.term_contributions: the same weights the score added up, found by
re-tokenising the displayed text); the personal part appears when the personal model
lifted the article. Django-free.
"""

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from feed.ranking import features, topics
from feed.ranking.blend import Scored

# A term is named only if it carries at least this share of the top term's weight.
MIN_TERM_SHARE = 0.2
PERSONAL_SHOWN = 0.1
# A topic the personal model rewards by at least this much is named ("you like
# Chips + Trade policy stories").
LIKED_TOPIC_SHOWN = 0.15


def matched_terms(
    doc: features.Document, classifier: topics.TopicClassifier, *, k: int = 3
) -> list[str]:
    """Up to k of the topic's seed phrases found in the article, largest
    contribution first, written as in the article ("Nvidia", "export controls").
    An article that matched no seed phrase gets the context words that weighed
    most instead."""
    contributions = classifier.term_contributions(doc)
    seeds = set(classifier.seed_terms())
    seeded = {t: v for t, v in contributions.items() if t in seeds}
    chosen = topics.top_terms(seeded or contributions, k=k)
    if not chosen:
        return []
    top = contributions[chosen[0]]
    text = f"{doc.title}\n{doc.text}"
    surfaces = [
        features.surface_form(text, term)
        for term in chosen
        if contributions[term] >= MIN_TERM_SHARE * top
    ]
    return [surface for surface in surfaces if surface]


def count_similar(
    liked: sp.csr_matrix,
    articles: sp.csr_matrix,
    *,
    threshold: float = 0.3,
    exclude: np.ndarray | None = None,
) -> np.ndarray:
    """For each article (a row of features), how many of the reader's liked
    articles have cosine >= threshold with it (for "you liked 3 similar"). One
    product for a whole page. `exclude`: (articles x liked) pairs not counted (an
    article is not similar to itself)."""
    if liked.shape[0] == 0 or articles.shape[0] == 0:
        return np.zeros(articles.shape[0], dtype=np.int64)
    hits = (sp.csr_matrix(articles) @ liked.T).toarray() >= threshold
    if exclude is not None:
        hits &= ~exclude
    return np.count_nonzero(hits, axis=1)


def liked_topics(
    contributions: dict[str, float], names: dict[str, str], *, k: int = 2
) -> list[str]:
    """Names of the topics that lift an article in the reader's personal model
    (PersonalModel.topic_contributions), largest first, at most k."""
    ranked = sorted(contributions.items(), key=lambda item: -item[1])
    return [
        names[key]
        for key, value in ranked
        if value >= LIKED_TOPIC_SHOWN and key in names
    ][:k]


def why(
    scored: Scored,
    position: int,
    *,
    topic_names: Sequence[str],
    matched_terms: Sequence[str] = (),
    liked_similar: int = 0,
    liked_topics: Sequence[str] = (),
    marked_topics: Sequence[str] = (),
    topic_threshold: float = 0.25,
    topic_probabilities: Sequence[float] | None = None,
    min_probability: float = 0.0,
) -> str:
    """The reason line for candidate `position` of a blend.rank result.
    `marked_topics`: topics the reader said the article is about (verdicts).
    A topic is named when it adds at least `topic_threshold` to the score and,
    given `topic_probabilities` (of the followed topics, in order), the article is
    at least `min_probability` about it: so that the line never names a topic the
    card does not claim (a "more of Chips" weight lifts stray stories too)."""
    parts: list[str] = []
    contributions = scored.topic[position] if scored.topic.size else []
    probabilities = (
        [1.0] * len(topic_names) if topic_probabilities is None else topic_probabilities
    )
    ranked_topics = sorted(
        (
            (value, name)
            for value, name, probability in zip(
                contributions, topic_names, probabilities, strict=True
            )
            if probability >= min_probability
        ),
        key=lambda pair: -pair[0],
    )
    names = [name for value, name in ranked_topics if value >= topic_threshold][:2]
    if names:
        parts.append(" + ".join(names))
        if matched_terms:
            parts.append("matches " + ", ".join(matched_terms[:3]))
    if marked_topics:
        parts.append("you marked it " + " + ".join(marked_topics))
    if scored.personal[position] > PERSONAL_SHOWN:
        if liked_similar > 0:
            noun = "story" if liked_similar == 1 else "stories"
            parts.append(f"you liked {liked_similar} similar {noun}")
        elif liked_topics:
            parts.append(f"you like {' + '.join(liked_topics)} stories")
        else:
            parts.append("close to what you liked")
    if not parts:
        parts.append(
            "recent" if scored.recency[position] > 0.1 else "from your sources"
        )
    return " · ".join(parts)
