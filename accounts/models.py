"""The Tidings user: Django's user plus the reader's delivery preferences."""

import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            f"{value!r} is not a time zone name such as Europe/Paris."
        )


class User(AbstractUser):
    class DigestFrequency(models.TextChoices):
        DAILY = "daily", "Every day"
        WEEKDAYS = "weekdays", "Monday to Friday"
        WEEKLY = "weekly", "Once a week (Monday)"

    timezone = models.CharField(
        max_length=64, default="UTC", validators=[validate_timezone]
    )
    digest_enabled = models.BooleanField(default=True)
    digest_hour = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(0), MaxValueValidator(23)]
    )
    digest_frequency = models.CharField(
        max_length=16, choices=DigestFrequency.choices, default=DigestFrequency.DAILY
    )
    digest_max_items = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    onboarded = models.BooleanField(default=False)
    mark_read_on_scroll = models.BooleanField(
        default=False,
        help_text="Stories scrolled past are marked read and leave the ranked feed.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(digest_hour__lte=23), name="user_digest_hour_0_23"
            ),
        ]

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")


class ApiToken(models.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Which password the token was issued under (accounts.services.password_stamp):
    # a new password, however it was set, ends every token, as it ends sessions.
    password_stamp = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"API token of {self.user} ({self.created_at:%Y-%m-%d})"

    @property
    def expires_at(self):
        return self.created_at + timedelta(days=settings.API_TOKEN_MAX_AGE_DAYS)

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
