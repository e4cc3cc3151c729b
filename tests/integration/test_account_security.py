"""Accounts through allauth: verification, e-mail change, password change, log-in and
sign-up throttling without user enumeration, and TOTP with recovery codes."""

import re
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal import auth as totp
from django.core import mail
from django.test import Client
from django.utils import timezone

from feed.services import digests
from tests import factories

pytestmark = pytest.mark.django_db
PASSWORD = factories.PASSWORD
TOO_MANY = "Too many failed login attempts"


@pytest.fixture(autouse=True)
def quick_password_hashing(settings):
    """Dozens of log-ins per test: hash cheaply (what is tested is counting, and
    Django runs the hasher for unknown users whatever the hasher is)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def link_in(message, path: str) -> str:
    """The path of the first link in an e-mail that starts with `path`."""
    match = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"[^\s]*)", message.body)
    assert match, message.body
    return match.group(1)


def sign_up(client: Client, email: str, password: str = "a long Passphrase 42"):
    return client.post(
        "/accounts/signup/",
        {"email": email, "password1": password, "password2": password},
    )


def log_in(client: Client, login: str, password: str):
    return client.post("/accounts/login/", {"login": login, "password": password})


def normalised(html: str) -> str:
    """A page without what differs between any two renderings (the CSRF token)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def verified_reader(**fields):
    reader = factories.make_user(**fields)
    EmailAddress.objects.create(
        user=reader, email=reader.email, primary=True, verified=True
    )
    return reader


# --- Verification ---------------------------------------------------------------


def test_an_unverified_reader_can_read_but_gets_no_digest_until_verified(core_topics):
    client = Client()
    sign_up(client, "fresh@example.com")
    reader = EmailAddress.objects.get(email="fresh@example.com").user
    assert client.get("/onboarding/").status_code == 200
    assert "We sent a link to" in client.get("/onboarding/").content.decode()
    assert not digests.can_receive_digest(reader)

    (message,) = mail.outbox
    confirm = link_in(message, "/accounts/confirm-email/")
    assert "Confirm" in client.get(confirm).content.decode()
    response = client.post(confirm)
    assert response.status_code == 302
    assert digests.can_receive_digest(reader)


def test_a_forged_or_expired_verification_link_does_nothing(core_topics, settings):
    client = Client()
    sign_up(client, "fresh@example.com")
    confirm = link_in(mail.outbox[0], "/accounts/confirm-email/")
    assert client.post(confirm[:-6] + "AAAAA/").status_code in (200, 404)
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        client.post(confirm)
    assert not EmailAddress.objects.get(email="fresh@example.com").verified


def test_changing_the_email_needs_the_new_address_verified(core_topics):
    reader = verified_reader()
    client = Client()
    log_in(client, reader.username, PASSWORD)
    client.post("/accounts/email/", {"action_add": "", "email": "new@example.com"})
    reader.refresh_from_db()
    # Until the new address is confirmed, the old one stays (and gets the digest).
    assert reader.email != "new@example.com"
    assert digests.can_receive_digest(reader)
    message = next(m for m in mail.outbox if "new@example.com" in m.to)
    client.post(link_in(message, "/accounts/confirm-email/"))
    reader.refresh_from_db()
    assert reader.email == "new@example.com"
    assert list(
        EmailAddress.objects.filter(user=reader).values_list("email", flat=True)
    ) == ["new@example.com"]


def test_changing_the_password_needs_the_old_one(core_topics):
    reader = factories.make_user()
    client = Client()
    log_in(client, reader.username, PASSWORD)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": "wrong", "password1": "new Secret 8812",
         "password2": "new Secret 8812"},
    )  # fmt: skip
    assert response.status_code == 200
    client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "new Secret 8812",
         "password2": "new Secret 8812"},
    )  # fmt: skip
    reader.refresh_from_db()
    assert reader.check_password("new Secret 8812")


# --- Throttling and enumeration -------------------------------------------------


def test_the_sixth_failed_log_in_for_an_account_is_refused_clearly(core_topics):
    reader = factories.make_user("target")
    client = Client()
    for _ in range(5):
        response = log_in(client, "target", "wrong password")
        assert response.status_code == 200
        assert TOO_MANY not in response.content.decode()
    response = log_in(client, "target", PASSWORD)  # even the right password
    assert TOO_MANY in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address (another person) is not locked out of their own account.
    other = Client(REMOTE_ADDR="10.9.8.7")
    assert log_in(other, "someone.else@example.com", "x").status_code == 200
    assert reader.is_active


def test_username_and_email_share_one_accounts_budget(core_topics):
    factories.make_user("target")
    client = Client()
    for login in [
        "target",
        "TARGET",
        "target@example.com",
        "Target@Example.com",
        "target",
    ]:
        log_in(client, login, "wrong password")
    response = log_in(client, "target@example.com", PASSWORD)
    assert TOO_MANY in response.content.decode()


def test_one_address_is_throttled_across_accounts(core_topics):
    client = Client(REMOTE_ADDR="10.1.2.3")
    for n in range(20):
        log_in(client, f"nobody{n}@example.com", "guess")
    factories.make_user("innocent")
    response = log_in(client, "innocent", PASSWORD)
    assert TOO_MANY in response.content.decode()
    # The same account from another address is fine.
    assert (
        log_in(Client(REMOTE_ADDR="10.1.2.4"), "innocent", PASSWORD).status_code == 302
    )


def test_an_unknown_email_and_a_wrong_password_get_the_same_answer(core_topics):
    factories.make_user("known", email="known@example.com")
    answers = []
    for login in ("known@example.com", "unknown@example.com"):
        response = log_in(Client(), login, "wrong password")
        answers.append(normalised(response.content.decode()).replace(login, "LOGIN"))
        assert response.status_code == 200
    assert answers[0] == answers[1]
    assert (
        "The email address and/or password you specified are not correct"
        in (answers[0])
    )
    # And once throttled, the same again.
    throttled = []
    for login in ("known@example.com", "unknown@example.com"):
        client = Client()
        for _ in range(6):
            response = log_in(client, login, "wrong password")
        throttled.append(normalised(response.content.decode()).replace(login, "LOGIN"))
    assert throttled[0] == throttled[1] and TOO_MANY in throttled[0]


def test_signing_up_with_a_taken_email_is_refused_on_the_page(core_topics):
    """The one place an address is confirmed as taken (see docs/accounts.md: with
    read-before-verify sign-up, a fresh sign-up logs in at once, so hiding this
    would not help); the sign-up throttle bounds how fast anyone can ask."""
    factories.make_user("taken", email="taken@example.com")
    response = sign_up(Client(), "taken@example.com")
    assert response.status_code == 200
    assert "already registered" in response.content.decode()


def test_sign_ups_from_one_address_are_throttled(core_topics):
    client = Client(REMOTE_ADDR="10.5.5.5")
    for n in range(10):
        assert (
            sign_up(Client(REMOTE_ADDR="10.5.5.5"), f"s{n}@example.com").status_code
            == 302
        )
    response = sign_up(client, "one.more@example.com")
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert (
        sign_up(Client(REMOTE_ADDR="10.5.5.6"), "elsewhere@example.com").status_code
        == 302
    )


# --- Two-factor authentication --------------------------------------------------


def current_code(secret: str) -> str:
    counter = int(timezone.now().timestamp()) // 30
    return totp.format_hotp_value(totp.hotp_value(secret, counter))


@contextmanager
def mid_step(steps_ahead: int = 0):
    """The clock stopped halfway through a 30-second TOTP step (`steps_ahead` after
    the current one): the code the test computes and the code the server expects
    then come from the same step, whenever the test runs (a running clock could
    cross a step boundary between the two)."""
    step = int(timezone.now().timestamp()) // 30 + steps_ahead
    with time_machine.travel(datetime.fromtimestamp(step * 30 + 15, UTC), tick=False):
        yield


def test_totp_with_recovery_codes_guards_the_log_in(core_topics):
    reader = verified_reader()
    client = Client()
    log_in(client, reader.username, PASSWORD)
    # Setting up two-factor authentication asks for the password again first.
    response = client.get("/accounts/2fa/totp/activate/")
    assert response["Location"].startswith("/accounts/reauthenticate/")
    client.post(response["Location"], {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/").content.decode()
    secret = re.search(r'value="([A-Z2-7]{32})"', page)
    assert secret, page
    secret = secret.group(1)
    with mid_step():
        response = client.post(
            "/accounts/2fa/totp/activate/", {"code": current_code(secret)}
        )
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=reader, type="totp").exists()
    codes = Authenticator.objects.get(user=reader, type="recovery_codes")
    recovery = codes.wrap().get_unused_codes()
    assert len(recovery) == 10
    assert "On" in client.get("/settings/").content.decode()
    client.post("/accounts/logout/")

    # The password alone is no longer enough...
    client = Client()
    response = log_in(client, reader.username, PASSWORD)
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert "_auth_user_id" not in client.session
    # ...the app's next code is, and so is a recovery code, once.
    with mid_step(1):
        response = client.post(
            "/accounts/2fa/authenticate/", {"code": current_code(secret)}
        )
    assert client.session["_auth_user_id"] == str(reader.pk)

    for attempt in range(2):
        client = Client()
        log_in(client, reader.username, PASSWORD)
        client.post("/accounts/2fa/authenticate/", {"code": recovery[0]})
        logged_in = client.session.get("_auth_user_id") == str(reader.pk)
        assert logged_in is (attempt == 0)
