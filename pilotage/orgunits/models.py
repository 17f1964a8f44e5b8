"""The org-unit tree and the school calendar.

The tree is a materialised path (django-treebeard's ``MP_Node``): every unit stores the
path of its ancestors, so "all descendants of X" is one indexed prefix query and
"ancestors of X" one primary-key lookup, whatever the depth. On PostgreSQL Django adds a
``varchar_pattern_ops`` index on ``path`` so the prefix query uses it.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager

from pilotage.core.i18n import MultilingualName


class OrgUnitLevel(MultilingualName):
    """A named level of the hierarchy (DHIS2's "organisation unit level")."""

    # Several levels may share a depth: Morocco's academies and another country's first-level
    # subdivisions both sit under a country.
    depth = models.PositiveSmallIntegerField(_("profondeur"))
    code = models.SlugField(_("code"), max_length=40, unique=True)

    class Meta:
        ordering = ["depth"]
        verbose_name = _("niveau")
        verbose_name_plural = _("niveaux")


class OrgUnit(MP_Node, MultilingualName):
    code = models.CharField(_("code"), max_length=40, unique=True)
    level = models.ForeignKey(
        OrgUnitLevel, on_delete=models.PROTECT, related_name="units", verbose_name=_("niveau")
    )
    is_active = models.BooleanField(_("active"), default=True)

    node_order_by = ["code"]
    objects = MP_NodeManager()

    class Meta:
        verbose_name = _("unité d'organisation")
        verbose_name_plural = _("unités d'organisation")
        indexes = [models.Index(fields=["level", "path"], name="orgunit_level_path")]

    def covers(self, other: OrgUnit) -> bool:
        """True when ``other`` is this unit or one of its descendants."""
        return other.path.startswith(self.path)

    def ancestor_paths(self) -> list[str]:
        return [self.path[: i * self.steplen] for i in range(1, self.depth)]

    @property
    def audit_path(self) -> str:
        """Where the audit log files this unit (see ``pilotage.core.audit``)."""
        return self.path

    @property
    def parent_name(self) -> str:
        """The parent unit's name in the reader's language (a school's commune), read from
        the ``parent_name_*`` values that ``orgunits.selectors.with_parent_names`` (in the
        query) or ``parents_attach`` (one query for a page of units) put on the unit; a
        unit loaded without them costs one query."""
        if self.depth <= 1:
            return ""
        if not hasattr(self, "parent_name_fr"):
            parent = OrgUnit.objects.filter(path=self.path[: -self.steplen]).first()
            for lang in ("fr", "ar", "en"):
                setattr(self, f"parent_name_{lang}", getattr(parent, f"name_{lang}", ""))
        lang = (get_language() or "fr")[:2]
        return getattr(self, f"parent_name_{lang}", "") or getattr(self, "parent_name_fr", "") or ""

    @property
    def display_code(self) -> str:
        """The code people quote: a school's establishment code (when its record was loaded
        with the unit), otherwise the unit's code."""
        school = self._state.fields_cache.get("school")
        return school.school_code if school is not None else self.code

    @property
    def label_with_context(self) -> str:
        """Name · parent · code: what tells two schools of the same name apart, as plain
        text (for messages and the picker's chosen value; pages use the
        ``orgunits/_unit_label.html`` include, which isolates each part)."""
        return " · ".join(p for p in (self.name, self.parent_name, self.display_code) if p)


class Cycle(models.TextChoices):
    PRIMAIRE = "primaire", _("Primaire")
    COLLEGE = "college", _("Collège")
    LYCEE = "lycee", _("Lycée")


class Sector(models.TextChoices):
    PUBLIC = "public", _("Public")
    PRIVE = "prive", _("Privé")


class Milieu(models.TextChoices):
    URBAIN = "urbain", _("Urbain")
    RURAL = "rural", _("Rural")


class School(models.Model):
    """What an établissement has beyond its place in the tree."""

    org_unit = models.OneToOneField(
        OrgUnit,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="school",
        verbose_name=_("unité"),
    )
    school_code = models.CharField(_("code établissement"), max_length=20, unique=True)
    has_primaire = models.BooleanField(_("primaire"), default=False)
    has_college = models.BooleanField(_("collège"), default=False)
    has_lycee = models.BooleanField(_("lycée"), default=False)
    sector = models.CharField(_("secteur"), max_length=10, choices=Sector.choices)
    milieu = models.CharField(_("milieu"), max_length=10, choices=Milieu.choices)

    class Meta:
        verbose_name = _("établissement")
        verbose_name_plural = _("établissements")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(has_primaire=True)
                | models.Q(has_college=True)
                | models.Q(has_lycee=True),
                name="school_teaches_a_cycle",
            )
        ]

    def __str__(self) -> str:
        return f"{self.school_code}"

    @property
    def audit_path(self) -> str:
        return self.org_unit.path

    @property
    def cycles(self) -> list[str]:
        return [c for c in Cycle.values if getattr(self, f"has_{c}")]


class OrgUnitGroupSet(MultilingualName):
    """A dimension to break figures down by (sector, milieu, or user-defined)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    is_system = models.BooleanField(
        _("système"), default=False, help_text=_("Tenu à jour à partir des fiches établissement.")
    )

    class Meta:
        verbose_name = _("ensemble de groupes")
        verbose_name_plural = _("ensembles de groupes")


class OrgUnitGroup(MultilingualName):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    group_set = models.ForeignKey(
        OrgUnitGroupSet,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="groups",
        verbose_name=_("ensemble de groupes"),
    )
    members = models.ManyToManyField(
        OrgUnit, related_name="groups", blank=True, verbose_name=_("membres")
    )

    class Meta:
        verbose_name = _("groupe d'unités")
        verbose_name_plural = _("groupes d'unités")


class AcademicYear(models.Model):
    """A school year, September to August, named ``2025-2026``."""

    code = models.CharField(_("code"), max_length=9, unique=True)
    start = models.DateField(_("début"))
    end = models.DateField(_("fin"))
    is_current = models.BooleanField(_("année en cours"), default=False)

    class Meta:
        ordering = ["-start"]
        verbose_name = _("année scolaire")
        verbose_name_plural = _("années scolaires")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="year_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["is_current"], condition=models.Q(is_current=True), name="one_current_year"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def first_calendar_year(self) -> int:
        return self.start.year

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


class Semester(models.Model):
    academic_year = models.ForeignKey(
        AcademicYear,
        on_delete=models.CASCADE,
        related_name="semesters",
        verbose_name=_("année scolaire"),
    )
    number = models.PositiveSmallIntegerField(_("numéro"))
    start = models.DateField(_("début"))
    end = models.DateField(_("fin"))

    class Meta:
        ordering = ["academic_year", "number"]
        verbose_name = _("semestre")
        verbose_name_plural = _("semestres")
        constraints = [
            models.UniqueConstraint(
                fields=["academic_year", "number"], name="semester_unique_number"
            ),
            models.CheckConstraint(
                condition=models.Q(number__in=[1, 2]), name="semester_number_1_or_2"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.academic_year.code} S{self.number}"


class PeriodType(models.TextChoices):
    MONTH = "month", _("Mois")
    QUARTER = "quarter", _("Trimestre")
    YEAR = "year", _("Année civile")
    ACADEMIC_YEAR = "academic_year", _("Année scolaire")


class Period(models.Model):
    """A reporting period with a DHIS2-style identifier: 2025-11, 2025Q4, 2025, 2025-2026."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    type = models.CharField(_("type"), max_length=16, choices=PeriodType.choices)
    start = models.DateField(_("début"))
    end = models.DateField(_("fin"))

    class Meta:
        ordering = ["start", "type"]
        verbose_name = _("période")
        verbose_name_plural = _("périodes")
        indexes = [models.Index(fields=["type", "start"], name="period_type_start")]

    def __str__(self) -> str:
        return self.code
