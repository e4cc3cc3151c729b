"""Readers' statements about an article's topics: "Not about Chips", "About Trade
policy".

A verdict overrides the stored probability of the article, and of the other
articles of its story, for the reader who stated it on their next request (p = 1 or
no probability at all), and joins the topic's model as a labelled example at its
next refit (TopicClassifier's `feedback`), so every reader gains from it. One
reader's verdicts count for at most TRAINING_PER_READER examples per topic: nobody
can steer a shared topic alone.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from django.core.cache import cache

from feed.models import Article, Topic, TopicVerdict
from feed.ranking import features

# The feed applies the reader's most recent verdicts, this many at most.
APPLIED = 500
TRAINING_PER_READER = 200
TRAINING_MAX = 5000
CACHE_SECONDS = 3600

By = dict[int, dict[str, bool]]  # id -> {Topic.score_key: on topic}


@dataclass(frozen=True)
class Stated:
    """A reader's verdicts by article and by the article's story."""

    by_article: By = field(default_factory=dict)
    by_story: By = field(default_factory=dict)

    def on(self, article_id: int, story_id: int | None) -> dict[str, bool]:
        """The verdicts that apply to an article: its own, and its story's, which
        win where both speak of a topic: a story's is the newest the reader gave any
        of its copies (their own included), and a reader who says "Not about X" on
        a story's card after "About X" on an older copy has changed their mind."""
        story = self.by_story.get(story_id, {}) if story_id is not None else {}
        return {**self.by_article.get(article_id, {}), **story}

    def selected(self, keys: Sequence[str], *, on_topic: bool) -> tuple[list, list]:
        """(article ids, story ids) said to be about one of `keys` (on_topic), or
        said not to be about any of them."""

        def chosen(by: By) -> list[int]:
            if on_topic:
                return [i for i, v in by.items() if any(v.get(k) for k in keys)]
            return [i for i, v in by.items() if all(v.get(k) is False for k in keys)]

        return chosen(self.by_article), chosen(self.by_story)


def state(user, article: Article, topic: Topic, *, on_topic: bool) -> TopicVerdict:
    """Record (or change) the reader's verdict on `article` and `topic`."""
    verdict, _ = TopicVerdict.objects.update_or_create(
        user=user, article=article, topic=topic, defaults={"on_topic": on_topic}
    )
    return verdict


def withdraw(user, article: Article, topic: Topic) -> None:
    TopicVerdict.objects.filter(user=user, article=article, topic=topic).delete()


def stated_by(user) -> Stated:
    """The reader's verdicts, cached until one changes (forget)."""
    key = f"verdicts:{user.pk}"
    stated = cache.get(key)
    if stated is None:
        stated = Stated()
        rows = (
            TopicVerdict.objects.filter(user=user)
            .order_by("-created_at", "-id")
            .values_list("article_id", "article__story_id", "topic_id", "on_topic")[
                :APPLIED
            ]
        )
        for article_id, story_id, topic_id, on_topic in rows:
            key_of_topic = Topic.key_for(topic_id)
            stated.by_article.setdefault(article_id, {})[key_of_topic] = on_topic
            if story_id is not None:  # the newest verdict on a story wins
                stated.by_story.setdefault(story_id, {}).setdefault(
                    key_of_topic, on_topic
                )
        cache.set(key, stated, timeout=CACHE_SECONDS)
    return stated


def forget(sender, instance: TopicVerdict, **kwargs) -> None:
    cache.delete(f"verdicts:{instance.user_id}")


def forget_readers_of(article_ids: Sequence[int]) -> None:
    """Drop the cached verdicts of every reader who judged one of these articles:
    they moved into a story, and the verdict now speaks for the whole story."""
    readers = set(
        TopicVerdict.objects.filter(article_id__in=article_ids).values_list(
            "user_id", flat=True
        )
    )
    cache.delete_many([f"verdicts:{user_id}" for user_id in readers])


def apply(
    topic_scores: Mapping[str, float], stated: Mapping[str, bool]
) -> Mapping[str, float]:
    """An article's stored probabilities as the reader sees them: a topic they said
    it is about at 1, one they said it is not about left out."""
    if not stated:
        return topic_scores
    scores = dict(topic_scores)
    for key, on_topic in stated.items():
        if on_topic:
            scores[key] = 1.0
        else:
            scores.pop(key, None)
    return scores


def training_rows(topic: Topic) -> tuple[sp.csr_matrix, np.ndarray] | None:
    """(feature rows, on topic) of the readers' verdicts on `topic`: each reader's
    most recent TRAINING_PER_READER, TRAINING_MAX in all; None without any."""
    per_reader: dict[int, int] = {}
    chosen: list[tuple[int, bool]] = []
    rows = (
        TopicVerdict.objects.filter(topic=topic)
        .order_by("-created_at", "-id")
        .values_list("user_id", "article_id", "on_topic")
        .iterator()
    )
    for user_id, article_id, on_topic in rows:
        if per_reader.get(user_id, 0) >= TRAINING_PER_READER:
            continue
        per_reader[user_id] = per_reader.get(user_id, 0) + 1
        chosen.append((article_id, on_topic))
        if len(chosen) == TRAINING_MAX:
            break
    if not chosen:
        return None
    vectors = dict(
        Article.objects.filter(pk__in={a for a, _ in chosen}).values_list(
            "id", "vector"
        )
    )
    chosen = [(a, on) for a, on in chosen if features.is_current(vectors.get(a))]
    if not chosen:
        return None
    X = features.decode_rows(vectors[a] for a, _ in chosen)
    return X, np.array([on for _, on in chosen], dtype=bool)
