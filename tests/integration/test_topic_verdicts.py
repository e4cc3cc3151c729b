"""A reader says an article is, or is not, about a topic: their own feed follows at
once, and the topic's model learns from it at its next refit."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from feed.models import Article, Follow, Subscription, TopicVerdict
from feed.ranking import features
from feed.services import preferences, scoring, verdicts
from tests import factories

pytestmark = pytest.mark.django_db


def reader(core_topics, *slugs):
    user = factories.make_user()
    for slug in slugs:
        Follow.objects.create(user=user, topic=core_topics[slug])
    client = Client()
    client.force_login(user)
    return user, client


def article_about(core_topics, title, **probabilities):
    (article,) = factories.make_articles(
        factories.make_source(), [factories.entry(title)], score=False
    )
    Article.objects.filter(pk=article.pk).update(
        topic_scores={
            core_topics[slug].score_key: p for slug, p in probabilities.items()
        }
    )
    return article


def chips_on_card(html: str, article: Article) -> list[str]:
    card = re.search(
        rf'<article class="card" id="article-{article.pk}".*?</article>', html, re.S
    ).group(0)
    chips = re.search(r'<ul class="chips" aria-label="Topics">(.*?)</ul>', card, re.S)
    return re.findall(r'class="chip"[^>]*>([^<]+)<', chips.group(1)) if chips else []


def test_not_about_removes_the_chip_and_the_topic_view_for_that_reader_only(
    core_topics,
):
    article = article_about(core_topics, "Wafer prices and tariffs", chips=0.9, ai=0.6)
    alice, alice_client = reader(core_topics, "chips", "ai")
    bob, bob_client = reader(core_topics, "chips", "ai")
    assert chips_on_card(alice_client.get("/").content.decode(), article) == [
        "Chips",
        "AI",
    ]
    page = alice_client.get("/").content.decode()
    assert f'action="/articles/{article.pk}/topics/"' in page
    assert 'name="not_about" value="chips"' in page and "Not about Chips" in page

    response = alice_client.post(
        f"/articles/{article.pk}/topics/", {"not_about": "chips", "next": "/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert "is not about Chips" in alice_client.get("/").content.decode()
    assert chips_on_card(alice_client.get("/").content.decode(), article) == ["AI"]
    assert (
        f"article-{article.pk}"
        not in alice_client.get("/?topic=chips").content.decode()
    )
    # Another reader's feed is unchanged.
    assert chips_on_card(bob_client.get("/").content.decode(), article) == [
        "Chips",
        "AI",
    ]
    assert f"article-{article.pk}" in bob_client.get("/?topic=chips").content.decode()


def test_about_adds_the_topic_and_undo_takes_it_back(core_topics):
    article = article_about(core_topics, "Port strike slows exports", ai=0.7)
    alice, client = reader(core_topics, "ai", "trade")
    assert f"article-{article.pk}" not in client.get("/?topic=trade").content.decode()
    client.post(f"/articles/{article.pk}/topics/", {"about": "trade"})
    assert f"article-{article.pk}" in client.get("/?topic=trade").content.decode()
    assert "you marked it Trade policy" in client.get("/").content.decode()
    assert chips_on_card(client.get("/").content.decode(), article) == [
        "Trade policy",
        "AI",
    ]
    client.post(f"/articles/{article.pk}/topics/", {"about": "trade", "undo": "1"})
    assert not TopicVerdict.objects.exists()
    assert chips_on_card(client.get("/").content.decode(), article) == ["AI"]


def test_a_verdict_holds_for_the_whole_story(core_topics):
    title = "Nvidia unveils its next AI chip for data centers at a developer event"
    text = "The GPU maker says the accelerator doubles performance per watt."
    first, second = (
        factories.make_articles(
            factories.make_source(title=f"Outlet {n}"),
            [factories.entry(title, text, url=f"https://outlet{n}.example/nvidia")],
        )[0]
        for n in range(2)
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.story_id is not None and first.story_id == second.story_id
    alice, client = reader(core_topics, "chips", "ai")
    html = client.get("/?topic=chips").content.decode()
    shown = first if f"article-{first.pk}" in html else second
    other = second if shown is first else first
    assert f"article-{shown.pk}" in html
    # The verdict is on the article the reader does not see right now.
    client.post(f"/articles/{other.pk}/topics/", {"not_about": "chips"})
    html = client.get("/?topic=chips").content.decode()
    assert f"article-{first.pk}" not in html and f"article-{second.pk}" not in html
    home = client.get("/").content.decode()
    card = first if f"article-{first.pk}" in home else second
    assert "Chips" not in chips_on_card(home, card)


def test_verdicts_refuse_bad_input_and_other_readers_things(core_topics):
    article = article_about(core_topics, "Chip news", chips=0.9)
    alice, client = reader(core_topics, "chips")
    url = f"/articles/{article.pk}/topics/"
    for bad in (
        {}, {"about": "chips", "not_about": "ai"}, {"about": "no such!"},
        {"not_about": "x" * 81},
    ):  # fmt: skip
        assert client.post(url, bad).status_code == 400, bad
    assert client.get(url)["Location"] == "/"  # not an action: back to the feed
    assert client.post(url, {"not_about": "nope"}).status_code == 404
    owner = factories.make_user()
    private_topic = preferences.create_own_topic(owner, name="Owner's own", words="x y")
    response = client.post(url, {"about": private_topic.slug})
    assert response.status_code == 404
    private_source = factories.make_source(is_default=False)
    Subscription.objects.create(user=owner, source=private_source)
    (hidden,) = factories.make_articles(
        private_source, [factories.entry("Owner's article")], score=False
    )
    assert (
        client.post(
            f"/articles/{hidden.pk}/topics/", {"not_about": "chips"}
        ).status_code
        == 404
    )
    assert Client().post(url, {"not_about": "chips"}).status_code == 302  # log in
    assert not TopicVerdict.objects.exists()


def cookie(n: int) -> tuple[str, str]:
    return (
        f"Bakery recalls chocolate chip cookie dough batch {n}",
        "The cookie dough may contain pieces of plastic; the bakery recalls it.",
    )


def test_the_topic_model_learns_from_verdicts_at_its_next_refit(core_topics):
    source = factories.make_source()
    chip_news = [
        (
            f"Chipmaker {n} opens a new chip factory",
            "The semiconductor plant makes processors on 3 nm wafers with EUV tools.",
        )
        for n in range(15)
    ]
    other_news = [
        (f"City council {n} votes on the budget", "The mayor spoke about parks.")
        for n in range(15)
    ]
    rows = chip_news + other_news + [cookie(n) for n in range(7)]
    articles = factories.make_articles(
        source, [factories.entry(t, x) for t, x in rows], score=False
    )
    recalls, held_out = articles[30:36], articles[36]
    chips = core_topics["chips"]

    def p_chips(article) -> float:
        X = features.decode_rows([Article.objects.get(pk=article.pk).vector])
        classifier = scoring.topic_classifiers([chips])[chips.pk]
        return float(classifier.predict_proba(X)[0])

    scoring.refresh_topic_models()
    before = p_chips(held_out)
    alice, client = reader(core_topics, "chips")
    for article in recalls:
        client.post(f"/articles/{article.pk}/topics/", {"not_about": "chips"})
    scoring.refresh_topic_models()
    after = p_chips(held_out)
    assert before > 0.5 > after  # its card loses the Chips chip
    assert p_chips(articles[0]) > 0.5  # a chip factory is still about chips


def test_a_storys_newest_verdict_wins_over_an_older_one_on_a_copy():
    """by_story holds the newest verdict the reader gave any copy of the story
    (stated_by reads them newest first); an article alone keeps its own."""
    stated = verdicts.Stated(
        by_article={1: {"t1": True, "t3": True}, 3: {"t1": True}},
        by_story={9: {"t1": False, "t2": False}},
    )
    assert stated.on(1, 9) == {"t1": False, "t2": False, "t3": True}
    assert stated.on(2, 9) == {"t1": False, "t2": False}
    assert stated.on(3, None) == {"t1": True}
    assert stated.on(2, None) == {}
    scores = verdicts.apply({"t1": 0.3, "t2": 0.9, "t3": 0.6}, stated.on(1, 9))
    assert scores == {"t3": 1.0}


def test_not_about_on_a_storys_card_sticks_when_an_older_copy_was_marked_about(
    core_topics, django_capture_on_commit_callbacks
):
    title = "Nvidia unveils its next AI chip for data centers at a developer event"
    text = "The GPU maker says the accelerator doubles performance per watt."
    user, client = reader(core_topics, "chips", "trade")
    (original,) = factories.make_articles(
        factories.make_source(title="Outlet A"),
        [factories.entry(title, text, published=timezone.now() - timedelta(hours=3))],
    )
    Article.objects.filter(pk=original.pk).update(topic_scores={})
    client.post(f"/articles/{original.pk}/topics/", {"about": "trade"})
    with django_capture_on_commit_callbacks(execute=True):
        (copy,) = factories.make_articles(
            factories.make_source(title="Outlet B"),
            [factories.entry(title, text, published=timezone.now())],
        )
    Article.objects.filter(pk=copy.pk).update(topic_scores={})
    original.refresh_from_db()
    assert copy.story_id == original.story_id is not None
    html = client.get("/").content.decode()
    assert chips_on_card(html, copy) == ["Trade policy"]  # the story verdict holds
    # The reader changes their mind on the story's card ...
    client.post(f"/articles/{copy.pk}/topics/", {"not_about": "trade"})
    html = client.get("/").content.decode()
    cards = [int(i) for i in re.findall(r'id="article-(\d+)"', html)]
    assert len(cards) == 1
    # ... and neither copy is about trade for them any more, on any page.
    shown = Article.objects.get(pk=cards[0])
    assert "Trade policy" not in chips_on_card(html, shown)
    trade_view = client.get("/?topic=trade").content.decode()
    assert f'id="article-{original.pk}"' not in trade_view
    assert f'id="article-{copy.pk}"' not in trade_view


def test_a_verdict_covers_a_copy_from_another_source_that_joins_later(
    core_topics, django_capture_on_commit_callbacks
):
    title = "Nvidia unveils its next AI chip for data centers at a developer conference"
    text = "The GPU maker said the accelerator doubles performance per watt."
    alice, client = reader(core_topics, "chips")
    (original,) = factories.make_articles(
        factories.make_source(),
        [factories.entry(title, text, published=timezone.now() - timedelta(hours=3))],
    )
    assert original.story_id is None  # alone so far
    client.post(f"/articles/{original.pk}/topics/", {"not_about": "chips"})
    assert f"article-{original.pk}" not in client.get("/?topic=chips").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        (copy,) = factories.make_articles(
            factories.make_source(),
            [factories.entry(title, text, published=timezone.now())],
        )
    original.refresh_from_db()
    assert copy.story_id == original.story_id is not None
    # The story the reader said is not about Chips stays out of their Chips view,
    # whichever of its articles would show (the verdicts were cached before).
    page = client.get("/?topic=chips").content.decode()
    assert f"article-{copy.pk}" not in page and f"article-{original.pk}" not in page
