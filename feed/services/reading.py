"""A reader's ranked feed: candidates, blend, diversity and a reason per item."""

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from feed.ingest.clean import plain_text
from feed.models import (
    Article,
    Feedback,
    Follow,
    Mute,
    Topic,
)
from feed.ranking import blend, explain, features
from feed.services import personalisation, scoring

# Topics shown as chips on a card: probability at least this.
CHIP_PROBABILITY = 0.5
# With a topic filter, only articles at least this likely to be about it.
FILTER_PROBABILITY = 0.3
WIDENING_HOURS = (7 * 24, 30 * 24, None)
# A digest includes articles that arrived since the last one, if not much older.
SINCE_SLACK = timedelta(days=2)


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True)
class TopicChip:
    slug: str
    name: str
    probability: float


@dataclass(frozen=True)
class FeedItem:
    article: Article
    score: float
    why: str
    topics: tuple[TopicChip, ...]
    story_size: int


@dataclass(frozen=True)
class FeedPage:
    items: list[FeedItem]
    next_cursor: str | None
    as_of: datetime


def blend_weights() -> blend.BlendWeights:
    return blend.BlendWeights(half_life_hours=settings.RANK_RECENCY_HALF_LIFE_HOURS)


def encode_cursor(offset: int, as_of: datetime) -> str:
    raw = json.dumps({"o": offset, "t": as_of.timestamp()}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, datetime]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        offset, stamp = int(data["o"]), float(data["t"])
        as_of = datetime.fromtimestamp(stamp, tz=UTC)
    except (ValueError, KeyError, TypeError, binascii.Error, OverflowError) as exc:
        raise InvalidCursor("The cursor is not one this server issued.") from exc
    if offset < 0:
        raise InvalidCursor("The cursor is not one this server issued.")
    return offset, as_of


def mute_pattern(phrase: str) -> str:
    """A case-insensitive whole-word regex for a muted phrase, valid in Python and
    PostgreSQL alike (both understand \\W)."""
    return r"(^|\W)" + re.escape(phrase.strip()) + r"($|\W)"


def candidate_queryset(user, *, as_of: datetime):
    dismissed = Feedback.objects.filter(user=user, signal__in=Feedback.DISMISSING)
    dismissed_stories = dismissed.filter(article__story__isnull=False).values(
        "article__story_id"
    )
    queryset = (
        Article.objects.visible_to(user)
        .filter(published_at__lte=as_of)
        .exclude(pk__in=dismissed.values("article_id"))
        .exclude(story_id__in=dismissed_stories)
    )
    for phrase in Mute.objects.filter(user=user).values_list("phrase", flat=True):
        pattern = mute_pattern(phrase)
        queryset = queryset.exclude(
            Q(title__iregex=pattern) | Q(summary__iregex=pattern)
        )
    return queryset


def rank_feed_for(
    user,
    *,
    limit: int = 20,
    cursor: str | None = None,
    topic: Topic | None = None,
    now: datetime | None = None,
    since: datetime | None = None,
) -> FeedPage:
    """One page of the reader's feed, best first.

    `topic` narrows the feed to one topic; `since` keeps only articles that arrived
    after that time (for digests) instead of the widening recent window.
    """
    offset, as_of = decode_cursor(cursor) if cursor else (0, now or timezone.now())

    follows = list(Follow.objects.filter(user=user).select_related("topic"))
    if topic is not None:
        weights = {f.topic_id: f.weight for f in follows}
        followed = [(topic, weights.get(topic.pk, 1.0) or 1.0)]
    else:
        followed = [(f.topic, f.weight) for f in follows]

    candidates = candidate_queryset(user, as_of=as_of)
    if topic is not None:
        candidates = candidates.about(topic, at_least=FILTER_PROBABILITY)
    if since is not None:
        candidates = candidates.filter(
            fetched_at__gte=since, published_at__gte=since - SINCE_SLACK
        )
    personal_model = personalisation.model_for(user)
    columns = [
        "id",
        "published_at",
        "source_id",
        "story_id",
        "source__prior",
        "topic_scores",
    ]
    if personal_model is not None:
        columns.append("vector")
    rows = list(
        candidates.order_by("-published_at", "-id").values_list(*columns)[
            : settings.FEED_MAX_CANDIDATES
        ]
    )
    if since is None:
        rows = _window(rows, as_of=as_of)
    if not rows:
        return FeedPage(items=[], next_cursor=None, as_of=as_of)

    ids = np.array([r[0] for r in rows], dtype=np.int64)
    keys = [t.score_key for t, _ in followed]
    probabilities = np.array(
        [[r[5].get(key, 0.0) for key in keys] for r in rows], dtype=np.float32
    ).reshape(len(rows), len(keys))
    personal = np.zeros(len(rows))
    if personal_model is not None:
        personal = personal_model.decision_function(
            features.decode_rows(r[6] for r in rows)
        )

    ages = np.array([(as_of - r[1]).total_seconds() / 3600 for r in rows])
    c = blend.Candidates(
        ids=ids,
        topic_probs=probabilities,
        follow_weights=np.array([w for _, w in followed], dtype=np.float32),
        personal=personal,
        age_hours=ages,
        source_ids=np.array([r[2] for r in rows], dtype=np.int64),
        story_ids=np.array([r[3] if r[3] is not None else -r[0] for r in rows]),
        source_prior=np.array([r[4] for r in rows], dtype=np.float32),
    )
    order, scored = blend.rank(c, blend_weights())
    page = order[offset : offset + limit]
    next_cursor = (
        encode_cursor(offset + limit, as_of) if offset + limit < len(order) else None
    )
    items = _items(user, page, c, scored, followed)
    return FeedPage(items=items, next_cursor=next_cursor, as_of=as_of)


def _window(rows: list[tuple], *, as_of: datetime) -> list[tuple]:
    """The recent window, widened step by step while it holds too few articles."""
    minimum = settings.FEED_MIN_CANDIDATES
    for hours in (settings.FEED_WINDOW_HOURS, *WIDENING_HOURS):
        if hours is None:
            return rows
        since = as_of - timedelta(hours=hours)
        inside = [r for r in rows if r[1] >= since]
        if len(inside) >= minimum:
            return inside
    return rows


def _items(user, page, c, scored, followed) -> list[FeedItem]:
    ids = [int(c.ids[p]) for p in page]
    articles = Article.objects.select_related("source", "story").in_bulk(ids)
    visible = {
        str(pk): (slug, name)
        for pk, slug, name in Topic.objects.visible_to(user).values_list(
            "pk", "slug", "name"
        )
    }
    topics = [t for t, _ in followed]
    classifiers = scoring.topic_classifiers(topics) if topics else {}
    liked = personalisation.liked_matrix(user) if scored.personal.any() else None
    items = []
    for p in page:
        article = articles[int(c.ids[p])]
        chips = sorted(
            (
                TopicChip(*visible[key], probability)
                for key, probability in article.topic_scores.items()
                if probability >= CHIP_PROBABILITY and key in visible
            ),
            key=lambda chip: -chip.probability,
        )
        text = article.title + " " + plain_text(article.summary, max_chars=1000)
        terms = _matched_terms(text, scored.topic[p], topics, classifiers)
        liked_similar = (
            personalisation.count_similar(liked, article) if liked is not None else 0
        )
        items.append(
            FeedItem(
                article=article,
                score=float(scored.total[p]),
                why=explain.why(
                    scored,
                    p,
                    topic_names=[t.name for t in topics],
                    matched_terms=terms,
                    liked_similar=liked_similar,
                ),
                topics=tuple(chips),
                story_size=article.story.article_count if article.story else 1,
            )
        )
    return items


def _matched_terms(text, contributions, topics, classifiers, k: int = 3) -> list[str]:
    """The article's terms that weigh most towards its strongest followed topic."""
    if not topics or not len(contributions) or contributions.max() <= 0:
        return []
    topic = topics[int(np.argmax(contributions))]
    doc_terms = sorted(set(features.terms(text)))
    if not doc_terms:
        return []
    indices = np.array([features.feature_index(t) for t in doc_terms])
    weights = classifiers[topic.pk].term_weights(indices)
    best = np.argsort(-weights)[: k * 3]
    chosen: list[str] = []
    for i in best:
        term = doc_terms[i]
        if weights[i] <= 0 or any(term in c or c in term for c in chosen):
            continue
        chosen.append(term)
        if len(chosen) == k:
            break
    return chosen
