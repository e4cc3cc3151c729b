"""No reader can see or change another reader's data by guessing ids or slugs: each
object type a reader owns, one test each; the victim's data is checked unchanged."""

import json
import re

import pytest
from django.core import signing
from django.test import Client

from accounts import services as accounts
from accounts.models import ApiToken
from feed.models import Feedback, Follow, Mute, ReadMark, Subscription
from feed.services import digests, personalisation, preferences
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def victim(core_topics):
    return factories.make_user("victim")


@pytest.fixture
def intruder(core_topics) -> Client:
    client = Client()
    client.force_login(factories.make_user("intruder"))
    return client


def private_article(owner):
    """An article from a source only `owner` subscribes to."""
    source = factories.make_source(is_default=False)
    Subscription.objects.create(user=owner, source=source)
    (article,) = factories.make_articles(source, [factories.entry("Private post")])
    return article


def test_feedback_on_an_article_only_the_victim_sees_is_404(victim, intruder):
    article = private_article(victim)
    for signal in ("like", "save", "hide", "open"):
        response = intruder.post(
            f"/articles/{article.pk}/feedback/", {"signal": signal}
        )
        assert response.status_code == 404
    assert not Feedback.objects.filter(article=article).exists()
    assert article.pk not in _ids(intruder.get("/recent/"))
    assert article.pk not in _ids(intruder.get("/search/?q=private"))


def test_a_victims_saved_articles_stay_theirs(victim, intruder):
    (article,) = factories.make_articles(
        factories.make_source(), [factories.entry("Shared")]
    )
    personalisation.record_feedback(victim, article, "save")
    intruder.post(f"/articles/{article.pk}/feedback/", {"signal": "save", "undo": "1"})
    assert Feedback.objects.filter(user=victim, article=article, signal="save").exists()
    assert _ids(intruder.get("/saved/")) == []


def test_read_marks_cannot_touch_a_victims_articles(victim, intruder):
    article = private_article(victim)
    assert intruder.post("/articles/read/", {"ids": str(article.pk)}).status_code == 204
    assert not ReadMark.objects.filter(article=article).exists()


def test_follows_and_weights_of_a_victims_own_topic_are_404(victim, intruder):
    topic = preferences.create_own_topic(victim, name="Secret", words="secret words")
    for path, data in [
        (f"/topics/{topic.slug}/follow/", {"action": "follow"}),
        (f"/topics/{topic.slug}/follow/", {"action": "unfollow"}),
        (f"/topics/{topic.slug}/weight/", {"weight": "less"}),
    ]:
        assert intruder.post(path, data).status_code == 404
    assert Follow.objects.get(topic=topic).user == victim
    assert Follow.objects.get(topic=topic).weight == 1.0
    assert intruder.get(f"/?topic={topic.slug}").status_code == 404


def test_a_victims_own_topic_cannot_be_seen_edited_or_deleted(victim, intruder):
    topic = preferences.create_own_topic(victim, name="Secret", words="secret words")
    assert intruder.get(f"/topics/{topic.slug}/edit/").status_code == 404
    response = intruder.post(
        f"/topics/{topic.slug}/edit/", {"name": "Pwned", "words": "pwned"}
    )
    assert response.status_code == 404
    assert intruder.post(f"/topics/{topic.slug}/delete/").status_code == 404
    topic.refresh_from_db()
    assert topic.name == "Secret"
    assert "Secret" not in intruder.get("/topics/").content.decode()


def test_a_victims_mutes_cannot_be_deleted_by_id(victim, intruder):
    mute = preferences.add_mute(victim, "private phrase")
    for guess in range(mute.pk - 2, mute.pk + 3):
        intruder.post(f"/mutes/{guess}/delete/")
    assert Mute.objects.filter(pk=mute.pk).exists()
    assert intruder.post(f"/mutes/{mute.pk}/delete/").status_code == 404
    assert "private phrase" not in intruder.get("/topics/").content.decode()


def test_digest_settings_only_ever_change_the_readers_own(victim, intruder):
    intruder.post(
        "/settings/",
        {"digest_enabled": "", "digest_hour": "3", "timezone": "Asia/Tokyo",
         "digest_frequency": "weekly", "digest_max_items": "2", "user": victim.pk,
         "id": victim.pk},
    )  # fmt: skip
    victim.refresh_from_db()
    assert (victim.digest_enabled, victim.digest_hour, victim.timezone) == (
        True,
        7,
        "UTC",
    )
    # An unsubscribe link for another reader cannot be forged from their id.
    forged = signing.dumps({"u": victim.pk}, salt="another salt", compress=True)
    assert Client().post(f"/unsubscribe/{forged}/").status_code == 404
    victim.refresh_from_db()
    assert victim.digest_enabled
    assert (
        digests.user_for_unsubscribe_token(digests.unsubscribe_token(victim)) == victim
    )


def test_a_victims_api_tokens_cannot_be_revoked_or_used_by_id(victim, intruder):
    key = accounts.issue_api_token(victim)
    token = ApiToken.objects.get(user=victim)
    for guess in range(token.pk - 2, token.pk + 3):
        intruder.post(f"/settings/tokens/{guess}/revoke/")
    assert ApiToken.objects.filter(pk=token.pk).exists()
    assert intruder.post(f"/settings/tokens/{token.pk}/revoke/").status_code == 404
    assert "Created" not in _section(intruder.get("/settings/"), "tokens-heading")
    # The token still works for its owner, and only for them.
    article = private_article(victim)
    response = Client().post(
        f"/api/v1/articles/{article.pk}/feedback",
        json.dumps({"signal": "like"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 204


def test_the_api_refuses_feedback_on_a_victims_private_article(victim, intruder):
    article = private_article(victim)
    key = accounts.issue_api_token(factories.make_user("api-intruder"))
    response = Client().post(
        f"/api/v1/articles/{article.pk}/feedback",
        json.dumps({"signal": "like"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 404
    assert not Feedback.objects.filter(article=article).exists()


def test_an_export_holds_only_the_readers_own_data(victim, intruder):
    preferences.add_mute(victim, "victim phrase")
    preferences.create_own_topic(victim, name="Victim topic", words="words")
    private_article(victim)
    (article,) = factories.make_articles(
        factories.make_source(), [factories.entry("X")]
    )
    personalisation.record_feedback(victim, article, "save")
    for path in ("/settings/export.json", "/settings/export.opml"):
        text = intruder.get(path).content.decode()
        assert "victim" not in text.lower(), path
    data = json.loads(intruder.get("/settings/export.json").content)
    assert data["saved"] == [] and data["mutes"] == [] and data["sources"] == []


def _ids(response) -> list[int]:
    return [
        int(i) for i in re.findall(r'id="article-(\d+)"', response.content.decode())
    ]


def _section(response, heading_id: str) -> str:
    html = response.content.decode()
    return html.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0]
