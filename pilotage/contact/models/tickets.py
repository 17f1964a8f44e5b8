"""Tickets and where they go: queues (services), the category tree, the business-hours
calendar a queue's deadlines run on, the messages of a ticket (public replies, internal
notes, what the requester wrote) with their attachments, and links between tickets."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pilotage.contact.models.registry import Association, Language, Requester
from pilotage.core.i18n import MultilingualName
from pilotage.orgunits.models import OrgUnit


class Channel(models.TextChoices):
    PHONE = "phone", _("Téléphone")
    EMAIL = "email", _("Courriel")
    WALK_IN = "walk_in", _("Accueil physique")
    LETTER = "letter", _("Courrier")
    WEB = "web", _("Formulaire web")


class TicketType(models.TextChoices):
    INFORMATION = "information", _("Demande d'information")
    PROCEDURE = "procedure", _("Demande de procédure")
    GUIDANCE = "guidance", _("Orientation et accompagnement")
    COMPLAINT = "complaint", _("Réclamation")
    OBSERVATION = "observation", _("Observation")
    SUGGESTION = "suggestion", _("Suggestion")


class Priority(models.TextChoices):
    LOW = "low", _("Basse")
    NORMAL = "normal", _("Normale")
    HIGH = "high", _("Haute")
    URGENT = "urgent", _("Urgente")


# The weight of an open ticket in an agent's load (least-loaded assignment).
PRIORITY_WEIGHT = {Priority.LOW: 1, Priority.NORMAL: 2, Priority.HIGH: 3, Priority.URGENT: 5}


class Status(models.TextChoices):
    NEW = "new", _("Nouveau")
    OPEN = "open", _("Ouvert")
    WAITING_REQUESTER = "waiting_requester", _("En attente du demandeur")
    WAITING_OTHER = "waiting_other", _("En attente d'un autre service")
    RESOLVED = "resolved", _("Résolu")
    CLOSED = "closed", _("Clos")
    REOPENED = "reopened", _("Rouvert")


# Statuses in which a ticket still needs work (backlog, an agent's load).
OPEN_STATUSES = (
    Status.NEW,
    Status.OPEN,
    Status.WAITING_REQUESTER,
    Status.WAITING_OTHER,
    Status.REOPENED,
)
DONE_STATUSES = (Status.RESOLVED, Status.CLOSED)


class AssignmentMode(models.TextChoices):
    MANUAL = "manual", _("Manuelle")
    ROUND_ROBIN = "round_robin", _("Tour à tour")
    LEAST_LOADED = "least_loaded", _("Agent le moins chargé")


class BusinessCalendar(models.Model):
    """Working days and hours a queue's deadlines count in; its hours, Ramadan schedule and
    holidays are in ``models/sla.py``."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("nom"), max_length=120)
    timezone = models.CharField(_("fuseau horaire"), max_length=60, default="Africa/Casablanca")
    # sla: bumped by every change of its hours, Ramadan corrections or holiday overrides
    # (optimistic concurrency, and the key of the in-process cache of its business clock).
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["code"]
        verbose_name = _("calendrier ouvré")
        verbose_name_plural = _("calendriers ouvrés")

    def __str__(self) -> str:
        return self.name


class Queue(MultilingualName):
    """A service of the contact centre that handles a kind of request (a "file")."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    email = models.EmailField(_("adresse de la boîte"), blank=True)
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="queues",
        verbose_name=_("calendrier"),
    )
    assignment = models.CharField(
        _("attribution"),
        max_length=20,
        choices=AssignmentMode.choices,
        default=AssignmentMode.MANUAL,
    )
    # Round-robin: the member who got the last ticket (the next one goes to the one after).
    last_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dernier agent servi"),
    )
    members: models.ManyToManyField = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="QueueMember",
        related_name="contact_queues",
        verbose_name=_("agents"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1)  # routing: queue edits

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("file")
        verbose_name_plural = _("files")


class QueueMember(models.Model):
    queue = models.ForeignKey(
        Queue, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("file")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="contact_memberships",
        verbose_name=_("agent"),
    )

    class Meta:
        verbose_name = _("agent d'une file")
        verbose_name_plural = _("agents des files")
        constraints = [models.UniqueConstraint(fields=["queue", "user"], name="queue_member_once")]

    def __str__(self) -> str:
        return f"{self.queue_id} · {self.user_id}"


class Category(MultilingualName):
    """The category tree (theme → sub-theme); a category may send its tickets to a queue."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("catégorie parente"),
    )
    queue = models.ForeignKey(
        Queue,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="categories",
        verbose_name=_("file par défaut"),
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("catégorie")
        verbose_name_plural = _("catégories")


class TicketCounter(models.Model):
    """The last reference number given in a year (references restart each year)."""

    year = models.PositiveSmallIntegerField(_("année"), primary_key=True)
    last = models.PositiveIntegerField(_("dernier numéro"), default=0)

    class Meta:
        verbose_name = _("compteur de références")
        verbose_name_plural = _("compteurs de références")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Ticket(models.Model):
    reference = models.CharField(_("référence"), max_length=20, unique=True)
    # SHA-256 of the code given to the requester with the reference (tracking page).
    secret_hash = models.CharField(_("code de suivi (empreinte)"), max_length=64)
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices)
    type = models.CharField(_("type"), max_length=12, choices=TicketType.choices)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("catégorie"),
    )
    priority = models.CharField(
        _("priorité"), max_length=6, choices=Priority.choices, default=Priority.NORMAL
    )
    # The unit the request concerns (a region, a province, a school…; the country when
    # nothing more precise): an agent's or supervisor's scope is a subtree of these.
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("entité concernée")
    )
    queue = models.ForeignKey(
        Queue, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("file")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact_tickets",
        verbose_name=_("agent"),
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    subject = models.CharField(pgettext_lazy("contact", "objet"), max_length=300)
    language = models.CharField(
        _("langue"), max_length=3, choices=Language.choices, default=Language.FRENCH
    )
    requester = models.ForeignKey(
        Requester,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("demandeur"),
    )
    association = models.ForeignKey(
        Association,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("association"),
    )
    # Hides the requester (person and association) from everyone but the supervisors.
    confidential = models.BooleanField(_("confidentiel"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saisi par"),
    )
    created_at = models.DateTimeField(_("reçu le"), db_index=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    acknowledged_at = models.DateTimeField(_("accusé de réception le"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("première réponse le"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("résolu le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("clos le"), null=True, blank=True)
    # Deadlines (SLA), computed on the queue's calendar by services/sla.py.
    ack_due_at = models.DateTimeField(_("accusé de réception dû le"), null=True, blank=True)
    response_due_at = models.DateTimeField(_("première réponse due le"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("résolution due le"), null=True, blank=True)
    # Set while the clock is stopped (waiting on the requester).
    sla_paused_at = models.DateTimeField(_("délai suspendu depuis"), null=True, blank=True)
    # sla: business minutes already spent waiting on the requester (a recompute keeps them).
    sla_paused_minutes = models.PositiveIntegerField(_("minutes suspendues"), default=0)
    # Resolved during the first contact (a call or a visit answered on the spot).
    first_contact_resolution = models.BooleanField(_("résolu au premier contact"), default=False)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged",
        verbose_name=_("fusionné dans"),
    )
    split_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="splits",
        verbose_name=_("scindé de"),
    )
    # Referral to the Médiateur du Royaume (the ombudsman) after the answer.
    mediator_referred_on = models.DateField(_("saisine du Médiateur le"), null=True, blank=True)
    mediator_reference = models.CharField(
        _("référence auprès du Médiateur"), max_length=60, blank=True
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["status", "queue"], name="ticket_status_queue"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status"),
            models.Index(fields=["requester", "created_at"], name="ticket_requester_created"),
            models.Index(fields=["association", "created_at"], name="ticket_assoc_created"),
            # The staff list's filters and sorts (100 000 tickets in the benchmark).
            models.Index(fields=["queue", "created_at"], name="ticket_queue_created"),
            models.Index(fields=["status", "created_at"], name="ticket_status_created"),
            models.Index(fields=["resolution_due_at"], name="ticket_resolution_due"),
            models.Index(fields=["priority", "created_at"], name="ticket_priority_created"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def audit_path(self) -> str:
        return self.org_unit.path

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class MessageKind(models.TextChoices):
    INCOMING = "incoming", _("Message du demandeur")
    REPLY = "reply", _("Réponse")
    NOTE = "note", _("Note interne")


class TicketMessage(models.Model):
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="messages", verbose_name=_("ticket")
    )
    kind = models.CharField(_("nature"), max_length=10, choices=MessageKind.choices)
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    body = models.TextField(_("texte"))
    language = models.CharField(
        _("langue"), max_length=3, choices=Language.choices, default=Language.FRENCH
    )
    created_at = models.DateTimeField(_("le"), db_index=True)
    # E-mail threading: the Message-ID of the mail (received or sent) and what it answered.
    email_message_id = models.CharField(_("Message-ID"), max_length=300, blank=True)
    email_in_reply_to = models.CharField(_("In-Reply-To"), max_length=300, blank=True)
    # For a reply: when the e-mail to the requester left (empty: not sent by e-mail).
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["email_message_id"], name="message_email_id")]

    def __str__(self) -> str:
        return f"{self.ticket.reference} · {self.get_kind_display()}"

    @property
    def is_public(self) -> bool:
        return self.kind != MessageKind.NOTE


class Attachment(models.Model):
    """A file sent with a message, stored through Django's storage; served only by the
    view that checks the reader may see the ticket (and, for a note, is staff)."""

    message = models.ForeignKey(
        TicketMessage,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("message"),
    )
    file = models.FileField(_("fichier"), upload_to="contact/%Y/%m/")
    name = models.CharField(_("nom"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("taille"))
    sha256 = models.CharField(_("empreinte"), max_length=64)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")

    def __str__(self) -> str:
        return self.name


class LinkKind(models.TextChoices):
    RELATED = "related", _("Lié à")
    DUPLICATE = "duplicate", _("Doublon de")
    CAUSED_BY = "caused_by", _("Causé par")


class TicketLink(models.Model):
    source = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="links_out", verbose_name=_("ticket")
    )
    target = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="links_in", verbose_name=_("lié à")
    )
    kind = models.CharField(
        pgettext_lazy("contact", "lien"), max_length=12, choices=LinkKind.choices
    )
    created_at = models.DateTimeField(_("le"), auto_now_add=True)

    class Meta:
        verbose_name = _("lien entre tickets")
        verbose_name_plural = _("liens entre tickets")
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="ticket_link_once"),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="ticket_link_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} → {self.target_id}"
