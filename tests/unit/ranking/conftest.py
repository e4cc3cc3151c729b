"""Fixtures for the ranking unit tests (data from ranking_factories)."""

import pytest
from ranking_factories import build_corpus

from feed.ranking import features


def pytest_addoption(parser: pytest.Parser, pluginmanager) -> None:
    # Run with -p no:django (these tests need no Django), pytest would reject the
    # project's DJANGO_SETTINGS_MODULE ini key as unknown; declare it here instead.
    if not pluginmanager.has_plugin("django"):
        parser.addini("DJANGO_SETTINGS_MODULE", "used by pytest-django when loaded")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "corpus: runs on the shared corpus (slow-ish, well under a minute)"
    )


@pytest.fixture(scope="session")
def corpus():
    return build_corpus()


@pytest.fixture(scope="session")
def matrix(corpus):
    docs, _ = corpus
    return features.transform(docs)
