from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pilotage.accounts.models import Role


class RoleAssignForm(forms.Form):
    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices)
    org_unit = forms.CharField(label=_("Unité (code)"), max_length=40)

    def __init__(self, *args: Any, roles: list[tuple[str, Any]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if roles is not None:
            self.fields["role"].choices = roles  # type: ignore[attr-defined]


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Nom du jeton"), max_length=100)
