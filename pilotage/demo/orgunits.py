"""The demo org-unit tree: the real country, regions and provinces, then invented communes
and schools below the provinces of the chosen scale.

Planning and writing are separate. :func:`plan_province` turns a province's share of the
scale into communes and schools without touching the database, so a test can check the
shape of a national run in memory, and the writer only has to store what it is given.

The writer does not go through ``add_child``: treebeard inserts one node at a time with
several queries each, which is fine for the 88 real units but would take minutes for the
12 500 demo ones. Since a province's subtree is built from nothing, every path is known in
advance, and communes, schools, school records and group memberships are inserted with
``bulk_create``, a batch at a time, with one audit entry per batch.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from pilotage.core.audit import SEED, audit_record
from pilotage.demo.context import Context, Scale
from pilotage.demo.names import SCHOOL_NAMESAKES, TOWN_NAMES, Pair, rural_commune_names
from pilotage.orgunits.countries import country_load_morocco
from pilotage.orgunits.models import (
    Milieu,
    OrgUnit,
    OrgUnitGroup,
    OrgUnitLevel,
    School,
    Sector,
)
from pilotage.orgunits.services import academic_year_create, system_groups

CURRENT_YEAR = 2025
COUNTRY_CODE = "MA"
COMMUNE_DEPTH = 4
SCHOOL_DEPTH = 5

# Rounded population in thousands (2024 census order of magnitude). Only used to weigh how
# many schools and communes each province gets, so Casablanca has many more schools than
# Tarfaya; an unknown province counts as a middling one.
POPULATION_THOUSANDS: dict[str, int] = {
    "MA-CHE": 460, "MA-FAH": 80, "MA-HOC": 400, "MA-LAR": 500, "MA-MDF": 260,
    "MA-OUZ": 300, "MA-TET": 550, "MA-TNG": 1275,
    "MA-BER": 300, "MA-DRI": 210, "MA-FIG": 140, "MA-GUF": 230, "MA-JRA": 100,
    "MA-NAD": 590, "MA-OUJ": 560, "MA-TAI": 210,
    "MA-BOM": 200, "MA-FES": 1270, "MA-HAJ": 250, "MA-IFR": 160, "MA-MEK": 900,
    "MA-MOU": 180, "MA-SEF": 300, "MA-TAO": 630, "MA-TAZ": 520,
    "MA-KEN": 1200, "MA-KHE": 560, "MA-RAB": 520, "MA-SAL": 1100, "MA-SIK": 520,
    "MA-SIL": 330, "MA-SKH": 650,
    "MA-AZI": 560, "MA-BEM": 560, "MA-FQH": 510, "MA-KHN": 370, "MA-KHO": 560,
    "MA-BES": 260, "MA-BRR": 570, "MA-CAS": 3220, "MA-JDI": 790, "MA-MED": 240,
    "MA-MOH": 460, "MA-NOU": 480, "MA-SET": 650, "MA-SIB": 450,
    "MA-CHI": 370, "MA-ESI": 450, "MA-HAO": 600, "MA-KES": 540, "MA-MAR": 1450,
    "MA-REH": 330, "MA-SAF": 690, "MA-YUS": 250,
    "MA-ERR": 420, "MA-MID": 300, "MA-OUA": 300, "MA-TIN": 330, "MA-ZAG": 310,
    "MA-AGD": 640, "MA-CHT": 400, "MA-INE": 610, "MA-TAR": 840, "MA-TAT": 120,
    "MA-TIZ": 210,
    "MA-ASZ": 45, "MA-GUE": 190, "MA-SIF": 115, "MA-TNT": 90,
    "MA-BOD": 55, "MA-ESM": 75, "MA-LAA": 240, "MA-TAF": 15,
    "MA-AOU": 20, "MA-OUD": 130,
}  # fmt: skip
DEFAULT_POPULATION = 300

# The stored values as plain strings, so a plan compares equal to what is read back.
PUBLIC, PRIVE = Sector.PUBLIC.value, Sector.PRIVE.value
URBAIN, RURAL = Milieu.URBAIN.value, Milieu.RURAL.value

# Share of private schools by milieu: private schools are almost all in towns.
PRIVATE_SHARE = {URBAIN: 0.26, RURAL: 0.02}

# Cycles taught, with weights, by kind of school. Together they give about 70 % primary,
# 20 % lower-secondary and 10 % upper-secondary schools, a few combining cycles: rural
# "écoles communautaires" (primary + collège) and private groupes scolaires.
P, C, L = "primaire", "college", "lycee"
CYCLE_MIX: dict[tuple[str, str], list[tuple[tuple[str, ...], float]]] = {
    (PUBLIC, URBAIN): [((P,), 62), ((C,), 24), ((L,), 11), ((C, L), 3)],
    (PUBLIC, RURAL): [((P,), 76), ((C,), 15), ((L,), 5), ((P, C), 4)],
    (PRIVE, URBAIN): [
        ((P,), 40), ((P, C), 20), ((P, C, L), 20), ((C, L), 10), ((C,), 5), ((L,), 5),
    ],
    (PRIVE, RURAL): [((P,), 70), ((P, C), 20), ((P, C, L), 10)],
}  # fmt: skip
CODE_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


@dataclass(frozen=True)
class ProvinceInfo:
    code: str
    name_fr: str
    name_ar: str
    path: str
    number: int  # 1-based rank of the province among all of them, by code
    prefecture: bool


@dataclass(frozen=True)
class ProvincePlan:
    province: ProvinceInfo
    communes: int
    schools: int
    urban_share: float


@dataclass(frozen=True)
class SchoolSpec:
    code: str
    name_fr: str
    name_ar: str
    cycles: tuple[str, ...]
    sector: str
    milieu: str


@dataclass(frozen=True)
class CommuneSpec:
    code: str
    name_fr: str
    name_ar: str
    milieu: str
    schools: tuple[SchoolSpec, ...]


# --- Steps ----------------------------------------------------------------------------


def load_country(ctx: Context) -> None:
    ctx.progress.total(1)
    country_load_morocco(actor=None)
    ctx.progress.advance(1, COUNTRY_CODE)


def create_years(ctx: Context) -> None:
    ctx.progress.total(2)
    academic_year_create(actor=None, first_year=CURRENT_YEAR - 1, current=False)
    ctx.progress.advance(1, f"{CURRENT_YEAR - 1}-{CURRENT_YEAR}")
    academic_year_create(actor=None, first_year=CURRENT_YEAR, current=True)
    ctx.progress.advance(1, f"{CURRENT_YEAR}-{CURRENT_YEAR + 1}")


def create_communes_and_schools(ctx: Context) -> None:
    plans = allocate_scale(ctx)
    ctx.progress.total(sum(p.communes + p.schools for p in plans))
    writer = _TreeWriter(ctx)
    for plan in plans:
        writer.write_province(plan, plan_communes(ctx, plan))


# --- Planning (no database writes) ----------------------------------------------------


def provinces_in_scale(scale: Scale) -> list[ProvinceInfo]:
    units = list(OrgUnit.objects.filter(depth=3).order_by("code"))
    parents = {u.path: u.code for u in OrgUnit.objects.filter(depth=2)}
    infos = [
        ProvinceInfo(
            code=u.code,
            name_fr=u.name_fr,
            name_ar=u.name_ar,
            path=u.path,
            number=number,
            prefecture=u.name_fr.startswith("Préfecture"),
        )
        for number, u in enumerate(units, start=1)
        if (not scale.provinces or u.code in scale.provinces)
        and (not scale.region or parents.get(u.path[: u.steplen * 2]) == scale.region)
    ]
    missing = set(scale.provinces) - {p.code for p in infos}
    if missing or not infos:
        raise LookupError(f"provinces not loaded: {', '.join(sorted(missing)) or scale.name}")
    return sorted(infos, key=lambda p: p.path)


def apportion(total: int, weights: Sequence[float], minimum: int = 1) -> list[int]:
    """Split ``total`` in proportion to ``weights``, each part at least ``minimum``, the
    parts summing exactly to ``total`` when it allows the minimum (largest remainders get
    the units left over by rounding down)."""
    n = len(weights)
    if n == 0:
        return []
    spare = max(total - minimum * n, 0)
    scale = spare / sum(weights)
    exact = [w * scale for w in weights]
    parts = [math.floor(x) for x in exact]
    by_remainder = sorted(range(n), key=lambda i: (parts[i] - exact[i], i))
    for i in by_remainder[: spare - sum(parts)]:
        parts[i] += 1
    return [p + minimum for p in parts]


def allocate(scale: Scale, provinces: list[ProvinceInfo], rng: random.Random) -> list[ProvincePlan]:
    """How many communes and schools each province gets, and its share of urban schools.

    Prefectures are mostly urban with few communes; provinces are more rural, with many
    small rural communes and, per inhabitant, more (smaller) schools."""
    urban = [rng.uniform(0.72, 0.92) if p.prefecture else rng.uniform(0.3, 0.6) for p in provinces]
    population = [POPULATION_THOUSANDS.get(p.code, DEFAULT_POPULATION) for p in provinces]
    school_weights = [pop * (0.6 + 1.2 * (1 - u)) for pop, u in zip(population, urban, strict=True)]
    commune_weights = [
        rng.uniform(3, 8) if p.prefecture else rng.uniform(15, 35) * (pop / 400) ** 0.6
        for p, pop in zip(provinces, population, strict=True)
    ]
    schools = apportion(scale.schools, school_weights, minimum=3)
    communes = apportion(scale.communes, commune_weights, minimum=2)
    return [
        ProvincePlan(province=p, communes=min(c, s), schools=s, urban_share=u)
        for p, c, s, u in zip(provinces, communes, schools, urban, strict=True)
    ]


# Seats whose name is not the first part of the province's name.
SEATS: dict[str, Pair] = {
    "MA-AGD": ("Agadir", "أكادير"),
    "MA-ASZ": ("Assa", "آسا"),
    "MA-CHT": ("Biougra", "بيوكرى"),
    "MA-ESM": ("Smara", "السمارة"),
    "MA-FAH": ("Ksar Sghir", "القصر الصغير"),
    "MA-HAO": ("Tahannaout", "تحناوت"),
    "MA-INE": ("Inezgane", "إنزكان"),
    "MA-KES": ("El Kelâa des Sraghna", "قلعة السراغنة"),
    "MA-MDF": ("M'diq", "المضيق"),
    "MA-OUD": ("Dakhla", "الداخلة"),
    "MA-REH": ("Ben Guerir", "ابن جرير"),
    "MA-TNT": ("Tan-Tan", "طانطان"),
}


def seat_name(province: ProvinceInfo) -> Pair:
    """The town a province is named after: "Préfecture de Tanger-Assilah" → Tanger."""
    if province.code in SEATS:
        return SEATS[province.code]
    fr = province.name_fr
    for prefix in ("Préfecture de ", "Préfecture d'", "Province de ", "Province d'"):
        fr = fr.removeprefix(prefix)
    ar = province.name_ar.removeprefix("عمالة ").removeprefix("إقليم ")
    return fr.split("-")[0].strip(), ar.split("-")[0].strip()


def _of(name: str) -> str:
    return f"d'{name}" if name[0] in "AEIOUYÂÉ" else f"de {name}"


def _school_name(
    namesake: Pair, cycles: tuple[str, ...], sector: str, milieu: str, rng: random.Random
) -> Pair:
    x, xa = namesake
    if sector == PRIVE:
        if P in cycles and len(cycles) > 1:
            return f"Groupe scolaire privé {x}", f"مجموعة مدارس {xa} الخصوصية"
        if cycles == (P,):
            return f"École privée {x}", f"مدرسة {xa} الخصوصية"
        if cycles == (C,):
            return f"Collège privé {x}", f"إعدادية {xa} الخصوصية"
        return f"Lycée privé {x}", f"ثانوية {xa} الخصوصية"
    if cycles == (P,):
        # Rural primary schools are mostly groupes scolaires: a central school and its
        # satellite units in the surrounding douars.
        if milieu == RURAL and rng.random() < 0.6:
            return f"Groupe scolaire {x}", f"مجموعة مدارس {xa}"
        return f"École primaire {x}", f"مدرسة {xa} الابتدائية"
    if cycles == (P, C):
        return f"École communautaire {x}", f"المدرسة الجماعاتية {xa}"
    if cycles == (C,):
        return f"Collège {x}", f"إعدادية {xa}"
    if cycles == (L,):
        return f"Lycée qualifiant {x}", f"ثانوية {xa} التأهيلية"
    return f"Lycée {x}", f"ثانوية {xa}"


def _plan_school(code: str, milieu: str, taken: set[str], rng: random.Random) -> SchoolSpec:
    sector = PRIVE if rng.random() < PRIVATE_SHARE[milieu] else PUBLIC
    mix = CYCLE_MIX[(sector, milieu)]
    cycles = rng.choices([m[0] for m in mix], weights=[m[1] for m in mix])[0]
    for _attempt in range(20):
        name_fr, name_ar = _school_name(rng.choice(SCHOOL_NAMESAKES), cycles, sector, milieu, rng)
        if name_fr not in taken:
            break
    taken.add(name_fr)
    return SchoolSpec(code, name_fr, name_ar, cycles, sector, milieu)


def plan_province(plan: ProvincePlan, rng: random.Random) -> list[CommuneSpec]:
    """The communes of one province and the schools of each, in tree order."""
    province, n_communes, n_schools = plan.province, plan.communes, plan.schools
    if n_schools > 999:
        raise ValueError(f"{province.code}: school codes allow at most 999 schools a province")
    urban_ratio = rng.uniform(0.5, 0.8) if province.prefecture else rng.uniform(0.08, 0.2)
    n_urban = min(max(1, round(n_communes * urban_ratio)), n_communes)
    n_rural = n_communes - n_urban
    urban_schools = min(max(round(n_schools * plan.urban_share), n_urban), n_schools - n_rural)

    # The seat (chef-lieu) is always the first commune and urban; the others are mixed.
    milieux = [URBAIN] * (n_urban - 1) + [RURAL] * n_rural
    rng.shuffle(milieux)
    milieux.insert(0, URBAIN)
    towns = [t for t in TOWN_NAMES if t != seat_name(province)]
    rng.shuffle(towns)
    villages = rural_commune_names()
    rng.shuffle(villages)
    urban_names = iter([seat_name(province), *towns, *villages[n_rural:]])
    rural_names = iter(villages)

    urban_weights = [3.0] + [rng.uniform(0.5, 1.5) for _ in range(n_urban - 1)]
    per_urban = iter(apportion(urban_schools, urban_weights))
    rural_weights = [rng.uniform(0.5, 1.5) for _ in range(n_rural)]
    per_rural = iter(apportion(n_schools - urban_schools, rural_weights))

    # Five-digit establishment codes: the province's rank, then a number drawn without
    # replacement, so codes never collide across provinces; a letter completes the code.
    numbers = rng.sample(range(1, 1000), n_schools)
    codes = iter(f"{province.number:02d}{n:03d}{rng.choice(CODE_LETTERS)}" for n in numbers)

    communes = []
    for index, milieu in enumerate(milieux, start=1):
        name_fr, name_ar = next(urban_names if milieu == URBAIN else rural_names)
        count = next(per_urban if milieu == URBAIN else per_rural)
        taken: set[str] = set()
        schools = [_plan_school(next(codes), milieu, taken, rng) for _ in range(count)]
        communes.append(
            CommuneSpec(
                code=f"{province.code}-C{index:03d}",
                name_fr=f"Commune {_of(name_fr)}",
                name_ar=f"جماعة {name_ar}",
                milieu=milieu,
                schools=tuple(sorted(schools, key=lambda s: s.code)),
            )
        )
    return communes


def allocate_scale(ctx: Context) -> list[ProvincePlan]:
    return allocate(ctx.scale, provinces_in_scale(ctx.scale), ctx.rng("allocation"))


def plan_communes(ctx: Context, plan: ProvincePlan) -> list[CommuneSpec]:
    return plan_province(plan, ctx.rng("orgunits", plan.province.code))


def plan_scale(ctx: Context) -> Iterator[tuple[ProvincePlan, list[CommuneSpec]]]:
    """Everything the tree step would write, province by province, without writing it."""
    for plan in allocate_scale(ctx):
        yield plan, plan_communes(ctx, plan)


# --- Writing --------------------------------------------------------------------------


def child_path(parent_path: str, position: int) -> str:
    """treebeard's path for the ``position``-th child (from 1) of ``parent_path``."""
    alphabet, steplen = OrgUnit.alphabet, OrgUnit.steplen
    digits = ""
    while position:
        position, rest = divmod(position, len(alphabet))
        digits = alphabet[rest] + digits
    if len(digits) > steplen:
        raise ValueError(f"too many children under {parent_path!r}")
    return parent_path + digits.rjust(steplen, alphabet[0])


class _TreeWriter:
    def __init__(self, ctx: Context):
        self.ctx = ctx
        levels = OrgUnitLevel.objects.filter(depth__in=(COMMUNE_DEPTH, SCHOOL_DEPTH))
        self.levels = {level.depth: level for level in levels}
        self.groups = system_groups()
        self.membership = OrgUnitGroup.members.through

    def write_province(self, plan: ProvincePlan, communes: list[CommuneSpec]) -> None:
        province = OrgUnit.objects.get(code=plan.province.code)
        if province.numchild:
            raise RuntimeError(f"{province.code} already has communes")
        units: list[OrgUnit] = []
        schools: list[tuple[OrgUnit, SchoolSpec]] = []
        for position, commune in enumerate(communes, start=1):
            path = child_path(province.path, position)
            units.append(
                OrgUnit(
                    path=path,
                    depth=COMMUNE_DEPTH,
                    numchild=len(commune.schools),
                    code=commune.code,
                    level=self.levels[COMMUNE_DEPTH],
                    name_fr=commune.name_fr,
                    name_ar=commune.name_ar,
                )
            )
            for school_position, spec in enumerate(commune.schools, start=1):
                unit = OrgUnit(
                    path=child_path(path, school_position),
                    depth=SCHOOL_DEPTH,
                    numchild=0,
                    code=spec.code,
                    level=self.levels[SCHOOL_DEPTH],
                    name_fr=spec.name_fr,
                    name_ar=spec.name_ar,
                )
                units.append(unit)
                schools.append((unit, spec))
            if len(units) >= self.ctx.batch_size:
                self._flush(province, units, schools)
                units, schools = [], []
        if units:
            self._flush(province, units, schools)
        OrgUnit.objects.filter(pk=province.pk).update(numchild=len(communes))

    def _flush(
        self, province: OrgUnit, units: list[OrgUnit], schools: list[tuple[OrgUnit, SchoolSpec]]
    ) -> None:
        OrgUnit.objects.bulk_create(units)
        if any(unit.pk is None for unit in units):
            raise RuntimeError("this database backend does not return ids from bulk inserts")
        School.objects.bulk_create(
            School(
                org_unit=unit,
                school_code=spec.code,
                has_primaire=P in spec.cycles,
                has_college=C in spec.cycles,
                has_lycee=L in spec.cycles,
                sector=spec.sector,
                milieu=spec.milieu,
            )
            for unit, spec in schools
        )
        self.membership.objects.bulk_create(
            self.membership(orgunitgroup_id=self.groups[(set_code, value)].pk, orgunit_id=unit.pk)
            for unit, spec in schools
            for set_code, value in (("sector", spec.sector), ("milieu", spec.milieu))
        )
        n_schools = len(schools)
        audit_record(
            actor=None,
            action=SEED,
            obj=province,
            changes={
                "communes": [None, len(units) - n_schools],
                "schools": [None, n_schools],
                "seed": [None, self.ctx.seed],
            },
        )
        self.ctx.progress.advance(len(units), province.code)
