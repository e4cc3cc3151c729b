"""The feed pages: cards, actions with and without JavaScript, the saved, all recent
and search views, pagination, empty states, read marks and the query budget."""

import base64
import dataclasses
import re
from datetime import timedelta

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.test import Client
from django.utils import timezone

from feed import views
from feed.ingest.clean import sanitize_html
from feed.models import Article, Feedback, Follow, ReadMark, Subscription
from feed.services import browsing, personalisation, preferences, reading
from tests import factories
from tests.integration.test_topic_verdicts import chips_on_card

pytestmark = pytest.mark.django_db


def reader_client(core_topics, *slugs, **fields):
    reader = factories.make_user(**fields)
    for slug in slugs or ("ai",):
        Follow.objects.create(user=reader, topic=core_topics[slug])
    client = Client()
    client.force_login(reader)
    return reader, client


SYLLABLES = ["ka", "lo", "mi", "ne", "su", "ta", "ri", "vo", "pe", "zu", "ha", "go"]


def made_up_word(n: int) -> str:
    """A distinct nonsense word per n, so that articles are not near-duplicates."""
    word = ""
    for _ in range(3):
        n, k = divmod(n, len(SYLLABLES))
        word += SYLLABLES[k]
    return word + "x"


def ai_articles(n: int, *, source=None, hours_apart: float = 0.25) -> list:
    """n distinct articles about AI (different stories), newest first."""
    now = timezone.now()
    words = [made_up_word(k) for k in range(6 * n)]
    return factories.make_articles(
        source or factories.make_source(),
        [
            factories.entry(
                f"AI model {' '.join(words[6 * k : 6 * k + 4])}",
                f"Language model news: {' '.join(words[6 * k + 4 : 6 * k + 6])}.",
                published=now - timedelta(hours=1 + k * hours_apart),
            )
            for k in range(n)
        ],
    )


def card_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'id="article-(\d+)"', html)]


def search(client, q: str, **params) -> str:
    return client.get("/search/", {"q": q, **params}).content.decode()


def stored_with_summary(title: str, summary_html: str) -> Article:
    entry = dataclasses.replace(
        factories.entry(title), summary_html=sanitize_html(summary_html)
    )
    return factories.make_articles(factories.make_source(), [entry], score=False)[0]


def test_a_card_shows_image_lazily_and_opens_its_link_in_a_new_tab(core_topics):
    reader, client = reader_client(core_topics, "chips")
    source = factories.make_source(title="Wafer Weekly")
    entry = factories.entry(
        "Chipmaker opens a new fab for AI accelerators",
        "The semiconductor foundry will make GPUs.",
        url="https://wafer.example.com/fab",
    )
    entry = dataclasses.replace(entry, image_url="https://img.example/f.jpg")
    (article,) = factories.make_articles(source, [entry])
    html = client.get("/").content.decode()
    assert (
        '<a href="https://wafer.example.com/fab" target="_blank" '
        'rel="noopener noreferrer"' in html
    )
    assert 'src="https://img.example/f.jpg"' in html and 'loading="lazy"' in html
    assert "Wafer Weekly" in html and "ago</time>" in html
    assert f'data-open="/articles/{article.pk}/feedback/"' in html


def test_a_card_shows_the_topics_it_is_about_as_chips(core_topics):
    reader, client = reader_client(core_topics, "chips")
    (article,) = ai_articles(1)
    space, chips = core_topics["space"], core_topics["chips"]
    article.topic_scores = {chips.score_key: 0.9, space.score_key: 0.6, "t0": 0.9}
    article.save(update_fields=["topic_scores"])
    html = client.get("/").content.decode()
    card = html.split(f'id="article-{article.pk}"', 1)[1].split("</article>", 1)[0]
    chips_html = card.split('aria-label="Topics">', 1)[1].split("</ul>", 1)[0]
    assert re.findall(r">([^<]+)</a>", chips_html) == ["Chips", "Space"]
    assert f'href="/?topic={space.slug}"' in chips_html


def test_the_why_line_names_no_topic_the_card_does_not_claim(core_topics):
    """A stray story at p(chips) = 0.3 showed no Chips chip, offered "About Chips"
    in its menu, and said "Why: Chips"."""
    reader, client = reader_client(core_topics, "chips")
    (article,) = factories.make_articles(
        factories.make_source(),
        [factories.entry("Quarterly results of a retailer")],
        score=False,
    )
    Article.objects.filter(pk=article.pk).update(
        topic_scores={core_topics["chips"].score_key: 0.3}
    )
    html = client.get("/").content.decode()
    assert chips_on_card(html, article) == []
    assert 'name="about" value="chips"' in html
    why = re.search(r'<p class="why">.*?</span> (.*?)</p>', html).group(1)
    assert not why.startswith("Chips"), why


def test_more_of_a_topic_does_not_make_the_why_line_claim_it_for_a_stray_story(
    core_topics,
):
    reader = factories.make_user()
    preferences.set_follow_weight(reader, core_topics["chips"], 2.0)  # "more"
    (article,) = factories.make_articles(
        factories.make_source(),
        [factories.entry("Quarterly results of a retailer")],
        score=False,
    )
    Article.objects.filter(pk=article.pk).update(
        topic_scores={core_topics["chips"].score_key: 0.15}
    )
    (item,) = reading.rank_feed_for(reader).items
    assert not item.why.startswith("Chips"), item.why


def test_a_muted_copy_of_a_story_is_not_offered_on_its_siblings_card(core_topics):
    reader, client = reader_client(core_topics, "ai")
    text = "The humanoid robot walks, lifts boxes and runs an AI model on board."
    muted, clean = (
        factories.make_articles(
            factories.make_source(title=f"Outlet {n}"),
            [factories.entry(title, text, url=f"https://outlet{n}.example/robot")],
        )[0]
        for n, title in enumerate(
            [
                "Tesla boss Elon Musk unveils a humanoid AI robot at the factory",
                "Tesla boss unveils a humanoid AI robot at the factory",
            ]
        )
    )
    muted.refresh_from_db()
    clean.refresh_from_db()
    assert muted.story_id is not None and muted.story_id == clean.story_id
    client.post("/mutes/", {"phrase": "Musk"})
    html = client.get("/").content.decode()
    assert card_ids(html) == [clean.pk]
    assert f'href="{muted.url}"' not in html
    assert "Elon Musk" not in html


def test_a_story_from_several_sources_is_one_card_that_links_the_others(core_topics):
    reader, client = reader_client(core_topics, "chips")
    title = "Nvidia unveils its next AI chip for data centers at a developer event"
    text = "The GPU maker says the accelerator doubles performance per watt."
    tellings = [
        factories.make_articles(
            factories.make_source(title=f"Outlet {n}"),
            [factories.entry(title, text, url=f"https://outlet{n}.example/nvidia")],
        )[0]
        for n in range(3)
    ]
    # A fourth outlet only another reader subscribed to: never shown to this one.
    someone = factories.make_user("someone")
    private = factories.make_source(title="Private Letter", is_default=False)
    Subscription.objects.create(user=someone, source=private)
    factories.make_articles(
        private, [factories.entry(title, text, url="https://private.example/n")]
    )
    assert len({a.story_id for a in Article.objects.all()}) == 1
    html = client.get("/").content.decode()
    (shown,) = card_ids(html)
    assert "+2 sources" in html
    others = [a for a in tellings if a.pk != shown]
    for other in others:
        assert f'href="{other.url}"' in html
        assert str(other.source) in html
    assert "Private Letter" not in html and "private.example" not in html


def test_a_story_saved_from_one_source_shows_saved_when_another_source_joins(
    core_topics,
):
    reader, client = reader_client(core_topics, "chips")
    title = "Nvidia unveils its next AI chip for data centers at a developer event"
    text = "The GPU maker says the accelerator doubles performance per watt."
    (saved,) = factories.make_articles(
        factories.make_source(),
        [factories.entry(title, text, published=timezone.now() - timedelta(hours=3))],
    )
    client.post(f"/articles/{saved.pk}/feedback/", {"signal": "save"})
    (newer,) = factories.make_articles(
        factories.make_source(),
        [factories.entry(title, text, published=timezone.now() - timedelta(hours=1))],
    )
    html = client.get("/").content.decode()
    # The card now shows the newer telling, and the story is still saved.
    assert card_ids(html) == [newer.pk]
    assert 'data-signal="save" aria-pressed="true"' in html


def test_like_and_save_answer_json_and_toggle_back(core_topics):
    reader, client = reader_client(core_topics)
    (article,) = ai_articles(1)
    url = f"/articles/{article.pk}/feedback/"
    json_headers = {"Accept": "application/json"}
    reply = client.post(url, {"signal": "save"}, headers=json_headers).json()
    assert reply == {"ok": True, "signal": "save", "active": True}
    html = client.get("/").content.decode()
    assert 'data-signal="save" aria-pressed="true"' in html
    # The pressed button's form carries undo=1, so without JavaScript it unsaves.
    assert 'name="undo" value="1"' in html
    reply = client.post(url, {"signal": "save", "undo": "1"}, headers=json_headers)
    assert reply.json()["active"] is False
    assert not Feedback.objects.filter(user=reader, signal="save").exists()


def test_hiding_without_javascript_redirects_back_with_a_message(core_topics):
    reader, client = reader_client(core_topics)
    article, other = ai_articles(2)
    response = client.post(
        f"/articles/{article.pk}/feedback/",
        {"signal": "hide", "next": "/recent/"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/recent/"
    html = response.content.decode()
    assert "is gone from your feed" in html
    assert card_ids(html) == [other.pk]


def test_an_offsite_next_is_ignored(core_topics):
    reader, client = reader_client(core_topics)
    (article,) = ai_articles(1)
    response = client.post(
        f"/articles/{article.pk}/feedback/",
        {"signal": "like", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_saved_lists_saved_articles_newest_saved_first(core_topics):
    reader, client = reader_client(core_topics)
    first, second, unsaved = ai_articles(3)
    personalisation.record_feedback(reader, second, "save")
    personalisation.record_feedback(reader, first, "save")
    html = client.get("/saved/").content.decode()
    assert card_ids(html) == [first.pk, second.pk]
    assert 'aria-current="page">Saved</a>' in html


def test_a_saved_article_stays_saved_when_its_source_is_removed(core_topics):
    reader, client = reader_client(core_topics)
    blog = factories.make_source(title="Quiet Blog", is_default=False)
    (article,) = ai_articles(1, source=blog)
    Subscription.objects.create(user=reader, source=blog)
    # Someone else still follows the blog: it is not an abandoned source.
    follower = factories.make_user()
    Subscription.objects.create(user=follower, source=blog)
    client.post(f"/articles/{article.pk}/feedback/", {"signal": "save"})
    client.post(f"/sources/{blog.pk}/remove/")
    assert article.pk not in card_ids(client.get("/recent/").content.decode())
    html = client.get("/saved/").content.decode()
    assert card_ids(html) == [article.pk]
    assert "Quiet Blog" in html and f'href="{article.url}"' in html
    assert 'data-signal="save" aria-pressed="true"' in html
    stranger = Client()
    stranger.force_login(factories.make_user())
    for path in ("/saved/", "/recent/"):
        assert article.pk not in card_ids(stranger.get(path).content.decode())
    assert (
        stranger.post(f"/articles/{article.pk}/feedback/", {"signal": "save"})
    ).status_code == 404
    # The reader can still unsave it.
    client.post(f"/articles/{article.pk}/feedback/", {"signal": "save", "undo": "1"})
    assert card_ids(client.get("/saved/").content.decode()) == []


def test_all_recent_is_newest_first_regardless_of_topics(core_topics):
    reader, client = reader_client(core_topics, "chips")
    now = timezone.now()
    older, newer = factories.make_articles(
        factories.make_source(),
        [factories.entry("Local bakery turns one hundred", published=now - timedelta(hours=3)),
         factories.entry("Rowing club wins the regatta", published=now - timedelta(hours=1))],
    )  # fmt: skip
    assert card_ids(client.get("/recent/").content.decode()) == [newer.pk, older.pk]


def test_search_finds_words_in_titles_and_summaries(core_topics):
    reader, client = reader_client(core_topics)
    in_title, in_summary, neither = factories.make_articles(
        factories.make_source(),
        [factories.entry("Quantum computer reaches a thousand qubits", "Physics news."),
         factories.entry("Lab news", "A quantum computer startup raises money."),
         factories.entry("Bakery news", "Bread and cakes.")],
    )  # fmt: skip
    html = client.get("/search/", {"q": "quantum computer"}).content.decode()
    assert card_ids(html) == [in_title.pk, in_summary.pk]
    assert "Stories matching “quantum computer”" in html
    html = client.get("/search/", {"q": "submarine"}).content.decode()
    assert card_ids(html) == [] and "No stories match" in html


def test_search_stems_words_on_postgresql_and_needs_the_words_on_sqlite(core_topics):
    reader, client = reader_client(core_topics)
    (article,) = factories.make_articles(
        factories.make_source(),
        [factories.entry("Regulators are investigating chipmakers", "Antitrust.")],
    )
    stemmed = client.get("/search/", {"q": "investigate chipmaker"}).content.decode()
    exact = client.get("/search/", {"q": "investigating chipmakers"}).content.decode()
    assert card_ids(exact) == [article.pk]
    if connection.vendor == "postgresql":
        assert card_ids(stemmed) == [article.pk]
    else:  # the SQLite fallback matches the words as written
        assert card_ids(stemmed) == []


def test_search_leaves_out_hidden_stories_and_muted_words(core_topics):
    reader, client = reader_client(core_topics)
    hidden, muted, shown = factories.make_articles(
        factories.make_source(),
        [factories.entry("Rocket launch delayed by weather"),
         factories.entry("Rocket startup hires a celebrity"),
         factories.entry("Rocket lands on a barge")],
    )  # fmt: skip
    personalisation.record_feedback(reader, hidden, "hide")
    client.post("/mutes/", {"phrase": "celebrity"})
    assert card_ids(client.get("/search/?q=rocket").content.decode()) == [shown.pk]


def test_a_muted_word_is_muted_in_any_case_of_its_accented_letters(core_topics):
    reader, client = reader_client(core_topics)
    shouted, plain = factories.make_articles(
        factories.make_source(),
        [factories.entry("ÉLYSÉE says AI model rules are coming", "Language model."),
         factories.entry("Über launches an AI model for drivers", "Language model.")],
    )  # fmt: skip
    client.post("/mutes/", {"phrase": "Élysée"})
    client.post("/mutes/", {"phrase": "über"})
    for path in ("/", "/recent/"):
        assert card_ids(client.get(path).content.decode()) == [], path


def test_search_matches_the_words_of_a_summary_not_its_markup(core_topics):
    reader, client = reader_client(core_topics)
    stored_with_summary(
        "Rocket launch tonight",
        '<p>Watch <a href="https://www.youtube.com/watch?v=1">the launch</a>.'
        '<img src="https://cdn.example.com/a.jpg" alt=""></p>',
    )
    assert card_ids(search(client, "lazy")) == []
    assert card_ids(search(client, "youtube")) == []


def test_search_finds_an_ampersand_in_a_summary(core_topics):
    reader, client = reader_client(core_topics)
    article = stored_with_summary(
        "Telecom news", "<p>AT&amp;T agrees to buy a fibre network.</p>"
    )
    assert card_ids(search(client, "AT&T fibre")) == [article.pk]


def test_search_ignores_the_case_of_accented_and_cyrillic_letters(core_topics):
    reader, client = reader_client(core_topics)
    uber, moscow = factories.make_articles(
        factories.make_source(),
        [factories.entry("Über drivers strike in Berlin"),
         factories.entry("Москва hosts a summit")],
        score=False,
    )  # fmt: skip
    assert card_ids(search(client, "über")) == [uber.pk]
    assert card_ids(search(client, "москва")) == [moscow.pk]


def test_search_minus_a_word_leaves_out_the_stories_with_it(core_topics):
    reader, client = reader_client(core_topics)
    kept, excluded = factories.make_articles(
        factories.make_source(),
        [factories.entry("Rocket lands on a barge"),
         factories.entry("Rocket startup hires a celebrity")],
        score=False,
    )  # fmt: skip
    assert card_ids(search(client, "rocket -celebrity")) == [kept.pk]


def test_a_nul_character_in_a_search_or_a_topic_filter_is_not_a_server_error(
    core_topics,
):
    reader, client = reader_client(core_topics)
    client.raise_request_exception = False
    assert client.get("/search/", {"q": "rocket\x00"}).status_code in (200, 400)
    assert client.get("/", {"topic": "ai\x00"}).status_code in (400, 404)


def test_older_stories_link_pages_through_the_feed_without_repeats(core_topics):
    reader, client = reader_client(core_topics)
    ai_articles(25)
    first = client.get("/").content.decode()
    link = re.search(r'href="\?cursor=([^"]+)" rel="next"', first)
    assert link, "no Older stories link"
    second = client.get("/", {"cursor": link.group(1)}).content.decode()
    assert len(card_ids(first)) == 20 and len(card_ids(second)) == 5
    assert not set(card_ids(first)) & set(card_ids(second))
    assert 'rel="next"' not in second


def test_a_forged_cursor_sends_the_reader_back_to_the_first_page(core_topics):
    reader, client = reader_client(core_topics)
    for path in ("/", "/recent/", "/saved/"):
        response = client.get(path, {"cursor": "not-a-cursor"})
        assert response.status_code == 302 and response["Location"] == path
    response = client.get("/search/", {"q": "chips", "cursor": "not-a-cursor"})
    assert response.status_code == 302 and response["Location"] == "/search/?q=chips"


def test_a_cursor_of_deeply_nested_json_is_refused_like_a_forged_one(core_topics):
    reader, client = reader_client(core_topics)
    nested = base64.urlsafe_b64encode(b"[" * 5000 + b"]" * 5000).decode()
    for path in ("/", "/recent/", "/saved/"):
        response = client.get(path, {"cursor": nested})
        assert response.status_code == 302 and response["Location"] == path


@pytest.mark.parametrize("offset", [10**20, 2**63])
def test_a_cursor_past_any_page_is_refused_like_a_forged_one(core_topics, offset):
    reader, client = reader_client(core_topics, "ai", "chips")
    (article,) = ai_articles(1)
    personalisation.record_feedback(reader, article, "save")
    cursor = reading.encode_cursor(offset, timezone.now())
    for path in ("/recent/", "/saved/", "/"):
        response = client.get(path, {"cursor": cursor})
        assert response.status_code == 302 and response["Location"] == path
    response = client.get("/search/", {"q": "model", "cursor": cursor})
    assert response.status_code == 302 and response["Location"] == "/search/?q=model"


@pytest.mark.parametrize(
    ("path", "advice"),
    [
        ("/", "Your first stories are on their way"),
        ("/saved/", "Nothing saved yet"),
        ("/recent/", "No stories have arrived yet"),
        ("/search/", "Type a few words"),
        ("/?topic=chips", "Nothing about Chips right now"),
    ],
)
def test_empty_views_say_what_to_do(core_topics, path, advice):
    reader, client = reader_client(core_topics, "ai", "chips")
    assert advice in client.get(path).content.decode()


def test_a_reader_who_dismissed_everything_is_all_caught_up(core_topics):
    reader, client = reader_client(core_topics, "ai", "chips")
    for article in ai_articles(2):
        personalisation.record_feedback(reader, article, "hide")
    assert "You are all caught up" in client.get("/").content.decode()


def test_a_reader_without_topics_is_told_to_follow_some(core_topics):
    reader = factories.make_user()
    client = Client()
    client.force_login(reader)
    assert "Follow a few topics" in client.get("/").content.decode()


def test_read_marks_leave_the_ranked_feed_only_when_the_setting_is_on(core_topics):
    reader, client = reader_client(core_topics)
    read, unread = ai_articles(2)
    assert client.post("/articles/read/", {"ids": f"{read.pk}"}).status_code == 204
    assert ReadMark.objects.filter(user=reader, article=read).exists()
    assert read.pk in card_ids(client.get("/").content.decode())
    client.post("/settings/reading/", {"mark_read_on_scroll": "on"})
    html = client.get("/").content.decode()
    assert card_ids(html) == [unread.pk]
    assert 'data-mark-read="/articles/read/"' in html
    # Read stories stay under All recent.
    assert read.pk in card_ids(client.get("/recent/").content.decode())


def test_read_marks_refuse_garbage(core_topics):
    reader, client = reader_client(core_topics)
    for ids in ("", "1,x", ",".join(["1"] * 201), "²", "1,٣", "9" * 23):
        assert client.post("/articles/read/", {"ids": ids}).status_code == 400, ids


@pytest.mark.parametrize("page_size", [20, 100])
def test_the_feed_page_needs_at_most_ten_queries_whatever_the_page_size(
    core_topics, monkeypatch, django_assert_max_num_queries, page_size
):
    reader, client = reader_client(core_topics, "ai", "chips", "trade")
    articles = ai_articles(120, hours_apart=0.1)
    # A personal model (likes, saves) and mutes exercise every query the page has.
    personalisation.record_feedback(reader, articles[0], "like")
    personalisation.record_feedback(reader, articles[1], "save")
    personalisation.record_feedback(reader, articles[2], "dislike")
    client.post("/mutes/", {"phrase": "bakery"})
    monkeypatch.setattr(views, "PAGE_SIZE", page_size)
    client.get("/")  # Warm the per-process topic-model cache, as any running server.
    with django_assert_max_num_queries(10):
        response = client.get("/")
    assert len(card_ids(response.content.decode())) == page_size
    assert 'aria-pressed="true"' in response.content.decode()


@pytest.mark.parametrize("path", ["/recent/", "/saved/", "/search/?q=model"])
def test_the_other_views_need_at_most_ten_queries(
    core_topics, monkeypatch, django_assert_max_num_queries, path
):
    reader, client = reader_client(core_topics)
    articles = ai_articles(60, hours_apart=0.1)
    Feedback.objects.bulk_create(
        [Feedback(user=reader, article=a, signal="save") for a in articles[:50]]
    )
    monkeypatch.setattr(views, "PAGE_SIZE", 50)
    with django_assert_max_num_queries(10):
        response = client.get(path)
    assert len(card_ids(response.content.decode())) == 50


def test_search_on_postgresql_uses_the_full_text_index(db):
    """The index in feed/migrations/0005 has to be search_vector() exactly; the
    migration creates it on PostgreSQL only."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
            assert "feed_article_search" not in {row[0] for row in cursor.fetchall()}
        return
    query = SearchQuery("chips", search_type="websearch", config="english")
    matches = Article.objects.annotate(document=browsing.search_vector()).filter(
        document=query
    )
    sql, params = matches.values("id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "feed_article_search" in plan, plan


def test_a_source_page_lists_only_its_stories_newest_first_and_pages_on(core_topics):
    reader, client = reader_client(core_topics, "chips")
    source = factories.make_source(title="Harbour Gazette")
    other = factories.make_source(title="Valley Times")
    mine = ai_articles(22, source=source)  # newest first
    ai_articles(3, source=other)
    first = client.get("/recent/", {"source": source.pk}).content.decode()
    assert "Stories from Harbour Gazette" in first
    assert card_ids(first) == [a.pk for a in mine[:20]]
    link = re.search(r'href="\?source=(\d+)&amp;cursor=([^"]+)" rel="next"', first)
    assert link and link.group(1) == str(source.pk)
    second = client.get("/recent/", {"source": source.pk, "cursor": link.group(2)})
    assert card_ids(second.content.decode()) == [a.pk for a in mine[20:]]


def test_a_card_links_its_source_page_and_the_sources_page_does_too(core_topics):
    reader, client = reader_client(core_topics)
    source = factories.make_source(title="Harbour Gazette")
    ai_articles(1, source=source)
    href = f'href="/recent/?source={source.pk}"'
    assert href in client.get("/").content.decode()
    assert href in client.get("/sources/").content.decode()


def test_a_source_page_is_only_for_sources_the_reader_sees(core_topics):
    reader, client = reader_client(core_topics)
    private = factories.make_source(title="Someone's blog", is_default=False)
    ai_articles(2, source=private)
    owner = factories.make_user()
    Subscription.objects.create(user=owner, source=private)
    for value in (str(private.pk), "999999", "abc", "1 OR 1=1", "", "9" * 30, "١"):
        assert client.get("/recent/", {"source": value}).status_code == 404
    Subscription.objects.create(user=reader, source=private)
    assert (
        len(card_ids(client.get("/recent/", {"source": private.pk}).content.decode()))
        == 2
    )


def test_an_empty_source_page_says_why(core_topics):
    reader, client = reader_client(core_topics)
    source = factories.make_source(
        title="Quiet Wire", last_error="The server answered 503."
    )
    page = client.get("/recent/", {"source": source.pk}).content.decode()
    assert "No stories from Quiet Wire yet." in page
    assert "The server answered 503." in page
