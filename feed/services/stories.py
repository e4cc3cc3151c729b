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


def story_ids_for(vectors: sp.csr_matrix, published: Sequence[datetime]) -> list[int]:
    """A story id for each new article: a near-duplicate's story, or a new story.

    Call inside the transaction that inserts the articles."""
    if not published:
        return []
    neighbours = list(
        Article.objects.filter(
            story__isnull=False,
            published_at__gte=min(published) - WINDOW,
            published_at__lte=max(published) + WINDOW,
        )
        .order_by("-published_at")
        .values_list("story_id", "vector")[:MAX_NEIGHBOURS]
    )
    recent = features.decode_rows(v for _, v in neighbours)
    recent_story_ids = np.array([s for s, _ in neighbours], dtype=np.int64)
    matches = clustering.match_stories(vectors, recent, recent_story_ids)

    new_count = sum(1 for m in matches if m is None)
    created = iter(Story.objects.bulk_create([Story() for _ in range(new_count)]))
    resolved: list[int] = []
    for match in matches:
        if match is None:
            resolved.append(next(created).pk)
        elif match < 0:
            resolved.append(resolved[-match - 1])
        else:
            resolved.append(match)
    return resolved


def recount(story_ids: Iterable[int]) -> None:
    """Refresh article_count of the given stories; drop those left without articles
    (another worker inserted the same articles first)."""
    ids = list(story_ids)
    counts = (
        Article.objects.filter(story=OuterRef("pk"))
        .order_by()
        .values("story")
        .annotate(n=Count("id"))
        .values("n")
    )
    Story.objects.filter(pk__in=ids).update(article_count=Coalesce(Subquery(counts), 0))
    Story.objects.filter(pk__in=ids, article_count=0).delete()
