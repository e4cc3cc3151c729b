"""Forms for the feed pages."""

from django import forms

from feed.models import Feedback, Topic


class FeedbackForm(forms.Form):
    signal = forms.ChoiceField(choices=Feedback.Signal.choices)
    undo = forms.BooleanField(required=False)


class TopicChoiceForm(forms.Form):
    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Topics to follow",
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = Topic.objects.visible_to(user)
