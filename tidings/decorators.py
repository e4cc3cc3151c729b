"""View decorators shared by the apps."""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

View = Callable[..., HttpResponse]


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The page to return to: `next` when it is a path on this site (redirect()
    would take any other word for the name of a URL pattern), else `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if _is_local_path(request, target):
        return target
    return fallback


def _is_local_path(request: HttpRequest, target: str) -> bool:
    return target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def _form_page(request: HttpRequest) -> str:
    """The page the form was posted from: its `next`, else the Referer when it is
    this site's, else the feed."""
    fallback = resolve_url(settings.LOGIN_REDIRECT_URL)
    referer = urlsplit(request.headers.get("Referer", ""))
    if referer.netloc == request.get_host() and referer.path.startswith("/"):
        page = referer.path + (f"?{referer.query}" if referer.query else "")
        if _is_local_path(request, page):
            fallback = page
    return safe_next(request, fallback)


def post_action(view: View) -> View:
    """For a view that only acts on a POST from one of the site's forms, in place
    of login_required + require_POST: login_required would send a reader whose
    session ended to log in with this URL as next=, a GET answered 405. Instead
    they log in and land on the page the form was on (unchanged: the action is
    not replayed); a GET, from an older link, goes to that page at once."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method in ("GET", "HEAD"):
            return redirect(_form_page(request))
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.is_authenticated:
            messages.info(request, "Please log in again: that change was not made.")
            return redirect_to_login(_form_page(request))
        return view(request, *args, **kwargs)

    return wrapper
