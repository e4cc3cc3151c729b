"""A reader's own settings, data export, API tokens and account deletion (sign-up,
log-in, e-mail, password and two-factor pages come from allauth)."""

import json

from allauth.core import ratelimit
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts import services
from accounts.forms import DeleteAccountForm, DigestSettingsForm, ReadingSettingsForm
from accounts.models import ApiToken
from tidings.decorators import post_action


@login_required
@never_cache  # it shows a new API token in clear, once
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = DigestSettingsForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your digest settings are saved.")
        return redirect("accounts:settings")
    return render(
        request,
        "accounts/settings.html",
        {
            "form": form,
            "reading_form": ReadingSettingsForm(instance=user),
            "email_verified": services.email_is_verified(user),
            "two_factor": Authenticator.objects.filter(
                user=user, type=Authenticator.Type.TOTP
            ).exists(),
            "tokens": ApiToken.objects.filter(user=user).order_by("-created_at"),
            "new_token": request.session.pop("new_api_token", None),
        },
    )


@post_action
def reading_settings(request: HttpRequest) -> HttpResponse:
    form = ReadingSettingsForm(request.POST, instance=request.user)
    if form.is_valid():
        form.save()
        messages.success(request, "Your reading settings are saved.")
    return redirect("accounts:settings")


@post_action
def token_create(request: HttpRequest) -> HttpResponse:
    # Shown once on the next page, never stored in clear (only its hash is kept).
    request.session["new_api_token"] = services.issue_api_token(request.user)
    return redirect("accounts:settings")


@post_action
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        services.revoke_api_token(request.user, token_id)
    except ApiToken.DoesNotExist:
        raise Http404("No such token.") from None
    messages.info(request, "The token is revoked.")
    return redirect("accounts:settings")


def _download(content: str, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def export_json(request: HttpRequest) -> HttpResponse:
    data = services.export_data(request.user)
    return _download(
        json.dumps(data, indent=2, ensure_ascii=False),
        content_type="application/json",
        filename=f"tidings-{timezone.now():%Y-%m-%d}.json",
    )


@login_required
@require_GET
def export_opml(request: HttpRequest) -> HttpResponse:
    return _download(
        services.export_opml(request.user),
        content_type="text/x-opml; charset=utf-8",
        filename=f"tidings-sources-{timezone.now():%Y-%m-%d}.opml",
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST":
        # The password check is throttled like allauth's re-authentication.
        if not ratelimit.consume(request, action="reauthenticate", user=request.user):
            form.add_error(None, "Too many attempts. Try again in a minute.")
        elif form.is_valid():
            user = request.user
            logout(request)
            services.delete_account(user)
            return render(request, "accounts/deleted.html")
    return render(request, "accounts/delete.html", {"form": form})
