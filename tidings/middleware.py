"""Response headers that Django 5.2 does not set by itself."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

# Scripts and styles come only from our own static files: no inline script, no eval.
# Article images are remote (feeds link them), so images may come from any https host.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' https: data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def static_file_headers(headers, path: str, url: str) -> None:
    """WhiteNoise answers for static files before the middleware below runs: give
    them the same framing and content policy as the pages (an SVG is a document)."""
    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    headers["X-Frame-Options"] = "DENY"


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.headers.setdefault(
                "Content-Security-Policy", CONTENT_SECURITY_POLICY
            )
        response.headers.setdefault("Permissions-Policy", "interest-cohort=()")
        session = getattr(request, "session", None)
        if session is not None and session.accessed:
            # The page depends on who asked (a reader's pages are theirs): no shared
            # cache may keep it. Pages that never look at the session stay as set.
            patch_cache_control(response, private=True)
        return response
