"""From sign-up to a populated feed: topics with descriptions, an optional topic of
one's own, digest time and time zone."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from feed.models import Follow, Topic
from tests import factories

pytestmark = pytest.mark.django_db


def signed_up_client() -> Client:
    client = Client()
    client.post(
        "/accounts/signup/",
        {"email": "new@example.com", "password1": "a long Passphrase 42",
         "password2": "a long Passphrase 42"},
    )  # fmt: skip
    return client


def onboarding_data(core_topics, **extra) -> dict:
    return {
        "topics": [core_topics["chips"].pk, core_topics["space"].pk],
        "digest_enabled": "on",
        "digest_hour": "8",
        "timezone": "Europe/Lisbon",
        "digest_frequency": "weekdays",
        "digest_max_items": "10",
        **extra,
    }


def test_onboarding_suggests_three_topics_and_describes_each(core_topics):
    html = signed_up_client().get("/onboarding/").content.decode()
    checked = set(re.findall(r'value="(\d+)" id="[^"]+" checked', html))
    assert checked == {str(core_topics[s].pk) for s in ("ai", "chips", "trade")}
    assert "Semiconductors: the companies that design and make chips" in html
    assert html.count('class="badge">suggested') == 3
    assert "data-guess-timezone" in html
    assert 'name="own-name"' in html and 'name="own-words"' in html


def test_onboarding_lands_on_a_feed_that_is_already_populated(core_topics):
    now = timezone.now()
    factories.make_articles(
        factories.make_source(),
        [factories.entry("Chipmaker ships a new GPU for AI", published=now - timedelta(hours=2)),
         factories.entry("Rocket carries a satellite to orbit", published=now - timedelta(hours=3))],
    )  # fmt: skip
    client = signed_up_client()
    response = client.post("/onboarding/", onboarding_data(core_topics), follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert len(re.findall(r'id="article-\d+"', response.content.decode())) == 2
    reader = response.context["user"]
    assert (reader.digest_hour, reader.timezone, reader.digest_frequency) == (
        8,
        "Europe/Lisbon",
        "weekdays",
    )
    assert set(
        Follow.objects.filter(user=reader).values_list("topic__slug", flat=True)
    ) == {
        "chips",
        "space",
    }


def test_a_first_reader_of_a_new_deployment_is_told_stories_are_coming(core_topics):
    """Not "You are all caught up": nothing has been fetched yet."""
    client = signed_up_client()
    client.post("/onboarding/", onboarding_data(core_topics))
    page = client.get("/").content.decode()
    assert "caught up" not in page
    assert "Your first stories are on their way" in page
    factories.make_articles(
        factories.make_source(), [factories.entry("Chipmaker opens a new fab")]
    )
    assert "Chipmaker opens a new fab" in client.get("/").content.decode()


def test_onboarding_can_add_a_topic_of_ones_own(core_topics):
    client = signed_up_client()
    client.post(
        "/onboarding/",
        onboarding_data(
            core_topics, **{"own-name": "Sourdough", "own-words": "bread, rye"}
        ),
    )
    topic = Topic.objects.get(name="Sourdough")
    assert topic.owner.email == "new@example.com"
    assert Follow.objects.filter(user=topic.owner, topic=topic).exists()
    assert Follow.objects.filter(user=topic.owner).count() == 3


def test_words_without_a_name_are_refused(core_topics):
    client = signed_up_client()
    response = client.post(
        "/onboarding/", onboarding_data(core_topics, **{"own-words": "bread"})
    )
    assert response.status_code == 200
    assert "Give your topic a name" in response.content.decode()
    assert not Topic.objects.filter(owner__isnull=False).exists()


def test_returning_to_onboarding_keeps_the_topics_already_followed(core_topics):
    client = signed_up_client()
    client.post("/onboarding/", onboarding_data(core_topics))
    html = client.get("/onboarding/").content.decode()
    checked = set(re.findall(r'value="(\d+)" id="[^"]+" checked', html))
    assert checked == {str(core_topics[s].pk) for s in ("chips", "space")}
