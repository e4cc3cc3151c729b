"""What store_entries writes comes back exactly as the feed gave it (on PostgreSQL
the rows travel by COPY, whose text format escapes tabs, newlines and backslashes)."""

from dataclasses import replace
from datetime import UTC, datetime

from django.utils import timezone

from feed.models import Article
from feed.ranking import features
from feed.services import ingestion
from tests import factories

AWKWARD = (
    'tab\there, new\nline, back\\slash, \\N, \\., "quoted", {json}: [1], ü, 中文, 🚀'
)


def test_awkward_text_and_every_column_round_trip(db, core_topics):
    source = factories.make_source()
    published = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    title = f"Chipmaker halts semiconductor exports: {AWKWARD}"
    entry = replace(
        factories.entry(title, AWKWARD, published=published),
        guid="guid\twith\\backslash",
        content_html=f"<p>{AWKWARD}</p>",
        author="Ann\\Author",
        image_url="https://example.com/a.png",
    )
    result = ingestion.store_entries(source, [entry], now=timezone.now())
    (article,) = Article.objects.filter(pk__in=result.new_ids)
    assert article.source_id == source.pk
    assert article.guid == entry.guid
    assert article.title == title
    assert article.summary == entry.summary_html
    assert article.content == entry.content_html
    assert article.author == "Ann\\Author"
    assert article.image_url == entry.image_url
    assert article.published_at == published
    assert article.scored_at is not None
    stored = features.decode_rows([article.vector])
    expected = features.transform([features.Document(title, entry.text)])
    assert abs(stored - expected).max() < 1e-3
    assert article.topic_scores[core_topics["chips"].score_key] > 0.5


def test_storing_the_same_entries_again_adds_nothing_and_reports_duplicates(db):
    source = factories.make_source()
    entries = [factories.entry(f"Item {n} about wafers") for n in range(3)]
    first = ingestion.store_entries(source, entries, now=timezone.now())
    again = ingestion.store_entries(source, entries, now=timezone.now())
    assert len(first.new_ids) == 3 and first.duplicates == 0
    assert again.new_ids == () and again.duplicates == 3
    assert Article.objects.filter(source=source).count() == 3
