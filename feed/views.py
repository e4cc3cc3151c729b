"""Feed pages: the ranked feed and its other views, onboarding, topics, mutes,
feedback, health and unsubscribe."""

from contextlib import suppress

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from accounts import services as accounts
from accounts.forms import OnboardingDigestForm
from feed import tasks
from feed.forms import (
    FeedbackForm,
    MuteForm,
    OptionalOwnTopicForm,
    OwnTopicForm,
    ReadForm,
    SearchForm,
    TopicChoiceForm,
    TopicVerdictForm,
    WeightForm,
)
from feed.models import (
    Article,
    Feedback,
    Follow,
    Mute,
    Source,
    Topic,
    visible_articles,
)
from feed.services import (
    browsing,
    digests,
    personalisation,
    preferences,
    reading,
    topics,
    verdicts,
)
from feed.services.reading import FeedPage
from tidings import health
from tidings.decorators import post_action, safe_next

PAGE_SIZE = 20
CARD_ACTIONS = [
    ("like", "Like"),
    ("dislike", "Less like this"),
    ("hide", "Hide"),
    ("save", "Save"),
]
# Buttons that stay pressed (and toggle back) rather than removing the card.
TOGGLES = {"like", "save"}
SUGGESTED_TOPICS = ["ai", "chips", "trade"]
# The story the reader just hid without JavaScript, offered back on the next feed page.
UNDO_SESSION_KEY = "feed_undo"


def get_article_for_user(user, article_id: int) -> Article:
    """An article the reader may see: from a default source or one they follow, or
    one they gave feedback to (a save from a source they removed stays theirs)."""
    theirs = Feedback.objects.filter(user=user, article_id=OuterRef("pk"))
    return get_object_or_404(
        Article.objects.filter(visible_articles(user) | Q(Exists(theirs))),
        pk=article_id,
    )


def get_source_for_user(user, source_id: str) -> Source:
    """A source whose articles the reader sees (a default one or one they added);
    anyone else's source, or an id that is not a (database-sized) number, is a
    404."""
    if not (source_id.isascii() and source_id.isdigit() and len(source_id) <= 18):
        raise Http404("No such source.")
    return get_object_or_404(Source.objects.for_user(user).distinct(), pk=source_id)


def get_own_topic_for_user(user, slug: str) -> Topic:
    """A topic the reader made; anyone else's (or a built-in one) is a 404."""
    return get_object_or_404(Topic, owner=user, slug=slug)


def get_mute_for_user(user, mute_id: int) -> Mute:
    return get_object_or_404(Mute, user=user, pk=mute_id)


def _feed_page(
    request: HttpRequest, page: FeedPage, *, view: str, **context
) -> HttpResponse:
    return render(
        request,
        "feed/home.html",
        {
            "page": page,
            "view": view,
            "followed_topics": sorted(page.followed_topics, key=lambda t: t.name),
            "card_actions": CARD_ACTIONS,
            "toggles": TOGGLES,
            "search_form": context.pop("search_form", None) or SearchForm(),
            "undo": request.session.pop(UNDO_SESSION_KEY, None),
            **context,
        },
    )


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
            limit=PAGE_SIZE,
            cursor=request.GET.get("cursor") or None,
            topic=topic,
            hide_read=request.user.mark_read_on_scroll,
        )
    except reading.InvalidCursor:
        return redirect("feed:home")
    # An empty first page on a deployment that has fetched nothing for this reader
    # yet is no "all caught up".
    waiting = not page.items and not Article.objects.visible_to(request.user).exists()
    return _feed_page(
        request, page, view="ranked", topic=topic, waiting_for_first_fetch=waiting
    )


@login_required
def recent(request: HttpRequest) -> HttpResponse:
    source = None
    if "source" in request.GET:
        source = get_source_for_user(request.user, request.GET["source"])
    try:
        page = browsing.recent_for(
            request.user,
            limit=PAGE_SIZE,
            cursor=request.GET.get("cursor") or None,
            source=source,
        )
    except reading.InvalidCursor:
        return redirect(request.path + (f"?source={source.pk}" if source else ""))
    return _feed_page(request, page, view="recent", source=source)


@login_required
def saved(request: HttpRequest) -> HttpResponse:
    try:
        page = browsing.saved_for(
            request.user, limit=PAGE_SIZE, cursor=request.GET.get("cursor") or None
        )
    except reading.InvalidCursor:
        return redirect("feed:saved")
    return _feed_page(request, page, view="saved")


@login_required
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    query = browsing.clean_query(form.data.get("q", ""))
    try:
        page = browsing.search_for(
            request.user,
            query,
            limit=PAGE_SIZE,
            cursor=request.GET.get("cursor") or None,
        )
    except reading.InvalidCursor:
        return redirect(reverse("feed:search") + "?" + urlencode({"q": query}))
    return _feed_page(request, page, view="search", query=query, search_form=form)


@login_required
def onboarding(request: HttpRequest) -> HttpResponse:
    user = request.user
    following = Topic.objects.filter(follows__user=user)
    suggested = Topic.objects.filter(slug__in=SUGGESTED_TOPICS, owner=None)
    data = request.POST if request.method == "POST" else None
    topic_form = TopicChoiceForm(
        data,
        user=user,
        initial={"topics": following if following.exists() else suggested},
    )
    own_form = OptionalOwnTopicForm(data, user=user)
    settings_form = OnboardingDigestForm(data, instance=user)
    forms = (topic_form, own_form, settings_form)
    if data is not None and all(form.is_valid() for form in forms):
        topics.set_follows(user, topic_form.cleaned_data["topics"])
        if own_form.wanted:
            # Refused only when the form was sent twice at once: the first made it.
            with suppress(preferences.OwnTopicRefused):
                preferences.create_own_topic(
                    user,
                    name=own_form.cleaned_data["name"],
                    words=own_form.cleaned_data["words"]
                    or own_form.cleaned_data["name"],
                )
            tasks.queue_topic_refresh()
        settings_form.save()
        user.onboarded = True
        user.save(update_fields=["onboarded"])
        return redirect("feed:home")
    return render(
        request,
        "feed/onboarding.html",
        {
            "topic_form": topic_form,
            "own_form": own_form,
            "settings_form": settings_form,
            "suggested": set(SUGGESTED_TOPICS),
            "email_verified": accounts.email_is_verified(user),
        },
    )


@login_required
def topic_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    weights = dict(Follow.objects.filter(user=user).values_list("topic_id", "weight"))
    catalogue = list(Topic.objects.visible_to(user).order_by("name"))
    activity = browsing.topic_activity(user, catalogue)
    rows = [
        {
            "topic": topic,
            "followed": topic.pk in weights,
            "weight": preferences.weight_name(weights.get(topic.pk, 1.0)),
            "own": topic.owner_id == user.pk,
            "activity": activity[topic.pk],
        }
        for topic in catalogue
    ]
    return render(
        request,
        "feed/topics.html",
        {
            "followed_rows": [r for r in rows if r["followed"]],
            "other_rows": [r for r in rows if not r["followed"]],
            "weights": list(preferences.WEIGHTS),
            "own_form": OwnTopicForm(user=user),
            "mute_form": MuteForm(),
            "mutes": Mute.objects.filter(user=user).order_by("phrase"),
        },
    )


@post_action
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
    return redirect(safe_next(request, reverse("feed:topics")))


@post_action
def topic_weight(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        topic = topics.topic_for(request.user, slug)
    except Topic.DoesNotExist:
        raise Http404("No such topic.") from None
    form = WeightForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Choose less, normal or more.", status=400)
    name = form.cleaned_data["weight"]
    preferences.set_follow_weight(request.user, topic, preferences.WEIGHTS[name])
    messages.success(request, f"{topic.name}: {name} in your feed.")
    return redirect(safe_next(request, reverse("feed:topics")))


@post_action
def topic_create(request: HttpRequest) -> HttpResponse:
    form = OwnTopicForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            topic = preferences.create_own_topic(
                request.user,
                name=form.cleaned_data["name"],
                words=form.cleaned_data["words"],
            )
        except preferences.OwnTopicRefused as refused:  # e.g. the form sent twice
            form.add_error(None, str(refused))
        else:
            tasks.queue_topic_refresh()
            messages.success(request, f"You now follow your own topic {topic.name}.")
            return redirect("feed:topics")
    return render(request, "feed/topic_form.html", {"form": form}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def topic_edit(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_own_topic_for_user(request.user, slug)
    initial = {"name": topic.name, "words": preferences.seed_words_for(topic)}
    form = OwnTopicForm(
        request.POST or None, initial=initial, user=request.user, topic=topic
    )
    if request.method == "POST" and form.is_valid():
        try:
            preferences.update_own_topic(
                topic, name=form.cleaned_data["name"], words=form.cleaned_data["words"]
            )
        except preferences.OwnTopicRefused as refused:
            form.add_error(None, str(refused))
        else:
            tasks.queue_topic_refresh()
            messages.success(request, f"{topic.name} is saved.")
            return redirect("feed:topics")
    return render(request, "feed/topic_form.html", {"form": form, "topic": topic})


@post_action
def topic_delete(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_own_topic_for_user(request.user, slug)
    preferences.delete_own_topic(topic)
    messages.info(request, f"{topic.name} is deleted.")
    return redirect("feed:topics")


@post_action
def mute_add(request: HttpRequest) -> HttpResponse:
    form = MuteForm(request.POST, user=request.user)
    if form.is_valid():
        mute = preferences.add_mute(request.user, form.cleaned_data["phrase"])
        messages.success(request, f"Stories mentioning “{mute.phrase}” are muted.")
    else:
        messages.error(request, " ".join(form.errors.get("phrase", [])))
    return redirect(reverse("feed:topics") + "#mutes")


@post_action
def mute_delete(request: HttpRequest, mute_id: int) -> HttpResponse:
    mute = get_mute_for_user(request.user, mute_id)
    preferences.remove_mute(mute)
    messages.info(request, f"“{mute.phrase}” is no longer muted.")
    return redirect(reverse("feed:topics") + "#mutes")


@post_action
def feedback(request: HttpRequest, article_id: int) -> HttpResponse:
    article = get_article_for_user(request.user, article_id)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Unknown feedback signal.", status=400)
    signal = form.cleaned_data["signal"]
    undo = form.cleaned_data["undo"]
    as_json = request.headers.get("Accept") == "application/json"
    # Without JavaScript, the next feed page offers an Undo (tidings.js has its own).
    if signal in Feedback.DISMISSING and not undo and not as_json:
        request.session[UNDO_SESSION_KEY] = _undo_for(request.user, article, signal)
    if undo:
        personalisation.withdraw_feedback(request.user, article, signal)
    else:
        personalisation.record_feedback(request.user, article, signal)
    if as_json:
        return JsonResponse({"ok": True, "signal": signal, "active": not undo})
    return redirect(safe_next(request, reverse("feed:home")))


def _undo_for(user, article: Article, signal: str) -> dict:
    """The feedback that undoes a dismissal, for the Undo form on the next feed
    page: withdrawing it, or for "less like this" that replaced a like, the like
    (which takes the dislike back, as tidings.js does)."""
    relike = signal == Feedback.Signal.DISLIKE and (
        Feedback.Signal.LIKE in personalisation.signals_on_card(user, article)
    )
    return {
        "article": article.pk,
        "title": article.title,
        "signal": Feedback.Signal.LIKE if relike else signal,
        "withdraw": not relike,
    }


@post_action
def topic_verdict(request: HttpRequest, article_id: int) -> HttpResponse:
    """The reader says an article is (or is not) about a topic: their feed applies
    it at once, the topic's model learns from it at its next refit."""
    article = get_article_for_user(request.user, article_id)
    form = TopicVerdictForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Say about=<topic> or not_about=<topic>.", status=400)
    try:
        topic = topics.topic_for(request.user, form.cleaned_data["slug"])
    except Topic.DoesNotExist:
        raise Http404("No such topic.") from None
    on_topic = form.cleaned_data["on_topic"]
    undo = form.cleaned_data["undo"]
    if undo:
        verdicts.withdraw(request.user, article, topic)
    else:
        verdicts.state(request.user, article, topic, on_topic=on_topic)
    tasks.queue_topic_refresh()
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"ok": True, "about": on_topic, "active": not undo})
    if not undo:
        messages.info(
            request,
            f"Noted: “{article.title}” is {'' if on_topic else 'not '}about "
            f"{topic.name}. Your feed uses this now, and the {topic.name} model "
            "learns from it at its next refresh.",
        )
    return redirect(safe_next(request, reverse("feed:home")))


@post_action
def mark_read(request: HttpRequest) -> HttpResponse:
    form = ReadForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Expected ids=1,2,3.", status=400)
    browsing.mark_read(request.user, form.cleaned_data["ids"])
    return HttpResponse(status=204)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    problems = health.problems()
    status = 503 if problems else 200
    return JsonResponse({"ok": not problems, "problems": problems}, status=status)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One-click unsubscribe (RFC 8058): GET asks, POST unsubscribes; no login.

    The POST must carry the body RFC 8058 defines (the confirm page's form sends it
    too): being exempt from CSRF, the view acts on nothing else."""
    user = digests.user_for_unsubscribe_token(token)
    if user is None:
        return render(request, "feed/unsubscribe.html", {"invalid": True}, status=404)
    one_click = request.POST.get("List-Unsubscribe") == "One-Click"
    if request.method == "POST" and not one_click:
        return render(request, "feed/unsubscribe.html", {"token": token}, status=400)
    if request.method == "POST":
        if user.digest_enabled:
            user.digest_enabled = False
            user.save(update_fields=["digest_enabled"])
        return render(request, "feed/unsubscribe.html", {"done": True})
    return render(request, "feed/unsubscribe.html", {"token": token})
