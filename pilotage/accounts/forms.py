from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pilotage.accounts.audit import login_failed_record
from pilotage.accounts.models import User
from pilotage.accounts.services import NO_EMAIL
from pilotage.core.roles import role_choices


class RoleAssignForm(forms.Form):
    role = forms.ChoiceField(label=_("Rôle"), choices=role_choices)
    org_unit = forms.CharField(label=_("Unité (code)"), max_length=40)

    def __init__(self, *args: Any, roles: list[tuple[str, Any]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if roles is not None:
            self.fields["role"].choices = roles  # type: ignore[attr-defined]


class PersonForm(RoleAssignForm):
    username = forms.CharField(label=_("Identifiant de connexion"), max_length=150)
    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=pgettext_lazy("surname", "Nom"), max_length=150)
    email = forms.EmailField(
        label=_("Adresse électronique"),
        help_text=_("Le lien pour choisir le premier mot de passe est envoyé à cette adresse."),
        error_messages={"required": NO_EMAIL},
    )

    field_order = ["last_name", "first_name", "username", "email", "role", "org_unit"]


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Nom du jeton"), max_length=100)


class FirstAccessPasswordResetForm(PasswordResetForm):
    """Django's reset form skips accounts without a usable password; ours are created that
    way on purpose (the owner picks the password), so first access uses the same e-mail."""

    def get_users(self, email: str) -> Iterator[Any]:
        email_field = User.get_email_field_name()
        users = User._default_manager.filter(**{f"{email_field}__iexact": email, "is_active": True})
        wanted = unicodedata.normalize("NFKC", email).casefold()
        return (
            u
            for u in users
            if unicodedata.normalize("NFKC", getattr(u, email_field)).casefold() == wanted
        )


class LoginForm(AuthenticationForm):
    """A name longer than any account's is refused as a wrong login without being tried:
    django-axes would store it in a 255-character column, which PostgreSQL refuses with a
    server error. The attempt is recorded in the audit log all the same."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        if len(username) > User._meta.get_field("username").max_length:  # type: ignore[operator]
            login_failed_record(self.request, username)
            raise self.get_invalid_login_error()
        return super().clean()
