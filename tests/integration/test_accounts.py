"""Sign-up, onboarding, log-in, log-out, password reset and the admin user."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.test import Client

from feed.models import Follow
from tests import factories


@pytest.mark.django_db
def test_sign_up_leads_to_picking_topics_then_the_feed(core_topics):
    client = Client()
    response = client.post(
        "/accounts/signup/",
        {"email": "new@example.com", "password1": "a long Passphrase 42",
         "password2": "a long Passphrase 42"},
    )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == "/onboarding/"
    page = client.get("/onboarding/").content.decode()
    assert "Chips" in page and "Trade policy" in page
    response = client.post(
        "/onboarding/",
        {"topics": [core_topics["chips"].pk, core_topics["trade"].pk],
         "digest_enabled": "on", "digest_hour": "8", "timezone": "Europe/Berlin",
         "digest_frequency": "daily", "digest_max_items": "10"},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == "/"
    user = get_user_model().objects.get(email="new@example.com")
    assert set(
        Follow.objects.filter(user=user).values_list("topic__slug", flat=True)
    ) == {
        "chips",
        "trade",
    }
    assert (user.digest_hour, user.timezone, user.onboarded) == (
        8,
        "Europe/Berlin",
        True,
    )
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_a_new_reader_without_topics_is_sent_to_onboarding():
    reader = factories.make_user(onboarded=False)
    client = Client()
    client.force_login(reader)
    assert client.get("/")["Location"] == "/onboarding/"


@pytest.mark.django_db
def test_log_in_by_email_or_username_and_log_out():
    factories.make_user("logger")
    for login in ("logger", "logger@example.com"):
        client = Client()
        response = client.post(
            "/accounts/login/", {"login": login, "password": factories.PASSWORD}
        )
        assert response.status_code == 302, login
        assert client.get("/topics/").status_code == 200
        client.post("/accounts/logout/")
        assert client.get("/topics/").status_code == 302


@pytest.mark.django_db
def test_a_wrong_password_does_not_log_in():
    factories.make_user("logger")
    client = Client()
    response = client.post("/accounts/login/", {"login": "logger", "password": "wrong"})
    assert response.status_code == 200
    assert client.get("/topics/").status_code == 302


@pytest.mark.django_db
def test_password_reset_by_email_sets_a_new_password():
    factories.make_user("forgetful")
    client = Client()
    client.post("/accounts/password/reset/", {"email": "forgetful@example.com"})
    assert len(mail.outbox) == 1
    link = re.search(
        r"https?://[^\s]+/accounts/password/reset/key/[^\s]+", mail.outbox[0].body
    )
    assert link, mail.outbox[0].body
    path = link.group(0).split("testserver", 1)[-1].split("localhost:8000", 1)[-1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else path,
        {"password1": "brand new Secret 77", "password2": "brand new Secret 77"},
    )
    assert response.status_code == 302
    assert Client().login(username="forgetful", password="brand new Secret 77")


@pytest.mark.django_db
def test_createsuperuser_works_without_prompts(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "admin secret 123")
    call_command(
        "createsuperuser", "--noinput", username="boss", email="boss@example.com"
    )
    boss = get_user_model().objects.get(username="boss")
    assert boss.is_superuser and boss.check_password("admin secret 123")
    client = Client()
    client.force_login(boss)
    assert client.get("/admin/feed/article/").status_code == 200


@pytest.mark.django_db
def test_digest_settings_are_saved(make_user):
    reader = make_user()
    client = Client()
    client.force_login(reader)
    response = client.post(
        "/settings/",
        {"digest_enabled": "on", "digest_hour": "18", "timezone": "Asia/Tokyo",
         "digest_frequency": "weekdays", "digest_max_items": "5"},
    )  # fmt: skip
    assert response.status_code == 302
    reader.refresh_from_db()
    assert (reader.digest_hour, reader.timezone, reader.digest_frequency) == (
        18,
        "Asia/Tokyo",
        "weekdays",
    )


@pytest.mark.django_db
def test_an_invalid_timezone_is_refused_with_a_message(make_user):
    reader = make_user()
    client = Client()
    client.force_login(reader)
    response = client.post(
        "/settings/",
        {"digest_hour": "7", "timezone": "Mars/Olympus", "digest_frequency": "daily",
         "digest_max_items": "5"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    reader.refresh_from_db()
    assert reader.timezone == "UTC"
