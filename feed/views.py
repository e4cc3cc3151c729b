"""Feed pages: the ranked feed, onboarding, topics, feedback, health, unsubscribe."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.forms import DigestSettingsForm
from feed.forms import FeedbackForm, TopicChoiceForm
from feed.models import Article, Follow, Topic
from feed.services import digests, personalisation, reading, topics
from tidings import health

CARD_ACTIONS = [
    ("like", "Like"),
    ("dislike", "Less like this"),
    ("hide", "Hide"),
    ("save", "Save"),
]


def get_article_for_user(user, article_id: int) -> Article:
    """An article the reader may see (from a default source or one they follow)."""
    return get_object_or_404(Article.objects.visible_to(user), pk=article_id)


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if (
        not request.user.onboarded
        and not Follow.objects.filter(user=request.user).exists()
    ):
        return redirect("feed:onboarding")
    topic = None
    if slug := request.GET.get("topic"):
        try:
            topic = topics.topic_for(request.user, slug)
        except Topic.DoesNotExist:
            raise Http404("No such topic.") from None
    try:
        page = reading.rank_feed_for(
            request.user,
            limit=20,
            cursor=request.GET.get("cursor") or None,
            topic=topic,
        )
    except reading.InvalidCursor:
        return redirect("feed:home")
    followed = Topic.objects.filter(follows__user=request.user)
    return render(
        request,
        "feed/home.html",
        {
            "page": page,
            "topic": topic,
            "followed_topics": followed,
            "card_actions": CARD_ACTIONS,
        },
    )


@login_required
def onboarding(request: HttpRequest) -> HttpResponse:
    user = request.user
    topic_form = TopicChoiceForm(
        request.POST or None,
        user=user,
        initial={"topics": Topic.objects.filter(slug__in=["ai", "chips", "trade"])},
    )
    settings_form = DigestSettingsForm(request.POST or None, instance=user)
    if request.method == "POST" and topic_form.is_valid() and settings_form.is_valid():
        topics.set_follows(user, topic_form.cleaned_data["topics"])
        settings_form.save()
        user.onboarded = True
        user.save(update_fields=["onboarded"])
        return redirect("feed:home")
    return render(
        request,
        "feed/onboarding.html",
        {"topic_form": topic_form, "settings_form": settings_form},
    )


@login_required
def topic_list(request: HttpRequest) -> HttpResponse:
    followed = set(
        Follow.objects.filter(user=request.user).values_list("topic_id", flat=True)
    )
    catalogue = Topic.objects.visible_to(request.user)
    return render(
        request,
        "feed/topics.html",
        {"topics": catalogue, "followed": followed},
    )


@login_required
@require_POST
def topic_follow(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        topic = topics.topic_for(request.user, slug)
    except Topic.DoesNotExist:
        raise Http404("No such topic.") from None
    if request.POST.get("action") == "unfollow":
        topics.unfollow(request.user, topic)
        messages.info(request, f"You no longer follow {topic.name}.")
    else:
        topics.follow(request.user, topic)
        messages.success(request, f"You now follow {topic.name}.")
    return redirect(_back(request, reverse("feed:topics")))


@login_required
@require_POST
def feedback(request: HttpRequest, article_id: int) -> HttpResponse:
    article = get_article_for_user(request.user, article_id)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Unknown feedback signal.", status=400)
    signal = form.cleaned_data["signal"]
    if form.cleaned_data["undo"]:
        personalisation.withdraw_feedback(request.user, article, signal)
    else:
        personalisation.record_feedback(request.user, article, signal)
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"ok": True, "signal": signal})
    return redirect(_back(request, reverse("feed:home")))


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    problems = health.problems()
    status = 503 if problems else 200
    return JsonResponse({"ok": not problems, "problems": problems}, status=status)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One-click unsubscribe (RFC 8058): GET asks, POST unsubscribes; no login."""
    user = digests.user_for_unsubscribe_token(token)
    if user is None:
        return render(request, "feed/unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        if user.digest_enabled:
            user.digest_enabled = False
            user.save(update_fields=["digest_enabled"])
        return render(request, "feed/unsubscribe.html", {"done": True})
    return render(request, "feed/unsubscribe.html", {"token": token})
