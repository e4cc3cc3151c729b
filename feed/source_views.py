"""The sources page: a reader's own feeds with their health, add, import, export."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from feed.ingest.opml import OpmlError
from feed.models import Source, Subscription
from feed.services import ingestion, sources
from tidings.decorators import post_action

MAX_OPML_UPLOAD = 2 * 1024 * 1024


class AddSourceForm(forms.Form):
    address = forms.CharField(
        max_length=2000,
        label="Feed or website address",
        widget=forms.TextInput(attrs={"placeholder": "https://example.com/feed.xml"}),
    )


class OpmlUploadForm(forms.Form):
    file = forms.FileField(label="OPML file")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_OPML_UPLOAD:
            raise forms.ValidationError("The file is larger than 2 MB; refused.")
        return upload


def get_subscription_for_user(user, source_id: int) -> Subscription:
    """The reader's subscription to a source; 404 for anyone else's, and for an id
    no database row can have (larger than a 64-bit integer)."""
    if source_id > sources.MAX_ROW_ID:
        raise Http404("No such source.")
    return get_object_or_404(
        Subscription.objects.select_related("source"), user=user, source_id=source_id
    )


@login_required
def source_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "feed/sources.html",
        {
            "subscriptions": sources.sources_for(request.user),
            "defaults": Source.objects.filter(is_default=True, url__startswith="http"),
            "add_form": AddSourceForm(),
            "opml_form": OpmlUploadForm(),
        },
    )


@post_action
def source_add(request: HttpRequest) -> HttpResponse:
    form = AddSourceForm(request.POST)
    if form.is_valid():
        try:
            result = sources.add_source(request.user, form.cleaned_data["address"])
        except sources.SourceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _added_message(result))
    else:
        messages.error(request, "Enter the address of a feed or a website.")
    return redirect("feed:sources")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _added_message(result: sources.AddResult) -> str:
    if not result.subscribed:
        message = f"You already follow {result.source}."
        if result.new_articles:
            message += f" {_count(result.new_articles, 'new article')} just fetched."
        return message
    if result.created:
        return f"Added {result.source}: {_count(result.new_articles, 'new article')}."
    return (
        f"Added {result.source}: {_count(result.articles, 'article')} now in your feed."
    )


@post_action
def source_remove(request: HttpRequest, source_id: int) -> HttpResponse:
    """Idempotent: a second click (or a stale page) ends on the sources page too."""
    removed = sources.unsubscribe(request.user, source_id)
    if removed is None:
        messages.info(request, "You do not follow that source (any more).")
    else:
        messages.info(request, f"Removed {removed}.")
    return redirect("feed:sources")


@post_action
def source_enable(request: HttpRequest, source_id: int) -> HttpResponse:
    source = get_subscription_for_user(request.user, source_id).source
    if ingestion.enable_source(source, now=timezone.now()):
        messages.success(request, f"{source} will be fetched again shortly.")
    else:
        messages.info(request, f"{source} is active; it is fetched on its schedule.")
    return redirect("feed:sources")


@post_action
def opml_import(request: HttpRequest) -> HttpResponse:
    form = OpmlUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors.get("file", ["Choose an OPML file."]):
            messages.error(request, error)
        return redirect("feed:sources")
    try:
        result = sources.import_opml(request.user, form.cleaned_data["file"].read())
    except OpmlError as error:
        messages.error(request, f"That file could not be imported: {error}")
        return redirect("feed:sources")
    left_out = ""
    if result.refused:
        url, reason = result.refused[0]
        left_out = f" {len(result.refused)} could not be used, e.g. {url}: {reason}"
    if result.added or result.already:
        noun = "source" if result.added == 1 else "sources"
        messages.success(
            request,
            f"Imported {result.added} {noun} ({result.already} you had already)."
            + left_out,
        )
    else:
        messages.error(request, "No feed in that file could be imported." + left_out)
    return redirect("feed:sources")


@login_required
def opml_export(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        sources.export_opml(request.user), content_type="text/x-opml; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="tidings-sources.opml"'
    return response
