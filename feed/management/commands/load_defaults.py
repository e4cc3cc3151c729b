"""Create the built-in topics and default sources (safe to run again)."""

from django.core.management.base import BaseCommand

from feed.default_sources import SOURCES
from feed.defaults import TOPICS
from feed.services import topics


class Command(BaseCommand):
    help = "Create or update the built-in topics and the default sources."

    def handle(self, *args, **options) -> None:
        new_topics = topics.load_default_topics(TOPICS)
        new_sources = topics.load_default_sources(SOURCES)
        self.stdout.write(
            f"Topics: {len(TOPICS)} ({new_topics} new). "
            f"Sources: {len(SOURCES)} ({new_sources} new)."
        )
