"""Form conventions shared by every app."""


class PlainLabels:
    """Labels without Django's trailing colon ("Time zone", not "Time zone:")."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
