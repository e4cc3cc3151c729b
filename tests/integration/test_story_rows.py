"""The per-process cache of stored feature rows that story clustering reads."""

import numpy as np

from feed.models import Article
from feed.ranking import features
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
