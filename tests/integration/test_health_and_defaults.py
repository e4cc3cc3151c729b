"""Health endpoint, default topics/sources, admin coverage, embedded Redis."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.test import Client

from feed.models import Follow, Source, Topic, TopicModel
from feed.services import scoring
from tests import factories


@pytest.mark.django_db
def test_healthz_is_200_when_database_and_redis_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "problems": []}


@pytest.mark.django_db
def test_healthz_is_503_when_redis_does_not_answer(client, settings, tmp_path):
    settings.REDIS_URL = f"unix://{tmp_path}/nothing-listens-here.sock"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["problems"] == ["redis"]


@pytest.mark.django_db
def test_with_redis_away_a_signed_in_reader_still_gets_their_pages(
    core_topics, settings, tmp_path
):
    reader = factories.make_user()
    Follow.objects.create(user=reader, topic=core_topics["chips"])
    factories.make_articles(
        factories.make_source(), [factories.entry("Chipmaker opens a new fab")]
    )
    away = f"unix://{tmp_path}/nothing-listens-here.sock"
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": away, "OPTIONS": {}}
    }
    client = Client(raise_request_exception=False)
    client.force_login(reader)
    for page in (
        "/",
        "/recent/",
        "/search/?q=fab",
        "/saved/",
        "/topics/",
        "/settings/",
    ):
        response = client.get(page)
        assert response.status_code == 200, page
    assert "Chipmaker opens a new fab" in client.get("/").content.decode()


@pytest.mark.django_db
def test_load_defaults_creates_the_catalogue_and_is_repeatable(capsys):
    call_command("load_defaults")
    call_command("load_defaults")
    slugs = set(Topic.objects.values_list("slug", flat=True))
    assert {"ai", "chips", "trade"} <= slugs and len(slugs) >= 8
    names = dict(Topic.objects.values_list("slug", "name"))
    assert (names["ai"], names["chips"], names["trade"]) == (
        "AI",
        "Chips",
        "Trade policy",
    )
    assert all(t.description and t.seed_term_list for t in Topic.objects.all())
    sources = Source.objects.all()
    assert sources.count() >= 10
    assert all(s.url.startswith("https://") and s.is_default for s in sources)
    assert "0 new" in capsys.readouterr().out.splitlines()[-1]


def test_the_admin_covers_every_model():
    ours = [m for m in apps.get_models() if m._meta.app_label in {"feed", "accounts"}]
    assert ours
    missing = [m.__name__ for m in ours if not admin.site.is_registered(m)]
    assert missing == []


@pytest.mark.django_db
def test_a_topic_model_stored_by_an_older_ranker_is_dropped_not_fatal(core_topics):
    topic = core_topics["chips"]
    TopicModel.objects.create(topic=topic, state=b"not a model of this version")
    scoring._classifiers.clear()
    classifiers = scoring.topic_classifiers([topic])
    assert classifiers[topic.pk].predict_proba(scoring.features.empty(1)).shape == (1,)
    assert not TopicModel.objects.filter(topic=topic).exists()
    assert scoring.topic_models_need_refresh()
