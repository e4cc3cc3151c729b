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

from feed.ingest.clean import plain_text, strip_control_chars
from feed.models import Article, Feedback, ReadMark, Source, Topic
from feed.ranking import mutes
from feed.services import reading, verdicts
from feed.services.reading import FeedItem, FeedPage

SEARCH_MAX_TERMS = 8
SEARCH_MAX_LENGTH = 200
# The fallback search (not PostgreSQL) lists at most this many best matches.
FALLBACK_SEARCH_MAX_MATCHES = 1000
ACTIVITY_DAYS = 30
# Topics counted per query by topic_activity (one column each).
ACTIVITY_TOPICS_PER_QUERY = 100
_QUERY_TERM = re.compile(r'(-?)(?:"([^"]+)"|(\S+))')


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
    """A query as typed, on one line, without control characters (which no story
    contains, and a NUL of which PostgreSQL refuses)."""
    return " ".join(strip_control_chars(text).split())[:SEARCH_MAX_LENGTH]


@dataclass(frozen=True)
class SearchTerms:
    """What the fallback search looks for: words or phrases a story must all
    contain, and those (typed with a leading -) it must not."""

    wanted: tuple[str, ...]
    unwanted: tuple[str, ...] = ()


def search_terms(text: str) -> SearchTerms:
    """Words, "quoted phrases" and -exclusions of a query, for the fallback search
    (terms with no letter or digit find nothing and are left out, as PostgreSQL
    does)."""
    wanted: list[str] = []
    unwanted: list[str] = []
    for minus, phrase, word in _QUERY_TERM.findall(clean_query(text)):
        term = (phrase or word).strip().strip('"')
        if term == "OR" or not mutes.can_match(term):
            continue
        (unwanted if minus else wanted).append(term)
    return SearchTerms(
        wanted=tuple(wanted[:SEARCH_MAX_TERMS]),
        unwanted=tuple(unwanted[:SEARCH_MAX_TERMS]),
    )


def search_for(
    user, text: str, *, limit: int = 20, cursor: str | None = None
) -> FeedPage:
    """Articles whose title or summary match `text`, best match first.

    PostgreSQL full-text search (stemmed, ranked, websearch syntax: quoted phrases,
    -exclusions, OR); elsewhere every word or quoted phrase must appear in the title
    or the text of the summary and no -excluded one may, in any case of its
    letters (whole words, as mutes match: feed.ranking.mutes), and title matches
    come first. Articles fetched after the first page wait for a new first page.
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
    """The reader's articles matching `text` fetched by `as_of`, best first (see
    search_for); muted words are applied after (reading.muted_ids)."""
    as_of = as_of or timezone.now()
    articles = reading.candidate_queryset(user, as_of=as_of).filter(
        fetched_at__lte=as_of
    )
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


def _fallback_search(articles: QuerySet, terms: SearchTerms) -> QuerySet:
    """Where there is no full-text search: SQL narrows the articles to those that
    contain a run of ASCII letters of each wanted term (as reading.muted_ids does
    for mutes; SQLite folds the case of ASCII letters only), and the mute matcher
    decides on the words of their title and of the text of their summary, not on
    its markup."""
    if not terms.wanted:
        return articles.none()
    for term in terms.wanted:
        if run := max(reading.ASCII_RUN.findall(term), key=len, default=""):
            articles = articles.filter(
                Q(title__icontains=run) | Q(summary__icontains=run)
            )
    wanted = [mutes.compile_mutes([term]) for term in terms.wanted]
    unwanted = mutes.compile_mutes(terms.unwanted)
    matches: list[tuple[bool, datetime, int]] = []
    rows = articles.order_by().values_list("id", "published_at", "title", "summary")
    for article_id, published_at, title, summary in rows.iterator():
        text = plain_text(summary)
        if unwanted.matches_any(title, text) or not all(
            term.matches_any(title, text) for term in wanted
        ):
            continue
        title_match = all(term.matches(title) for term in wanted)
        matches.append((title_match, published_at, article_id))
    best = sorted(matches, reverse=True)[:FALLBACK_SEARCH_MAX_MATCHES]
    title_ids = [article_id for title_match, _, article_id in best if title_match]
    in_title_first = Case(When(pk__in=title_ids, then=Value(1)), default=Value(0))
    return (
        articles.filter(pk__in=[article_id for *_, article_id in best])
        .annotate(title_match=in_title_first)
        .order_by("-title_match", "-published_at", "-id")
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
    """Articles per local day about each topic over the last `days` days: a row per
    day with a count per topic, in one query per ACTIVITY_TOPICS_PER_QUERY topics
    (databases cap the columns of a query)."""
    now = now or timezone.now()
    tz = tz or user.tzinfo
    today = now.astimezone(tz).date()
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, datetime.min.time(), tzinfo=tz)
    counts: dict[int, list[int]] = {t.pk: [0] * days for t in topics}
    window = (
        Article.objects.visible_to(user)
        .filter(published_at__gte=start, published_at__lte=now)
        .annotate(day=TruncDate("published_at", tzinfo=tz))
        .order_by()
        .values("day")
    )
    for k in range(0, len(topics), ACTIVITY_TOPICS_PER_QUERY):
        batch = topics[k : k + ACTIVITY_TOPICS_PER_QUERY]
        about = {
            f"n{t.pk}": Count(
                "id",
                filter=Q(
                    **{f"topic_scores__{t.score_key}__gte": reading.CHIP_PROBABILITY}
                ),
            )
            for t in batch
        }
        for row in window.annotate(**about):
            index = (row["day"] - first).days
            if 0 <= index < days:
                for t in batch:
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
