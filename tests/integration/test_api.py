"""The JSON API v1 contract: tokens, topics, feed, feedback, and its error cases."""

import base64
from datetime import UTC, datetime

import pytest
import time_machine
from allauth.mfa.totp.internal import auth as totp
from django.test import Client
from django.utils import timezone

from feed.models import Article, Feedback, Follow, ReadMark, Subscription, TopicVerdict
from tests import factories


@pytest.fixture
def reader(db):
    return factories.make_user("apireader")


@pytest.fixture
def api(reader) -> Client:
    client = Client()
    response = client.post(
        "/api/v1/auth/token",
        {"username": "apireader", "password": factories.PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    client.defaults["HTTP_AUTHORIZATION"] = "Bearer " + response.json()["token"]
    return client


def test_token_is_issued_for_username_and_password(reader):
    response = Client().post(
        "/api/v1/auth/token",
        {"username": "apireader", "password": factories.PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["token"].startswith("tid_")


def test_token_is_also_issued_for_the_email_address(reader):
    response = Client().post(
        "/api/v1/auth/token",
        {"username": "apireader@example.com", "password": factories.PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200


def test_wrong_password_gets_401_with_an_error(reader):
    response = Client().post(
        "/api/v1/auth/token",
        {"username": "apireader", "password": "nope"},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert "error" in response.json()


def ask_for_token(**body):
    return Client().post("/api/v1/auth/token", body, content_type="application/json")


def test_an_account_with_two_factor_needs_its_code_for_a_token(reader):
    secret = totp.generate_totp_secret()
    totp.TOTP.activate(reader, secret)
    credentials = {"username": "apireader", "password": factories.PASSWORD}
    # The clock stopped mid-way through a 30-second step: the code computed here is
    # the one the server expects.
    step = int(timezone.now().timestamp()) // 30
    with time_machine.travel(datetime.fromtimestamp(step * 30 + 15, UTC), tick=False):
        code = totp.format_hotp_value(totp.hotp_value(secret, step))
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        refused = [ask_for_token(**credentials, **extra) for extra in
                   ({}, {"code": wrong}, {"code": 123456})]  # fmt: skip
        accepted = ask_for_token(**credentials, code=code)
    assert [r.status_code for r in refused] == [401, 401, 401]
    assert "two-factor" in refused[0].json()["error"]
    assert accepted.status_code == 200 and accepted.json()["token"].startswith("tid_")


def test_failed_token_requests_are_throttled_like_the_log_in(reader):
    for attempt in range(5):
        assert (
            ask_for_token(username="apireader", password=f"guess {attempt}").status_code
            == 401
        )
    # The sixth attempt in 15 minutes is refused, even with the right password.
    response = ask_for_token(username="apireader", password=factories.PASSWORD)
    assert response.status_code == 429
    assert "Too many" in response.json()["error"]


def test_malformed_token_request_gets_400(reader):
    response = Client().post(
        "/api/v1/auth/token", "not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "error" in response.json()


def test_a_deeply_nested_json_body_is_a_400_not_a_server_error(core_topics, api):
    (article,) = factories.make_articles(
        factories.make_source(), [factories.entry("Chipmaker ships a GPU")]
    )
    anonymous = Client(raise_request_exception=False)
    api.raise_request_exception = False
    nested = "[" * 100_000
    statuses = {
        "token": anonymous.post(
            "/api/v1/auth/token", nested, content_type="application/json"
        ).status_code,
        "feedback": api.post(
            f"/api/v1/articles/{article.pk}/feedback",
            nested,
            content_type="application/json",
        ).status_code,
        "verdict": api.put(
            f"/api/v1/articles/{article.pk}/topics/chips",
            nested,
            content_type="application/json",
        ).status_code,
    }
    assert set(statuses.values()) == {400}, statuses


def test_a_nul_character_in_the_login_is_a_wrong_login_not_a_server_error(reader):
    response = Client(raise_request_exception=False).post(
        "/api/v1/auth/token",
        {"username": "api\x00reader", "password": factories.PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 401


def test_the_bearer_scheme_is_case_insensitive(reader, api):
    key = api.defaults["HTTP_AUTHORIZATION"].removeprefix("Bearer ")
    for scheme in ("bearer", "BEARER"):
        response = Client().get(
            "/api/v1/topics", headers={"Authorization": f"{scheme} {key}"}
        )
        assert response.status_code == 200, scheme


def test_a_refused_token_is_told_how_to_get_a_working_one(db):
    response = Client().get(
        "/api/v1/topics", headers={"Authorization": "Bearer tid_not-a-token"}
    )
    assert response.status_code == 401
    assert "settings page" in response.json()["error"]


def test_get_on_the_token_endpoint_says_what_is_allowed(db):
    response = Client().get("/api/v1/auth/token")
    assert response.status_code == 405
    assert response["Allow"] == "POST"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/topics"),
        ("put", "/api/v1/topics/ai/follow"),
        ("delete", "/api/v1/topics/ai/follow"),
        ("get", "/api/v1/feed"),
        ("post", "/api/v1/articles/1/feedback"),
        ("put", "/api/v1/articles/1/topics/chips"),
        ("delete", "/api/v1/articles/1/topics/chips"),
    ],
)
def test_every_endpoint_needs_a_bearer_token(db, method, path):
    response = getattr(Client(), method)(path)
    assert response.status_code == 401
    assert "error" in response.json()
    wrong = getattr(Client(HTTP_AUTHORIZATION="Bearer tid_forged"), method)(path)
    assert wrong.status_code == 401


def test_topics_list_says_which_are_followed(api, reader, core_topics):
    Follow.objects.create(user=reader, topic=core_topics["chips"])
    topics = api.get("/api/v1/topics").json()["topics"]
    by_slug = {t["slug"]: t for t in topics}
    assert {"ai", "chips", "trade"} <= by_slug.keys()
    assert by_slug["chips"]["followed"] is True
    assert by_slug["ai"]["followed"] is False
    assert set(by_slug["ai"]) == {"slug", "name", "description", "followed"}
    assert by_slug["trade"]["name"] == "Trade policy"


def test_follow_and_unfollow_are_idempotent(api, reader, core_topics):
    for _ in range(2):
        assert api.put("/api/v1/topics/trade/follow").status_code == 204
    assert Follow.objects.filter(user=reader, topic__slug="trade").count() == 1
    for _ in range(2):
        assert api.delete("/api/v1/topics/trade/follow").status_code == 204
    assert not Follow.objects.filter(user=reader, topic__slug="trade").exists()


def test_following_an_unknown_topic_is_404(api, core_topics):
    assert api.put("/api/v1/topics/no-such-topic/follow").status_code == 404


def test_feed_items_have_the_documented_fields(api, reader, core_topics):
    Follow.objects.create(user=reader, topic=core_topics["chips"])
    source = factories.make_source()
    factories.make_article(
        source, "TSMC starts 2nm chip production", "The foundry's new fab ships wafers."
    )
    body = api.get("/api/v1/feed").json()
    assert set(body) == {"items", "next_cursor"}
    item = body["items"][0]
    assert set(item) == {
        "id",
        "title",
        "url",
        "source",
        "published",
        "score",
        "topics",
        "why",
    }
    assert item["title"] == "TSMC starts 2nm chip production"
    assert item["source"] == source.title
    assert item["why"]


def test_feed_pages_with_a_cursor_without_repeating_items(api, reader, core_topics):
    Follow.objects.create(user=reader, topic=core_topics["ai"])
    source = factories.make_source()
    headlines = [
        "OpenAI releases a reasoning model for coding",
        "Anthropic raises new funding to train larger models",
        "EU regulators publish rules for general-purpose AI",
        "Hospitals test machine learning to read scans",
        "A chatbot tutor arrives in public schools",
        "DeepMind's protein model wins a science prize",
        "Actors strike over generative AI voice cloning",
    ]
    factories.make_articles(source, [factories.entry(h) for h in headlines])
    first = api.get("/api/v1/feed?limit=4").json()
    assert len(first["items"]) == 4 and first["next_cursor"]
    second = api.get(f"/api/v1/feed?limit=4&cursor={first['next_cursor']}").json()
    assert len(second["items"]) == 3 and second["next_cursor"] is None
    ids = [i["id"] for i in first["items"] + second["items"]]
    assert len(set(ids)) == 7


@pytest.mark.parametrize("limit", ["0", "101", "-1", "ten", "1.5", "²", "١٠"])
def test_feed_rejects_a_limit_outside_1_to_100(api, limit):
    response = api.get("/api/v1/feed", {"limit": limit})
    assert response.status_code == 400
    assert "limit" in response.json()["error"]


def test_feed_rejects_a_forged_cursor(api):
    response = api.get("/api/v1/feed?cursor=bm90IGEgY3Vyc29y")
    assert response.status_code == 400
    nested = base64.urlsafe_b64encode(b"[" * 5000 + b"]" * 5000).decode()
    assert api.get("/api/v1/feed", {"cursor": nested}).status_code == 400
    for stamp in (1e18, -62135596800, 4102444800):  # unrepresentable, year 1, 2100
        forged = base64.urlsafe_b64encode(f'{{"o": 0, "t": {stamp}}}'.encode())
        assert api.get("/api/v1/feed", {"cursor": forged.decode()}).status_code == 400


def test_following_again_keeps_the_weight_a_reader_chose(api, reader, core_topics):
    Follow.objects.create(user=reader, topic=core_topics["ai"], weight=2.0)
    assert api.put("/api/v1/topics/ai/follow").status_code == 204
    assert Follow.objects.get(user=reader, topic__slug="ai").weight == 2.0


@pytest.mark.parametrize(
    ("method", "path"),
    [("put", "/api/v1/topics/caf%C3%A9/follow"),
     ("delete", "/api/v1/articles/1/topics/%C3%A9t%C3%A9")],
)  # fmt: skip
def test_a_slug_that_is_no_topic_gets_the_json_404(api, method, path):
    response = getattr(api, method)(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_feed_leaves_out_what_the_reader_read_when_the_page_does(
    api, reader, core_topics
):
    Follow.objects.create(user=reader, topic=core_topics["ai"])
    read, unread = factories.make_articles(
        factories.make_source(),
        [factories.entry("OpenAI ships a new chatbot"),
         factories.entry("Anthropic trains a larger language model")],
    )  # fmt: skip
    ReadMark.objects.create(user=reader, article=read)
    assert len(api.get("/api/v1/feed").json()["items"]) == 2
    reader.mark_read_on_scroll = True
    reader.save(update_fields=["mark_read_on_scroll"])
    assert [i["id"] for i in api.get("/api/v1/feed").json()["items"]] == [unread.pk]


def test_feed_with_an_unknown_topic_is_404(api):
    assert api.get("/api/v1/feed?topic=nope").status_code == 404


def test_a_topic_with_a_nul_character_is_404_not_a_server_error(api, core_topics):
    api.raise_request_exception = False
    assert api.get("/api/v1/feed", {"topic": "ai\x00"}).status_code == 404
    assert api.put("/api/v1/topics/ai%00/follow").status_code == 404


def test_feed_with_an_empty_topic_means_all_followed_topics(api, reader, core_topics):
    Follow.objects.create(user=reader, topic=core_topics["ai"])
    factories.make_article(factories.make_source(), "OpenAI ships a new chatbot")
    assert len(api.get("/api/v1/feed?topic=").json()["items"]) == 1


def test_feedback_is_recorded(api, reader):
    article = factories.make_article(factories.make_source(), "Anything")
    response = api.post(
        f"/api/v1/articles/{article.pk}/feedback",
        {"signal": "save"},
        content_type="application/json",
    )
    assert response.status_code == 204
    assert Feedback.objects.filter(user=reader, article=article, signal="save").exists()


def test_a_save_is_withdrawn_even_after_the_source_was_removed(api, reader):
    source = factories.make_source(is_default=False)
    Subscription.objects.create(user=reader, source=source)
    article = factories.make_article(source, "A long read worth keeping")
    path = f"/api/v1/articles/{article.pk}/feedback"
    api.post(path, {"signal": "save"}, content_type="application/json")
    Subscription.objects.filter(user=reader, source=source).delete()
    assert api.delete(path + "?signal=save").status_code == 204
    assert not Feedback.objects.filter(user=reader, article=article).exists()
    assert api.delete(path + "?signal=save").status_code == 404  # not theirs now
    assert api.delete(path + "?signal=love").status_code == 404


def test_withdrawing_an_unknown_signal_is_400(api):
    article = factories.make_article(factories.make_source(), "Anything")
    response = api.delete(f"/api/v1/articles/{article.pk}/feedback?signal=love")
    assert response.status_code == 400


def test_feedback_with_an_unknown_signal_is_400(api):
    article = factories.make_article(factories.make_source(), "Anything")
    response = api.post(
        f"/api/v1/articles/{article.pk}/feedback",
        {"signal": "love"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "signal" in response.json()["error"]


def test_feedback_on_an_unknown_article_is_404(api):
    response = api.post(
        "/api/v1/articles/999999/feedback",
        {"signal": "like"},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_feedback_on_another_readers_private_source_is_404(api):
    private = factories.make_source(is_default=False)
    article = factories.make_article(private, "Someone else's subscription")
    response = api.post(
        f"/api/v1/articles/{article.pk}/feedback",
        {"signal": "like"},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_a_topic_verdict_changes_the_next_feed_response_and_can_be_withdrawn(
    api, reader, core_topics
):
    Follow.objects.create(user=reader, topic=core_topics["chips"])
    Follow.objects.create(user=reader, topic=core_topics["trade"])
    article = factories.make_article(factories.make_source(), "Wafer export rules")
    Article.objects.filter(pk=article.pk).update(
        topic_scores={core_topics["chips"].score_key: 0.9}
    )
    path = f"/api/v1/articles/{article.pk}/topics/chips"

    def topics_of_item() -> list:
        (item,) = api.get("/api/v1/feed").json()["items"]
        return item["topics"]

    assert topics_of_item() == ["chips"]
    response = api.put(path, {"about": False}, content_type="application/json")
    assert response.status_code == 204
    assert topics_of_item() == []
    api.put(f"/api/v1/articles/{article.pk}/topics/trade", {"about": True},
            content_type="application/json")  # fmt: skip
    assert topics_of_item() == ["trade"]
    assert api.delete(path).status_code == 204
    assert sorted(topics_of_item()) == ["chips", "trade"]
    assert TopicVerdict.objects.filter(user=reader).count() == 1


@pytest.mark.parametrize("body", [{}, {"about": "yes"}, {"about": 1}, ["about"]])
def test_a_topic_verdict_needs_about_true_or_false(api, core_topics, body):
    article = factories.make_article(factories.make_source(), "Anything")
    response = api.put(
        f"/api/v1/articles/{article.pk}/topics/chips", body,
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 400
    assert "about" in response.json()["error"]


def test_a_topic_verdict_on_unknown_or_hidden_things_is_404(api, core_topics):
    article = factories.make_article(factories.make_source(), "Anything")
    private = factories.make_source(is_default=False)
    hidden = factories.make_article(private, "Someone else's subscription")
    for path in (
        f"/api/v1/articles/{article.pk}/topics/no-such-topic",
        "/api/v1/articles/999999/topics/chips",
        f"/api/v1/articles/{hidden.pk}/topics/chips",
    ):
        response = api.put(path, {"about": True}, content_type="application/json")
        assert response.status_code == 404, path
    assert not TopicVerdict.objects.exists()
