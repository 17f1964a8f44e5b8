"""factory_boy factories for the org-unit tree. Units are created through the service so
paths are built by treebeard, exactly as in production."""

from __future__ import annotations

import itertools
from typing import Any

from pilotage.orgunits.models import OrgUnit, OrgUnitLevel, School
from pilotage.orgunits.services import orgunit_create, school_save

LEVELS = [
    (1, "pays", "Pays", "البلد"),
    (2, "aref", "Académie régionale (AREF)", "الأكاديمية الجهوية"),
    (3, "direction-provinciale", "Direction provinciale", "المديرية الإقليمية"),
    (4, "commune", "Commune", "الجماعة"),
    (5, "etablissement", "Établissement", "المؤسسة التعليمية"),
]
_counter = itertools.count(1)


def levels() -> dict[str, OrgUnitLevel]:
    return {
        code: OrgUnitLevel.objects.get_or_create(
            code=code, defaults={"depth": depth, "name_fr": fr, "name_ar": ar}
        )[0]
        for depth, code, fr, ar in LEVELS
    }


def make_unit(
    parent: OrgUnit | None, *, code: str | None = None, name_fr: str = "", **kw: Any
) -> OrgUnit:
    depth = 1 if parent is None else parent.depth + 1
    if depth <= len(LEVELS):
        level = levels()[LEVELS[depth - 1][1]]
    else:  # deeper trees than Morocco's, as another country may configure
        level, _ = OrgUnitLevel.objects.get_or_create(
            depth=depth, defaults={"code": f"niveau-{depth}", "name_fr": f"Niveau {depth}"}
        )
    if parent is not None:
        parent.refresh_from_db()
    code = code or f"U{next(_counter):05d}"
    return orgunit_create(
        actor=None, parent=parent, level=level, code=code, name_fr=name_fr or f"Unité {code}", **kw
    )


def make_school(
    commune: OrgUnit, *, code: str | None = None, name_fr: str = "", **kw: Any
) -> School:
    code = code or f"{next(_counter):06d}S"
    unit = make_unit(commune, code=code, name_fr=name_fr or f"École {code}")
    return school_save(
        actor=None,
        org_unit=unit,
        school_code=code,
        cycles=kw.get("cycles", ["primaire"]),
        sector=kw.get("sector", "public"),
        milieu=kw.get("milieu", "urbain"),
    )
