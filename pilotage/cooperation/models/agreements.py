"""Agreements (conventions, accords, protocoles), their parties with IATI roles, their
documents (PDF only, served through a checked view), the obligations they create (reports,
counterpart contributions, audits, no-objection requests) with e-mail reminders before each
due date, and their amendments with what each changed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pilotage.cooperation.models.codes import OrganisationRole
from pilotage.cooperation.models.partners import Partner
from pilotage.cooperation.models.programmes import CURRENCY, Programme, TitledModel

# Days before the due date a reminder goes (besides the due date itself), when an
# obligation does not say otherwise.
DEFAULT_REMINDER_DAYS = [30, 7]


def default_reminder_days() -> list[int]:
    return list(DEFAULT_REMINDER_DAYS)


class AgreementKind(models.TextChoices):
    CONVENTION = "convention", _("Convention")
    AGREEMENT = "accord", _("Accord")
    PROTOCOL = "protocole", _("Protocole")
    MOU = "mou", _("Mémorandum d'entente")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("En négociation")
    SIGNED = "signed", _("Signé")
    CLOSED = "closed", _("Clos")


class Agreement(TitledModel):
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name=_("programme"),
    )
    reference = models.CharField(_("référence"), max_length=60, unique=True)
    kind = models.CharField(_("nature"), max_length=12, choices=AgreementKind.choices)
    status = models.CharField(
        _("statut"), max_length=8, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    signed_on = models.DateField(_("signée le"), null=True, blank=True)
    effective_on = models.DateField(_("entrée en vigueur"), null=True, blank=True)
    ends_on = models.DateField(_("fin"), null=True, blank=True)
    amount = models.DecimalField(
        _("montant"), null=True, blank=True, max_digits=18, decimal_places=2
    )
    currency = models.CharField(_("devise"), max_length=3, validators=[CURRENCY], default="EUR")
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        ordering = ["-signed_on", "reference"]
        verbose_name = _("accord")
        verbose_name_plural = _("accords")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(effective_on__isnull=True)
                | models.Q(ends_on__gte=models.F("effective_on")),
                name="agreement_ends_after_effective",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                name="agreement_amount_not_negative",
            ),
        ]

    @property
    def audit_path(self) -> str:
        return ""


class AgreementParty(models.Model):
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="parties", verbose_name=_("accord")
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="agreement_parts", verbose_name=_("partie")
    )
    role = models.CharField(_("rôle"), max_length=1, choices=OrganisationRole.choices)

    class Meta:
        ordering = ["role", "pk"]
        verbose_name = _("partie à l'accord")
        verbose_name_plural = _("parties à l'accord")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "partner", "role"], name="agreement_party_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} · {self.get_role_display()}"

    @property
    def audit_path(self) -> str:
        return ""


class AgreementDocument(models.Model):
    """A PDF of the agreement (the signed text, an annex, a report submitted for an
    obligation). Stored through Django's storage and served only by the documents view,
    which checks the reader's reach; never through MEDIA_URL."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="documents", verbose_name=_("accord")
    )
    title = models.CharField(_("titre"), max_length=200)
    file = models.FileField(_("fichier"), upload_to="cooperation/agreements/%Y/", max_length=300)
    name = models.CharField(_("nom du fichier"), max_length=200)
    size = models.PositiveBigIntegerField(_("taille"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("déposé par"),
    )
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "pk"]
        verbose_name = _("document d'un accord")
        verbose_name_plural = _("documents des accords")

    def __str__(self) -> str:
        return self.title

    @property
    def audit_path(self) -> str:
        return ""


class ObligationKind(models.TextChoices):
    NARRATIVE_REPORT = "narrative", _("Rapport narratif")
    FINANCIAL_REPORT = "financial", _("Rapport financier")
    COUNTERPART = "counterpart", _("Contribution de contrepartie")
    AUDIT = "audit", _("Audit")
    NO_OBJECTION = "no_objection", _("Demande de non-objection")
    OTHER = "other", _("Autre")


class ObligationStatus(models.TextChoices):
    PENDING = "pending", _("À remettre")
    SUBMITTED = "submitted", _("Remis")
    ACCEPTED = "accepted", _("Accepté")
    WAIVED = "waived", _("Levé")


class Obligation(models.Model):
    """What a party (or one of our own staff) owes under the agreement by a due date."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="obligations", verbose_name=_("accord")
    )
    kind = models.CharField(_("nature"), max_length=14, choices=ObligationKind.choices)
    title = models.CharField(_("intitulé"), max_length=200)
    due_on = models.DateField(_("échéance"))
    responsible_party = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="obligations",
        verbose_name=_("partie responsable"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cooperation_obligations",
        verbose_name=_("responsable interne"),
    )
    status = models.CharField(
        _("statut"),
        max_length=10,
        choices=ObligationStatus.choices,
        default=ObligationStatus.PENDING,
    )
    document = models.ForeignKey(
        AgreementDocument,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="obligations",
        verbose_name=_("document remis"),
    )
    reminder_days = models.JSONField(
        _("rappels (jours avant l'échéance)"), default=default_reminder_days
    )
    submitted_at = models.DateTimeField(_("remis le"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("remis par"),
    )
    reviewed_at = models.DateTimeField(_("examiné le"), null=True, blank=True)
    last_reminded_on = models.DateField(_("dernier rappel"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")

    def __str__(self) -> str:
        return self.title

    @property
    def audit_path(self) -> str:
        return ""


class ObligationReminder(models.Model):
    """A reminder sent: one row per obligation, due date and threshold (days before), so a
    second run of the job sends nothing and a moved due date gets its own reminders."""

    obligation = models.ForeignKey(
        Obligation, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("obligation")
    )
    due_on = models.DateField(_("échéance"))
    days_before = models.PositiveSmallIntegerField(_("jours avant"))
    sent_on = models.DateField(_("envoyé le"))
    recipients = models.PositiveSmallIntegerField(_("destinataires"), default=0)

    class Meta:
        ordering = ["obligation", "-days_before"]
        verbose_name = _("rappel d'une obligation")
        verbose_name_plural = _("rappels des obligations")
        constraints = [
            models.UniqueConstraint(
                fields=["obligation", "due_on", "days_before"], name="obligation_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.obligation_id} · J-{self.days_before}"


class Amendment(models.Model):
    """A signed amendment (avenant): ``changes`` holds ``{field: [old, new]}`` of the
    agreement fields it changed, as applied in the same transaction."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="amendments", verbose_name=_("accord")
    )
    number = models.PositiveSmallIntegerField(_("numéro"))
    signed_on = models.DateField(_("signé le"))
    signed_by = models.CharField(_("signataires"), max_length=300)
    summary = models.TextField(_("objet"))
    changes = models.JSONField(_("modifications"), default=dict)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enregistré par"),
    )
    recorded_at = models.DateTimeField(_("enregistré le"), auto_now_add=True)

    class Meta:
        ordering = ["agreement", "number"]
        verbose_name = _("avenant")
        verbose_name_plural = _("avenants")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="amendment_number_once")
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} · {self.number}"

    @property
    def audit_path(self) -> str:
        return ""
