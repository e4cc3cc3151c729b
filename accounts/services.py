"""Account actions that views and the API share."""

import hashlib
import secrets
from datetime import timedelta
from email.utils import format_datetime
from xml.etree import ElementTree

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.models import ApiToken, User
from feed.models import (
    Article,
    Feedback,
    Follow,
    Mute,
    Source,
    Subscription,
    Topic,
    TopicVerdict,
)
from feed.services import preferences


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_api_token(user: User) -> str:
    """A new bearer token; only its hash is kept, so it is shown only this once."""
    key = "tid_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user, key_hash=_digest(key), password_stamp=password_stamp(user.password)
    )
    return key


def password_stamp(password_hash: str) -> str:
    """A keyed digest of the reader's password hash (never the hash itself): a
    token stamped with another one was issued under an earlier password."""
    return salted_hmac(
        "tidings.api-token.password", password_hash, algorithm="sha256"
    ).hexdigest()


def user_for_api_token(key: str) -> User | None:
    if not key or len(key) > 200:
        return None
    oldest = timezone.now() - timedelta(days=settings.API_TOKEN_MAX_AGE_DAYS)
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_digest(key), created_at__gte=oldest, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    if not constant_time_compare(
        token.password_stamp, password_stamp(token.user.password)
    ):
        token.delete()  # the password changed since (a reset after a leak, say)
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def revoke_api_token(user: User, token_id: int) -> None:
    """Delete one of the reader's tokens; raises ApiToken.DoesNotExist for any other."""
    ApiToken.objects.filter(user=user).get(pk=token_id).delete()


def email_is_verified(user: User) -> bool:
    """The reader proved they own their address (as feed.services.digests decides:
    accounts made by an administrator have no address record and are trusted)."""
    addresses = EmailAddress.objects.filter(user=user)
    return (
        not addresses.exists()
        or addresses.filter(email__iexact=user.email, verified=True).exists()
    )


def export_data(user: User) -> dict:
    """Everything the reader gave Tidings, as JSON-ready data (no secrets: no
    password hash, token hashes or two-factor keys)."""
    feedback = (
        Feedback.objects.filter(user=user)
        .select_related("article", "article__source")
        .order_by("created_at", "id")
    )
    return {
        "format": "tidings-export",
        "version": 1,
        "exported_at": timezone.now().isoformat(),
        "profile": {
            "username": user.username,
            "email": user.email,
            "email_verified": email_is_verified(user),
            "date_joined": user.date_joined.isoformat(),
            "timezone": user.timezone,
            "digest_enabled": user.digest_enabled,
            "digest_hour": user.digest_hour,
            "digest_frequency": user.digest_frequency,
            "digest_max_items": user.digest_max_items,
            "mark_read_on_scroll": user.mark_read_on_scroll,
        },
        "follows": [
            {"topic": f.topic.slug, "name": f.topic.name, "weight": f.weight}
            for f in Follow.objects.filter(user=user)
            .select_related("topic")
            .order_by("topic__name")
        ],
        "own_topics": [
            {
                "slug": t.slug,
                "name": t.name,
                "terms": t.seed_term_list,
                "created_at": t.created_at.isoformat(),
            }
            for t in Topic.objects.filter(owner=user).order_by("created_at", "id")
        ],
        "mutes": list(
            Mute.objects.filter(user=user)
            .order_by("phrase")
            .values_list("phrase", flat=True)
        ),
        "feedback": [
            {
                "signal": f.signal,
                "at": f.created_at.isoformat(),
                "article": _article_dict(f.article),
            }
            for f in feedback
            if f.signal != Feedback.Signal.SAVE
        ],
        "topic_verdicts": [
            {
                "topic": v.topic.slug,
                "about": v.on_topic,
                "at": v.created_at.isoformat(),
                "article": _article_dict(v.article),
            }
            for v in TopicVerdict.objects.filter(user=user)
            .select_related("topic", "article", "article__source")
            .order_by("created_at", "id")
        ],
        "saved": [
            {"saved_at": f.created_at.isoformat(), **_article_dict(f.article)}
            for f in feedback
            if f.signal == Feedback.Signal.SAVE
        ],
        "sources": [
            {"url": s.url, "title": s.title, "site_url": s.site_url}
            for s in _own_sources(user)
        ],
        "api_tokens": [
            {
                "created_at": t.created_at.isoformat(),
                "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
            }
            for t in ApiToken.objects.filter(user=user).order_by("created_at")
        ],
    }


def _article_dict(article: Article) -> dict:
    return {
        "title": article.title,
        "url": article.url,
        "source": str(article.source),
        "published_at": article.published_at.isoformat(),
    }


def _own_sources(user: User):
    return Source.objects.filter(subscriptions__user=user).order_by("title", "url")


def export_opml(user: User) -> str:
    """The reader's own sources as OPML 2.0 (the default sources are not theirs)."""
    opml = ElementTree.Element("opml", version="2.0")
    head = ElementTree.SubElement(opml, "head")
    ElementTree.SubElement(head, "title").text = f"{user.username}'s Tidings sources"
    ElementTree.SubElement(head, "dateCreated").text = format_datetime(timezone.now())
    body = ElementTree.SubElement(opml, "body")
    for source in _own_sources(user):
        attributes = {
            "type": "rss",
            "text": source.title or source.url,
            "title": source.title or source.url,
            "xmlUrl": source.url,
        }
        if source.site_url:
            attributes["htmlUrl"] = source.site_url
        ElementTree.SubElement(body, "outline", attributes)
    ElementTree.indent(opml)
    return ElementTree.tostring(opml, encoding="unicode", xml_declaration=True) + "\n"


def delete_account(user: User) -> None:
    """Remove the reader and everything that is theirs: follows, feedback, saved
    articles, own topics, mutes, read marks, tokens, digests, e-mail addresses and
    two-factor keys (all by cascade), and sources only they had added, unless
    another reader gave feedback on one of its articles (a save, a like, a
    dislike...): kept as when a reader removes a source, so that their Saved list
    and their personal model keep those articles."""
    with transaction.atomic():
        theirs = Subscription.objects.filter(user=user).values("source_id")
        only_theirs = list(
            Source.objects.filter(pk__in=theirs, is_default=False)
            .annotate(readers=Count("subscriptions"))
            .filter(readers=1)
            .values_list("pk", flat=True)
        )
        for topic in Topic.objects.filter(owner=user):
            preferences.delete_own_topic(topic)  # and its scores on the articles
        user.delete()
        kept_by_others = Feedback.objects.filter(article__source=OuterRef("pk"))
        Source.objects.filter(pk__in=only_theirs, subscriptions__isnull=True).exclude(
            Exists(kept_by_others)
        ).delete()
