"""The site's POST-only actions when the session has ended or the URL is opened:
the reader logs in and lands on the page the form was on, never on a 405."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from feed.models import Feedback
from tests import factories

pytestmark = pytest.mark.django_db


def article():
    (article,) = factories.make_articles(
        factories.make_source(), [factories.entry("Chip makers meet in Taipei")]
    )
    return article


def login_next(response) -> str:
    location = urlsplit(response["Location"])
    assert location.path == "/accounts/login/"
    return parse_qs(location.query)["next"][0]


def test_a_card_action_after_the_session_ended_logs_in_back_to_the_card():
    story = article()
    response = Client().post(
        f"/articles/{story.pk}/feedback/",
        {"signal": "like", "next": f"/recent/#article-{story.pk}"},
    )
    assert login_next(response) == f"/recent/#article-{story.pk}"
    assert not Feedback.objects.exists()


@pytest.mark.parametrize(
    ("url", "data", "headers", "back"),
    [
        ("/topics/chips/follow/", {}, {}, "/"),
        ("/mutes/", {"phrase": "x"}, {"Referer": "http://testserver/topics/"}, "/topics/"),
        ("/settings/tokens/", {}, {"Referer": "http://testserver/settings/"}, "/settings/"),
        ("/sources/add/", {"address": "x"}, {"Referer": "http://testserver/sources/"}, "/sources/"),
        ("/mutes/", {"next": "https://evil.example/"}, {"Referer": "https://evil.example/"}, "/"),
    ],
    ids=["no-next", "referer", "accounts", "sources", "offsite"],
)  # fmt: skip
def test_other_actions_after_the_session_ended_log_in_back_to_their_page(
    url, data, headers, back
):
    response = Client().post(url, data, headers=headers)
    assert login_next(response) == back


def test_logging_in_after_an_ended_session_never_lands_on_a_405():
    story = article()
    reader = factories.make_user("returning")
    client = Client()
    response = client.post(
        f"/articles/{story.pk}/feedback/",
        {"signal": "hide", "next": "/saved/"},
    )
    response = client.post(
        response["Location"],
        {"login": "returning", "password": factories.PASSWORD},
        follow=True,
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/saved/"
    assert response.wsgi_request.user == reader


@pytest.mark.parametrize("logged_in", [True, False], ids=["reader", "anonymous"])
def test_opening_an_action_url_goes_to_the_page_it_names_or_the_feed(logged_in):
    story = article()
    client = Client()
    if logged_in:
        client.force_login(factories.make_user())
    response = client.get(f"/articles/{story.pk}/feedback/")
    assert (response.status_code, response["Location"]) == (302, "/")
    response = client.get(f"/articles/{story.pk}/topics/?next=/saved/")
    assert (response.status_code, response["Location"]) == (302, "/saved/")
    assert client.put(f"/articles/{story.pk}/feedback/").status_code == 405
    assert not Feedback.objects.exists()
