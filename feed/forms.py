"""Forms for the feed pages."""

import re

from django import forms

from feed.models import Feedback, Topic
from feed.ranking import features, mutes
from feed.services import preferences
from tidings.forms import PlainLabels


class FeedbackForm(forms.Form):
    signal = forms.ChoiceField(choices=Feedback.Signal.choices)
    undo = forms.BooleanField(required=False)


class TopicVerdictForm(forms.Form):
    """One of `about` / `not_about`: the slug of the topic the article is (not)
    about; `undo` withdraws that verdict instead."""

    about = forms.SlugField(required=False, max_length=80)
    not_about = forms.SlugField(required=False, max_length=80)
    undo = forms.BooleanField(required=False)

    def clean(self):
        data = super().clean()
        if bool(data.get("about")) == bool(data.get("not_about")):
            raise forms.ValidationError("Say about=<topic> or not_about=<topic>.")
        data["on_topic"] = bool(data.get("about"))
        data["slug"] = data.get("about") or data.get("not_about")
        return data


class TopicChoiceForm(PlainLabels, forms.Form):
    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Topics to follow",
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = Topic.objects.visible_to(user)


def _words_problem(words: str) -> str | None:
    """Why the words typed for a topic of one's own cannot describe it, if they
    cannot: none given, or none the topic model can find in a story (stop words,
    single letters and emoji are no features: feed.ranking.features.tokenize)."""
    terms = preferences.seed_terms_from(words)
    if not terms:
        return "Give at least one word or phrase."
    if problem := preferences.seed_terms_problem(terms):
        return problem
    if not any(features.tokenize(term) for term in terms):
        return (
            "None of these words can find a story: very common words (the, of, "
            "and), single letters and emoji are left out. Add a word that says "
            "what the topic is about."
        )
    return None


class OwnTopicForm(PlainLabels, forms.Form):
    """A topic of the reader's own (`topic` when editing one): a name and a few
    words that describe it."""

    name = forms.CharField(
        max_length=80,
        label="Name",
        widget=forms.TextInput(attrs={"placeholder": "e.g. Quantum computing"}),
    )
    words = forms.CharField(
        # Room for the most terms there can be, each as long as it can be, as the
        # edit page shows them (preferences.seed_words_for).
        max_length=preferences.MAX_SEED_TERMS * (preferences.MAX_SEED_TERM_CHARS + 2),
        label="A few words about it",
        help_text="Words and phrases separated by commas; the more specific the "
        "better.",
        widget=forms.TextInput(
            attrs={"placeholder": "e.g. qubits, quantum computer, error correction"}
        ),
    )

    def __init__(self, *args, user, topic: Topic | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.topic = topic

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        if name.strip() and (
            problem := preferences.own_topic_problem(
                self.user, name, editing=self.topic
            )
        ):
            raise forms.ValidationError(problem)
        return name

    def clean_words(self) -> str:
        words = self.cleaned_data["words"]
        if problem := _words_problem(words):
            raise forms.ValidationError(problem)
        return words


class OptionalOwnTopicForm(OwnTopicForm):
    """The onboarding variant: both fields empty means "no topic of my own"."""

    prefix = "own"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False

    def clean_words(self) -> str:
        return self.cleaned_data["words"]

    def clean(self) -> dict:
        data = super().clean()
        name, words = data.get("name", "").strip(), data.get("words", "").strip()
        if words and not name:
            self.add_error("name", "Give your topic a name.")
        if name and (problem := _words_problem(words or name)):
            self.add_error("words", problem)
        return data

    @property
    def wanted(self) -> bool:
        return bool(self.cleaned_data.get("name", "").strip())


class WeightForm(forms.Form):
    weight = forms.ChoiceField(
        choices=[(name, name.title()) for name in preferences.WEIGHTS]
    )


class MuteForm(PlainLabels, forms.Form):
    """A phrase to mute; given the reader (`user=`), also refused past MUTES_MAX."""

    phrase = forms.CharField(
        max_length=100,
        label="Mute a word or phrase",
        help_text="Stories whose title or summary contain it are left out.",
    )

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_phrase(self) -> str:
        phrase = preferences.normalise_phrase(self.cleaned_data["phrase"])
        if not phrase:
            raise forms.ValidationError("Type a word or phrase to mute.")
        if not mutes.can_match(phrase):
            raise forms.ValidationError(
                f"“{phrase}” has no letter or digit, so it would mute nothing: "
                "type a word or phrase."
            )
        if self.user is not None and (
            problem := preferences.mute_problem(self.user, phrase)
        ):
            raise forms.ValidationError(problem)
        return phrase


class SearchForm(forms.Form):
    q = forms.CharField(max_length=200, required=False, label="Search stories")


# An article id: ASCII digits that fit the database's integer column.
ARTICLE_ID = re.compile(r"[0-9]{1,18}")


class ReadForm(forms.Form):
    """Articles scrolled past: ids separated by commas."""

    ids = forms.CharField(max_length=5000)

    def clean_ids(self) -> list[int]:
        parts = [p.strip() for p in self.cleaned_data["ids"].split(",") if p.strip()]
        if (
            not parts
            or len(parts) > 200
            or not all(ARTICLE_ID.fullmatch(p) for p in parts)
        ):
            raise forms.ValidationError("Expected up to 200 article ids.")
        return [int(p) for p in parts]
