"""Loading org units from a CSV or XLSX file (how another country configures its tree, or
how a ministry adds the year's new schools).

Columns: ``code, parent_code, level, name_fr`` required; ``name_ar, name_en, school_code,
cycles, sector, milieu`` optional (the last four for the school level, cycles separated by
``|`` or ``,``). The whole file is validated before anything is written; one problem
rejects the file. Re-importing the same file changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pilotage.core.imports import ImportKind
from pilotage.core.jobs import Progress
from pilotage.core.tabular import Problem, Problems, open_table, row_problem
from pilotage.orgunits.models import Cycle, Milieu, OrgUnit, OrgUnitLevel, School, Sector
from pilotage.orgunits.permissions import can_import_orgunits
from pilotage.orgunits.services import orgunit_create, orgunit_update, school_save

REQUIRED = ["code", "parent_code", "level", "name_fr"]
OPTIONAL = ["name_ar", "name_en", "school_code", "cycles", "sector", "milieu"]
SCHOOL_LEVEL = "etablissement"


@dataclass
class Row:
    number: int
    code: str
    parent_code: str
    level: OrgUnitLevel
    names: dict[str, str]
    school: dict[str, Any] | None = None


@dataclass
class Plan:
    rows: list[Row] = field(default_factory=list)
    problems: Problems = field(default_factory=lambda: Problems(REQUIRED + OPTIONAL))


def _validate(stream: IO[bytes], filename: str) -> Plan:
    table = open_table(stream, filename=filename, required=REQUIRED, optional=OPTIONAL)
    levels = {lvl.code: lvl for lvl in OrgUnitLevel.objects.all()}
    existing = dict(OrgUnit.objects.values_list("code", "depth"))
    school_codes = dict(School.objects.values_list("school_code", "org_unit__code"))
    plan = Plan()
    depth_in_file: dict[str, int] = {}
    for number, values in table.rows:
        if "__error__" in values:
            plan.problems.append(row_problem(number, values))
            continue
        bad = plan.problems.total
        code = str(values["code"]).strip()
        parent_code = str(values["parent_code"]).strip()
        level = levels.get(str(values["level"]).strip())
        if not code:
            plan.problems.append(Problem(number, "code", "", _("valeur obligatoire")))
        elif code in depth_in_file:
            plan.problems.append(
                Problem(number, "code", code, _("code déjà présent plus haut dans le fichier"))
            )
        if not str(values["name_fr"]).strip():
            plan.problems.append(Problem(number, "name_fr", "", _("valeur obligatoire")))
        if level is None:
            plan.problems.append(
                Problem(
                    number,
                    "level",
                    str(values["level"]),
                    _("niveau inconnu (connus : %(l)s)") % {"l": ", ".join(levels)},
                )
            )
        parent_depth = (
            depth_in_file.get(parent_code, existing.get(parent_code)) if parent_code else 0
        )
        if parent_code and parent_depth is None:
            plan.problems.append(
                Problem(number, "parent_code", parent_code, _("unité parente inconnue"))
            )
        elif level is not None and parent_depth is not None and level.depth != parent_depth + 1:
            plan.problems.append(
                Problem(
                    number,
                    "level",
                    level.code,
                    _("ce niveau ne peut pas être placé sous l'unité parente"),
                )
            )
        school = None
        if level is not None and level.code == SCHOOL_LEVEL:
            school = _school_fields(number, code, values, school_codes, plan.problems)
        if plan.problems.total == bad and level is not None:
            depth_in_file[code] = level.depth
            names = {
                k: str(values.get(k, "") or "").strip() for k in ("name_fr", "name_ar", "name_en")
            }
            plan.rows.append(Row(number, code, parent_code, level, names, school))
    return plan


def _school_fields(
    number: int,
    code: str,
    values: dict[str, Any],
    school_codes: dict[str, str],
    problems: Problems,
) -> dict[str, Any]:
    school_code = str(values.get("school_code", "") or "").strip()
    if not school_code:
        problems.append(Problem(number, "school_code", "", _("obligatoire pour un établissement")))
    elif school_codes.get(school_code, code) != code:
        problems.append(
            Problem(
                number, "school_code", school_code, _("code déjà attribué à un autre établissement")
            )
        )
    school_codes[school_code] = code
    raw_cycles = str(values.get("cycles", "") or "").replace(",", "|")
    cycles = [c.strip().lower() for c in raw_cycles.split("|") if c.strip()]
    if not cycles or set(cycles) - set(Cycle.values):
        problems.append(
            Problem(
                number,
                "cycles",
                raw_cycles,
                _("attendu : un ou plusieurs de %(c)s") % {"c": " | ".join(Cycle.values)},
            )
        )
    sector = str(values.get("sector", "") or "").strip().lower()
    if sector not in Sector.values:
        problems.append(Problem(number, "sector", sector, _("attendu : public ou prive")))
    milieu = str(values.get("milieu", "") or "").strip().lower()
    if milieu not in Milieu.values:
        problems.append(Problem(number, "milieu", milieu, _("attendu : urbain ou rural")))
    return {"school_code": school_code, "cycles": cycles, "sector": sector, "milieu": milieu}


def orgunits_import(
    *,
    actor: Any,
    stream: IO[bytes],
    filename: str,
    dry_run: bool = False,
    progress: Progress | None = None,
    source: str = "",
) -> dict[str, int]:
    """Validate then apply the file in one transaction. Raises :class:`ImportRejected`.
    ``source`` is accepted as by every importer; the audit rows are the services' own."""
    plan = _validate(stream, filename)
    plan.problems.raise_if_any()
    if progress:
        progress.total(len(plan.rows))
    counts = {"rows": len(plan.rows), "created": 0, "updated": 0, "unchanged": 0}
    if dry_run:
        return counts
    with transaction.atomic():
        units = {
            u.code: u
            for u in OrgUnit.objects.filter(
                code__in=[r.code for r in plan.rows] + [r.parent_code for r in plan.rows]
            )
        }
        for row in plan.rows:
            unit = units.get(row.code)
            if unit is None:
                parent = units[row.parent_code] if row.parent_code else None
                if parent is not None:
                    parent.refresh_from_db(fields=["path", "depth", "numchild"])
                unit = orgunit_create(
                    actor=actor, parent=parent, level=row.level, code=row.code, **row.names
                )
                units[row.code] = unit
                counts["created"] += 1
            else:
                before = (unit.name_fr, unit.name_ar, unit.name_en)
                orgunit_update(actor=actor, org_unit=unit, **row.names)
                changed = before != (unit.name_fr, unit.name_ar, unit.name_en)
                counts["updated" if changed else "unchanged"] += 1
            if row.school:
                school_save(actor=actor, org_unit=unit, **row.school)
            if progress:
                progress.advance(1, row.code)
    return counts


ORGUNITS = ImportKind(
    name="orgunits.import",
    label=gettext_lazy("Import d'unités d'organisation"),
    title=gettext_lazy("Importer des unités"),
    columns=REQUIRED,
    optional=OPTIONAL,
    example={
        "code": "05001K",
        "parent_code": "MA-TNG-C002",
        "level": SCHOOL_LEVEL,
        "name_fr": "École Al Amal",
        "name_ar": "مدرسة الأمل",
        "name_en": "Al Amal School",
        "school_code": "05001K",
        "cycles": "primaire|college",
        "sector": "public",
        "milieu": "rural",
    },
    run=orgunits_import,
    may_open=can_import_orgunits,
    help=(
        gettext_lazy(
            "Colonnes : code, parent_code, level, name_fr ; facultatives : name_ar, "
            "name_en, school_code, cycles, sector, milieu. CSV (séparateur , ou ;, UTF-8, "
            "Windows-1256 ou Latin-1) ou XLSX. Le fichier est appliqué entièrement ou pas "
            "du tout."
        ),
    ),
)
