"""Security headers, CSRF on every form, and no inline script or style anywhere."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from feed.models import Follow
from feed.services import preferences
from tests import factories

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
]
READER_PAGES = [
    "/",
    "/recent/",
    "/saved/",
    "/search/?q=chip",
    "/onboarding/",
    "/topics/",
    "/sources/",
    "/settings/",
    "/settings/delete/",
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/2fa/",
    "/accounts/reauthenticate/",
]


@pytest.fixture
def reader_client(core_topics):
    reader = factories.make_user()
    EmailAddress.objects.create(user=reader, email=reader.email, verified=True)
    Follow.objects.create(user=reader, topic=core_topics["chips"])
    preferences.add_mute(reader, "celebrity")
    preferences.create_own_topic(reader, name="Bread", words="sourdough")
    factories.make_articles(
        factories.make_source(), [factories.entry("Chipmaker ships a GPU")]
    )
    client = Client()
    client.post(
        "/accounts/login/", {"login": reader.username, "password": factories.PASSWORD}
    )
    return client


def all_pages(reader_client):
    for path in PUBLIC_PAGES:
        yield path, Client().get(path)
    for path in READER_PAGES:
        yield path, reader_client.get(path)


def test_every_page_sends_the_security_headers(reader_client):
    for path, response in all_pages(reader_client):
        assert response.status_code == 200, path
        csp = response["Content-Security-Policy"]
        script_src = re.search(r"script-src ([^;]+)", csp).group(1)
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"


def test_no_page_has_inline_script_style_or_event_handlers(reader_client):
    for path, response in all_pages(reader_client):
        html = response.content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (path, tag)
        assert not re.search(r"<style\b", html), path
        assert not re.search(r"\sstyle=", html), path
        assert not re.search(r"\son[a-z]+=", html), path


def test_every_post_form_carries_a_csrf_token(reader_client):
    for path, response in all_pages(reader_client):
        html = response.content.decode()
        forms = re.findall(r"<form\b[^>]*>.*?</form>", html, flags=re.S | re.I)
        for form in forms:
            if re.search(r'method="post"', form, flags=re.I):
                assert "csrfmiddlewaretoken" in form, (path, form[:200])


def test_a_post_without_the_csrf_token_is_refused(core_topics):
    reader = factories.make_user()
    Follow.objects.create(user=reader, topic=core_topics["chips"])
    (article,) = factories.make_articles(
        factories.make_source(), [factories.entry("Chipmaker ships a GPU")]
    )
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    for path, data in [
        (f"/articles/{article.pk}/feedback/", {"signal": "dislike"}),
        ("/mutes/", {"phrase": "chip"}),
        ("/topics/new/", {"name": "X", "words": "y"}),
        ("/settings/", {"digest_hour": "3"}),
        ("/settings/delete/", {"password": factories.PASSWORD}),
    ]:
        response = client.post(path, data)
        assert response.status_code == 403, path
        assert "Please try again" in response.content.decode()
    assert reader.__class__.objects.filter(pk=reader.pk).exists()
    assert not reader.feedback.exists() and not reader.mutes.exists()
