"""The product's own example: a reader who follows chip export controls finds the
DeepSeek/H800 story at the top of their feed and their digest, with a reason."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from feed.models import Follow
from feed.services import digests, preferences, reading, scoring
from tests import factories
from tests.corpus import labelled_articles, recent_dates

HEADLINE = "DeepSeek trained V3 on H800s for $5.5M; Nvidia stock falls"
SUMMARY = (
    "The Chinese lab says its V3 model was trained on about 2,000 Nvidia H800 "
    "chips, the export-controlled version of the H100, for roughly $5.5 million. "
    "Nvidia shares fell as investors questioned how much AI hardware the next "
    "models will need and whether US export controls are working."
)


@pytest.fixture
def deployment(db, core_topics, corpus_dir):
    """Two days of real news (300 labelled corpus items, re-dated) and the story."""
    items = labelled_articles(corpus_dir)
    sample = random.Random(3).sample(items, 300)
    dates = recent_dates(len(sample), now=timezone.now(), hours=48)
    factories.make_articles(
        factories.make_source(title="Wire"),
        [factories.entry(a.title, a.summary, published=d, url=a.link or None, guid=a.id)
         for a, d in zip(sample, dates, strict=True)],
        score=False,
    )  # fmt: skip
    scoring.refresh_topic_models()
    (story,) = factories.make_articles(
        factories.make_source(title="Chip Desk"),
        [
            factories.entry(
                HEADLINE, SUMMARY, published=timezone.now() - timedelta(minutes=20)
            )
        ],
    )
    return story


def test_the_h800_story_tops_the_feed_and_the_digest_with_a_reason(
    deployment, core_topics, smtp_server
):
    reader = factories.make_user("exportwatcher")
    preferences.create_own_topic(
        reader,
        name="Chip export controls",
        words="export controls, H800, H20, chip ban",
    )
    Follow.objects.create(user=reader, topic=core_topics["chips"])
    top = reading.rank_feed_for(reader, limit=10).items[0]
    assert top.article.pk == deployment.pk
    assert "Chip export controls" in top.why
    assert "H800" in top.why

    result = digests.send_digest(reader, local_date=timezone.now().date())
    assert result.status == "sent"
    body = smtp_server.messages[0].get_body(("plain",)).get_content()
    first = body.split("\n1. ", 1)[1].splitlines()[0]
    assert first == HEADLINE
