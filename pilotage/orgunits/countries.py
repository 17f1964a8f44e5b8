"""Country configurations: the levels of the tree and its upper part.

Morocco has its richer configuration (regional academies, provincial directorates, from
its own data files). Any other country is loaded from the ISO 3166 data the ``pycountry``
library keeps: the country (ISO 3166-1) and its first-level subdivisions (ISO 3166-2), with
the codes as unit codes, so a programme covering Senegal finds ``SN`` and ``SN-DK``."""

from __future__ import annotations

import csv
import gettext
from pathlib import Path
from typing import Any

import pycountry
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
            code=code, defaults={"depth": depth, "name_fr": fr, "name_ar": ar, "name_en": en}
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


# Another country's first-level subdivisions share one level under the country: their kind
# varies (region, department, province, district) and pycountry names it per unit.
SUBDIVISION_LEVEL = (2, "subdivision", "Subdivision", "التقسيم الإداري", "Subdivision")


class UnknownCountry(ValueError):
    pass


def _country_names(country: Any) -> tuple[str, str, str]:
    """The country's name in French, Arabic and English (pycountry's ISO 3166-1 catalogues;
    English is the standard's own)."""
    english = getattr(country, "common_name", None) or country.name
    names = []
    for lang in ("fr", "ar"):
        try:
            catalogue = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
        except FileNotFoundError:
            names.append(english)
            continue
        names.append(catalogue.gettext(country.name))
    return names[0], names[1], english


@transaction.atomic
def country_load_iso(code: str, *, actor: Any = None) -> OrgUnit:
    """A country by its ISO 3166-1 alpha-2 code and its first-level subdivisions. Idempotent:
    a unit that exists (by code) is kept as it is. Morocco goes to its own configuration."""
    code = code.strip().upper()
    if code == "MA":
        return country_load_morocco(actor=actor)
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    if country is None:
        raise UnknownCountry(code)
    depth, level_code, fr, ar, en = MOROCCO_LEVELS[0]
    top, _ = OrgUnitLevel.objects.get_or_create(
        code=level_code, defaults={"depth": depth, "name_fr": fr, "name_ar": ar, "name_en": en}
    )
    depth, level_code, fr, ar, en = SUBDIVISION_LEVEL
    below, _ = OrgUnitLevel.objects.get_or_create(
        code=level_code, defaults={"depth": depth, "name_fr": fr, "name_ar": ar, "name_en": en}
    )
    root = OrgUnit.objects.filter(code=code).first()
    if root is None:
        name_fr, name_ar, name_en = _country_names(country)
        root = orgunit_create(
            actor=actor,
            parent=None,
            level=top,
            code=code,
            name_fr=name_fr,
            name_ar=name_ar,
            name_en=name_en,
        )
    existing = set(
        OrgUnit.objects.filter(code__startswith=f"{code}-").values_list("code", flat=True)
    )
    subdivisions = sorted(
        (s for s in pycountry.subdivisions.get(country_code=code) or () if s.parent_code is None),
        key=lambda s: s.code,
    )
    for sub in subdivisions:
        if sub.code in existing:
            continue
        root.refresh_from_db(fields=["path", "depth", "numchild"])
        orgunit_create(
            actor=actor, parent=root, level=below, code=sub.code, name_fr=sub.name, name_en=sub.name
        )
    return root


def country_load(name_or_code: str, *, actor: Any = None) -> OrgUnit:
    """``morocco`` (the historical name) or any ISO 3166-1 alpha-2 code."""
    if name_or_code.lower() == "morocco":
        return country_load_morocco(actor=actor)
    return country_load_iso(name_or_code, actor=actor)
