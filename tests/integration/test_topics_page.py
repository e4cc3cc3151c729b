"""The topics page: follow, weight, topics of one's own, muted words, sparklines."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from feed import tasks
from feed.forms import MuteForm
from feed.models import Article, Follow, Mute, Topic, TopicModel
from feed.services import browsing, preferences, reading, scoring
from tests import factories
from tests.integration.test_feed_pages import card_ids, reader_client

pytestmark = pytest.mark.django_db


def logged_in(reader) -> Client:
    client = Client()
    client.force_login(reader)
    return client


def quantum_articles(n: int = 8) -> list:
    now = timezone.now()
    lines = [
        "Quantum computer startup reaches a thousand qubits",
        "Researchers demonstrate quantum error correction below threshold",
        "New superconducting qubits last ten times longer",
        "Quantum computing firm raises funds for a photonic machine",
        "Trapped-ion quantum computer solves a chemistry problem",
        "Government funds a national quantum computing centre",
        "Logical qubits run a quantum algorithm for an hour",
        "Quantum advantage claim disputed by classical simulation",
    ]
    other = [
        f"{town} bakery wins a prize for its {bread}"
        for town in ("Northfield", "Eastwick", "Southam", "Westbury", "Midtown")
        for bread in ("sourdough", "rye loaf", "baguette", "brioche", "bagels")
    ] + [f"{team} win the {cup} final" for team in ("Rovers", "United", "Athletic",
         "City", "Wanderers") for cup in ("league", "county", "youth", "women's",
         "veterans'")]  # fmt: skip
    entries = [
        factories.entry(t, published=now - timedelta(hours=k + 1))
        for k, t in enumerate(lines[:n] + other)
    ]
    return factories.make_articles(factories.make_source(), entries)[:n]


def test_following_and_unfollowing_a_topic(core_topics):
    reader = factories.make_user()
    client = logged_in(reader)
    client.post("/topics/space/follow/", {"action": "follow"})
    assert Follow.objects.filter(user=reader, topic__slug="space").exists()
    html = client.get("/topics/").content.decode()
    following = html.split('id="following-heading"')[1].split('id="more-heading"')[0]
    assert "Space" in following
    client.post("/topics/space/follow/", {"action": "unfollow"})
    assert not Follow.objects.filter(user=reader).exists()


def test_more_or_less_of_a_topic_sets_its_weight(core_topics):
    reader = factories.make_user()
    client = logged_in(reader)
    client.post("/topics/ai/follow/", {"action": "follow"})
    client.post("/topics/ai/weight/", {"weight": "more"})
    assert Follow.objects.get(user=reader, topic__slug="ai").weight == 2.0
    html = client.get("/topics/").content.decode()
    assert 'value="more" aria-pressed="true"' in html
    client.post("/topics/ai/weight/", {"weight": "less"})
    assert Follow.objects.get(user=reader, topic__slug="ai").weight == 0.5
    assert client.post("/topics/ai/weight/", {"weight": "9"}).status_code == 400


def test_a_topic_weighted_more_ranks_its_articles_higher(core_topics):
    reader = factories.make_user()
    client = logged_in(reader)
    now = timezone.now()
    space, chips = factories.make_articles(
        factories.make_source(),
        [factories.entry("Rocket launches a satellite into orbit for NASA",
                         published=now - timedelta(hours=2)),
         factories.entry("Chipmaker TSMC expands semiconductor fab for GPUs",
                         published=now - timedelta(hours=2))],
    )  # fmt: skip
    for slug in ("space", "chips"):
        client.post(f"/topics/{slug}/follow/", {"action": "follow"})
    client.post("/topics/space/weight/", {"weight": "less"})
    client.post("/topics/chips/weight/", {"weight": "more"})
    assert reading.rank_feed_for(reader).items[0].article == chips
    client.post("/topics/space/weight/", {"weight": "more"})
    client.post("/topics/chips/weight/", {"weight": "less"})
    assert reading.rank_feed_for(reader).items[0].article == space


def test_a_topic_of_ones_own_is_followed_and_scored_at_once(
    core_topics, django_capture_on_commit_callbacks
):
    quantum = quantum_articles()
    reader = factories.make_user()
    client = logged_in(reader)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            "/topics/new/",
            {"name": "Quantum computing",
             "words": "quantum computer, qubits, quantum error correction"},
        )  # fmt: skip
    assert response.status_code == 302
    topic = Topic.objects.get(owner=reader)
    assert topic.seed_term_list == [
        "quantum computer",
        "qubits",
        "quantum error correction",
    ]
    assert Follow.objects.filter(user=reader, topic=topic).exists()
    assert TopicModel.objects.filter(topic=topic).exists()
    # The full refit of every topic model is queued for after the commit.
    assert len(callbacks) == 1
    scores = {}
    for article in quantum:
        article.refresh_from_db()
        scores[article.pk] = article.topic_scores.get(topic.score_key, 0.0)
    # Most quantum stories pass the topic filter at once, and those are what the
    # filtered feed shows first.
    passing = {pk for pk, p in scores.items() if p >= reading.FILTER_PROBABILITY}
    assert len(passing) >= 6, scores
    html = client.get(f"/?topic={topic.slug}").content.decode()
    ids = [int(i) for i in re.findall(r'id="article-(\d+)"', html)]
    assert set(ids[: len(passing)]) == passing
    assert ">Quantum computing</a>" in html  # its chip on the cards


def test_another_readers_topic_is_invisible(core_topics):
    owner, stranger = factories.make_user(), factories.make_user()
    logged_in(owner).post("/topics/new/", {"name": "Sourdough", "words": "bread"})
    topic = Topic.objects.get(owner=owner)
    client = logged_in(stranger)
    assert "Sourdough" not in client.get("/topics/").content.decode()
    assert client.get(f"/?topic={topic.slug}").status_code == 404


def test_editing_an_own_topic_refits_it_and_deleting_removes_it(core_topics):
    quantum_articles()
    reader = factories.make_user()
    client = logged_in(reader)
    client.post("/topics/new/", {"name": "Bread", "words": "sourdough, rye loaf"})
    topic = Topic.objects.get(owner=reader)
    page = client.get(f"/topics/{topic.slug}/edit/").content.decode()
    assert 'value="sourdough, rye loaf"' in page
    client.post(
        f"/topics/{topic.slug}/edit/",
        {"name": "Quantum", "words": "qubits, quantum computer"},
    )
    topic.refresh_from_db()
    assert topic.name == "Quantum" and topic.seed_term_list[0] == "qubits"
    titles = Article.objects.about(
        topic, at_least=reading.CHIP_PROBABILITY
    ).values_list("title", flat=True)
    assert titles and all("ubit" in t or "uantum" in t for t in titles)
    client.post(f"/topics/{topic.slug}/delete/")
    assert not Topic.objects.filter(pk=topic.pk).exists()
    assert not Article.objects.filter(topic_scores__has_key=topic.score_key).exists()


def test_a_built_in_topic_cannot_be_edited_or_deleted(core_topics):
    client = logged_in(factories.make_user())
    assert client.get("/topics/ai/edit/").status_code == 404
    assert client.post("/topics/ai/delete/").status_code == 404
    assert Topic.objects.filter(slug="ai").exists()


def test_an_own_topic_needs_a_name_and_words(core_topics):
    client = logged_in(factories.make_user())
    response = client.post("/topics/new/", {"name": "Bread", "words": " , ;"})
    assert response.status_code == 400
    assert "Give at least one word or phrase" in response.content.decode()
    assert not Topic.objects.filter(owner__isnull=False).exists()


@pytest.mark.parametrize("words", ["the, a, of, and", "\U0001f389, \U0001f680"])
def test_an_own_topic_needs_words_that_can_match(core_topics, words):
    reader = factories.make_user()
    client = logged_in(reader)
    response = client.post("/topics/new/", {"name": "Mine", "words": words})
    assert response.status_code == 400
    assert "None of these words can find a story" in response.content.decode()
    assert not Topic.objects.filter(owner__isnull=False).exists()
    topic = preferences.create_own_topic(reader, name="Bread", words="sourdough")
    client.post(f"/topics/{topic.slug}/edit/", {"name": "Bread", "words": words})
    topic.refresh_from_db()
    assert topic.seed_term_list == ["sourdough"]
    # A word that can match among them is enough.
    response = client.post("/topics/new/", {"name": "Mine", "words": f"{words}, rye"})
    assert response.status_code == 302


def test_words_of_an_own_topic_beyond_the_limit_are_not_dropped_silently(core_topics):
    reader, client = reader_client(core_topics)
    words = [f"word{k}" for k in range(25)]
    response = client.post("/topics/new/", {"name": "Many", "words": ", ".join(words)})
    assert response.status_code == 400
    assert (
        "Give at most 20 words or phrases (these are 25)" in response.content.decode()
    )
    long_phrase = "a phrase that goes on " * 4
    response = client.post("/topics/new/", {"name": "Long", "words": long_phrase})
    assert response.status_code == 400
    assert "at most 80 characters" in response.content.decode()
    assert not Topic.objects.filter(owner=reader).exists()


def test_an_own_topic_can_be_saved_again_with_the_words_its_edit_page_shows(
    core_topics,
):
    reader, client = reader_client(core_topics)
    words = ";".join(f"term{k:02d}" + "x" * 43 for k in range(20))  # 999 characters
    assert (
        client.post("/topics/new/", {"name": "Long", "words": words}).status_code == 302
    )
    topic = Topic.objects.get(owner=reader)
    page = client.get(f"/topics/{topic.slug}/edit/").content.decode()
    shown = re.search(r'<input type="text" name="words" value="([^"]*)"', page).group(1)
    response = client.post(
        f"/topics/{topic.slug}/edit/", {"name": "Renamed", "words": shown}
    )
    assert "at most 1000 characters" not in response.content.decode()
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.name == "Renamed" and topic.seed_term_list == words.split(";")


def test_an_own_topic_sent_twice_or_named_as_a_built_in_one_is_refused(core_topics):
    reader, client = reader_client(core_topics)
    form = {"name": "Sourdough", "words": "sourdough, rye loaf"}
    assert client.post("/topics/new/", form).status_code == 302
    response = client.post("/topics/new/", {**form, "name": " sourDOUGH "})
    assert response.status_code == 400
    assert "You already have a topic called “Sourdough”" in response.content.decode()
    built_in = core_topics["ai"].name
    response = client.post("/topics/new/", {**form, "name": built_in.lower()})
    assert response.status_code == 400
    assert f"“{built_in}” is a built-in topic" in response.content.decode()
    assert Topic.objects.filter(owner=reader).count() == 1
    # Saving a topic under its own name is no clash.
    topic = Topic.objects.get(owner=reader)
    response = client.post(f"/topics/{topic.slug}/edit/", form)
    assert response.status_code == 302


def test_a_reader_can_have_only_so_many_topics_of_their_own(core_topics, settings):
    settings.OWN_TOPICS_MAX = 2
    reader, client = reader_client(core_topics)
    for name in ("Sourdough", "Rye"):
        preferences.create_own_topic(reader, name=name, words=name)
    response = client.post("/topics/new/", {"name": "Brioche", "words": "brioche"})
    assert response.status_code == 400
    assert "You have 2 topics of your own, the most there can be" in (
        response.content.decode()
    )
    with pytest.raises(preferences.OwnTopicRefused):
        preferences.create_own_topic(reader, name="Brioche", words="brioche")
    assert Topic.objects.filter(owner=reader).count() == 2


def test_onboarding_refuses_an_own_topic_named_only_with_common_words(core_topics):
    client = logged_in(factories.make_user(onboarded=False))
    response = client.post(
        "/onboarding/",
        {
            "topics": [core_topics["chips"].pk],
            "digest_hour": "8",
            "timezone": "Europe/Lisbon",
            "digest_frequency": "daily",
            "digest_max_items": "10",
            "own-name": "Of the",
        },
    )
    assert response.status_code == 200
    assert "None of these words can find a story" in response.content.decode()
    assert not Topic.objects.filter(owner__isnull=False).exists()


def test_muted_words_leave_the_feed_and_can_be_unmuted(core_topics):
    reader = factories.make_user()
    Follow.objects.create(user=reader, topic=core_topics["ai"])
    muted, kept = factories.make_articles(
        factories.make_source(),
        [factories.entry("Celebrity chatbot launches an AI model"),
         factories.entry("AI model for weather forecasts")],
    )  # fmt: skip
    client = logged_in(reader)
    # Reading the feed first caches the (empty) mute list; muting must drop it.
    assert len(reading.rank_feed_for(reader).items) == 2
    client.post("/mutes/", {"phrase": "  Celebrity "})
    mute = Mute.objects.get(user=reader)
    assert mute.phrase == "celebrity"
    ids = [i.article.pk for i in reading.rank_feed_for(reader).items]
    assert ids == [kept.pk]
    assert "celebrity" in client.get("/topics/").content.decode()
    client.post(f"/mutes/{mute.pk}/delete/")
    ids = [i.article.pk for i in reading.rank_feed_for(reader).items]
    assert set(ids) == {muted.pk, kept.pk}


def test_an_empty_mute_is_refused_with_a_message(core_topics):
    client = logged_in(factories.make_user())
    response = client.post("/mutes/", {"phrase": "   "}, follow=True)
    assert "This field is required" in response.content.decode()
    assert not Mute.objects.exists()


def test_muting_a_word_with_a_capital_dotted_i_mutes_it(core_topics):
    reader, client = reader_client(core_topics)
    muted, kept = factories.make_articles(
        factories.make_source(),
        [factories.entry("Earthquake drill in İstanbul"),
         factories.entry("Earthquake drill in Lima")],
        score=False,
    )  # fmt: skip
    client.post("/mutes/", {"phrase": "İstanbul"})
    assert card_ids(client.get("/recent/").content.decode()) == [kept.pk]


def test_a_mute_that_can_match_nothing_is_refused_not_reported_as_muted(core_topics):
    reader, client = reader_client(core_topics)
    response = client.post("/mutes/", {"phrase": "!!!"}, follow=True)
    html = response.content.decode()
    assert "are muted" not in html
    assert "“!!!” has no letter or digit, so it would mute nothing" in html
    assert not Mute.objects.filter(user=reader).exists()


def test_a_reader_at_the_mute_limit_cannot_mute_one_more(core_topics, settings):
    settings.MUTES_MAX = 3
    reader = factories.make_user()
    for phrase in ("one", "two", "three"):
        preferences.add_mute(reader, phrase)
    form = MuteForm({"phrase": "four"}, user=reader)
    assert form.errors["phrase"] == [
        "You mute 3 words and phrases, the most there can be: unmute one to mute "
        "another."
    ]
    with pytest.raises(preferences.TooManyMutes):
        preferences.add_mute(reader, "four")
    # A phrase muted already is no new mute.
    assert MuteForm({"phrase": "Two"}, user=reader).is_valid()
    preferences.add_mute(reader, "Two")
    assert Mute.objects.filter(user=reader).count() == 3
    client = Client()
    client.force_login(reader)
    page = client.post("/mutes/", {"phrase": "four"}, follow=True).content.decode()
    assert "You mute 3 words and phrases, the most there can be" in page
    assert Mute.objects.filter(user=reader).count() == 3


def test_a_reader_with_as_many_mutes_as_allowed_still_gets_the_pages(
    core_topics, settings
):
    settings.MUTES_MAX = 1200
    reader, client = reader_client(core_topics)
    Mute.objects.bulk_create(
        Mute(user=reader, phrase=f"word{k}") for k in range(settings.MUTES_MAX)
    )
    muted, kept = factories.make_articles(
        factories.make_source(),
        [factories.entry("AI model word1199 launches"),
         factories.entry("AI model for weather forecasts")],
    )  # fmt: skip
    for path in ("/", "/recent/", "/search/?q=model"):
        response = client.get(path)
        assert response.status_code == 200
        assert card_ids(response.content.decode()) == [kept.pk]


def test_sparklines_count_a_topics_articles_per_local_day(core_topics):
    reader = factories.make_user(timezone="Asia/Tokyo")
    source = factories.make_source()
    # Noon in Tokyo yesterday: five minutes before it is the same local day however
    # close to a Tokyo midnight the test runs (it failed once at 00:03 JST).
    now = (
        timezone.now().astimezone(ZoneInfo("Asia/Tokyo")) - timedelta(days=1)
    ).replace(hour=12, minute=0, second=0, microsecond=0)
    entries = [
        factories.entry(
            f"Chipmaker {name} ships a GPU accelerator for AI data centers",
            published=now - timedelta(days=days, minutes=5),
        )
        for name, days in [("Alpha", 0), ("Beta", 0), ("Gamma", 2), ("Delta", 40)]
    ]
    chips = core_topics["chips"]
    for article in factories.make_articles(source, entries):
        article.topic_scores[chips.score_key] = 0.9
        article.save(update_fields=["topic_scores"])
    sparks = browsing.topic_activity(reader, [chips], now=now)
    counts = sparks[chips.pk].counts
    assert len(counts) == 30
    assert counts[-1] == 2 and counts[-3] == 1 and sum(counts) == 3
    html = logged_in(reader).get("/topics/").content.decode()
    assert 'aria-label="Chips: 3 stories in the last 30 days, at most 2 a day"' in html
    assert "<polyline points=" in html and "style=" not in html


def test_sparklines_of_many_topics_are_counted_a_batch_of_topics_at_a_time(
    core_topics, monkeypatch
):
    monkeypatch.setattr(browsing, "ACTIVITY_TOPICS_PER_QUERY", 2)
    reader = factories.make_user()
    topics = sorted(core_topics.values(), key=lambda t: t.pk)[:5]
    (article,) = factories.make_articles(
        factories.make_source(), [factories.entry("A story")], score=False
    )
    article.topic_scores = {t.score_key: 0.9 for t in topics[::2]}
    article.save(update_fields=["topic_scores"])
    sparks = browsing.topic_activity(reader, topics)
    assert [sparks[t.pk].total for t in topics] == [1, 0, 1, 0, 1]


def test_a_change_made_while_the_topic_models_are_refitted_queues_another_refit(
    db, monkeypatch
):
    queued = []
    monkeypatch.setattr(tasks.refresh_topic_models, "delay", lambda: queued.append(1))

    def refit_during_which_a_reader_edits_a_topic() -> int:
        tasks._queue_refresh()  # what saving a topic does once it commits
        return 0

    monkeypatch.setattr(
        scoring, "refresh_topic_models", refit_during_which_a_reader_edits_a_topic
    )
    assert cache.add(tasks.REFRESH_QUEUED_KEY, 1, 900)  # this refit was queued
    tasks.refresh_topic_models()
    assert queued == [1]
