"""Every e-mail Tidings sends about the feed: one function per message, each rendered
from templates/email/<name>-subject.txt, -body.txt and -body.html."""

from collections.abc import Sequence
from datetime import date

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone


def _send(
    name: str,
    context: dict,
    *,
    to: str,
    headers: dict[str, str] | None = None,
) -> None:
    context = {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        **context,
    }
    subject = " ".join(render_to_string(f"email/{name}-subject.txt", context).split())
    text = render_to_string(f"email/{name}-body.txt", context)
    html = render_to_string(f"email/{name}-body.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=[to], headers=headers or {}
    )
    message.attach_alternative(html, "text/html")
    message.send()


def send_digest(
    user,
    items: Sequence,
    *,
    local_date: date,
    message_id: str,
    unsubscribe_url: str,
) -> None:
    """The daily digest, with RFC 8058 one-click unsubscribe headers; times in the
    reader's time zone."""
    with timezone.override(user.tzinfo):
        _send(
            "digest",
            {
                "user": user,
                "items": items,
                "local_date": local_date,
                "unsubscribe_url": unsubscribe_url,
                "settings_url": settings.SITE_URL + "/settings/",
            },
            to=user.email,
            headers={
                "Message-ID": message_id,
                "List-Unsubscribe": f"<{unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
