"""Settings come from the environment with safe defaults (checked in a fresh process)."""

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
KEYS = ["DEBUG", "SITE_URL", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "EMAIL_BACKEND",
        "EMBEDDED_REDIS", "REDIS_URL", "CELERY_BROKER_URL", "ALLOWED_HOSTS"]  # fmt: skip
CLEARED = ["DEBUG", "SITE_URL", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "REDIS_URL",
           "EMAIL_URL", "DATABASE_URL", "SECRET_KEY"]  # fmt: skip


def settings_with(tmp_path: Path, **env: str) -> dict:
    environment = {k: v for k, v in os.environ.items() if k not in CLEARED}
    environment.update(
        TIDINGS_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="tidings.settings"
    )
    environment.update(env)
    code = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{k: getattr(s, k) for k in {KEYS!r}}}, default=str)); "
        "print(json.dumps(s.DATABASES['default']['ENGINE']))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=environment,
        capture_output=True, text=True, check=True,
    ).stdout.splitlines()  # fmt: skip
    values = json.loads(out[0])
    values["ENGINE"] = json.loads(out[1])
    return values


def test_defaults_are_sqlite_embedded_redis_and_mail_files(tmp_path):
    s = settings_with(tmp_path)
    assert s["ENGINE"] == "django.db.backends.sqlite3"
    assert s["EMBEDDED_REDIS"] is True
    assert s["REDIS_URL"] == f"unix://{tmp_path}/redis/redis.sock"
    assert s["CELERY_BROKER_URL"] == f"redis+socket://{tmp_path}/redis/redis.sock"
    assert s["EMAIL_BACKEND"].endswith("filebased.EmailBackend")
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_debug_serves_localhost_without_tls(tmp_path):
    s = settings_with(tmp_path, DEBUG="true")
    assert s["SITE_URL"] == "http://localhost:8000"
    assert s["SECURE_SSL_REDIRECT"] is False
    assert "localhost" in s["ALLOWED_HOSTS"]


def test_production_uses_https_on_the_first_allowed_host(tmp_path):
    s = settings_with(tmp_path, ALLOWED_HOSTS="news.example.org,www.news.example.org")
    assert s["SITE_URL"] == "https://news.example.org"
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SESSION_COOKIE_SECURE"] is True


def test_tls_redirect_can_be_left_to_a_proxy(tmp_path):
    s = settings_with(
        tmp_path, ALLOWED_HOSTS="news.example.org", SECURE_SSL_REDIRECT="false"
    )
    assert s["SECURE_SSL_REDIRECT"] is False


def test_services_come_from_urls(tmp_path):
    s = settings_with(
        tmp_path,
        DATABASE_URL="postgres://u@127.0.0.1:5432/x",
        REDIS_URL="redis://127.0.0.1:6379/3",
        EMAIL_URL="smtp://mail.example.org:25",
    )
    assert s["ENGINE"] == "django.db.backends.postgresql"
    assert (s["EMBEDDED_REDIS"], s["CELERY_BROKER_URL"]) == (
        False,
        "redis://127.0.0.1:6379/3",
    )
    assert s["EMAIL_BACKEND"].endswith("smtp.EmailBackend")


def _secret_key_length(tmp_path: Path) -> int:
    environment = {k: v for k, v in os.environ.items() if k not in CLEARED}
    environment.update(
        TIDINGS_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="tidings.settings"
    )
    out = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings as s; print(len(s.SECRET_KEY))"],
        cwd=BASE_DIR, env=environment, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return int(out)


def test_an_empty_secret_key_file_gets_a_new_key_that_is_kept(tmp_path):
    """A crash or a full disk once left an empty file: every page then failed with
    "The SECRET_KEY setting must not be empty"."""
    (tmp_path / "secret_key").write_text(" \n")
    assert _secret_key_length(tmp_path) >= 50
    kept = (tmp_path / "secret_key").read_text()
    assert len(kept.strip()) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert _secret_key_length(tmp_path) >= 50
    assert (tmp_path / "secret_key").read_text() == kept
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".secret")] == []
