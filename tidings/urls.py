from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.cache import cache_control

ROBOTS = (
    "User-agent: *\nDisallow: /\nAllow: /accounts/login/\nAllow: /accounts/signup/\n"
)


@cache_control(max_age=86400, public=True)
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawlers have nothing to index behind the log-in."""
    return HttpResponse(ROBOTS, content_type="text/plain")


# The admin logs in through allauth's log-in: its throttle and two-factor apply.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("robots.txt", robots_txt, name="robots"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("feed.urls")),
]
