"""Capacity building: training sessions, the people trained and their attendance.

A person is one ``Participant`` however many sessions they attend, so the results count
people trained once ("10 000 teachers trained in at least 8 countries"); ``identity_key``
holds the strongest identifier known (a teacher's PPR, a national identifier, an email)
and is unique, so the same person cannot be recorded twice under that key."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from pilotage.cooperation.models.programmes import Programme, Project
from pilotage.orgunits.models import OrgUnit


class Audience(models.TextChoices):
    TEACHERS = "teachers", _("Enseignants")
    TRAINERS = "trainers", _("Formateurs")
    HEADS = "heads", _("Chefs d'établissement")
    INSPECTORS = "inspectors", _("Inspecteurs")
    OTHER = "other", _("Autres")


class Modality(models.TextChoices):
    OFFLINE = "offline", _("Présentiel")
    ONLINE = "online", _("En ligne")
    BLENDED = "blended", _("Hybride")


class Sex(models.TextChoices):
    FEMALE = "F", _("Femme")
    MALE = "M", _("Homme")


class TrainingSession(models.Model):
    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        related_name="training_sessions",
        verbose_name=_("programme"),
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        related_name="training_sessions",
        verbose_name=_("projet (pays)"),
    )
    topic = models.CharField(_("thème"), max_length=300)
    audience = models.CharField(_("public"), max_length=12, choices=Audience.choices)
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"))
    modality = models.CharField(_("modalité"), max_length=8, choices=Modality.choices)
    venue = models.CharField(_("lieu ou plateforme"), max_length=200, blank=True)
    location = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("subdivision du pays"),
    )
    planned_participants = models.PositiveIntegerField(_("participants prévus"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "pk"]
        verbose_name = _("session de formation")
        verbose_name_plural = _("sessions de formation")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="training_ends_after_start",
                violation_error_message=_("La session finit le jour de son début ou après."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.topic} ({self.start_date})"

    @property
    def audit_path(self) -> str:
        country = self.project.country
        return country.path if country is not None else ""


class Participant(models.Model):
    full_name = models.CharField(_("nom complet"), max_length=200)
    # Lower-cased, accents and extra spaces removed: how possible duplicates are found.
    name_key = models.CharField(_("nom normalisé"), max_length=200, db_index=True)
    sex = models.CharField(_("sexe"), max_length=1, choices=Sex.choices)
    role = models.CharField(_("fonction"), max_length=100, blank=True)
    country = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"depth": 1},
        verbose_name=_("pays"),
    )
    email = models.EmailField(_("courriel"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    national_id = models.CharField(_("identifiant national"), max_length=40, blank=True)
    teacher = models.OneToOneField(
        "schooling.Teacher",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cooperation_participant",
        verbose_name=_("enseignant"),
    )
    # "ppr:…", "nid:<country>:…", "email:…" or "name:<country>:<name key>:<pk>".
    identity_key = models.CharField(_("clé d'identité"), max_length=260, unique=True)
    possible_duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("doublon possible de"),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        ordering = ["name_key", "pk"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return self.full_name

    @property
    def audit_path(self) -> str:
        return self.country.path


class Attendance(models.Model):
    session = models.ForeignKey(
        TrainingSession,
        on_delete=models.CASCADE,
        related_name="attendances",
        verbose_name=_("session"),
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="attendances",
        verbose_name=_("participant"),
    )
    attended = models.BooleanField(_("présent"), default=False)
    days_attended = models.PositiveSmallIntegerField(_("jours de présence"), null=True, blank=True)
    completed = models.BooleanField(_("formation achevée"), default=False)
    score = models.DecimalField(_("note"), max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["participant__name_key", "pk"]
        verbose_name = _("présence")
        verbose_name_plural = _("présences")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant"], name="attendance_once_per_session"
            ),
            models.CheckConstraint(
                condition=models.Q(completed=False) | models.Q(attended=True),
                name="attendance_completed_implies_attended",
                violation_error_message=_(
                    "Un participant absent ne peut pas avoir achevé la formation."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} · {self.participant_id}"

    @property
    def audit_path(self) -> str:
        return self.session.audit_path
