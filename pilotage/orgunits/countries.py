"""Country configurations: the levels of the tree and its upper part (country, regions,
provinces). Morocco is the default; another country adds a function here and its data."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.db import transaction

from pilotage.orgunits.models import OrgUnit, OrgUnitGroupSet, OrgUnitLevel
from pilotage.orgunits.services import orgunit_create

DATA = Path(__file__).resolve().parent / "data"

MOROCCO_LEVELS = [
    # depth, code, French, Arabic, English
    (1, "pays", "Pays", "البلد", "Country"),
    (
        2,
        "aref",
        "Académie régionale (AREF)",
        "الأكاديمية الجهوية للتربية والتكوين",
        "Regional academy",
    ),
    (
        3,
        "direction-provinciale",
        "Direction provinciale",
        "المديرية الإقليمية",
        "Provincial directorate",
    ),
    (4, "commune", "Commune", "الجماعة", "Municipality"),
    (5, "etablissement", "Établissement", "المؤسسة التعليمية", "School"),
]
SYSTEM_GROUP_SETS = [
    ("sector", "Secteur", "القطاع", "Sector"),
    ("milieu", "Milieu", "الوسط", "Area"),
]


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / "morocco" / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@transaction.atomic
def country_load_morocco(*, actor: Any = None) -> OrgUnit:
    """Levels, the country, its 12 regions (AREF) and 75 provinces (DP). Idempotent."""
    levels = {}
    for depth, code, fr, ar, en in MOROCCO_LEVELS:
        levels[code], _ = OrgUnitLevel.objects.update_or_create(
            depth=depth, defaults={"code": code, "name_fr": fr, "name_ar": ar, "name_en": en}
        )
    for code, fr, ar, en in SYSTEM_GROUP_SETS:
        OrgUnitGroupSet.objects.update_or_create(
            code=code, defaults={"name_fr": fr, "name_ar": ar, "name_en": en, "is_system": True}
        )
    existing = {u.code: u for u in OrgUnit.objects.filter(depth__lte=3)}

    def ensure(
        parent: OrgUnit | None, level: str, code: str, fr: str, ar: str, en: str = ""
    ) -> OrgUnit:
        if code in existing:
            return existing[code]
        if parent is not None:
            parent.refresh_from_db(fields=["path", "depth", "numchild"])
        unit = orgunit_create(
            actor=actor,
            parent=parent,
            level=levels[level],
            code=code,
            name_fr=fr,
            name_ar=ar,
            name_en=en,
        )
        existing[code] = unit
        return unit

    country = ensure(None, "pays", "MA", "Maroc", "المغرب", "Morocco")
    regions = {
        r["code"]: ensure(country, "aref", r["code"], r["name_fr"], r["name_ar"])
        for r in _rows("regions.csv")
    }
    for p in _rows("provinces.csv"):
        ensure(
            regions[p["region_code"]],
            "direction-provinciale",
            p["code"],
            p["name_fr"],
            p["name_ar"],
        )
    return country


COUNTRIES = {"morocco": country_load_morocco}
