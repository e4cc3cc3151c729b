"""Stories: the same event from several sources, clustered as articles arrive."""

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

import numpy as np
import scipy.sparse as sp
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from feed.models import Article, Story
from feed.ranking import features
from feed.ranking import stories as clustering

# Articles published this close to a new one may be the same story.
WINDOW = timedelta(days=2)
MAX_NEIGHBOURS = 5000


def story_ids_for(
    vectors: sp.csr_matrix, published: Sequence[datetime]
) -> list[int | None]:
    """The story of each new article: a near-duplicate's story (created when the
    near-duplicate was alone so far), or None for an article alone in its story.

    Articles alone in their story have no Story row at all, which keeps the common
    case cheap. Call inside the transaction that inserts the articles."""
    if not published:
        return []
    neighbours = list(
        Article.objects.filter(
            published_at__gte=min(published) - WINDOW,
            published_at__lte=max(published) + WINDOW,
        )
        .order_by("-published_at")
        .values_list("id", "story_id", "vector")[:MAX_NEIGHBOURS]
    )
    recent = features.decode_rows(v for _, _, v in neighbours)
    matches = clustering.match_stories(
        vectors, recent, np.arange(len(neighbours), dtype=np.int64)
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
        article_id, story_id, _ = neighbours[match]
        if story_id is None:
            story_id = promoted.get(article_id) or Story.objects.create().pk
            promoted[article_id] = story_id
        resolved[i] = story_id
    for article_id, story_id in promoted.items():
        Article.objects.filter(pk=article_id).update(story_id=story_id)
    return resolved


def recount(story_ids: Iterable[int]) -> None:
    """Refresh article_count of the given stories; drop those left without articles
    (another worker inserted the same articles first)."""
    ids = [story_id for story_id in story_ids if story_id is not None]
    counts = (
        Article.objects.filter(story=OuterRef("pk"))
        .order_by()
        .values("story")
        .annotate(n=Count("id"))
        .values("n")
    )
    Story.objects.filter(pk__in=ids).update(article_count=Coalesce(Subquery(counts), 0))
    Story.objects.filter(pk__in=ids, article_count=0).delete()
