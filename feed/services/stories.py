"""Stories: the same event from several sources, clustered as articles arrive."""

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from functools import partial

import numpy as np
import scipy.sparse as sp
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from feed.models import Article, Story
from feed.ranking import features
from feed.ranking import stories as clustering
from feed.services import verdicts

# Articles published this close to a new one may be the same story.
WINDOW = timedelta(days=2)
MAX_NEIGHBOURS = 5000
# Decoded feature rows kept per process (about 1.5 kB each): the articles of the
# window are compared with every new batch, and a stored row does not change.
CACHED_ROWS = 10_000

Key = tuple[int, str]  # (article id, content fingerprint)


class RowCache:
    """Feature rows of stored articles, least recently used dropped first.

    Keyed by id and content fingerprint, not id alone: SQLite may give the id of a
    rolled-back row to another article."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._rows: OrderedDict[Key, tuple[np.ndarray, np.ndarray]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._rows)

    def clear(self) -> None:
        self._rows.clear()

    def add(self, keys: Sequence[Key], X: sp.csr_matrix) -> None:
        """Keep the rows of X (one per key), e.g. of articles just stored, as
        reading them back would give them (values at the stored float16
        precision)."""
        X = sp.csr_matrix(X)
        indices = X.indices.astype(np.int32)
        data = X.data.astype(np.float16).astype(np.float32)
        for k, key in enumerate(keys):
            start, end = X.indptr[k], X.indptr[k + 1]
            if end > start:
                self._rows[key] = (
                    indices[start:end].copy(),
                    data[start:end].copy(),
                )
                self._rows.move_to_end(key)
        while len(self._rows) > self.capacity:
            self._rows.popitem(last=False)

    def rows(self, keys: Sequence[Key]) -> sp.csr_matrix:
        """The rows of `keys` (a row stored by another version of the features is
        empty), reading the ones not kept yet from the database."""
        missing = [key for key in keys if key not in self._rows]
        for start in range(0, len(missing), MAX_NEIGHBOURS):
            chunk = missing[start : start + MAX_NEIGHBOURS]
            found = list(
                Article.objects.filter(pk__in=[i for i, _ in chunk]).values_list(
                    "id", "fingerprint", "vector"
                )
            )
            decoded = features.decode_rows(v for _, _, v in found)
            for k, (article_id, digest, _) in enumerate(found):
                start, end = decoded.indptr[k], decoded.indptr[k + 1]
                if end > start:  # another features version: recomputed later
                    self._rows[(article_id, digest)] = (  # copies, not views
                        decoded.indices[start:end].copy(),
                        decoded.data[start:end].copy(),
                    )
        parts = [self._rows.get(key) for key in keys]
        for key, part in zip(keys, parts, strict=True):
            if part is not None:
                self._rows.move_to_end(key)
        while len(self._rows) > self.capacity:
            self._rows.popitem(last=False)
        kept = [p for p in parts if p is not None]
        lengths = [0 if p is None else len(p[0]) for p in parts]
        return sp.csr_matrix(
            (
                np.concatenate([p[1] for p in kept] or [np.zeros(0, np.float32)]),
                np.concatenate([p[0] for p in kept] or [np.zeros(0, np.int32)]),
                np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)]),
            ),
            shape=(len(keys), features.N_FEATURES),
        )


row_cache = RowCache(CACHED_ROWS)


def story_ids_for(
    vectors: sp.csr_matrix,
    published: Sequence[datetime],
    *,
    source_id: int,
    titles: Sequence[str],
) -> list[int | None]:
    """The story of each new article: a near-duplicate's story (created when the
    near-duplicate was alone so far), or None for an article alone in its story.

    Articles alone in their story have no Story row at all, which keeps the common
    case cheap. Call inside the transaction that inserts the articles.

    Another worker may be making a story of the same lone article right now: its
    row is locked first (the lock waits for that worker, and the row is then read
    as committed), and the new articles join the story it has by then; a story is
    created only for an article still alone."""
    if not published:
        return []
    neighbours = list(
        Article.objects.filter(
            published_at__gte=min(published) - WINDOW,
            published_at__lte=max(published) + WINDOW,
        )
        .order_by("-published_at")
        .values_list("id", "story_id", "fingerprint", "source_id", "title")[
            :MAX_NEIGHBOURS
        ]
    )
    recent = row_cache.rows([(i, digest) for i, _, digest, _, _ in neighbours])
    matches = clustering.match_stories(
        vectors,
        recent,
        np.arange(len(neighbours), dtype=np.int64),
        new_items=[clustering.Item(source_id, title) for title in titles],
        recent_items=[clustering.Item(s, title) for *_, s, title in neighbours],
    )
    alone = sorted(
        {neighbours[m][0] for m in matches if m is not None and m >= 0}
        & {article_id for article_id, story_id, *_ in neighbours if story_id is None}
    )
    story_of = dict(  # as committed now; a missing article was deleted meanwhile
        Article.objects.select_for_update(no_key=True)
        .filter(pk__in=alone)
        .order_by("pk")
        .values_list("id", "story_id")
    )
    resolved: list[int | None] = [None] * len(matches)
    promoted: dict[int, int] = {}  # article alone so far -> its new story
    for i, match in enumerate(matches):
        if match is None:
            continue
        if match < 0:  # the same story as an earlier article of this batch
            j = -match - 1
            if resolved[j] is None:
                resolved[j] = Story.objects.create().pk
            resolved[i] = resolved[j]
            continue
        article_id, story_id, *_ = neighbours[match]
        if story_id is None and article_id in story_of:
            story_id = story_of[article_id]
            if story_id is None:
                story_id = Story.objects.create().pk
                promoted[article_id] = story_of[article_id] = story_id
        resolved[i] = story_id
    for article_id, story_id in promoted.items():
        Article.objects.filter(pk=article_id, story=None).update(story_id=story_id)
    if promoted:
        # A verdict on an article that was alone now covers its new story.
        transaction.on_commit(partial(verdicts.forget_readers_of, list(promoted)))
    return resolved


def recount(story_ids: Iterable[int]) -> None:
    """Refresh article_count of the given stories; drop those left without articles
    (another worker inserted the same articles first).

    The stories are locked before they are counted: a count started while another
    worker held a story would wait for it, then count with a snapshot taken before
    that worker's articles were committed (READ COMMITTED takes a fresh one per
    statement)."""
    ids = [story_id for story_id in story_ids if story_id is not None]
    if not ids:
        return
    locked = Story.objects.select_for_update(no_key=True).filter(pk__in=ids)
    list(locked.order_by("pk").values_list("pk"))
    counts = (
        Article.objects.filter(story=OuterRef("pk"))
        .order_by()
        .values("story")
        .annotate(n=Count("id"))
        .values("n")
    )
    Story.objects.filter(pk__in=ids).update(article_count=Coalesce(Subquery(counts), 0))
    Story.objects.filter(pk__in=ids, article_count=0).delete()
