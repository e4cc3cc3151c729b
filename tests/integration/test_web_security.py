"""Security headers, CSRF on every form, and no inline script or style anywhere."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
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


@pytest.mark.parametrize("path", ["/static/tidings.js", "/static/favicon.svg"])
def test_static_files_send_the_framing_and_content_policy_too(db, path):
    """WhiteNoise answers before the middleware that sets them on pages."""
    response = Client().get(path)
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


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


def test_the_admin_log_in_goes_through_the_sites_log_in_and_its_two_factor(db):
    boss = factories.make_user(is_staff=True, is_superuser=True)
    EmailAddress.objects.create(
        user=boss, email=boss.email, primary=True, verified=True
    )
    TOTP.activate(boss, generate_totp_secret())
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": boss.username, "password": factories.PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    assert client.get("/settings/").status_code == 302


@pytest.mark.parametrize("target", ["home", "foo", "a\x00b", "//evil.example/x"])
def test_a_next_that_is_not_a_path_here_falls_back(core_topics, target):
    reader = factories.make_user()
    Follow.objects.create(user=reader, topic=core_topics["chips"])
    client = Client()
    client.force_login(reader)
    response = client.post("/topics/chips/weight/", {"weight": "more", "next": target})
    assert response.status_code == 302 and response["Location"] == "/topics/"


def test_a_login_longer_than_any_account_gets_an_answer_not_an_error(db):
    factories.make_user()
    client = Client()
    page = client.post("/accounts/login/", {"login": "x" * 60_000, "password": "p"})
    assert page.status_code == 200
    token = client.post(
        "/api/v1/auth/token",
        {"username": "x" * 60_000, "password": "p"},
        content_type="application/json",
    )
    assert token.status_code == 401


def test_readers_pages_are_private_and_a_new_api_token_is_not_stored(reader_client):
    assert "private" in reader_client.get("/").headers["Cache-Control"]
    # A page that is the same for everyone stays cacheable (and costs no session).
    assert "public" in reader_client.get("/robots.txt").headers["Cache-Control"]
    page = reader_client.post("/settings/tokens/", follow=True)
    assert "tid_" in page.content.decode()
    assert "no-store" in page.headers["Cache-Control"]
