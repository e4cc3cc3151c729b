"""The reader's data: settings, API tokens, export (JSON and OPML) and deletion."""

import json
import re
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts import services as accounts
from accounts.models import ApiToken
from accounts.services import delete_account
from feed.models import (
    Article,
    DigestLog,
    Feedback,
    Follow,
    Mute,
    ReadMark,
    Source,
    Subscription,
    Topic,
    TopicVerdict,
)
from feed.services import browsing, personalisation, preferences, sources, verdicts
from tests import factories

pytestmark = pytest.mark.django_db


def logged_in(reader) -> Client:
    client = Client()
    client.force_login(reader)
    return client


def reader_with_everything(core_topics):
    """A reader who has used every feature: follows, an own topic, a mute, likes,
    a save, read marks, an own source, a token and a digest."""
    reader = factories.make_user("everything")
    Follow.objects.create(user=reader, topic=core_topics["chips"], weight=2.0)
    preferences.create_own_topic(reader, name="Bread", words="sourdough, rye")
    preferences.add_mute(reader, "celebrity")
    liked, saved = factories.make_articles(
        factories.make_source(title="Chip Weekly"),
        [factories.entry("TSMC opens a new fab", url="https://chips.example/fab"),
         factories.entry("Nvidia ships a GPU", url="https://chips.example/gpu")],
    )  # fmt: skip
    personalisation.record_feedback(reader, liked, "like")
    personalisation.record_feedback(reader, saved, "save")
    ReadMark.objects.create(user=reader, article=liked)
    verdicts.state(reader, saved, core_topics["trade"], on_topic=False)
    own = factories.make_source(
        url="https://own.example/feed.xml",
        title="My Own Blog",
        site_url="https://own.example/",
        is_default=False,
    )
    Subscription.objects.create(user=reader, source=own)
    factories.make_articles(own, [factories.entry("Post on my own blog")])
    ApiToken.objects.create(user=reader, key_hash="0" * 64)
    DigestLog.objects.create(user=reader, local_date="2026-01-05")
    EmailAddress.objects.create(user=reader, email=reader.email, verified=True)
    return reader


def test_the_json_export_holds_everything_the_reader_gave(core_topics):
    reader = reader_with_everything(core_topics)
    response = logged_in(reader).get("/settings/export.json")
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["profile"]["email"] == reader.email
    assert data["profile"]["email_verified"] is True
    assert {f["topic"] for f in data["follows"]} >= {"chips"}
    assert {"topic": "chips", "name": "Chips", "weight": 2.0} in data["follows"]
    assert [t["name"] for t in data["own_topics"]] == ["Bread"]
    assert data["own_topics"][0]["terms"] == ["sourdough", "rye"]
    assert data["mutes"] == ["celebrity"]
    assert [(f["signal"], f["article"]["url"]) for f in data["feedback"]] == [
        ("like", "https://chips.example/fab")
    ]
    assert [s["url"] for s in data["saved"]] == ["https://chips.example/gpu"]
    assert [
        (v["topic"], v["about"], v["article"]["url"]) for v in data["topic_verdicts"]
    ] == [("trade", False, "https://chips.example/gpu")]
    assert data["sources"] == [
        {"url": "https://own.example/feed.xml", "title": "My Own Blog",
         "site_url": "https://own.example/"}
    ]  # fmt: skip
    text = response.content.decode()
    assert "password" not in text and "key_hash" not in text and "0" * 64 not in text


def test_the_opml_export_lists_the_readers_own_sources(core_topics):
    reader = reader_with_everything(core_topics)
    response = logged_in(reader).get("/settings/export.opml")
    assert response["Content-Type"].startswith("text/x-opml")
    outlines = ElementTree.fromstring(response.content).findall("./body/outline")
    assert [(o.get("xmlUrl"), o.get("title"), o.get("htmlUrl")) for o in outlines] == [
        ("https://own.example/feed.xml", "My Own Blog", "https://own.example/")
    ]


def test_deleting_the_account_needs_the_password(core_topics):
    reader = reader_with_everything(core_topics)
    client = logged_in(reader)
    response = client.post("/settings/delete/", {"password": "not it"})
    assert response.status_code == 200
    assert "That is not your password" in response.content.decode()
    assert get_user_model().objects.filter(pk=reader.pk).exists()


def test_deleting_the_account_removes_all_of_the_readers_data(core_topics):
    reader = reader_with_everything(core_topics)
    bystander = factories.make_user()
    Follow.objects.create(user=bystander, topic=core_topics["chips"])
    shared = Source.objects.get(title="Chip Weekly")
    client = logged_in(reader)
    response = client.post("/settings/delete/", {"password": factories.PASSWORD})
    assert "Your account is deleted" in response.content.decode()
    assert not get_user_model().objects.filter(pk=reader.pk).exists()
    for model in (
        Follow, Feedback, Mute, ReadMark, Subscription, ApiToken, DigestLog,
        TopicVerdict,
    ):  # fmt: skip
        assert not model.objects.filter(user_id=reader.pk).exists(), model
    assert not Topic.objects.filter(owner_id=reader.pk).exists()
    assert not EmailAddress.objects.filter(user_id=reader.pk).exists()
    # The source only they had added is gone; shared ones and others' data stay.
    assert not Source.objects.filter(url="https://own.example/feed.xml").exists()
    assert Source.objects.filter(pk=shared.pk).exists()
    assert Follow.objects.filter(user=bystander).exists()
    # And the session is over.
    assert client.get("/settings/").status_code == 302


def test_deleting_the_account_removes_its_own_topics_scores_from_articles(
    core_topics,
):
    reader = factories.make_user()
    factories.make_articles(
        factories.make_source(title="Bakery News"),
        [factories.entry(f"Sourdough bread {i}", "A sourdough rye loaf.") for i in range(5)],
    )  # fmt: skip
    key = preferences.create_own_topic(
        reader, name="Bread", words="sourdough, rye"
    ).score_key
    assert Article.objects.filter(topic_scores__has_key=key).exists()
    logged_in(reader).post("/settings/delete/", {"password": factories.PASSWORD})
    assert not Article.objects.filter(topic_scores__has_key=key).exists()


def test_api_tokens_are_shown_once_and_can_be_revoked(core_topics):
    reader = factories.make_user()
    client = logged_in(reader)
    page = client.post("/settings/tokens/", follow=True).content.decode()
    assert "tid_" in page and "it is not shown again" in page
    assert "tid_" not in client.get("/settings/").content.decode()
    token = ApiToken.objects.get(user=reader)
    client.post(f"/settings/tokens/{token.pk}/revoke/")
    assert not ApiToken.objects.filter(user=reader).exists()


def _reset_password(client: Client, email: str, new: str) -> None:
    client.post("/accounts/password/reset/", {"email": email})
    link = re.search(
        r"https?://[^\s]+/accounts/password/reset/key/[^\s]+", mail.outbox[-1].body
    )
    path = link.group(0).split("testserver", 1)[-1].split("localhost:8000", 1)[-1]
    form_page = client.get(path, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else path,
        {"password1": new, "password2": new},
    )
    assert response.status_code == 302


def _api_status(key: str) -> int:
    return Client().get("/api/v1/topics", headers={"Authorization": f"Bearer {key}"})


def test_resetting_the_password_ends_the_api_tokens(core_topics):
    reader = factories.make_user("forgetful")
    key = accounts.issue_api_token(reader)
    assert _api_status(key).status_code == 200
    _reset_password(Client(), "forgetful@example.com", "brand new Secret 77")
    assert _api_status(key).status_code == 401
    assert not ApiToken.objects.filter(user=reader).exists()


def test_changing_the_password_ends_the_api_tokens_but_not_new_ones(core_topics):
    reader = factories.make_user("changer")
    old_key = accounts.issue_api_token(reader)
    response = logged_in(reader).post(
        "/accounts/password/change/",
        {
            "oldpassword": factories.PASSWORD,
            "password1": "brand new Secret 77",
            "password2": "brand new Secret 77",
        },
    )
    assert response.status_code == 302
    reader.refresh_from_db()
    new_key = accounts.issue_api_token(reader)
    assert _api_status(old_key).status_code == 401
    assert _api_status(new_key).status_code == 200


def test_an_expired_token_is_shown_as_expired(core_topics, settings):
    reader = factories.make_user()
    key = accounts.issue_api_token(reader)
    accounts.issue_api_token(reader)
    ApiToken.objects.filter(user=reader).order_by("pk").filter(
        pk=ApiToken.objects.filter(user=reader).order_by("pk").first().pk
    ).update(
        created_at=timezone.now() - timedelta(days=settings.API_TOKEN_MAX_AGE_DAYS + 1)
    )
    assert _api_status(key).status_code == 401
    html = logged_in(reader).get("/settings/").content.decode()
    tokens = html.split('id="tokens-heading"', 1)[1].split("</section>", 1)[0]
    assert tokens.count("expired on") == 1
    assert tokens.count("expires on") == 1


def test_the_settings_page_shows_verification_and_two_factor_state(core_topics):
    reader = factories.make_user()
    EmailAddress.objects.create(user=reader, email=reader.email, verified=False)
    html = logged_in(reader).get("/settings/").content.decode()
    assert "not verified" in html and "Digests go only to a verified address" in html
    assert "Set up two-factor authentication" in html
    assert 'href="/accounts/email/"' in html
    assert 'href="/accounts/password/change/"' in html


@pytest.mark.django_db
def test_a_saved_article_survives_another_readers_account_deletion(core_topics):
    alice, bob = factories.make_user("alice"), factories.make_user("bob")
    letter = factories.make_source(title="Private Letter", is_default=False)
    Subscription.objects.create(user=alice, source=letter)
    Subscription.objects.create(user=bob, source=letter)
    (article,) = factories.make_articles(
        letter, [factories.entry("A long read worth keeping", "Some text.")]
    )
    personalisation.record_feedback(bob, article, "save")
    sources.unsubscribe(bob, letter.pk)
    assert [i.article.pk for i in browsing.saved_for(bob).items] == [article.pk]
    delete_account(alice)
    assert [i.article.pk for i in browsing.saved_for(bob).items] == [article.pk]
