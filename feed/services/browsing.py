"""The reader's other ways through the articles: all recent, saved, search, read
marks; and each topic's daily activity."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from feed.models import Article, Feedback, ReadMark, Source, Topic
from feed.services import reading, verdicts
from feed.services.reading import FeedItem, FeedPage

SEARCH_MAX_TERMS = 8
SEARCH_MAX_LENGTH = 200
ACTIVITY_DAYS = 30


@dataclass(frozen=True)
class Sparkline:
    """Articles per day for one topic, oldest day first."""

    counts: tuple[int, ...]
    first_day: datetime

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def peak(self) -> int:
        return max(self.counts, default=0)


def recent_for(
    user, *, limit: int = 20, cursor: str | None = None, source: Source | None = None
) -> FeedPage:
    """Newest first, across every source the reader sees (or only `source`),
    regardless of topics (still without what they hid, disliked or muted)."""
    offset, as_of = _position(cursor)
    articles = reading.candidate_queryset(user, as_of=as_of).filter(
        fetched_at__lte=as_of
    )
    if source is not None:
        articles = articles.filter(source=source)
    ordered = articles.order_by("-published_at", "-id")
    rows, next_offset = _shown_rows(
        user, ordered, offset=offset, limit=limit, as_of=as_of
    )
    return _page(user, rows, next_cursor=_cursor(next_offset, as_of), as_of=as_of)


def saved_for(user, *, limit: int = 20, cursor: str | None = None) -> FeedPage:
    """Articles the reader saved, most recently saved first, also from sources they
    no longer follow.

    The next page's cursor holds the time of the last save shown and how many
    shown saves share that time, not a count of saves from the top: unsaving a card
    (which deletes the save) then shifts no later page."""
    offset, as_of = _position(cursor)
    rows = list(
        Feedback.objects.filter(
            user=user, signal=Feedback.Signal.SAVE, created_at__lte=as_of
        )
        .order_by("-created_at", "-id")
        .values_list("article_id", "article__story_id", "created_at")[
            offset : offset + limit + 1
        ]
    )
    shown = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        last = shown[-1][2]
        same_time = sum(1 for *_, saved_at in shown if saved_at == last)
        next_offset = same_time + (offset if last == as_of else 0)
        next_cursor = reading.encode_cursor(next_offset, last)
    return _page(
        user,
        [(article_id, story_id) for article_id, story_id, _ in shown],
        next_cursor=next_cursor,
        as_of=as_of,
    )


def search_vector() -> SearchVector:
    """What PostgreSQL searches: titles weigh more than summaries. Indexed by
    feed/migrations/0005 with exactly this expression."""
    return SearchVector("title", weight="A", config="english") + SearchVector(
        "summary", weight="B", config="english"
    )


def clean_query(text: str) -> str:
    return " ".join(text.split())[:SEARCH_MAX_LENGTH]


def search_terms(text: str) -> list[str]:
    """Words and "quoted phrases" of a query, for the fallback search."""
    terms = [a or b for a, b in re.findall(r'"([^"]+)"|(\S+)', clean_query(text))]
    terms = [t.strip().strip('"') for t in terms]
    return [t for t in terms if t and t not in {"OR", "-"}][:SEARCH_MAX_TERMS]


def search_for(
    user, text: str, *, limit: int = 20, cursor: str | None = None
) -> FeedPage:
    """Articles whose title or summary match `text`, best match first.

    PostgreSQL full-text search (stemmed, ranked, websearch syntax: quoted phrases,
    -exclusions, OR); elsewhere every word must appear in the title or summary, and
    title matches come first.
    """
    offset, as_of = _position(cursor)
    if not clean_query(text):
        return FeedPage(items=[], next_cursor=None, as_of=as_of)
    ordered = search_query_for(user, text, as_of=as_of)
    rows, next_offset = _shown_rows(
        user, ordered, offset=offset, limit=limit, as_of=as_of
    )
    return _page(user, rows, next_cursor=_cursor(next_offset, as_of), as_of=as_of)


def search_query_for(user, text: str, *, as_of: datetime | None = None) -> QuerySet:
    """The reader's articles matching `text`, best first (see search_for); muted
    words are applied after (reading.muted_ids)."""
    articles = reading.candidate_queryset(user, as_of=as_of or timezone.now())
    text = clean_query(text)
    if connection.vendor != "postgresql":
        return _fallback_search(articles, search_terms(text))
    query = SearchQuery(text, search_type="websearch", config="english")
    return (
        articles.annotate(document=search_vector())
        .filter(document=query)
        .annotate(rank=SearchRank(F("document"), query))
        .order_by("-rank", "-published_at", "-id")
    )


def _fallback_search(articles: QuerySet, terms: Sequence[str]) -> QuerySet:
    if not terms:
        return articles.none()
    in_title = Q()
    for term in terms:
        articles = articles.filter(
            Q(title__icontains=term) | Q(summary__icontains=term)
        )
        in_title &= Q(title__icontains=term)
    in_title_first = Case(When(in_title, then=Value(1)), default=Value(0))
    return articles.annotate(title_match=in_title_first).order_by(
        "-title_match", "-published_at", "-id"
    )


def mark_read(user, article_ids: Iterable[int]) -> int:
    """Record articles as read (ignoring ones the reader cannot see); returns how
    many ids were accepted."""
    wanted = {int(i) for i in article_ids}
    visible = list(
        Article.objects.visible_to(user)
        .filter(pk__in=wanted)
        .values_list("pk", flat=True)
    )
    ReadMark.objects.bulk_create(
        [ReadMark(user=user, article_id=pk) for pk in visible], ignore_conflicts=True
    )
    return len(visible)


def topic_activity(
    user,
    topics: Sequence[Topic],
    *,
    now: datetime | None = None,
    tz: tzinfo | None = None,
    days: int = ACTIVITY_DAYS,
) -> dict[int, Sparkline]:
    """Articles per local day about each topic over the last `days` days: one query,
    a row per day with a count per topic."""
    now = now or timezone.now()
    tz = tz or user.tzinfo
    today = now.astimezone(tz).date()
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, datetime.min.time(), tzinfo=tz)
    counts: dict[int, list[int]] = {t.pk: [0] * days for t in topics}
    if not topics:
        return {}
    about = {
        f"n{t.pk}": Count(
            "id",
            filter=Q(**{f"topic_scores__{t.score_key}__gte": reading.CHIP_PROBABILITY}),
        )
        for t in topics
    }
    rows = (
        Article.objects.visible_to(user)
        .filter(published_at__gte=start, published_at__lte=now)
        .annotate(day=TruncDate("published_at", tzinfo=tz))
        .order_by()
        .values("day")
        .annotate(**about)
    )
    for row in rows:
        index = (row["day"] - first).days
        if 0 <= index < days:
            for t in topics:
                counts[t.pk][index] = row[f"n{t.pk}"]
    return {
        topic_id: Sparkline(counts=tuple(values), first_day=start)
        for topic_id, values in counts.items()
    }


def _shown_rows(
    user, ordered: QuerySet, *, offset: int, limit: int, as_of: datetime
) -> tuple[list[tuple[int, int | None]], int | None]:
    """Up to `limit` (id, story id) rows from `offset` in `ordered`, leaving out
    muted articles and stories dismissed after `as_of` (reading.dismissed_after);
    and the offset of the next page (None at the end). Offsets count the left-out
    ones too, so a page never repeats or skips."""
    gone, gone_stories = reading.dismissed_after(user, as_of)
    taken: list[tuple[tuple[int, int | None], int]] = []
    position = offset
    while len(taken) <= limit:
        chunk = list(
            ordered.values_list("id", "story_id")[position : position + 2 * limit + 1]
        )
        if not chunk:
            break
        muted = reading.muted_ids(user, [i for i, _ in chunk])
        taken += [
            (row, position + k)
            for k, row in enumerate(chunk)
            if row[0] not in muted and row[0] not in gone and row[1] not in gone_stories
        ]
        position += len(chunk)
    next_offset = taken[limit][1] if len(taken) > limit else None
    return [row for row, _ in taken[:limit]], next_offset


def _position(cursor: str | None) -> tuple[int, datetime]:
    return reading.decode_cursor(cursor) if cursor else (0, timezone.now())


def _cursor(next_offset: int | None, as_of: datetime) -> str | None:
    return (
        reading.encode_cursor(next_offset, as_of) if next_offset is not None else None
    )


def _page(
    user,
    rows: list[tuple[int, int | None]],
    *,
    next_cursor: str | None,
    as_of: datetime,
) -> FeedPage:
    """Cards for (article id, story id) `rows`, with topic chips from each article's
    stored probabilities."""
    ids = [article_id for article_id, _ in rows]
    articles, others = reading.card_articles(user, ids, [s for _, s in rows])
    visible = reading.visible_topics(user)
    stated = verdicts.stated_by(user)
    items = []
    for i in ids:
        if i not in articles:
            continue
        article = articles[i]
        scores = verdicts.apply(
            article.topic_scores or {}, stated.on(i, article.story_id)
        )
        items.append(
            FeedItem(
                article=article,
                score=0.0,
                why="",
                topics=reading.card_chips(scores, visible),
                others=others[article.pk],
                signals=reading.card_signals(article, *others[article.pk]),
            )
        )
    return FeedPage(items=items, next_cursor=next_cursor, as_of=as_of)
