"""The buttons of a story's card: like, less like this and save act on the card,
whichever copy of the story holds the signal, and undoing one gives back what was
there before."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from feed.models import Feedback, Follow
from tests import factories

pytestmark = pytest.mark.django_db

JSON = {"Accept": "application/json"}
TITLE = "Nvidia unveils its next AI chip for data centers at a developer event"
TEXT = "The GPU maker says the accelerator doubles performance per watt."


def reader_client(core_topics):
    reader = factories.make_user()
    Follow.objects.create(user=reader, topic=core_topics["chips"])
    client = Client()
    client.force_login(reader)
    return reader, client


def telling(hours_ago: float):
    """One source's copy of the same story."""
    published = timezone.now() - timedelta(hours=hours_ago)
    (article,) = factories.make_articles(
        factories.make_source(), [factories.entry(TITLE, TEXT, published=published)]
    )
    return article


def card_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'id="article-(\d+)"', html)]


def signals(reader) -> set[tuple[int, str]]:
    return set(Feedback.objects.filter(user=reader).values_list("article_id", "signal"))


@pytest.mark.parametrize("headers", [JSON, {}], ids=["json", "form"])
def test_undoing_less_like_this_gives_back_the_like_it_replaced(core_topics, headers):
    reader, client = reader_client(core_topics)
    article = telling(hours_ago=1)
    url = f"/articles/{article.pk}/feedback/"
    client.post(url, {"signal": "like"}, headers=headers)
    client.post(url, {"signal": "dislike"}, headers=headers)
    assert signals(reader) == {(article.pk, "dislike")}
    assert card_ids(client.get("/").content.decode()) == []
    # The card's Undo likes the story again (tidings.js), which takes the dislike
    # back: the card returns with Like pressed, and pressing it then unlikes.
    client.post(url, {"signal": "like"}, headers=headers)
    assert signals(reader) == {(article.pk, "like")}
    html = client.get("/").content.decode()
    assert card_ids(html) == [article.pk]
    assert 'data-signal="like" aria-pressed="true"' in html
    client.post(url, {"signal": "like", "undo": "1"}, headers=headers)
    assert signals(reader) == set()


@pytest.mark.parametrize("signal", ["save", "like"])
def test_pressing_a_pressed_button_withdraws_it_from_the_copy_that_holds_it(
    core_topics, signal
):
    reader, client = reader_client(core_topics)
    older = telling(hours_ago=3)
    client.post(f"/articles/{older.pk}/feedback/", {"signal": signal})
    other_reader = factories.make_user()
    Feedback.objects.create(user=other_reader, article=older, signal=signal)
    newer = telling(hours_ago=1)
    html = client.get("/").content.decode()
    assert card_ids(html) == [newer.pk]
    assert f'data-signal="{signal}" aria-pressed="true"' in html
    # The card shows the newer copy, so that is the one its form names.
    reply = client.post(
        f"/articles/{newer.pk}/feedback/",
        {"signal": signal, "undo": "1"},
        headers=JSON,
    ).json()
    assert reply["active"] is False
    assert signals(reader) == set()
    html = client.get("/").content.decode()
    assert f'data-signal="{signal}" aria-pressed="false"' in html
    assert signals(other_reader) == {(older.pk, signal)}


def test_less_like_this_replaces_a_like_held_by_another_copy(core_topics):
    reader, client = reader_client(core_topics)
    older = telling(hours_ago=3)
    client.post(f"/articles/{older.pk}/feedback/", {"signal": "like"})
    client.post(f"/articles/{older.pk}/feedback/", {"signal": "save"})
    newer = telling(hours_ago=1)
    client.post(f"/articles/{newer.pk}/feedback/", {"signal": "dislike"})
    assert signals(reader) == {(older.pk, "save"), (newer.pk, "dislike")}
    # The saved story keeps its card under Saved, no longer liked.
    html = client.get("/saved/").content.decode()
    assert 'data-signal="like" aria-pressed="false"' in html


def undo_form(html: str) -> dict[str, str]:
    """The fields of the Undo form a feed page offers after a dismissal."""
    form = re.search(r'id="undo".*?</form>', html, re.DOTALL).group(0)
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
    fields["action"] = re.search(r'action="([^"]+)"', form).group(1)
    return fields


@pytest.mark.parametrize(
    ("liked", "undone_by"),
    [(False, {"signal": "hide", "undo": "1"}), (True, {"signal": "like"})],
    ids=["hide", "less-like-this-after-like"],
)
def test_a_dismissal_without_javascript_can_be_undone(core_topics, liked, undone_by):
    reader, client = reader_client(core_topics)
    article = telling(hours_ago=1)
    url = f"/articles/{article.pk}/feedback/"
    signal = "dislike" if liked else "hide"
    if liked:
        client.post(url, {"signal": "like"}, headers=JSON)
    response = client.post(
        url, {"signal": signal, "next": f"/#article-{article.pk}"}, follow=True
    )
    html = response.content.decode()
    assert card_ids(html) == []
    assert "is gone from your feed" in html
    fields = undo_form(html)
    assert fields.pop("csrfmiddlewaretoken")
    # Undo, as the card would: back to the story, on the page the reader was on.
    assert fields == {"action": url, **undone_by, "next": f"/#article-{article.pk}"}
    response = client.post(url, fields, follow=True)
    assert response.redirect_chain[-1][0] == f"/#article-{article.pk}"
    html = response.content.decode()
    assert card_ids(html) == [article.pk]
    assert 'id="undo"' not in html
    assert signals(reader) == ({(article.pk, "like")} if liked else set())


def test_with_javascript_a_dismissal_leaves_no_undo_for_the_next_page(core_topics):
    reader, client = reader_client(core_topics)
    article = telling(hours_ago=1)
    client.post(f"/articles/{article.pk}/feedback/", {"signal": "hide"}, headers=JSON)
    assert 'id="undo"' not in client.get("/").content.decode()


def test_a_card_sends_its_reader_back_to_the_card(core_topics):
    reader, client = reader_client(core_topics)
    article = telling(hours_ago=1)
    html = client.get("/?topic=chips").content.decode()
    back = f'name="next" value="/?topic=chips#article-{article.pk}"'
    # The four buttons and the topic fixes.
    assert html.count(back) == 5
