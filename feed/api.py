"""JSON API v1 (contract in docs/api.md): bearer tokens, topics, feed, feedback,
topic verdicts."""

import json
from collections.abc import Callable
from functools import wraps
from typing import TypedDict

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from accounts import services as accounts
from feed import tasks
from feed.models import Article, Feedback, Follow, Topic
from feed.services import personalisation, reading, topics, verdicts
from feed.services.reading import FeedItem

MAX_LIMIT = 100
DEFAULT_LIMIT = 20


class TopicDict(TypedDict):
    slug: str
    name: str
    description: str
    followed: bool


class FeedItemDict(TypedDict):
    id: int
    title: str
    url: str
    source: str
    published: str
    score: float
    topics: list[str]
    why: str


def topic_to_dict(topic: Topic, *, followed: bool) -> TopicDict:
    return {
        "slug": topic.slug,
        "name": topic.name,
        "description": topic.description,
        "followed": followed,
    }


def item_to_dict(item: FeedItem) -> FeedItemDict:
    article = item.article
    return {
        "id": article.pk,
        "title": article.title,
        "url": article.url,
        "source": str(article.source),
        "published": article.published_at.isoformat(),
        "score": round(item.score, 6),
        "topics": [chip.slug for chip in item.topics],
        "why": item.why,
    }


def error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def api(*methods: str) -> Callable:
    """JSON endpoint taking `Authorization: Bearer <token>`; sets request.api_user."""

    def decorate(view: Callable) -> Callable:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            scheme, _, key = request.headers.get("Authorization", "").partition(" ")
            # Authentication schemes are case-insensitive (RFC 9110, 11.1).
            user = (
                accounts.user_for_api_token(key.strip())
                if scheme.lower() == "bearer"
                else None
            )
            if user is None:
                response = error(
                    "Authentication required: send a valid bearer token. Tokens "
                    f"expire after {settings.API_TOKEN_MAX_AGE_DAYS} days and when "
                    "the password changes; make a new one on the settings page.",
                    401,
                )
                response["WWW-Authenticate"] = 'Bearer realm="api"'
                return response
            if request.method not in methods:
                response = error(f"Method {request.method} is not allowed here.", 405)
                response["Allow"] = ", ".join(methods)
                return response
            request.api_user = user
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def _json_body(request: HttpRequest) -> dict | None:
    try:
        body = json.loads(request.body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        return None  # RecursionError: nesting deeper than the parser goes
    return body if isinstance(body, dict) else None


@csrf_exempt
def token(request: HttpRequest) -> JsonResponse:
    if request.method != "POST":
        response = error("Use POST with a JSON body {username, password}.", 405)
        response["Allow"] = "POST"
        return response
    body = _json_body(request)
    if body is None:
        return error("The body must be a JSON object {username, password}.", 400)
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        return error("Both username and password are required strings.", 400)
    if "\x00" in username + password:  # in no account; PostgreSQL refuses it
        return error("Wrong username or password.", 401)
    # allauth's own check, so the web log-in's throttle on failures applies here too.
    try:
        user = get_account_adapter(request).authenticate(
            request, username=username, password=password
        )
    except ValidationError:
        return error("Too many failed log-in attempts; try again later.", 429)
    if user is None:
        return error("Wrong username or password.", 401)
    if is_mfa_enabled(user):
        # As on the web: the password alone is not enough.
        code = body.get("code")
        if (
            not isinstance(code, str)
            or not AuthenticateForm(user=user, data={"code": code}).is_valid()
        ):
            return error(
                "This account uses two-factor authentication: send the current "
                'code of its authenticator app (or a recovery code) as "code".',
                401,
            )
    return JsonResponse({"token": accounts.issue_api_token(user)})


@api("GET")
def topic_list(request: HttpRequest) -> JsonResponse:
    followed = set(
        Follow.objects.filter(user=request.api_user).values_list("topic_id", flat=True)
    )
    catalogue = Topic.objects.visible_to(request.api_user)
    return JsonResponse(
        {"topics": [topic_to_dict(t, followed=t.pk in followed) for t in catalogue]}
    )


@api("PUT", "DELETE")
def topic_follow(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        topic = topics.topic_for(request.api_user, slug)
    except Topic.DoesNotExist:
        return error(f"No topic {slug!r}.", 404)
    if request.method == "PUT":
        topics.follow(request.api_user, topic)
    else:
        topics.unfollow(request.api_user, topic)
    return HttpResponse(status=204)


@api("GET")
def feed(request: HttpRequest) -> JsonResponse:
    raw_limit = request.GET.get("limit", str(DEFAULT_LIMIT))
    if not (raw_limit.isascii() and raw_limit.isdigit()) or not (
        1 <= int(raw_limit) <= MAX_LIMIT
    ):
        return error(f"limit must be a whole number from 1 to {MAX_LIMIT}.", 400)
    topic = None
    if slug := request.GET.get("topic", ""):
        try:
            topic = topics.topic_for(request.api_user, slug)
        except Topic.DoesNotExist:
            return error(f"No topic {slug!r}.", 404)
    try:
        page = reading.rank_feed_for(
            request.api_user,
            limit=int(raw_limit),
            cursor=request.GET.get("cursor") or None,
            topic=topic,
            hide_read=request.api_user.mark_read_on_scroll,
        )
    except reading.InvalidCursor as exc:
        return error(str(exc), 400)
    return JsonResponse(
        {
            "items": [item_to_dict(i) for i in page.items],
            "next_cursor": page.next_cursor,
        }
    )


@api("POST", "DELETE")
def article_feedback(request: HttpRequest, article_id: int) -> HttpResponse:
    """POST gives a signal (body {"signal": …}); DELETE ?signal=… withdraws it."""
    article = (
        personalisation.articles_for_feedback(request.api_user)
        .filter(pk=article_id)
        .first()
    )
    if article is None:
        return error(f"No article {article_id}.", 404)
    if request.method == "DELETE":
        signal = request.GET.get("signal")
    else:
        body = _json_body(request)
        signal = body.get("signal") if body else None
    if signal not in Feedback.Signal.values:
        choices = ", ".join(Feedback.Signal.values)
        return error(f"signal must be one of: {choices}.", 400)
    if request.method == "DELETE":
        personalisation.withdraw_feedback(request.api_user, article, signal)
    else:
        personalisation.record_feedback(request.api_user, article, signal)
    return HttpResponse(status=204)


@api("PUT", "DELETE")
def article_topic(request: HttpRequest, article_id: int, slug: str) -> HttpResponse:
    """The reader's verdict on whether an article is about a topic."""
    article = Article.objects.visible_to(request.api_user).filter(pk=article_id).first()
    if article is None:
        return error(f"No article {article_id}.", 404)
    try:
        topic = topics.topic_for(request.api_user, slug)
    except Topic.DoesNotExist:
        return error(f"No topic {slug!r}.", 404)
    if request.method == "DELETE":
        verdicts.withdraw(request.api_user, article, topic)
    else:
        body = _json_body(request)
        about = body.get("about") if body else None
        if not isinstance(about, bool):
            return error('Send {"about": true} or {"about": false}.', 400)
        verdicts.state(request.api_user, article, topic, on_topic=about)
    tasks.queue_topic_refresh()
    return HttpResponse(status=204)
