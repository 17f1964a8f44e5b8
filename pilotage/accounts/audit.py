"""Accounts' audit actions, the links to people's pages, and the recording of sign-ins.

Sign-ins are recorded from signals: Django's ``user_logged_in`` and ``user_login_failed``
and django-axes' ``user_locked_out``. The conventions keep signals out of domain logic,
and this is not domain logic: these are the framework's own events about authentication,
sent from code (the login view, ``authenticate``, axes' lockout) that has no place to call a
service from.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from pilotage.core.audit import audit_action, audit_links_by_pk, audit_links_register, audit_record

LOGIN = audit_action("login", _("Connexion"))
LOGIN_FAILED = audit_action("login_failed", _("Échec de connexion"))
LOCKED_OUT = audit_action("locked_out", _("Compte bloqué après trop d'échecs"))

# A login field can hold anything; the log quotes a readable stretch of it.
USERNAME_QUOTED = 60

audit_links_register("accounts.user", audit_links_by_pk("accounts:person"))


def _ip(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR", "")


def _attempt(action: str, request: HttpRequest | None, username: Any) -> None:
    """The attempted login name and the address; the credentials' other fields (the
    password) are never read."""
    quoted = str(username or "")[:USERNAME_QUOTED]
    audit_record(
        actor=None,
        action=action,
        obj=None,
        object_repr=quoted,
        changes={"username": [None, quoted], "ip": [None, _ip(request)]},
    )


def login_failed_record(request: HttpRequest | None, username: str) -> None:
    """For a login refused before it is tried (see ``forms.LoginForm``)."""
    _attempt(LOGIN_FAILED, request, username)


@receiver(user_logged_in, dispatch_uid="pilotage_audit_login")
def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, action=LOGIN, obj=user, changes={"ip": [None, _ip(request)]})


@receiver(user_login_failed, dispatch_uid="pilotage_audit_login_failed")
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    _attempt(LOGIN_FAILED, request, credentials.get("username"))


@receiver(user_locked_out, dispatch_uid="pilotage_audit_locked_out")
def _locked_out(
    sender: Any, request: HttpRequest | None = None, username: Any = None, **kwargs: Any
) -> None:
    _attempt(LOCKED_OUT, request, username)
