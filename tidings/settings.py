"""Tidings settings.

One module; every knob comes from the environment with a safe local default, so a
fresh checkout runs on SQLite and an embedded Redis without any configuration, and
production differs only by environment variables (see README.md, "Configuration").
"""

import hashlib
import os
import secrets
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab

from tidings.middleware import static_file_headers

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

VAR_DIR = Path(env.str("TIDINGS_VAR_DIR", default=str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _development_secret_key() -> str:
    """A random key generated once and kept under var/, readable by the owner only.

    Written to a private file first and put in place whole, so a crash or a full
    disk never leaves an empty key behind; processes starting together agree on
    the first one written. An empty file (from an older version, or a copy gone
    wrong) gets a new key."""
    path = VAR_DIR / "secret_key"
    try:
        key = path.read_text().strip()
    except FileNotFoundError:
        key = ""
    if key:
        return key
    draft = path.with_name(f".secret_key.{os.getpid()}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(secrets.token_urlsafe(50))
    try:
        if path.exists():
            os.replace(draft, path)  # the empty one
        else:
            os.link(draft, path)  # only if no other process made one meanwhile
    except FileExistsError:
        pass
    finally:
        draft.unlink(missing_ok=True)
    return path.read_text().strip()


def _embedded_redis_url() -> str:
    """Unix socket of the Redis server the app starts itself (embedded_redis.py).

    Socket paths are limited to about 100 bytes; a deep checkout falls back to /tmp.
    """
    socket = VAR_DIR / "redis" / "redis.sock"
    if len(str(socket)) > 100:
        digest = hashlib.sha256(str(VAR_DIR).encode()).hexdigest()[:12]
        socket = Path(tempfile.gettempdir()) / f"tidings-{digest}" / "redis.sock"
    return f"unix://{socket}"


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="") or _development_secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if DEBUG and not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]

_public_hosts = [h for h in ALLOWED_HOSTS if h and not h.startswith((".", "*"))]
SITE_URL = env.str(
    "SITE_URL",
    default=(
        f"https://{_public_hosts[0]}"
        if _public_hosts and not DEBUG
        else "http://localhost:8000"
    ),
).rstrip("/")
SITE_NAME = env.str("SITE_NAME", default="Tidings")
_site_is_https = urlsplit(SITE_URL).scheme == "https"

# --- Applications ---------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "tidings",
    "accounts",
    "feed",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tidings.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "tidings.urls"
WSGI_APPLICATION = "tidings.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tidings.context_processors.site",
            ],
        },
    },
]

# --- Data -----------------------------------------------------------------------

DATABASES = {
    "default": env.db(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'tidings.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat write concurrently: WAL plus immediate transactions
    # make writers queue on the lock instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file (not memory) so that a Celery worker process can share the test DB.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", 60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = env.str("REDIS_URL", default="")
EMBEDDED_REDIS = not REDIS_URL
if EMBEDDED_REDIS:
    REDIS_URL = _embedded_redis_url()

CACHES = {
    "default": {
        # Django's RedisCache, serving without the cache while Redis is away.
        "BACKEND": "tidings.cache.ForgivingRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "tidings",
        "TIMEOUT": 300,
    }
}
# Sessions live in the database and are read through the cache: a page view costs no
# session query, and a Redis restart loses nothing.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Celery ---------------------------------------------------------------------


def _broker_url(redis_url: str) -> str:
    if redis_url.startswith("unix://"):
        return "redis+socket://" + redis_url.removeprefix("unix://")
    return redis_url


CELERY_BROKER_URL = _broker_url(REDIS_URL)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# Work is acknowledged only once done, and requeued when a worker dies mid-task; every
# task is idempotent (upserts, unique constraints) so a redelivery is harmless.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "feed.tasks.fetch_source": {"queue": "fetch"},
    "feed.tasks.score_articles": {"queue": "score"},
    "feed.tasks.refresh_topic_models": {"queue": "score"},
    "feed.tasks.score_unscored_articles": {"queue": "score"},
    "feed.tasks.prune_old_articles": {"queue": "default"},
    "feed.tasks.send_digest": {"queue": "digest"},
    "feed.tasks.schedule_due_fetches": {"queue": "default"},
    "feed.tasks.queue_due_digests": {"queue": "default"},
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task whose worker died unacknowledged returns to its queue after the visibility
# timeout; the sweep that returns it runs often enough for short timeouts too.
_visibility_timeout = env.int("CELERY_VISIBILITY_TIMEOUT", 3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _visibility_timeout,
    "unacked_restore_interval": max(1, min(10, _visibility_timeout // 5)),
    "unacked_restore_throttle": 1 if _visibility_timeout < 600 else 10,
}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "schedule-due-fetches": {
        "task": "feed.tasks.schedule_due_fetches",
        "schedule": env.float("FETCH_SCHEDULER_SECONDS", 60.0),
    },
    "queue-due-digests": {
        "task": "feed.tasks.queue_due_digests",
        "schedule": crontab(minute=0),
    },
    "score-unscored-articles": {
        "task": "feed.tasks.score_unscored_articles",
        "schedule": 300.0,
    },
    "prune-old-articles": {
        "task": "feed.tasks.prune_old_articles",
        "schedule": crontab(minute=15, hour=3),
    },
    "refresh-topic-models": {
        "task": "feed.tasks.refresh_topic_models",
        "schedule": crontab(minute=30, hour="*/6"),
    },
}

# --- Fetching and ranking knobs -------------------------------------------------

FETCH_TIMEOUT_SECONDS = env.float("FETCH_TIMEOUT_SECONDS", 20.0)
FETCH_MAX_BYTES = env.int("FETCH_MAX_BYTES", 10 * 1024 * 1024)
FETCH_DISABLE_AFTER_DAYS = env.int("FETCH_DISABLE_AFTER_DAYS", 7)
FETCH_MAX_PER_HOST = env.int("FETCH_MAX_PER_HOST", 2)
# Articles older than this are deleted unless someone saved them; 0 keeps everything.
RETENTION_DAYS = env.int("RETENTION_DAYS", 180)
# Only for development and tests: lets sources point at 127.0.0.1 and private ranges.
FETCH_ALLOW_PRIVATE_ADDRESSES = env.bool("FETCH_ALLOW_PRIVATE_ADDRESSES", False)
FETCH_USER_AGENT = env.str(
    "FETCH_USER_AGENT", default=f"Tidings/1.0 (+{SITE_URL}; feed reader)"
)

FEED_WINDOW_HOURS = env.int("FEED_WINDOW_HOURS", 72)
FEED_MIN_CANDIDATES = env.int("FEED_MIN_CANDIDATES", 200)
FEED_MAX_CANDIDATES = env.int("FEED_MAX_CANDIDATES", 5000)
OWN_TOPICS_MAX = env.int("OWN_TOPICS_MAX", 50)
MUTES_MAX = env.int("MUTES_MAX", 200)
ADD_SOURCE_DEADLINE_SECONDS = env.float("ADD_SOURCE_DEADLINE_SECONDS", 30.0)
RANK_RECENCY_HALF_LIFE_HOURS = env.float("RANK_RECENCY_HALF_LIFE_HOURS", 24.0)

# --- Accounts -------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "feed:home"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_SIGNUP_REDIRECT_URL = "feed:onboarding"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if _site_is_https else "http"
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# One address per reader; a new one replaces it only once verified (docs/accounts.md).
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = env.int("EMAIL_CONFIRMATION_EXPIRE_DAYS", 3)
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Throttles (allauth's syntax: amount/period/per; "key" is the account, see
# accounts.adapter). The sixth failed log-in for one account within 15 minutes, or
# the 21st from one address, is refused with "Too many failed login attempts".
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "20/15m/ip,5/15m/key",
    "signup": "10/h/ip",
    "reset_password": "10/h/ip,3/h/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
    "confirm_email": "1/3m/key",
}
# Client addresses come from REMOTE_ADDR unless this many proxies are trusted to set
# X-Forwarded-For (the throttles are per address, so this matters behind a proxy).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", 0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
API_TOKEN_MAX_AGE_DAYS = env.int("API_TOKEN_MAX_AGE_DAYS", 365)

# --- E-mail ---------------------------------------------------------------------

EMAIL_FILE_PATH = str(VAR_DIR / "mail")
if env.str("EMAIL_URL", default=""):
    _email = env.email_url("EMAIL_URL")
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
    EMAIL_PORT = _email.get("EMAIL_PORT") or 25
    EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
    EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
    EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
else:
    # No mail server configured: every message becomes a file under var/mail/.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL",
    default=f"{SITE_NAME} <noreply@{urlsplit(SITE_URL).hostname or 'localhost'}>",
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
DIGEST_CATCHUP_HOURS = env.int("DIGEST_CATCHUP_HOURS", 3)

# --- Web ------------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_ADD_HEADERS_FUNCTION = static_file_headers

SECURE_SSL_REDIRECT = env.bool(
    "SECURE_SSL_REDIRECT", default=not DEBUG and _site_is_https
)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _site_is_https
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 31536000 if _site_is_https else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", False)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env.list(
    "CSRF_TRUSTED_ORIGINS", default=[SITE_URL] if _site_is_https else []
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
