"""Paging on while reading: what the reader does after a page loads (reading
cards, hiding, unsaving) and articles fetched since neither skip nor repeat a card
on the next pages."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from feed.models import Feedback
from feed.services import personalisation, reading
from tests import factories
from tests.integration.test_feed_pages import (
    ai_articles,
    card_ids,
    made_up_word,
    reader_client,
    search,
)

pytestmark = pytest.mark.django_db

JSON = {"Accept": "application/json"}


def next_cursor(html: str) -> str:
    return re.search(r'cursor=([^"&]+)" rel="next"', html).group(1)


def two_pages(client, path: str, between=lambda page: None) -> tuple[list, list]:
    """The cards of a view's first two pages, calling between(first page's cards)
    before asking for the second."""
    first = client.get(path).content.decode()
    between(card_ids(first))
    second = client.get(path, {"cursor": next_cursor(first)}).content.decode()
    return card_ids(first), card_ids(second)


def test_cards_marked_read_while_scrolling_do_not_make_the_next_page_skip_any(
    core_topics,
):
    reader, client = reader_client(core_topics, mark_read_on_scroll=True)
    articles = ai_articles(40)

    def scroll_past(cards):
        ids = ",".join(str(i) for i in cards[:18])
        assert client.post("/articles/read/", {"ids": ids}).status_code == 204

    first, second = two_pages(client, "/", scroll_past)
    assert len(first) == len(second) == 20
    assert set(first) | set(second) == {a.pk for a in articles}
    # Read before a first page is loaded, they are left out of it.
    assert not set(first[:18]) & set(card_ids(client.get("/").content.decode()))


def test_hiding_cards_under_all_recent_skips_none_on_the_next_page(core_topics):
    reader, client = reader_client(core_topics)
    articles = ai_articles(25)  # newest first

    def hide(cards):
        # One card of this page, and one the next page would show.
        for article_id in (cards[0], articles[22].pk):
            url = f"/articles/{article_id}/feedback/"
            client.post(url, {"signal": "hide"}, headers=JSON)

    first, second = two_pages(client, "/recent/", hide)
    assert first == [a.pk for a in articles[:20]]
    assert second == [a.pk for a in articles[20:] if a is not articles[22]]


def test_a_story_dismissed_after_the_first_page_keeps_its_place_in_the_ranking(
    core_topics,
):
    reader, client = reader_client(core_topics)
    ai_articles(40)
    ranked = [i.article.pk for i in reading.rank_feed_for(reader, limit=40).items]

    def dismiss(cards):
        # Stored as the buttons store them, but without the personal model's refit
        # a button brings, which reorders the feed by itself.
        for article_id, signal in ((cards[0], "hide"), (ranked[25], "dislike")):
            Feedback.objects.create(user=reader, article_id=article_id, signal=signal)

    first, second = two_pages(client, "/", dismiss)
    assert first == ranked[:20]
    assert second == [i for i in ranked[20:] if i != ranked[25]]
    assert ranked[25] not in card_ids(client.get("/").content.decode())


def test_liking_a_card_on_page_one_neither_repeats_nor_skips_cards_on_page_two(
    core_topics,
):
    """The like refits the personal model at once; ranked again by the new model,
    page 2 repeated 15 cards of page 1 and skipped 15 others. Later pages keep the
    model of the first; the next first page has the new one."""
    reader, client = reader_client(core_topics, "ai")
    now = timezone.now()
    kinds = ["robot", "chatbot"]  # a like of one kind lifts the other 19 of it
    articles = {
        a.pk: a
        for a in factories.make_articles(
            factories.make_source(),
            [
                factories.entry(
                    f"AI model {kinds[k % 2]} {made_up_word(3 * k)} "
                    f"{made_up_word(3 * k + 1)}",
                    f"Language model news: {kinds[k % 2]} {made_up_word(3 * k + 2)}.",
                    published=now - timedelta(hours=1 + k * 0.25),
                )
                for k in range(40)
            ],
        )
    }

    def like_one(cards):
        robot = next(pk for pk in cards if "robot" in articles[pk].title)
        # What the Like button does: store the like and refit the model.
        personalisation.record_feedback(reader, articles[robot], "like")

    first, second = two_pages(client, "/", like_one)
    assert len(first) == 20 and not set(first) & set(second)
    assert set(first) | set(second) == set(articles)
    # The next first page is ranked by the model the like trained.
    assert personalisation.model_for(reader) is not None
    assert card_ids(client.get("/").content.decode()) != first


def test_unsaving_a_card_of_the_first_saved_page_skips_none_on_the_next(
    core_topics,
):
    reader, client = reader_client(core_topics)
    articles = ai_articles(25)
    for article in articles:
        personalisation.record_feedback(reader, article, "save")

    def unsave(cards):
        url = f"/articles/{cards[0]}/feedback/"
        client.post(url, {"signal": "save", "undo": "1"}, headers=JSON)

    first, second = two_pages(client, "/saved/", unsave)
    newest_saved_first = [a.pk for a in reversed(articles)]
    assert first == newest_saved_first[:20]
    assert second == newest_saved_first[20:]


def test_saves_made_at_the_same_instant_page_without_repeats(core_topics):
    reader, client = reader_client(core_topics)
    articles = ai_articles(25)
    now = timezone.now()
    Feedback.objects.bulk_create(
        [
            Feedback(user=reader, article=a, signal="save", created_at=now)
            for a in articles
        ]
    )
    first, second = two_pages(client, "/saved/")
    assert len(first) == 20
    assert sorted(first + second) == sorted(a.pk for a in articles)


def test_an_article_fetched_after_the_first_page_waits_for_a_new_first_page(
    core_topics,
):
    reader, client = reader_client(core_topics)
    ai_articles(40)

    late = []

    def late_fetch(cards):
        # Published before the first page was ranked, fetched only now.
        late.append(
            factories.make_article(
                factories.make_source(),
                "AI model quorbix vantelope drisk",
                "Language model news: plomberry.",
                published=timezone.now() - timedelta(minutes=30),
            ).pk
        )

    first, second = two_pages(client, "/", late_fetch)
    assert len(second) == 20 and not set(first) & set(second)
    assert late[0] not in second
    assert late[0] in card_ids(client.get("/").content.decode())


def test_search_results_page_on_without_repeats_when_an_article_arrives_between_pages(
    core_topics,
):
    reader, client = reader_client(core_topics)
    now = timezone.now()
    factories.make_articles(
        factories.make_source(),
        [factories.entry(f"Rocket story {k} zq{k}x", published=now - timedelta(hours=k + 1))
         for k in range(30)],
        score=False,
    )  # fmt: skip
    first = search(client, "rocket")
    factories.make_articles(
        factories.make_source(),
        [factories.entry("Rocket late arrival", published=now - timedelta(minutes=30))],
        score=False,
    )
    second = search(client, "rocket", cursor=next_cursor(first))
    assert not set(card_ids(first)) & set(card_ids(second))
    assert len(card_ids(first)) + len(card_ids(second)) == 30
