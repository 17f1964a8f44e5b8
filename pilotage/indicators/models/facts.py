"""What performance steering stores of its own.

Fact tables. The indicators never scan the school records per request: the writing
services of ``schooling`` mark a school × year dirty in the same transaction as the write
(:class:`FactDirty`), and :func:`pilotage.indicators.facts.facts_refresh` recomputes that
school's rows of that year a second later (the worker's refresh job). A value for any unit
of the tree is then one ``GROUP BY`` over the facts whose ``path`` starts with the unit's
path — a few hundred rows for a province, never the pupils.

* :class:`PupilFact` — one row per school × year × grade × sex: enrolment, official-age
  counts, flows to the next year, marks and absences.
* :class:`ClassFact` — classes per school × year × grade.
* :class:`TeacherFact` — teachers (and qualified teachers) per school × year × cycle: the
  distinct teachers assigned to a class of that cycle that year.
* :class:`PopulationEstimate` — the population by province × single age × sex × year,
  imported (``manage.py import_population``), for the ratios to the school-age population.

The school's milieu and sector, and the grade's cycle, are copied onto each fact row so that
every disaggregation is a plain column.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pilotage.orgunits.models import AcademicYear, Cycle, Milieu, OrgUnit, Sector

# The school records' sexes (F, M), as the facts and the population estimates store them.
SEXES = [("M", _("Garçon")), ("F", _("Fille"))]


class CycleSetting(models.Model):
    """The official entry age and duration of a cycle (Morocco: primaire 6 for 6 years,
    collège 12 for 3, lycée 15 for 3): the ages a cycle's net and gross ratios count."""

    cycle = models.CharField(_("cycle"), max_length=10, choices=Cycle.choices, unique=True)
    entry_age = models.PositiveSmallIntegerField(_("âge officiel d'entrée"))
    duration = models.PositiveSmallIntegerField(_("durée (années)"))

    class Meta:
        verbose_name = _("âges officiels d'un cycle")
        verbose_name_plural = _("âges officiels des cycles")
        constraints = [
            models.CheckConstraint(condition=Q(duration__gte=1), name="cycle_duration_positive")
        ]

    def __str__(self) -> str:
        return f"{self.get_cycle_display()} {self.entry_age}–{self.last_age}"

    @property
    def last_age(self) -> int:
        return self.entry_age + self.duration - 1


class FactBase(models.Model):
    """Columns every fact row carries: where (school and its path) and when."""

    school = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("établissement")
    )
    path = models.CharField(_("chemin"), max_length=255)
    academic_year = models.ForeignKey(
        AcademicYear, on_delete=models.CASCADE, related_name="+", verbose_name=_("année scolaire")
    )
    milieu = models.CharField(_("milieu"), max_length=10, choices=Milieu.choices)
    sector = models.CharField(_("secteur"), max_length=10, choices=Sector.choices)
    cycle = models.CharField(_("cycle"), max_length=10, choices=Cycle.choices)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self._meta.model_name} {self.school_id} {self.academic_year_id}"

    @property
    def audit_path(self) -> str:
        return self.path


class PupilFact(FactBase):
    grade_level = models.ForeignKey(
        "schooling.GradeLevel", on_delete=models.CASCADE, related_name="+", verbose_name=_("niveau")
    )
    sex = models.CharField(_("sexe"), max_length=1, choices=SEXES)
    # Distinct pupils enrolled in the year, each at the school and grade of their latest
    # enrolment of the year (a pupil transferred in the year counts once, at arrival).
    enrolled = models.PositiveIntegerField(_("inscrits"), default=0)
    # Enrolled pupils whose age (reached in the calendar year of the start of the school
    # year) is within the official ages of each cycle.
    age_primaire = models.PositiveIntegerField(_("en âge du primaire"), default=0)
    age_college = models.PositiveIntegerField(_("en âge du collège"), default=0)
    age_lycee = models.PositiveIntegerField(_("en âge du lycée"), default=0)
    # Pupils of the grade who were not in that grade the year before (new entrants); null
    # when the previous year has no enrolment at all.
    new_entrants = models.PositiveIntegerField(_("nouveaux entrants"), null=True)
    # Flows to the next year (null while the next year has no enrolment at all): the same
    # pupil (code Massar) found in the next grade, in the same grade, or not found.
    promoted = models.PositiveIntegerField(_("promus"), null=True)
    repeated = models.PositiveIntegerField(_("redoublants"), null=True)
    # Marks of the year (all semesters): their sum and count, and pupils whose mean mark
    # is known and is at least 10/20.
    marks_sum = models.DecimalField(
        _("somme des notes"), max_digits=14, decimal_places=2, default=0
    )
    marks_count = models.PositiveIntegerField(_("nombre de notes"), default=0)
    assessed = models.PositiveIntegerField(_("élèves notés"), default=0)
    passed = models.PositiveIntegerField(_("élèves à 10/20 ou plus"), default=0)
    absent_half_days = models.PositiveIntegerField(_("demi-journées d'absence"), default=0)

    class Meta:
        verbose_name = _("fait élèves")
        verbose_name_plural = _("faits élèves")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "academic_year", "grade_level", "sex"], name="pupil_fact_cell"
            )
        ]
        indexes = [models.Index(fields=["academic_year", "path"], name="pupil_fact_year_path")]


class ClassFact(FactBase):
    grade_level = models.ForeignKey(
        "schooling.GradeLevel", on_delete=models.CASCADE, related_name="+", verbose_name=_("niveau")
    )
    classes = models.PositiveIntegerField(_("classes"), default=0)

    class Meta:
        verbose_name = _("fait classes")
        verbose_name_plural = _("faits classes")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "academic_year", "grade_level"], name="class_fact_cell"
            )
        ]
        indexes = [models.Index(fields=["academic_year", "path"], name="class_fact_year_path")]


class TeacherFact(FactBase):
    teachers = models.PositiveIntegerField(_("enseignants"), default=0)
    qualified = models.PositiveIntegerField(_("enseignants qualifiés"), default=0)

    class Meta:
        verbose_name = _("fait enseignants")
        verbose_name_plural = _("faits enseignants")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "academic_year", "cycle"], name="teacher_fact_cell"
            )
        ]
        indexes = [models.Index(fields=["academic_year", "path"], name="teacher_fact_year_path")]


class FactDirty(models.Model):
    """A school × year whose facts are out of date. Written by the school records' services
    in their own transaction (so a committed write is never missed), consumed by the
    refresh job."""

    school = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("établissement")
    )
    academic_year = models.ForeignKey(
        AcademicYear, on_delete=models.CASCADE, related_name="+", verbose_name=_("année scolaire")
    )
    marked_at = models.DateTimeField(_("marqué le"), auto_now=True)

    class Meta:
        verbose_name = _("faits à recalculer")
        verbose_name_plural = _("faits à recalculer")
        constraints = [
            models.UniqueConstraint(fields=["school", "academic_year"], name="fact_dirty_once")
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.academic_year_id}"


class PopulationEstimate(models.Model):
    """Population of a province by single age and sex for a year (the year's first
    calendar year, as censuses and projections give it)."""

    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("province")
    )
    path = models.CharField(_("chemin"), max_length=255)
    academic_year = models.ForeignKey(
        AcademicYear, on_delete=models.CASCADE, related_name="+", verbose_name=_("année scolaire")
    )
    age = models.PositiveSmallIntegerField(_("âge"))
    sex = models.CharField(_("sexe"), max_length=1, choices=SEXES)
    population = models.PositiveIntegerField(_("population"))

    class Meta:
        verbose_name = _("estimation de population")
        verbose_name_plural = _("estimations de population")
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "academic_year", "age", "sex"], name="population_cell"
            ),
            models.CheckConstraint(condition=Q(age__lte=120), name="population_age_range"),
        ]
        indexes = [models.Index(fields=["academic_year", "path"], name="population_year_path")]

    def __str__(self) -> str:
        return f"{self.org_unit_id} {self.academic_year_id} {self.age} {self.sex}"

    @property
    def audit_path(self) -> str:
        return self.path
