from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pilotage.core.roles import role_choices, role_label
from pilotage.orgunits.models import OrgUnit


class User(AbstractUser):
    preferred_language = models.CharField(
        _("langue préférée"), max_length=5, choices=settings.LANGUAGES, default="fr"
    )

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")


class RoleAssignment(models.Model):
    """A user holds a role over an org unit and its whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("utilisateur"),
    )
    role = models.CharField(_("rôle"), max_length=32, choices=role_choices)
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("unité")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("créée le"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créée par"),
    )

    class Meta:
        verbose_name = _("affectation de rôle")
        verbose_name_plural = _("affectations de rôle")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "org_unit"], name="assignment_unique_user_role_unit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {role_label(self.role)} · {self.org_unit.code}"

    @property
    def audit_path(self) -> str:
        return self.org_unit.path


def _token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the raw value is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("utilisateur"),
    )
    name = models.CharField(pgettext_lazy("name of a thing", "nom"), max_length=100)
    prefix = models.CharField(max_length=8, editable=False, verbose_name=_("préfixe"))
    digest = models.CharField(
        max_length=64, unique=True, editable=False, verbose_name=_("empreinte")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("créé le"))
    last_used_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("dernière utilisation")
    )
    expires_at = models.DateTimeField(null=True, blank=True, verbose_name=_("expire le"))

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def generate() -> tuple[str, str, str]:
        raw = "plt_" + secrets.token_urlsafe(32)
        return raw, raw[:8], _token_digest(raw)

    @staticmethod
    def digest_of(raw: str) -> str:
        return _token_digest(raw)
