"""Sampling frames: the list of units a sample is drawn from, read from the associations
registry, from the schools of the org-unit tree, or from an uploaded list — always under
the survey's own unit.

Each unit comes with the attributes a design may stratify by (region, province, field of
action, sector, milieu… or an uploaded list's own columns), the label the pages show, and
the e-mail address its invitation goes to.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from pilotage.contact.selectors.registry import associations_frame
from pilotage.core.tabular import (
    ImportRejected,
    Problem,
    Problems,
    cell_text,
    open_table,
    parse_decimal,
)
from pilotage.orgunits.models import OrgUnit, School
from pilotage.surveys.models import FrameSource, Survey
from pilotage.surveys.sampling import Unit

UPLOAD_MAX_ROWS = 200_000
# The columns of an uploaded list: ``id`` is the unit's key; the others are attributes.
UPLOAD_REQUIRED = ["id"]
UPLOAD_OPTIONAL = ["label", "email", "language"]


@dataclass(frozen=True)
class FrameUnit:
    unit: Unit
    label: str
    email: str = ""
    language: str = ""
    # Numeric frame variables (an association's employees), for a Neyman allocation.
    numbers: dict[str, float] = field(default_factory=dict)


def attributes_of(source: str) -> list[tuple[str, str]]:
    """The attributes a frame from ``source`` offers to stratify by, with their labels."""
    if source == FrameSource.ASSOCIATIONS:
        return [
            ("region", _("Région")),
            ("province", _("Province")),
            ("field", _("Domaine d'action principal")),
            ("size", _("Taille (salariés)")),
        ]
    if source == FrameSource.SCHOOLS:
        return [
            ("region", _("Région")),
            ("province", _("Province")),
            ("sector", _("Secteur")),
            ("milieu", _("Milieu")),
            ("cycle", _("Cycle le plus élevé")),
        ]
    return []


def _size_class(employees: int | None) -> str:
    """Employees in the classes the registry's statistics use."""
    if not employees:
        return "0"
    if employees < 5:
        return "1-4"
    if employees < 20:
        return "5-19"
    return "20+"


def associations_units(survey: Survey) -> list[FrameUnit]:
    found = []
    for row in associations_frame(survey.org_unit.path):
        found.append(
            FrameUnit(
                Unit(
                    str(row["id"]),
                    {
                        "region": row["region_name"] or "—",
                        "province": row["province_name"] or "—",
                        "field": (row["fields"] or ["—"])[0],
                        "size": _size_class(row["employees"]),
                    },
                ),
                row["name_fr"] or row["name_ar"],
                row["email"],
                row["language"] or "",
                {"employees": float(row["employees"] or 0)},
            )
        )
    return found


def schools_units(survey: Survey) -> list[FrameUnit]:
    schools = list(
        School.objects.filter(org_unit__path__startswith=survey.org_unit.path)
        .select_related("org_unit")
        .order_by("org_unit__path")
    )
    step = OrgUnit.steplen
    prefixes = {s.org_unit.path[: step * d] for s in schools for d in (2, 3)}
    names = dict(OrgUnit.objects.filter(path__in=prefixes).values_list("path", "name_fr"))
    found = []
    for school in schools:
        path = school.org_unit.path
        cycle = "lycee" if school.has_lycee else "college" if school.has_college else "primaire"
        found.append(
            FrameUnit(
                Unit(
                    school.school_code,
                    {
                        "region": names.get(path[: step * 2], "—"),
                        "province": names.get(path[: step * 3], "—"),
                        "sector": school.sector,
                        "milieu": school.milieu,
                        "cycle": cycle,
                    },
                ),
                school.org_unit.name_fr,
            )
        )
    return found


def _number(value: object) -> float | None:
    try:
        return float(parse_decimal(value)) if cell_text(value) else None
    except ValueError:
        return None


def uploaded_units(data: bytes, filename: str) -> tuple[list[FrameUnit], list[str]]:
    """An uploaded list (CSV or XLSX): its ``id`` column, ``label`` and ``email`` if given,
    every other column an attribute. Rejected whole, with every problem, when an id is
    missing or repeated. Returns the units and the attribute columns."""
    table = open_table(
        io.BytesIO(data),
        filename=filename,
        required=UPLOAD_REQUIRED,
        optional=UPLOAD_OPTIONAL,
        any_other=True,
    )
    attributes = [c for c in table.header if c not in UPLOAD_REQUIRED + UPLOAD_OPTIONAL]
    problems = Problems(table.header)
    seen: dict[str, int] = {}
    found = []
    for number, values in problems.readable(table.rows):
        if number > UPLOAD_MAX_ROWS + 1:
            problems.add(number, "", "", _("au plus %(n)s unités") % {"n": UPLOAD_MAX_ROWS})
            break
        key = cell_text(values.get("id")).strip()
        if not key:
            problems.add(number, "id", "", _("identifiant absent"))
            continue
        if key in seen:
            problems.add(
                number, "id", key, _("identifiant déjà vu ligne %(row)s") % {"row": seen[key]}
            )
            continue
        seen[key] = number
        found.append(
            FrameUnit(
                Unit(key, {a: cell_text(values.get(a)).strip() or "—" for a in attributes}),
                cell_text(values.get("label")).strip() or key,
                cell_text(values.get("email")).strip(),
                cell_text(values.get("language")).strip().lower()[:5],
                {a: n for a in attributes if (n := _number(values.get(a))) is not None},
            )
        )
    problems.raise_if_any()
    if not found:
        raise ImportRejected([Problem(2, "id", "", _("la liste ne contient aucune unité"))])
    return found, attributes
