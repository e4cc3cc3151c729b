"""One line saying why an article is in a reader's feed, from the score's own parts."""

from collections.abc import Sequence

from feed.ranking.blend import Scored


def why(
    scored: Scored,
    position: int,
    *,
    topic_names: Sequence[str],
    matched_terms: Sequence[str] = (),
    liked_similar: int = 0,
    topic_threshold: float = 0.25,
) -> str:
    parts: list[str] = []
    contributions = scored.topic[position] if scored.topic.size else []
    ranked_topics = sorted(
        ((value, name) for value, name in zip(contributions, topic_names, strict=True)),
        reverse=True,
    )
    names = [name for value, name in ranked_topics if value >= topic_threshold][:2]
    if names:
        parts.append(" + ".join(names))
    if matched_terms:
        parts.append("matches " + ", ".join(matched_terms[:3]))
    if scored.personal[position] > 0.1:
        if liked_similar > 0:
            noun = "story" if liked_similar == 1 else "stories"
            parts.append(f"you liked {liked_similar} similar {noun}")
        else:
            parts.append("like what you liked")
    if not parts:
        parts.append(
            "recent" if scored.recency[position] > 0.1 else "from your sources"
        )
    return " · ".join(parts)
