"""Population estimates by province × school year × single age × sex, as the statistics
office publishes them (census and projections): the denominators of the enrolment
ratios. Cells in the file replace the stored ones; cells not in the file are kept."""

from __future__ import annotations

from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from pilotage.core.audit import IMPORT
from pilotage.core.jobs import Progress
from pilotage.core.tabular import (
    ImportRejected,
    Problem,
    Problems,
    cell_text,
    open_table,
    parse_decimal,
)
from pilotage.indicators.permissions import can_manage_catalogue
from pilotage.indicators.services.aggregates import PopulationCell, population_estimates_write
from pilotage.orgunits.models import AcademicYear, OrgUnit

POPULATION_COLUMNS = ["province", "year", "age", "sex", "population"]
# The level whose units carry population estimates (Morocco: the provincial directorate).
DEFAULT_LEVEL = "direction-provinciale"
MAX_AGE = 120
SEXES = {"F": "F", "M": "M", "FILLE": "F", "GARCON": "M", "GARÇON": "M", "H": "M"}


def population_level() -> str:
    return str(getattr(settings, "PILOTAGE_POPULATION_LEVEL", DEFAULT_LEVEL))


def _whole(number: int, column: str, raw: Any, problems: Problems, high: int | None) -> int | None:
    try:
        value = parse_decimal(raw)
    except ValueError as exc:
        problems.add(number, column, raw, str(exc))
        return None
    if value != value.to_integral_value() or value < 0:
        problems.add(number, column, raw, _("nombre entier positif ou nul attendu"))
        return None
    if high is not None and value > high:
        problems.add(number, column, raw, _("au plus %(max)s") % {"max": high})
        return None
    if value >= 2**31:
        problems.add(number, column, raw, _("nombre trop grand"))
        return None
    return int(value)


def population_import(
    *,
    actor: Any,
    stream: IO[bytes],
    filename: str,
    dry_run: bool = False,
    progress: Progress | None = None,
    source: str = "",
) -> dict[str, int]:
    """Validate the whole file, then write it in one transaction. Raises ImportRejected."""
    if actor is not None and not can_manage_catalogue(actor):
        raise ImportRejected(
            [Problem(1, "", filename, _("seule l'administration nationale importe la population"))]
        )
    table = open_table(stream, filename=filename, required=POPULATION_COLUMNS)
    problems = Problems(POPULATION_COLUMNS)
    level = population_level()
    provinces: dict[str, OrgUnit | None] = {}
    years = {y.code: y for y in AcademicYear.objects.all()}
    seen: dict[tuple[int, int, int, str], int] = {}
    cells: list[PopulationCell] = []
    for number, values in problems.readable(table.rows):
        bad = problems.total
        code = cell_text(values["province"])
        if code not in provinces:
            provinces[code] = OrgUnit.objects.select_related("level").filter(code=code).first()
        province = provinces[code]
        if province is None:
            problems.add(number, "province", code, _("unité inconnue"))
        elif province.level.code != level:
            problems.add(
                number,
                "province",
                code,
                _("mauvais niveau : %(level)s au lieu d'une province")
                % {"level": province.level.name},
            )
        year_code = cell_text(values["year"]).replace("/", "-")
        year = years.get(year_code)
        if year is None:
            problems.add(
                number,
                "year",
                year_code,
                _("année scolaire inconnue (connues : %(years)s)")
                % {"years": ", ".join(sorted(years)) or "—"},
            )
        age = _whole(number, "age", values["age"], problems, MAX_AGE)
        sex = SEXES.get(cell_text(values["sex"]).upper())
        if sex is None:
            problems.add(number, "sex", values["sex"], _("attendu : M ou F"))
        population = _whole(number, "population", values["population"], problems, None)
        if problems.total > bad:
            continue
        assert province and year and age is not None and sex and population is not None  # noqa: S101
        key = (province.pk, year.pk, age, sex)
        first = seen.setdefault(key, number)
        if first != number:
            problems.add(
                number,
                "population",
                values["population"],
                _("cellule en double : déjà à la ligne %(row)s") % {"row": first},
            )
            continue
        cells.append(PopulationCell(province, year.pk, age, sex, population))
    if not problems.rows_read:
        problems.add(1, "", filename, _("aucune ligne de données sous l'en-tête"))
    problems.raise_if_any()
    if progress:
        progress.total(len(cells))
    if dry_run:
        return {"rows": len(cells)}
    counts = population_estimates_write(actor=actor, cells=cells, action=IMPORT)
    if progress:
        progress.advance(len(cells))
    return counts
