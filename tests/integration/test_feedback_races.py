"""A reader's feedback from two requests at once (a double click, a phone and a
laptop) stays consistent, and their personal model is the one of their newest
signals. Real concurrent transactions: PostgreSQL only (SQLite runs one writer at
a time anyway)."""

import threading

import pytest
from django.db import connection

from feed.models import Feedback, PersonalModel
from feed.services import personalisation
from tests import factories
from tests.threads import start, until, waiting_on_locks

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent transactions"
    ),
]


def test_a_like_and_a_dislike_at_once_leave_one_of_them(monkeypatch):
    """Each request stores its signal, then deletes the opposite one: run side by
    side, neither saw the other's uncommitted row and the card kept both. The
    second request now waits for the first to commit."""
    reader = factories.make_user()
    article = factories.make_article(
        factories.make_source(), "Nvidia unveils its next AI chip", "A GPU."
    )
    like_stored, go_on = threading.Event(), threading.Event()
    original = personalisation._on_card

    def on_card(user, card):
        if threading.current_thread().name == "like":
            like_stored.set()  # its transaction is open, the like not committed
            assert go_on.wait(30)
        return original(user, card)

    monkeypatch.setattr(personalisation, "_on_card", on_card)
    errors: list = []
    like = start(
        lambda: personalisation.record_feedback(reader, article, "like"), errors, "like"
    )
    assert like_stored.wait(30)
    dislike = start(
        lambda: personalisation.record_feedback(reader, article, "dislike"),
        errors,
        "dislike",
    )
    until(lambda: waiting_on_locks() or not dislike.is_alive())
    waited = dislike.is_alive()
    go_on.set()
    like.join(60)
    dislike.join(60)
    assert not errors, errors
    assert waited, "the dislike did not wait for the like to commit"
    signals = set(
        Feedback.objects.filter(user=reader, article=article).values_list(
            "signal", flat=True
        )
    )
    assert signals == {"dislike"}


def test_a_slow_refit_does_not_store_a_model_older_than_the_newest_signal(
    monkeypatch,
):
    reader = factories.make_user()
    first, second = factories.make_articles(
        factories.make_source(),
        [
            factories.entry("Chip makers race to build new fabs in Arizona", "fabs"),
            factories.entry("Central bank holds interest rates steady", "rates"),
        ],
    )
    Feedback.objects.create(user=reader, article=first, signal="like")
    has_read, go_on = threading.Event(), threading.Event()
    original = personalisation.background_sample

    def background(user):
        if threading.current_thread().name == "slow refit":
            has_read.set()  # it has read one like and not stored its model yet
            assert go_on.wait(30)
        return original(user)

    monkeypatch.setattr(personalisation, "background_sample", background)
    errors: list = []
    slow = start(
        lambda: personalisation.refit_personal_model(reader), errors, "slow refit"
    )
    assert has_read.wait(30)
    newer = start(
        lambda: personalisation.record_feedback(reader, second, "like"),
        errors,
        "newer like",
    )
    until(lambda: not newer.is_alive() or waiting_on_locks())
    go_on.set()
    slow.join(60)
    newer.join(60)
    assert not errors, errors
    assert PersonalModel.objects.get(user=reader).n_updates == 2
