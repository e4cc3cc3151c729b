"""Forms for a reader's own settings."""

import zoneinfo

from django import forms

from accounts.models import User
from tidings.forms import PlainLabels

HOURS = [(h, f"{h:02d}:00") for h in range(24)]


def timezone_choices() -> list[tuple[str, str]]:
    names = sorted(
        n
        for n in zoneinfo.available_timezones()
        if "/" in n and not n.startswith("Etc/")
    )
    return [("UTC", "UTC"), *((n, n.replace("_", " ")) for n in names)]


class DigestSettingsForm(PlainLabels, forms.ModelForm):
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


class OnboardingDigestForm(DigestSettingsForm):
    """The digest settings at sign-up; the browser fills in its time zone."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["timezone"].widget.attrs["data-guess-timezone"] = ""
        self.fields[
            "timezone"
        ].help_text = "Guessed from your browser when it can; change it if it is wrong."


class ReadingSettingsForm(PlainLabels, forms.ModelForm):
    class Meta:
        model = User
        fields = ["mark_read_on_scroll"]
        labels = {"mark_read_on_scroll": "Mark stories as read as I scroll past them"}
        help_texts = {
            "mark_read_on_scroll": "Read stories leave your ranked feed; they stay "
            "under All recent, Saved and search."
        }


class DeleteAccountForm(PlainLabels, forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password
