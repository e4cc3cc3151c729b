"""Account actions that views and the API share."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import ApiToken, User


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_api_token(user: User) -> str:
    """A new bearer token; only its hash is kept, so it is shown only this once."""
    key = "tid_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, key_hash=_digest(key))
    return key


def user_for_api_token(key: str) -> User | None:
    if not key or len(key) > 200:
        return None
    oldest = timezone.now() - timedelta(days=settings.API_TOKEN_MAX_AGE_DAYS)
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_digest(key), created_at__gte=oldest, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
