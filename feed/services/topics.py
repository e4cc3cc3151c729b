"""Topics: the built-in catalogue, follows, and topics readers make themselves."""

from collections.abc import Iterable

from django.core.validators import slug_re
from django.db import transaction

from feed.default_sources import DefaultSource
from feed.models import Follow, Source, Topic


def topic_for(user, slug: str) -> Topic:
    """A topic the reader may see (built in or their own); raises Topic.DoesNotExist,
    also for what is no slug at all (a NUL in it would be a database error)."""
    if not slug_re.fullmatch(slug):
        raise Topic.DoesNotExist(f"No topic {slug!r}.")
    return Topic.objects.visible_to(user).get(slug=slug)


def follow(user, topic: Topic) -> Follow:
    """Follow `topic` (at normal weight); following it again keeps its weight."""
    follow, _ = Follow.objects.get_or_create(user=user, topic=topic)
    return follow


def unfollow(user, topic: Topic) -> None:
    Follow.objects.filter(user=user, topic=topic).delete()


def set_follows(user, topics: Iterable[Topic]) -> None:
    """Follow exactly `topics` (keeping the weight of topics already followed)."""
    wanted = {t.pk for t in topics}
    with transaction.atomic():
        Follow.objects.filter(user=user).exclude(topic_id__in=wanted).delete()
        existing = set(
            Follow.objects.filter(user=user).values_list("topic_id", flat=True)
        )
        Follow.objects.bulk_create(
            [Follow(user=user, topic_id=t) for t in wanted - existing],
            ignore_conflicts=True,
        )


def load_default_topics(specs: Iterable) -> int:
    """Create or update the built-in topics; returns how many were created."""
    created = 0
    for spec in specs:
        _, was_created = Topic.objects.update_or_create(
            slug=spec.slug,
            owner=None,
            defaults={
                "name": spec.name,
                "description": spec.description,
                "seed_terms": "\n".join(spec.seed_terms),
            },
        )
        created += was_created
    return created


def load_default_sources(sources: Iterable[DefaultSource]) -> int:
    created = 0
    for source in sources:
        _, was_created = Source.objects.get_or_create(
            url=source.url,
            defaults={
                "title": source.title,
                "site_url": source.site_url,
                "is_default": True,
            },
        )
        created += was_created
    return created
