"""Forms for a reader's own settings."""

import zoneinfo

from django import forms

from accounts.models import User

HOURS = [(h, f"{h:02d}:00") for h in range(24)]


def timezone_choices() -> list[tuple[str, str]]:
    names = sorted(
        n
        for n in zoneinfo.available_timezones()
        if "/" in n and not n.startswith("Etc/")
    )
    return [("UTC", "UTC"), *((n, n.replace("_", " ")) for n in names)]


class DigestSettingsForm(forms.ModelForm):
    digest_hour = forms.TypedChoiceField(choices=HOURS, coerce=int, label="Send at")
    timezone = forms.ChoiceField(choices=timezone_choices, label="Time zone")

    class Meta:
        model = User
        fields = [
            "digest_enabled",
            "digest_hour",
            "timezone",
            "digest_frequency",
            "digest_max_items",
        ]
        labels = {
            "digest_enabled": "Send me a digest e-mail",
            "digest_frequency": "How often",
            "digest_max_items": "Stories per digest",
        }
