"""Story clustering of stored articles, and the per-process cache of stored
feature rows it reads."""

from datetime import timedelta

import numpy as np
from django.utils import timezone

from feed.models import Article
from feed.ranking import features
from feed.services import ingestion, stories
from feed.services.stories import RowCache
from tests import factories


def _key(article: Article) -> tuple[int, str]:
    return (article.pk, article.fingerprint)


def test_rows_come_from_the_database_once_then_from_memory(
    db, django_assert_num_queries
):
    source = factories.make_source()
    first, second = factories.make_articles(
        source,
        [
            factories.entry("Chipmaker opens a new fab", "Wafers in Arizona."),
            factories.entry("Port strike ends", "Dockers return to work."),
        ],
    )
    cache = RowCache(capacity=10)
    with django_assert_num_queries(1):
        rows = cache.rows([_key(second), _key(first)])
    with django_assert_num_queries(0):
        again = cache.rows([_key(first), _key(second)])
    stored = features.decode_rows(
        Article.objects.get(pk=pk).vector for pk in (second.pk, first.pk)
    )
    assert np.array_equal(rows.toarray(), stored.toarray())
    assert np.array_equal(again[0].toarray(), stored[1].toarray())


def test_articles_just_stored_are_compared_without_reading_them_back(
    db, django_assert_num_queries
):
    """The shared cache keeps the rows a worker stores, exactly as the database
    holds them (float16 values)."""
    stories.row_cache.clear()
    (article,) = factories.make_articles(
        factories.make_source(),
        [factories.entry("Chipmaker opens a new fab", "Wafers in Arizona.")],
    )
    with django_assert_num_queries(0):
        cached = stories.row_cache.rows([_key(article)])
    stored = features.decode_rows([Article.objects.get(pk=article.pk).vector])
    assert cached.nnz > 0
    assert np.array_equal(cached.toarray(), stored.toarray())


def test_an_id_given_to_other_content_is_read_again(db):
    """SQLite may hand a rolled-back row's id to a new article: the fingerprint in
    the key tells the two apart."""
    (article,) = factories.make_articles(
        factories.make_source(), [factories.entry("Chipmaker opens a new fab")]
    )
    cache = RowCache(capacity=10)
    before = cache.rows([_key(article)])
    other = features.transform([features.Document("Port strike ends in Rotterdam")])
    Article.objects.filter(pk=article.pk).update(
        vector=features.encode_row(other), fingerprint="another fingerprint"
    )
    after = cache.rows([(article.pk, "another fingerprint")])
    assert np.abs((after - other).toarray()).max() < 1e-3
    assert np.abs((after - before).toarray()).max() > 0.1


def test_the_cache_keeps_at_most_its_capacity_and_no_stale_rows(db):
    source = factories.make_source()
    articles = factories.make_articles(
        source, [factories.entry(f"Story number {n} about fabs") for n in range(3)]
    )
    Article.objects.filter(pk=articles[0].pk).update(vector=b"")  # another version
    cache = RowCache(capacity=1)
    rows = cache.rows([_key(a) for a in articles])
    assert rows.shape == (3, features.N_FEATURES)
    assert rows[0].nnz == 0 and rows[1].nnz > 0 and rows[2].nnz > 0
    assert len(cache) == 1


def stories_of(*pairs: tuple) -> list[int | None]:
    """Store each (source, title, text) in turn, an hour apart; their story ids."""
    ids = []
    start = timezone.now() - timedelta(hours=len(pairs))
    for n, (source, title, text) in enumerate(pairs):
        entry = factories.entry(title, text, published=start + timedelta(hours=n))
        ids += ingestion.store_entries(source, [entry], now=timezone.now()).new_ids
    return [Article.objects.get(pk=pk).story_id for pk in ids]


def test_one_sources_daily_series_is_not_one_story(db):
    source = factories.make_source()
    hints = "Today's Wordle answer and some hints."
    yesterday, today = stories_of(
        (source, "Wordle hint and answer for March 9", hints),
        (source, "Wordle hint and answer for March 10", hints),
    )
    assert yesterday is None and today is None


def test_two_earthquakes_with_different_magnitudes_are_two_stories(db):
    text = "A strong earthquake struck off the coast, the agency said."
    japan, chile = stories_of(
        (factories.make_source(), "Magnitude 6.1 earthquake strikes Japan", text),
        (factories.make_source(), "Magnitude 6.4 earthquake strikes Chile", text),
    )
    assert japan is None and chile is None


def test_one_event_from_two_sources_and_a_republication_are_one_story(db):
    first, second = factories.make_source(), factories.make_source()
    title = "Magnitude 6.1 earthquake strikes off coast of Japan"
    text = "A strong earthquake struck off the coast of Japan, the agency said."
    ids = stories_of(
        (first, title, text),
        (second, "Japan hit by magnitude 6.1 quake, agency says", text),
        (first, title, text + " Updated."),
    )
    assert ids[0] is not None and ids == [ids[0]] * 3
