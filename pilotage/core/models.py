from __future__ import annotations

import uuid
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("The audit log is append-only.")

    def delete(self) -> NoReturn:
        raise PermissionError("The audit log is append-only.")


class AuditEntry(models.Model):
    """One write by one actor. Append-only: the app never updates or deletes a row, and a
    database trigger (see the migration) refuses UPDATE on every backend and DELETE on
    PostgreSQL. Actions are registered by each app (see :mod:`pilotage.core.audit`)."""

    at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    action = models.CharField(_("action"), max_length=40)
    object_type = models.CharField(_("type d'objet"), max_length=80)
    object_id = models.CharField(_("identifiant"), max_length=64)
    object_repr = models.CharField(_("objet"), max_length=200)
    changes = models.JSONField(_("changements"), default=dict, blank=True)
    # The org-unit path of the object, so the log is read with the same prefix scope as the
    # tree; "" for what lies outside it (accounts, logins), which national administrators read.
    path = models.CharField(_("chemin"), max_length=255, blank=True, default="", db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("entrée du journal d'audit")
        verbose_name_plural = _("journal d'audit")
        indexes = [
            models.Index(fields=["object_type", "object_id", "-at"], name="audit_object"),
            models.Index(fields=["actor", "-at"], name="audit_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("The audit log is append-only.")

    @property
    def action_label(self) -> str:
        from pilotage.core.audit import audit_action_label

        return audit_action_label(self.action)


class Job(models.Model):
    """A long piece of work (import, recomputation, batch of reports) and its progress.

    The work itself runs in the django-tasks worker, or inline from a management command;
    both report progress here, so the page's progress bar and the terminal's show the same
    figures.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En cours")
        SUCCEEDED = "succeeded", _("Terminé")
        FAILED = "failed", _("Échec")

    id = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("identifiant")
    )
    kind = models.CharField(_("type"), max_length=60)
    language = models.CharField(_("langue"), max_length=10, blank=True, default="")
    params = models.JSONField(default=dict, blank=True, verbose_name=_("paramètres"))
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    total = models.PositiveIntegerField(default=0, verbose_name=_("total"))
    done = models.PositiveIntegerField(default=0, verbose_name=_("effectués"))
    message = models.CharField(max_length=300, blank=True, verbose_name=_("message"))
    result = models.JSONField(default=dict, blank=True, verbose_name=_("résultat"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("demandée par"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("créée le"))
    started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("commencée le"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("terminée le"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("tâche de fond")
        verbose_name_plural = _("tâches de fond")

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"

    @property
    def kind_label(self) -> str:
        from pilotage.core.jobs import job_kind_label

        return job_kind_label(self.kind)

    @property
    def result_items(self) -> list[tuple[str, Any]]:
        from pilotage.core.jobs import job_result_items

        return job_result_items(self.result or {})

    @property
    def unlisted_problems(self) -> int:
        """Problems of a rejected file counted but not kept in the result."""
        result = self.result or {}
        return max(int(result.get("count") or 0) - len(result.get("problems") or []), 0)

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)
