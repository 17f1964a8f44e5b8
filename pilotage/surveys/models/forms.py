"""A survey and the versions of its form.

A survey belongs to a unit of the tree (the service that runs it), which is its scope. Its
form is an XLSForm: each upload that changes it is a new :class:`FormVersion`, kept with
pyxform's tree (what the web form renders), the XForm (for ODK Collect and Enketo) and the
original workbook, so a submission always points at the version it was answered on and a
new version never rewrites earlier answers.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("En préparation")
    OPEN = "open", _("Ouverte")
    CLOSED = "closed", _("Close")


class SurveyAccess(models.TextChoices):
    # Only the respondents of a sample (or those added by hand), each with their own link.
    INVITED = "invited", _("Sur invitation (liens personnels)")
    # Also a public link anyone may answer through (open satisfaction surveys).
    PUBLIC = "public", _("Ouverte à tous (lien public)")


class Survey(models.Model):
    title_fr = models.CharField(_("intitulé (français)"), max_length=300)
    title_ar = models.CharField(_("intitulé (arabe)"), max_length=300, blank=True)
    description = models.TextField(_("présentation"), blank=True)
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("service responsable"),
    )
    status = models.CharField(
        _("statut"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    access = models.CharField(
        _("accès"), max_length=10, choices=SurveyAccess.choices, default=SurveyAccess.INVITED
    )
    # The public link's path part; random, so an open survey is not found by counting.
    public_key = models.CharField(_("clé du lien public"), max_length=32, unique=True)
    closes_at = models.DateTimeField(_("date de clôture"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("créée par"),
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    version = models.PositiveIntegerField(_("version de la fiche"), default=1)

    class Meta:
        verbose_name = _("enquête")
        verbose_name_plural = _("enquêtes")
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return self.title_fr

    @property
    def audit_path(self) -> str:
        return self.org_unit.path

    @property
    def current_form(self) -> FormVersion | None:
        return self.form_versions.order_by("-number").first()


class FormVersion(models.Model):
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="form_versions", verbose_name=_("enquête")
    )
    number = models.PositiveIntegerField(_("numéro"))
    # The XLSForm's own identifiers (settings sheet: form_id, version).
    form_id = models.CharField(_("identifiant du formulaire"), max_length=200)
    form_version = models.CharField(_("version du formulaire"), max_length=100, blank=True)
    title = models.CharField(_("titre du formulaire"), max_length=300, blank=True)
    workbook = models.FileField(_("classeur XLSForm"), upload_to="surveys/forms/")
    workbook_name = models.CharField(_("nom du fichier"), max_length=200)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    tree = models.JSONField(_("arbre du formulaire (pyxform)"))
    xform = models.TextField(_("XForm"))
    languages = models.JSONField(_("langues"), default=list)
    default_language = models.CharField(_("langue par défaut"), max_length=60, blank=True)
    warnings = models.JSONField(_("avertissements"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("chargé par"),
    )
    created_at = models.DateTimeField(_("chargé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("version de formulaire")
        verbose_name_plural = _("versions de formulaire")
        ordering = ("survey", "number")
        constraints = [
            models.UniqueConstraint(
                fields=("survey", "number"), name="surveys_formversion_number_unique"
            ),
            models.UniqueConstraint(
                fields=("survey", "sha256"), name="surveys_formversion_same_file_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.form_id} v{self.number}"

    @property
    def audit_path(self) -> str:
        return self.survey.org_unit.path
