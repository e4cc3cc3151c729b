"""How allauth behaves for Tidings (settings.ACCOUNT_ADAPTER)."""

import hashlib
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def _get_login_attempts_cache_key(
        self, request: HttpRequest, **credentials: Any
    ) -> str:
        """Count failed log-ins per account, not per spelling of the login.

        allauth keys the per-account throttle on the login as typed, so the
        username and the e-mail address of one account would each get their own
        budget. An existing account is keyed by its id; anything else by the text,
        so an unknown address is throttled exactly like a real one.
        """
        login = str(credentials.get("email") or credentials.get("username") or "")
        login = login.strip().lower()
        if len(login) > 254 or "\x00" in login:
            # No account has such a login; SQLite refuses longer patterns and
            # PostgreSQL any text holding a NUL.
            return f"login:{hashlib.sha256(login.encode()).hexdigest()}"
        user_id = (
            get_user_model()
            .objects.filter(Q(username__iexact=login) | Q(email__iexact=login))
            .values_list("pk", flat=True)
            .first()
            if login
            else None
        )
        return f"user:{user_id}" if user_id is not None else f"login:{login}"
