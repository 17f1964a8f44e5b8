"""School records: the education structure, pupils and enrolments, staff, marks, attendance
and end-of-year decisions.

Everything a school owns points at its org unit (``school``), so scoping is the same
``school__path LIKE 'prefix%'`` as everywhere else.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from pilotage.core.i18n import MultilingualName
from pilotage.orgunits.models import AcademicYear, Cycle, OrgUnit, Semester

CODE_MASSAR_RE = r"^[A-Z][0-9]{9}$"
code_massar_validator = RegexValidator(
    CODE_MASSAR_RE, _("Le code Massar est une lettre majuscule suivie de 9 chiffres.")
)
MARK_MAX = Decimal(20)


# --- Education structure -------------------------------------------------------------


class GradeLevel(MultilingualName):
    """A year of schooling: 1AP…6AP, 1AC…3AC, TC, 1BAC, 2BAC."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    cycle = models.CharField(_("cycle"), max_length=10, choices=Cycle.choices)
    order = models.PositiveSmallIntegerField(_("ordre"), unique=True)
    entry_age = models.PositiveSmallIntegerField(
        _("âge théorique d'entrée"), help_text=_("Âge atteint dans l'année civile de la rentrée.")
    )

    class Meta:
        ordering = ["order"]
        verbose_name = _("niveau scolaire")
        verbose_name_plural = _("niveaux scolaires")


class Stream(MultilingualName):
    """A lycée stream (filière), e.g. Sciences mathématiques."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    grade_levels = models.ManyToManyField(
        GradeLevel, related_name="streams", blank=True, verbose_name=_("niveaux")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("filière")
        verbose_name_plural = _("filières")


class Subject(MultilingualName):
    code = models.CharField(_("code"), max_length=20, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("matière")
        verbose_name_plural = _("matières")


class SubjectCoefficient(models.Model):
    """Which subjects a level (and stream) studies, with their weight in the general
    average. Configuration: the Moroccan defaults are loaded by ``load_structure``."""

    grade_level = models.ForeignKey(
        GradeLevel, on_delete=models.CASCADE, related_name="subjects", verbose_name=_("niveau")
    )
    stream = models.ForeignKey(
        Stream, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("filière")
    )
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, verbose_name=_("matière"))
    coefficient = models.DecimalField(
        _("coefficient"),
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )

    class Meta:
        verbose_name = _("coefficient")
        verbose_name_plural = _("coefficients")
        constraints = [
            models.UniqueConstraint(
                fields=["grade_level", "subject"],
                condition=Q(stream__isnull=True),
                name="coefficient_unique_without_stream",
            ),
            models.UniqueConstraint(
                fields=["grade_level", "stream", "subject"],
                condition=Q(stream__isnull=False),
                name="coefficient_unique_with_stream",
            ),
            models.CheckConstraint(condition=Q(coefficient__gt=0), name="coefficient_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.grade_level_id}·{self.subject_id} ×{self.coefficient}"


class ExamWeighting(models.Model):
    """How a certificate mark is made from its parts, per level. The weights are fractions
    summing to 1; see docs/schooling.md for the Moroccan defaults and their sources."""

    grade_level = models.OneToOneField(
        GradeLevel, on_delete=models.CASCADE, related_name="weighting", verbose_name=_("niveau")
    )
    continuous = models.DecimalField(_("contrôle continu"), max_digits=4, decimal_places=3)
    local_exam = models.DecimalField(_("examen local"), max_digits=4, decimal_places=3, default=0)
    regional_exam = models.DecimalField(
        _("examen régional"), max_digits=4, decimal_places=3, default=0
    )
    national_exam = models.DecimalField(
        _("examen national"), max_digits=4, decimal_places=3, default=0
    )

    class Meta:
        verbose_name = _("pondération des examens")
        verbose_name_plural = _("pondérations des examens")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    continuous__gte=0, local_exam__gte=0, regional_exam__gte=0, national_exam__gte=0
                ),
                name="weighting_non_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.grade_level_id}"


class CouncilPolicy(models.Model):
    """Thresholds the class council starts from, per cycle: at or above ``promote_from``
    the suggestion is to promote, below ``repeat_from`` to dismiss (when the pupil has
    already repeated ``max_repeats`` times in the cycle), otherwise to repeat."""

    cycle = models.CharField(_("cycle"), max_length=10, choices=Cycle.choices, unique=True)
    promote_from = models.DecimalField(
        _("passage à partir de"), max_digits=4, decimal_places=2, default=Decimal(10)
    )
    max_repeats = models.PositiveSmallIntegerField(
        _("redoublements permis dans le cycle"), default=2
    )

    class Meta:
        verbose_name = _("règle du conseil de classe")
        verbose_name_plural = _("règles du conseil de classe")

    def __str__(self) -> str:
        return self.get_cycle_display()


class GradingScale(models.Model):
    """How marks are written and counted in a cycle: the maximum a mark may reach, the
    pass mark, the mentions (none where the cycle gives none) and the weights of the two
    semesters in the annual average. The Moroccan defaults and their sources are in
    docs/schooling.md; ``Mark.value`` keeps its absolute limit of 20, the largest scale."""

    cycle = models.CharField(_("cycle"), max_length=10, choices=Cycle.choices, unique=True)
    mark_max = models.DecimalField(_("note maximale"), max_digits=4, decimal_places=2)
    pass_mark = models.DecimalField(_("note de réussite"), max_digits=4, decimal_places=2)
    first_semester_weight = models.DecimalField(
        _("poids du 1er semestre"), max_digits=4, decimal_places=2, default=Decimal(1)
    )
    second_semester_weight = models.DecimalField(
        _("poids du 2e semestre"), max_digits=4, decimal_places=2, default=Decimal(1)
    )
    mentions = models.JSONField(
        _("mentions"),
        default=list,
        blank=True,
        help_text=_(
            "Du seuil le plus haut au plus bas : "
            '[{"from": "16", "fr": "Très bien", "ar": "حسن جداً", "en": "Very good"}, …]. '
            "Vide : pas de mention."
        ),
    )
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("barème des notes")
        verbose_name_plural = _("barèmes des notes")
        constraints = [
            models.CheckConstraint(
                condition=Q(mark_max__gt=0, mark_max__lte=MARK_MAX),
                name="scale_max_within_mark_column",
            ),
            models.CheckConstraint(
                condition=Q(pass_mark__gt=0, pass_mark__lte=models.F("mark_max")),
                name="scale_pass_mark_within_scale",
            ),
            models.CheckConstraint(
                condition=Q(first_semester_weight__gte=0, second_semester_weight__gte=0)
                & (Q(first_semester_weight__gt=0) | Q(second_semester_weight__gt=0)),
                name="scale_semester_weights",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_cycle_display()} /{self.mark_max.normalize()}"


# --- Pupils and enrolments ---------------------------------------------------------------


class Sex(models.TextChoices):
    MALE = "M", _("Garçon")
    FEMALE = "F", _("Fille")


class Pupil(models.Model):
    # Unique through a constraint rather than unique=True, which on PostgreSQL adds a
    # second (varchar_pattern_ops) index for LIKE 'J13%' that no query uses (the API's
    # istartswith compares upper() and cannot use it) and every imported pupil pays for.
    code_massar = models.CharField(
        _("code Massar"), max_length=10, validators=[code_massar_validator]
    )
    last_name = models.CharField(pgettext_lazy("surname", "nom"), max_length=100)
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name_ar = models.CharField(_("nom (arabe)"), max_length=100, blank=True)
    first_name_ar = models.CharField(_("prénom (arabe)"), max_length=100, blank=True)
    sex = models.CharField(_("sexe"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("date de naissance"))
    birth_place = models.CharField(_("lieu de naissance"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("créé le"))

    class Meta:
        verbose_name = _("élève")
        verbose_name_plural = _("élèves")
        indexes = [models.Index(fields=["last_name", "first_name"], name="pupil_name")]
        constraints = [models.UniqueConstraint(fields=["code_massar"], name="pupil_code_massar")]

    def __str__(self) -> str:
        return f"{self.code_massar} {self.last_name} {self.first_name}"

    @property
    def full_name(self) -> str:
        return f"{self.last_name} {self.first_name}"

    @property
    def full_name_ar(self) -> str:
        return f"{self.last_name_ar} {self.first_name_ar}".strip()

    @property
    def names_in_reading_order(self) -> tuple[tuple[str, str], ...]:
        """The pupil's names as (lang, text) pairs, the reader's script first: an Arabic
        page leads with the Arabic name (the Latin one follows), other pages lead with the
        Latin one. A name missing in a script is left out. Templates render it through
        ``schooling/_pupil_name.html``; each part is isolated with its own ``lang``."""
        latin = ("fr", self.full_name)
        arabic = ("ar", self.full_name_ar) if self.full_name_ar else None
        if arabic is None:
            return (latin,)
        return (arabic, latin) if (get_language() or "fr")[:2] == "ar" else (latin, arabic)

    @property
    def display_name(self) -> str:
        """The name a heading or a list shows first, in the reader's script."""
        return self.names_in_reading_order[0][1]


class GuardianRelation(models.TextChoices):
    FATHER = "father", _("Père")
    MOTHER = "mother", _("Mère")
    TUTOR = "tutor", _("Tuteur")
    SELF = "self", _("L'élève lui-même")


class Guardian(models.Model):
    """Links a parent (or the pupil's own) account to a pupil: what the portal shows."""

    pupil = models.ForeignKey(
        Pupil, on_delete=models.CASCADE, related_name="guardians", verbose_name=_("élève")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="wards",
        verbose_name=_("compte"),
    )
    relation = models.CharField(_("lien"), max_length=10, choices=GuardianRelation.choices)

    class Meta:
        verbose_name = _("responsable légal")
        verbose_name_plural = _("responsables légaux")
        constraints = [models.UniqueConstraint(fields=["pupil", "user"], name="guardian_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.pupil_id} ({self.relation})"


class SchoolClass(models.Model):
    school = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="classes", verbose_name=_("établissement")
    )
    academic_year = models.ForeignKey(
        AcademicYear,
        on_delete=models.PROTECT,
        related_name="classes",
        verbose_name=_("année scolaire"),
    )
    grade_level = models.ForeignKey(GradeLevel, on_delete=models.PROTECT, verbose_name=_("niveau"))
    stream = models.ForeignKey(
        Stream, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("filière")
    )
    name = models.CharField(pgettext_lazy("name of a thing", "nom"), max_length=30)

    class Meta:
        ordering = ["grade_level__order", "name"]
        verbose_name = _("classe")
        verbose_name_plural = _("classes")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "academic_year", "name"], name="class_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_path(self) -> str:
        return self.school.path


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Inscrit")
    REPEATING = "repeating", _("Redoublant")
    TRANSFERRED_IN = "transferred_in", _("Arrivé par transfert")
    TRANSFERRED_OUT = "transferred_out", _("Parti par transfert")
    DROPPED_OUT = "dropped_out", _("Abandon")
    PROMOTED = "promoted", _("Admis au niveau supérieur")
    GRADUATED = "graduated", _("Diplômé")
    DISMISSED = "dismissed", _("Exclu")


ACTIVE_STATUSES = (
    EnrolmentStatus.ENROLLED,
    EnrolmentStatus.REPEATING,
    EnrolmentStatus.TRANSFERRED_IN,
)


class Enrolment(models.Model):
    # No index of their own on school and school_class (each leads a composite index
    # below), nor on academic_year and grade_level (a handful of values, never queried
    # alone): each index costs every enrolment written, a million at a national import.
    pupil = models.ForeignKey(
        Pupil, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("élève")
    )
    school = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="enrolments",
        db_index=False,
        verbose_name=_("établissement"),
    )
    academic_year = models.ForeignKey(
        AcademicYear,
        on_delete=models.PROTECT,
        related_name="enrolments",
        db_index=False,
        verbose_name=_("année scolaire"),
    )
    grade_level = models.ForeignKey(
        GradeLevel, on_delete=models.PROTECT, db_index=False, verbose_name=_("niveau")
    )
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrolments",
        db_index=False,
        verbose_name=_("classe"),
    )
    status = models.CharField(
        _("statut"),
        max_length=16,
        choices=EnrolmentStatus.choices,
        default=EnrolmentStatus.ENROLLED,
    )
    entered_on = models.DateField(_("date d'entrée"))
    left_on = models.DateField(_("date de sortie"), null=True, blank=True)

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        constraints = [
            # At most one active enrolment per pupil and year, whatever the school.
            models.UniqueConstraint(
                fields=["pupil", "academic_year"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="one_active_enrolment_per_year",
            )
        ]
        indexes = [
            models.Index(
                fields=["school", "academic_year", "status"], name="enrolment_school_year"
            ),
            models.Index(fields=["school_class", "status"], name="enrolment_class"),
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.academic_year_id} {self.status}"

    @property
    def audit_path(self) -> str:
        return self.school.path

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", _("Demandé")
    ACCEPTED = "accepted", _("Accepté")
    REFUSED = "refused", _("Refusé")
    CANCELLED = "cancelled", _("Annulé")


class Transfer(models.Model):
    """Requested by the school the pupil leaves, accepted by the one they join."""

    pupil = models.ForeignKey(
        Pupil, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("élève")
    )
    academic_year = models.ForeignKey(
        AcademicYear, on_delete=models.PROTECT, verbose_name=_("année scolaire")
    )
    from_school = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="transfers_out",
        verbose_name=_("établissement d'origine"),
    )
    to_school = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="transfers_in",
        verbose_name=_("établissement d'accueil"),
    )
    status = models.CharField(
        _("statut"), max_length=10, choices=TransferStatus.choices, default=TransferStatus.REQUESTED
    )
    reason = models.CharField(_("motif"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("demandé par"),
    )
    requested_at = models.DateTimeField(auto_now_add=True, verbose_name=_("demandé le"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("décidé par"),
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("décidé le"))

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("transfert")
        verbose_name_plural = _("transferts")
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "academic_year"],
                condition=Q(status="requested"),
                name="one_open_transfer_per_pupil",
            ),
            models.CheckConstraint(
                condition=~Q(from_school=models.F("to_school")), name="transfer_changes_school"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id}: {self.from_school_id} → {self.to_school_id} ({self.status})"

    @property
    def audit_path(self) -> str:
        """The origin school's: it asks; the destination's answer is filed under it."""
        return self.from_school.path


# --- Staff ---------------------------------------------------------------------------------


class Teacher(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="teacher",
        verbose_name=_("compte"),
    )
    ppr = models.CharField(_("matricule (PPR)"), max_length=12, unique=True)
    school = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="teachers", verbose_name=_("établissement")
    )
    specialty = models.ForeignKey(
        Subject, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("spécialité")
    )
    is_qualified = models.BooleanField(
        _("qualifié"),
        help_text=_(
            "A la qualification pédagogique requise (indicateur UIS « enseignants qualifiés »)."
        ),
    )
    qualification = models.CharField(_("diplôme / formation"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("enseignant")
        verbose_name_plural = _("enseignants")

    def __str__(self) -> str:
        return f"{self.ppr} {self.user.get_full_name()}"

    @property
    def audit_path(self) -> str:
        return self.school.path


class TeachingAssignment(models.Model):
    teacher = models.ForeignKey(
        Teacher, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("enseignant")
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="teachings", verbose_name=_("classe")
    )
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, verbose_name=_("matière"))

    class Meta:
        verbose_name = _("service d'enseignement")
        verbose_name_plural = _("services d'enseignement")
        constraints = [
            models.UniqueConstraint(
                fields=["school_class", "subject"], name="one_teacher_per_class_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.teacher_id} · {self.school_class_id} · {self.subject_id}"

    @property
    def audit_path(self) -> str:
        return self.school_class.school.path


# --- Marks -----------------------------------------------------------------------------------


class AssessmentKind(models.TextChoices):
    TEST = "test", _("Contrôle continu")
    ACTIVITY = "activity", _("Activités intégrées")
    LOCAL_EXAM = "local_exam", _("Examen local")
    REGIONAL_EXAM = "regional_exam", _("Examen régional")
    NATIONAL_EXAM = "national_exam", _("Examen national")


class MarkSheet(models.Model):
    """One class × subject × semester: the unit a teacher enters and saves at once.

    ``version`` grows by one at every save; a save that does not carry the current version
    is refused, so two teachers never overwrite each other silently.
    """

    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="sheets", verbose_name=_("classe")
    )
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, verbose_name=_("matière"))
    semester = models.ForeignKey(Semester, on_delete=models.PROTECT, verbose_name=_("semestre"))
    version = models.PositiveIntegerField(default=0, verbose_name=_("version"))
    validated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("validée le"))
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("validée par"),
    )
    unlocked_until = models.DateTimeField(
        null=True, blank=True, verbose_name=_("saisie rouverte jusqu'au")
    )

    class Meta:
        verbose_name = _("feuille de notes")
        verbose_name_plural = _("feuilles de notes")
        constraints = [
            models.UniqueConstraint(
                fields=["school_class", "subject", "semester"], name="one_sheet_per_class_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school_class_id} · {self.subject_id} · S{self.semester_id}"

    @property
    def audit_path(self) -> str:
        return self.school_class.school.path


class Assessment(models.Model):
    sheet = models.ForeignKey(
        MarkSheet,
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("feuille de notes"),
    )
    kind = models.CharField(_("type"), max_length=16, choices=AssessmentKind.choices)
    number = models.PositiveSmallIntegerField(_("numéro"), default=1)

    class Meta:
        ordering = ["sheet", "kind", "number"]
        verbose_name = _("évaluation")
        verbose_name_plural = _("évaluations")
        constraints = [
            models.UniqueConstraint(fields=["sheet", "kind", "number"], name="assessment_unique")
        ]

    def __str__(self) -> str:
        return self.column

    @property
    def column(self) -> str:
        """The column heading used by the grid and the XLSX sheet, e.g. ``test_2``."""
        return f"{self.kind}_{self.number}"


class MarkCode(models.TextChoices):
    ABSENT = "ABS", _("Absent")
    EXEMPT = "DISP", _("Dispensé")


class Mark(models.Model):
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="marks", verbose_name=_("évaluation")
    )
    pupil = models.ForeignKey(
        Pupil, on_delete=models.PROTECT, related_name="marks", verbose_name=_("élève")
    )
    value = models.DecimalField(
        _("note"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(MARK_MAX)],
    )
    code = models.CharField(_("code"), max_length=4, choices=MarkCode.choices, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("modifiée par"),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("modifiée le"))

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "pupil"], name="one_mark_per_assessment"),
            models.CheckConstraint(
                condition=(Q(value__isnull=False, value__gte=0, value__lte=20, code=""))
                | Q(value__isnull=True, code__in=["ABS", "DISP"]),
                name="mark_is_a_value_or_a_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.assessment_id}: {self.code or self.value}"


APPRECIATION_MAX = 300


class Appreciation(models.Model):
    """The teacher's remark on one pupil in one subject and semester, printed on the
    bulletin. It belongs to the sheet and is saved with its marks, by the same service,
    under the same rules (who may enter, version, lock, deadline) and in the same audit
    row."""

    sheet = models.ForeignKey(
        MarkSheet,
        on_delete=models.CASCADE,
        related_name="appreciations",
        verbose_name=_("feuille de notes"),
    )
    enrolment = models.ForeignKey(
        Enrolment,
        on_delete=models.PROTECT,
        related_name="appreciations",
        db_index=False,  # the unique constraint's index starts with the sheet
        verbose_name=_("inscription"),
    )
    text = models.CharField(_("appréciation"), max_length=APPRECIATION_MAX)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("modifiée par"),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("modifiée le"))

    class Meta:
        verbose_name = _("appréciation")
        verbose_name_plural = _("appréciations")
        constraints = [
            models.UniqueConstraint(
                fields=["sheet", "enrolment"], name="one_appreciation_per_sheet_pupil"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sheet_id} {self.enrolment_id}: {self.text[:40]}"


class MarkDeadline(models.Model):
    """When mark entry closes for a semester in part of the tree; the deepest unit wins."""

    semester = models.ForeignKey(
        Semester, on_delete=models.CASCADE, related_name="deadlines", verbose_name=_("semestre")
    )
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, verbose_name=_("unité"))
    closes_at = models.DateTimeField(_("clôture de la saisie"))

    class Meta:
        verbose_name = _("date limite de saisie")
        verbose_name_plural = _("dates limites de saisie")
        constraints = [
            models.UniqueConstraint(fields=["semester", "org_unit"], name="deadline_unique")
        ]

    def __str__(self) -> str:
        return f"{self.semester_id} {self.org_unit_id} {self.closes_at:%Y-%m-%d}"


# --- Attendance and decisions ----------------------------------------------------------------


class Session(models.TextChoices):
    MORNING = "am", _("Matin")
    AFTERNOON = "pm", _("Après-midi")


class Absence(models.Model):
    pupil = models.ForeignKey(
        Pupil, on_delete=models.PROTECT, related_name="absences", verbose_name=_("élève")
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="absences", verbose_name=_("classe")
    )
    date = models.DateField(_("date"))
    session = models.CharField(_("demi-journée"), max_length=2, choices=Session.choices)
    hours = models.PositiveSmallIntegerField(
        _("heures"), default=4, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    justified = models.BooleanField(_("justifiée"), default=False)
    reason = models.CharField(_("motif"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("saisie par"),
    )

    class Meta:
        ordering = ["-date", "session"]
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "date", "session"], name="one_absence_per_session"
            ),
            models.CheckConstraint(
                condition=Q(hours__gte=1, hours__lte=5), name="absence_hours_range"
            ),
        ]
        indexes = [models.Index(fields=["school_class", "date"], name="absence_class_date")]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.date} {self.session}"

    @property
    def audit_path(self) -> str:
        return self.school_class.school.path


class Decision(models.TextChoices):
    PROMOTE = "promote", _("Admis")
    REPEAT = "repeat", _("Redouble")
    DISMISS = "dismiss", _("Exclu")


class CouncilDecision(models.Model):
    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.PROTECT, related_name="decision", verbose_name=_("inscription")
    )
    annual_average = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, verbose_name=_("moyenne annuelle")
    )
    # Empty while a semester is incomplete: the council decides without a suggestion.
    suggestion = models.CharField(
        _("proposition"), max_length=8, choices=Decision.choices, blank=True
    )
    decision = models.CharField(_("décision"), max_length=8, choices=Decision.choices)
    note = models.CharField(_("observation"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("décidée par"),
    )
    decided_at = models.DateTimeField(auto_now=True, verbose_name=_("décidée le"))

    class Meta:
        verbose_name = _("décision du conseil de classe")
        verbose_name_plural = _("décisions du conseil de classe")

    def __str__(self) -> str:
        return f"{self.enrolment_id}: {self.decision}"

    @property
    def audit_path(self) -> str:
        return self.enrolment.school.path
