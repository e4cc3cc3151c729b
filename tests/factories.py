"""Small factory functions for test data (no fixtures files)."""

import itertools
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from feed.defaults import TOPICS
from feed.ingest.clean import plain_text
from feed.ingest.parse import Entry
from feed.models import Article, Source, Topic
from feed.services import ingestion, scoring, topics

_counter = itertools.count(1)
PASSWORD = "correct horse battery staple"


def make_user(username: str | None = None, **fields):
    n = next(_counter)
    username = username or f"reader{n}"
    fields.setdefault("email", f"{username}@example.com")
    fields.setdefault("onboarded", True)
    return get_user_model().objects.create_user(
        username=username, password=PASSWORD, **fields
    )


def core_topics() -> dict[str, Topic]:
    topics.load_default_topics(TOPICS)
    return {t.slug: t for t in Topic.objects.filter(owner=None)}


def make_source(url: str | None = None, **fields) -> Source:
    n = next(_counter)
    fields.setdefault("title", f"Source {n}")
    fields.setdefault("is_default", True)
    return Source.objects.create(
        url=url or f"https://news{n}.example.com/feed", **fields
    )


def entry(
    title: str,
    text: str = "",
    *,
    published: datetime | None = None,
    url: str | None = None,
    guid: str | None = None,
) -> Entry:
    n = next(_counter)
    url = url or f"https://example.com/story/{n}"
    return Entry(
        guid=guid or url,
        url=url,
        title=title,
        summary_html=f"<p>{text}</p>" if text else "",
        content_html="",
        text=plain_text(text),
        author="",
        published=published or timezone.now() - timedelta(hours=1),
        image_url="",
    )


def make_articles(
    source: Source, entries: list[Entry], *, score: bool = True
) -> list[Article]:
    """Store entries through the real pipeline (vectors, dedup) and score them."""
    result = ingestion.store_entries(source, entries, now=timezone.now())
    if score:
        scoring.score_articles(list(result.new_ids))
    return list(Article.objects.filter(pk__in=result.new_ids).order_by("id"))


def make_article(source: Source, title: str, text: str = "", **kwargs) -> Article:
    return make_articles(source, [entry(title, text, **kwargs)])[0]
