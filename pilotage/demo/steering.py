"""Performance steering for the demo: targets, action plans and aggregate data, written
after the indicators' facts so that targets are set against the values the engine computes.

- **Targets** for the current year at the country, each region and each province of the
  scale, for the key indicators (enrolment ratios by cycle, repetition, dropout, pass rate,
  pupils per teacher and per class, qualified teachers), a few for girls. The baseline is
  the previous year's value. Each target is drawn *for* a status: on track, at risk or off
  track, about 40/30/30 within every unit, so every page of targets shows all three. The
  flow rates (repetition, dropout) of a year need the next year's enrolments, so with two
  years they exist for the previous year only: their targets are set for that year.
- **Action plans**: a national objective and one per region and province of the scale,
  each with two to four actions owned by the demo officers (the national administrator
  where no demo officer covers the unit, the demo school head for one action at their
  school), with budgets in MAD, dates around today, mixed statuses, progress notes, some
  overdue, and a few corrective actions opened on off-track targets.
- **Aggregate data**: the "Enquête de rentrée" (school level, academic year) with its
  category combinations and data elements, values for most schools of the scale (a few
  missing, a few received late), two validation rules that a few schools break, and the
  approval of some schools (and, when the scale has several provinces, of one province).

The catalogue, targets, objectives, actions and approvals go through the indicators app's
services (validated and audited); the data values, one row a cell for every school of the
country at the national scale, are inserted in bulk with one audit row per province.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.utils import timezone

from pilotage.accounts.models import RoleAssignment, User
from pilotage.core.audit import SEED, audit_record
from pilotage.demo.context import Context
from pilotage.demo.orgunits import SCHOOL_DEPTH, provinces_in_scale
from pilotage.demo.people import DEMO_USERNAMES
from pilotage.indicators.engine import Grades, compute
from pilotage.indicators.models import (
    Action,
    ActionStatus,
    CategoryCombo,
    ClassFact,
    DataElement,
    DataSet,
    DataSetReport,
    DataValue,
    Direction,
    Importance,
    MissingValues,
    Operator,
    PupilFact,
    Status,
    Target,
    TeacherFact,
)
from pilotage.indicators.permissions import can_approve_at, can_manage_actions
from pilotage.indicators.quality.approval import data_approve
from pilotage.indicators.quality.rules import rules_run, validation_rule_create
from pilotage.indicators.services.actions import (
    action_create,
    action_note_add,
    action_update,
    objective_create,
)
from pilotage.indicators.services.aggregates import (
    category_combo_save,
    data_element_save,
    data_set_save,
)
from pilotage.indicators.services.targets import TargetData, target_check, targets_apply
from pilotage.indicators.targets import default_direction, dims_key, indicator_of, status_of
from pilotage.orgunits.models import AcademicYear, OrgUnit, OrgUnitLevel, Period, PeriodType

ADMIN = "admin"
FOUR = Decimal("0.0001")

# (indicator, disaggregations): one target per unit for each disaggregation.
CYCLES = ("primaire", "college", "lycee")
TARGETS: list[tuple[str, list[dict[str, str]]]] = [
    ("ger", [{"cycle": c} for c in CYCLES]),
    ("ner", [{"cycle": c} for c in CYCLES]),
    ("repetition_rate", [{}]),
    ("dropout_rate", [{}]),
    ("pass_rate", [{}]),
    ("ptr", [{}]),
    ("pupils_per_class", [{}]),
    ("qualified_teachers_pct", [{}]),
]
# Girls' targets, at the country, the regions and the home province only: "a few".
GIRLS_TARGETS: list[tuple[str, dict[str, str]]] = [
    ("ger", {"cycle": "college", "sex": "F"}),
    ("pass_rate", {"sex": "F"}),
]
GIRLS_PROVINCES = ("MA-TNG",)
# Share of each status among a unit's targets.
STATUS_SHARES = ((Status.ON_TRACK, 0.4), (Status.AT_RISK, 0.3), (Status.OFF_TRACK, 0.3))
# Ratios that may exceed 100 % (over-age pupils): no cap on their targets.
UNCAPPED = {"ger"}

OBJECTIVE_TITLES = {
    "pass_rate": "Améliorer la réussite scolaire",
    "dropout_rate": "Réduire l'abandon scolaire",
    "repetition_rate": "Réduire le redoublement",
    "pupils_per_class": "Désencombrer les classes",
    "ner": "Généraliser la scolarisation",
    "qualified_teachers_pct": "Qualifier le corps enseignant",
}
NATIONAL_OBJECTIVE = ("dropout_rate", "Plan national : réduire l'abandon scolaire")
# (title, description, budget range in MAD)
ACTIONS: list[tuple[str, str, tuple[int, int]]] = [
    (
        "Soutien scolaire pour les élèves en difficulté",
        "Séances de remédiation hebdomadaires en arabe, français et mathématiques.",
        (40_000, 250_000),
    ),
    (
        "Formation continue des enseignants de mathématiques",
        "Trois journées de formation par trimestre, animées par les inspecteurs.",
        (60_000, 300_000),
    ),
    (
        "Réhabilitation des salles de classe",
        "Toitures, menuiseries et peinture des salles déclarées inutilisables.",
        (200_000, 1_500_000),
    ),
    (
        "Campagne de sensibilisation contre l'abandon scolaire",
        "Rencontres avec les parents et les associations de quartier et des douars.",
        (20_000, 120_000),
    ),
    (
        "Raccordement des écoles rurales à l'eau potable",
        "Points d'eau et blocs sanitaires séparés filles / garçons.",
        (150_000, 900_000),
    ),
    (
        "Distribution des manuels et fournitures scolaires",
        "Initiative « Un million de cartables » : manuels remis à la rentrée.",
        (80_000, 600_000),
    ),
    (
        "Transport scolaire pour les élèves des douars éloignés",
        "Conventions avec les communes pour les circuits de ramassage.",
        (100_000, 700_000),
    ),
    (
        "Extension des cantines et des internats",
        "Places supplémentaires pour les collégiennes du milieu rural.",
        (300_000, 2_000_000),
    ),
    (
        "Suivi individuel des élèves à risque de redoublement",
        "Conseils de classe intermédiaires et fiches de suivi.",
        (10_000, 60_000),
    ),
]
SCHOOL_ACTION = (
    "Tenir à jour le registre des absences",
    "Saisie quotidienne des absences et appel des familles dès la deuxième absence.",
    (0, 5_000),
)
NOTES = [
    "Réunion de lancement tenue avec les partenaires.",
    "Premier lot réalisé ; le reste est programmé pour le mois prochain.",
    "Retard dû au marché public, relancé auprès du service des achats.",
    "Bilan d'étape présenté au conseil de gestion.",
    "Les établissements concernés ont transmis leurs listes.",
]
# What an action looks like today: due in the past or not, and its stored status.
PROFILES = ("done", "planned", "cancelled", "overdue", "ongoing")
CORRECTIVE_PROVINCE_SHARE = 0.25

# Aggregate data.
COMBOS = [
    ("sexe", "Sexe", [("filles", "Filles"), ("garcons", "Garçons")]),
    ("total", "Total", [("total", "Total")]),
]
ELEMENTS = [
    ("salles-classe", "Salles de classe", "total"),
    ("salles-utilisables", "Salles de classe utilisables", "total"),
    ("toilettes", "Toilettes", "sexe"),
    ("points-eau", "Points d'eau", "total"),
    ("manuels-recus", "Manuels reçus", "total"),
    ("enseignants-formes", "Enseignants formés dans l'année", "total"),
]
DATA_SET = ("enquete-rentree", "Enquête de rentrée")
TIMELY_DAYS = 30
MISSING_SHARE = 0.04
LATE_SHARE = 0.08
VIOLATING_SHARE = 0.03
APPROVED_SCHOOL_SHARE = 0.3
# Each approval goes through the service (a few queries): enough to show, not thousands.
APPROVED_SCHOOLS_MAX = 12


@dataclass
class Units:
    country: OrgUnit
    regions: list[OrgUnit]
    provinces: list[OrgUnit]

    @property
    def all(self) -> list[OrgUnit]:
        return [self.country, *self.regions, *self.provinces]


def _units(ctx: Context) -> Units:
    provinces = list(
        OrgUnit.objects.filter(path__in=[p.path for p in provinces_in_scale(ctx.scale)]).order_by(
            "path"
        )
    )
    region_paths = sorted({p.path[: p.steplen * 2] for p in provinces})
    regions = list(OrgUnit.objects.filter(path__in=region_paths).order_by("path"))
    country = OrgUnit.objects.get(depth=1, code="MA")
    return Units(country, regions, provinces)


def _years() -> tuple[AcademicYear, AcademicYear]:
    years = list(AcademicYear.objects.order_by("start"))
    return years[-2], years[-1]


def _dec(number: float) -> Decimal:
    return Decimal(str(number)).quantize(FOUR, rounding=ROUND_HALF_UP)


def _statuses(rng: random.Random, n: int) -> list[str]:
    """``n`` statuses in the shares of :data:`STATUS_SHARES`, each present once n ≥ 3."""
    out: list[str] = []
    for status, share in STATUS_SHARES:
        out += [status] * max(1, math.ceil(n * share))
    rng.shuffle(out)
    return out[:n]


def target_for(
    rng: random.Random, value: float, direction: str, status: str, cap: float | None
) -> tuple[Decimal, Decimal, str]:
    """A target and tolerance that put ``value`` in ``status`` (or, where the cap leaves no
    room above the value, on track): returns (target, tolerance, the status it gives)."""
    band = max(abs(value) * rng.uniform(0.02, 0.05), 0.2)
    sign = 1 if direction == Direction.HIGHER else -1
    if sign > 0 and cap is not None and value + 2.6 * band > cap:
        band = (cap - value) / 2.6
        if band < 0.05:
            status = Status.ON_TRACK
            band = 0.5
    if status == Status.ON_TRACK:
        target = value - sign * abs(value) * rng.uniform(0.0, 0.02)
    elif status == Status.AT_RISK:
        target = value + sign * band * rng.uniform(0.25, 0.85)
    else:
        target = value + sign * band * rng.uniform(1.4, 2.5)
    target_d, band_d = _dec(max(target, 0.0)), _dec(band)
    got = status_of(value, target_d, band_d, direction)
    return target_d, band_d, got or status


# --- targets --------------------------------------------------------------------------


def _values(
    units: list[OrgUnit], years: list[AcademicYear]
) -> dict[tuple[str, str, str, str], float]:
    """(indicator, unit code, year code, dims key) → value, for every target's cell."""
    wanted: dict[tuple[str, tuple[str, ...]], None] = {}
    for code, dims_list in TARGETS:
        for dims in dims_list:
            wanted[(code, tuple(d for d in dims if d != "cycle"))] = None
    for code, dims in GIRLS_TARGETS:
        wanted[(code, tuple(d for d in dims if d != "cycle"))] = None
    out: dict[tuple[str, str, str, str], float] = {}
    for code, by in wanted:
        for value in compute(code, units=units, years=years, by=by):
            if value.value is not None:
                out[(code, value.unit, value.period, dims_key(value.dims))] = value.value
    return out


def create_targets(ctx: Context, admin: User, units: Units) -> dict[tuple[str, str, str], str]:
    """Write the targets; answers the status each was drawn for, by (unit code, indicator,
    dims key)."""
    prev, cur = _years()
    values = _values(units.all, [prev, cur])
    grades = set(Grades.load().code.values())
    rows: list[TargetData] = []
    drawn: dict[tuple[str, str, str], str] = {}
    for unit in units.all:
        rng = ctx.rng("steering", "targets", unit.code)
        cells = [(code, dims) for code, dims_list in TARGETS for dims in dims_list]
        if unit.depth < 3 or unit.code in GIRLS_PROVINCES:
            cells += GIRLS_TARGETS
        plans = []
        for code, dims in cells:
            key = dims_key(dims)
            value = values.get((code, unit.code, cur.code, key))
            year, baseline = cur, values.get((code, unit.code, prev.code, key))
            if value is None:  # a flow rate: the latest year it exists for
                value, year, baseline = baseline, prev, None
            if value is not None:
                plans.append((code, dims, key, value, year, baseline))
        for (code, dims, key, value, year, baseline), status in zip(
            plans, _statuses(rng, len(plans)), strict=True
        ):
            indicator = indicator_of(code)
            assert indicator is not None  # noqa: S101 - the codes above are built-in
            direction = default_direction(indicator)
            cap = None if code in UNCAPPED or indicator.factor != 100 else 100.0
            target, tolerance, got = target_for(rng, value, direction, status, cap)
            data = TargetData(
                indicator=code,
                org_unit=unit,
                academic_year=year,
                disaggregation=dims,
                target=target,
                tolerance=tolerance,
                direction=direction,
                baseline=None if baseline is None else _dec(baseline),
                baseline_year=None if baseline is None else prev,
            )
            if target_check(data, grades):
                continue
            rows.append(data)
            drawn[(unit.code, code, key)] = got
        ctx.progress.advance(1, unit.code)
    targets_apply(actor=admin, rows=rows)
    ctx.counts["targets"] = ctx.counts.get("targets", 0) + len(rows)
    return drawn


# --- action plans ---------------------------------------------------------------------


def _owners(unit: OrgUnit, officers: list[User]) -> list[User]:
    """The demo officers who may follow the unit's actions, closest first."""
    return [u for u in officers if can_manage_actions(u, unit)]


def _dates(rng: random.Random, profile: str, today: dt.date) -> tuple[dt.date, dt.date]:
    if profile in ("done", "overdue"):
        due = today - dt.timedelta(days=rng.randint(5, 90))
        start = due - dt.timedelta(days=rng.randint(30, 180))
    elif profile == "planned":
        start = today + dt.timedelta(days=rng.randint(-10, 60))
        due = start + dt.timedelta(days=rng.randint(60, 240))
    else:
        start = today - dt.timedelta(days=rng.randint(15, 150))
        due = today + dt.timedelta(days=rng.randint(10, 200))
    return start, due


def _progress(
    rng: random.Random, action: Action, owner: User, profile: str, today: dt.date
) -> Action:
    """Bring a new (planned) action to its profile: notes, progress, status."""
    if profile in ("overdue", "ongoing", "done"):
        progress = rng.randint(10, 45) if profile != "done" else rng.randint(50, 90)
        action_note_add(actor=owner, action=action, text=rng.choice(NOTES), progress=progress)
        if profile == "overdue" and rng.random() < 0.5:
            action_note_add(
                actor=owner,
                action=action,
                text="Échéance dépassée : un nouveau calendrier est en préparation.",
            )
        action.refresh_from_db()
    if profile == "done":
        action = action_update(
            actor=owner, action=action, version=action.version, status=ActionStatus.DONE
        )
        action_note_add(actor=owner, action=action, text="Action réalisée et clôturée.")
    elif profile == "cancelled":
        action = action_update(
            actor=owner, action=action, version=action.version, status=ActionStatus.CANCELLED
        )
        action_note_add(
            actor=owner, action=action, text="Annulée : reprise dans le plan de l'an prochain."
        )
    return action


def create_action_plans(
    ctx: Context, admin: User, units: Units, drawn: dict[tuple[str, str, str], str]
) -> None:
    _prev, cur = _years()
    today = timezone.localdate()
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    # Closest first: a provincial officer, then the regional one, then the administration.
    officers = [users[n] for n in ("dp.tanger", "dp.fes", "region.tanger", ADMIN) if n in users]
    head = users.get("directeur")
    head_school = (
        OrgUnit.objects.filter(
            pk__in=RoleAssignment.objects.filter(user=head).values("org_unit"), depth=SCHOOL_DEPTH
        ).first()
        if head
        else None
    )
    targets = {
        (t.org_unit.code, t.indicator, t.dims_key): t
        for t in Target.objects.filter(org_unit__in=units.all).select_related(
            "org_unit", "academic_year"
        )
    }
    counts = {"objectives": 0, "actions": 0, "corrective_actions": 0}
    turn = 0
    for number, unit in enumerate(units.all):
        rng = ctx.rng("steering", "actions", unit.code)
        owners = _owners(unit, officers) or [admin]
        if unit.depth == 1:
            indicator, title = NATIONAL_OBJECTIVE
        else:
            indicator = rng.choice(sorted(OBJECTIVE_TITLES))
            title = f"{OBJECTIVE_TITLES[indicator]} — {unit.name_fr}"
        # The unit's target of that indicator: the total, or the primary cycle's.
        objective_target = targets.get((unit.code, indicator, "")) or targets.get(
            (unit.code, indicator, "cycle=primaire")
        )
        objective = objective_create(
            actor=admin,
            title=title,
            org_unit=unit,
            start_year=cur,
            end_year=cur,
            description="Objectif du plan d'action de l'année, suivi en conseil de gestion.",
            indicator=indicator,
            target=objective_target,
        )
        counts["objectives"] += 1
        picks = rng.sample(ACTIONS, rng.randint(2, 4))
        # Every other unit has an overdue action for sure, the others one under way; the
        # rest go round the profiles across units, so that even the three units of the
        # small scale show each of them.
        profiles = ["overdue" if number % 2 == 0 else "ongoing"]
        for _ in picks[1:]:
            profiles.append(PROFILES[turn % len(PROFILES)])
            turn += 1
        jobs: list[tuple[str, str, tuple[int, int], User, OrgUnit, str, Target | None]] = [
            (t, d, b, owners[i % len(owners)], unit, p, None)
            for i, ((t, d, b), p) in enumerate(zip(picks, profiles, strict=True))
        ]
        if head and head_school and unit.depth == 3 and unit.covers(head_school):
            jobs.append((*SCHOOL_ACTION, head, head_school, "ongoing", None))
        # A corrective action on an off-track target (at risk if none): the country, the
        # regions and about a quarter of the provinces.
        if (
            unit.depth < 3
            or unit.code in GIRLS_PROVINCES
            or rng.random() < CORRECTIVE_PROVINCE_SHARE
        ):
            gaps = sorted(
                (key for key, status in drawn.items() if key[0] == unit.code),
                key=lambda k: (drawn[k] != Status.OFF_TRACK, drawn[k] != Status.AT_RISK, k),
            )
            gap = targets.get(gaps[0]) if gaps and drawn[gaps[0]] != Status.ON_TRACK else None
            if gap is not None:
                name = indicator_of(gap.indicator)
                jobs.append(
                    (
                        f"Action corrective : {name.name if name else gap.indicator}",
                        "Ouverte sur l'écart constaté à la cible de l'année.",
                        (30_000, 400_000),
                        owners[0],
                        unit,
                        "overdue" if number % 3 == 0 else "ongoing",
                        gap,
                    )
                )
        for title_, description, (low, high), owner, org_unit, profile, gap_target in jobs:
            start, due = _dates(rng, profile, today)
            action = action_create(
                actor=admin,
                title=title_,
                owner=owner,
                org_unit=org_unit,
                start_date=start,
                due_date=due,
                objective=objective,
                description=description,
                budget=Decimal(rng.randrange(low, high + 1, 1000)) if high else None,
                gap_target=gap_target,
            )
            _progress(rng, action, owner, profile, today)
            counts["actions"] += 1
            counts["corrective_actions"] += gap_target is not None
        ctx.progress.advance(1, unit.code)
    for key, n in counts.items():
        ctx.counts[key] = ctx.counts.get(key, 0) + n


# --- aggregate data -------------------------------------------------------------------


def create_catalogue(admin: User) -> DataSet:
    combos: dict[str, CategoryCombo] = {}
    for code, name, options in COMBOS:
        combos[code] = category_combo_save(
            actor=admin,
            code=code,
            name_fr=name,
            options=[{"code": c, "name_fr": n} for c, n in options],
        )
    elements = [
        data_element_save(actor=admin, code=code, name_fr=name, combo=combos[combo])
        for code, name, combo in ELEMENTS
    ]
    data_set = data_set_save(
        actor=admin,
        code=DATA_SET[0],
        name_fr=DATA_SET[1],
        period_type=PeriodType.ACADEMIC_YEAR,
        level=OrgUnitLevel.objects.get(depth=SCHOOL_DEPTH),
        elements=elements,
        timely_days=TIMELY_DAYS,
    )
    validation_rule_create(
        actor=admin,
        code="salles-utilisables",
        name_fr="Salles utilisables ≤ salles de classe",
        description="Une école ne peut avoir plus de salles utilisables que de salles.",
        left="#{salles-utilisables}",
        operator=Operator.LESS_EQUAL,
        right="#{salles-classe}",
        importance=Importance.HIGH,
        missing_values=MissingValues.SKIP_IF_ANY,
        period_type=PeriodType.ACADEMIC_YEAR,
    )
    validation_rule_create(
        actor=admin,
        code="toilettes-presentes",
        name_fr="Toilettes présentes dans une école qui accueille des élèves",
        description="Chaque établissement ouvert (qui a des élèves) déclare des toilettes.",
        left="#{toilettes}",
        operator=Operator.GREATER,
        right="0",
        importance=Importance.MEDIUM,
        missing_values=MissingValues.SKIP_IF_ANY,
        period_type=PeriodType.ACADEMIC_YEAR,
    )
    return data_set


def _school_sizes(cur: AcademicYear, paths: list[str]) -> dict[str, tuple[int, int, int]]:
    """(pupils, classes, teachers) of each school of the provinces' ``paths`` this year,
    from the facts."""
    sizes: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for column, model, field in (
        (0, PupilFact, "enrolled"),
        (1, ClassFact, "classes"),
        (2, TeacherFact, "teachers"),
    ):
        for path in paths:
            for school_path, n in (
                model.objects.filter(academic_year=cur, path__startswith=path)
                .values("path")
                .annotate(n=Sum(field))
                .values_list("path", "n")
                .order_by()
            ):
                sizes[school_path][column] += n or 0
    return {path: (p, c, t) for path, (p, c, t) in sizes.items()}


def create_data_values(ctx: Context, admin: User, data_set: DataSet, units: Units) -> Period:
    _prev, cur = _years()
    period = Period.objects.get(code=cur.code, type=PeriodType.ACADEMIC_YEAR)
    options = {
        (o.combo.code, o.code): o
        for o in CategoryCombo.objects.get(code="sexe").options.select_related("combo")
    } | {
        (o.combo.code, o.code): o
        for o in CategoryCombo.objects.get(code="total").options.select_related("combo")
    }
    elements = {e.code: e for e in DataElement.objects.filter(data_sets=data_set)}
    total = options[("total", "total")]
    girls, boys = options[("sexe", "filles")], options[("sexe", "garcons")]
    sizes = _school_sizes(cur, [p.path for p in units.provinces])
    deadline = period.end + dt.timedelta(days=TIMELY_DAYS)
    now = timezone.now()
    values = reports = 0
    for province in units.provinces:
        rng = ctx.rng("steering", "aggregates", province.code)
        schools = list(
            OrgUnit.objects.filter(path__startswith=province.path, depth=SCHOOL_DEPTH)
            .order_by("path")
            .values_list("pk", "path")
        )
        n = len(schools)
        picked = rng.sample(range(n), n)
        n_missing = max(1, round(n * MISSING_SHARE))
        n_late = max(1, round(n * LATE_SHARE))
        # A few schools break each rule: about 3 % of them, at least one in the first
        # province (so the small scale has its violations too).
        n_bad = round(n * VIOLATING_SHARE) or int(province == units.provinces[0])
        missing = set(picked[:n_missing])
        late = set(picked[n_missing : n_missing + n_late])
        bad_rooms = set(picked[n_missing + n_late : n_missing + n_late + n_bad])
        no_toilets = set(picked[n_missing + n_late + n_bad : n_missing + n_late + 2 * n_bad])
        rows: list[DataValue] = []
        received: list[DataSetReport] = []
        for index, (pk, path) in enumerate(schools):
            if index in missing:
                continue
            pupils, classes, teachers = sizes.get(path, (0, 0, 0))
            rooms = max(2, round(classes * rng.uniform(0.55, 0.95)))
            usable = rooms + rng.randint(1, 3) if index in bad_rooms else rooms - rng.randint(0, 2)
            toilets = max(1, round(pupils / rng.uniform(60, 120)))
            cells = [
                ("salles-classe", total, rooms),
                ("salles-utilisables", total, max(usable, 0)),
                ("toilettes", girls, 0 if index in no_toilets else toilets),
                ("toilettes", boys, 0 if index in no_toilets else toilets),
                ("points-eau", total, rng.randint(0, 4)),
                ("manuels-recus", total, round(pupils * rng.uniform(0.7, 1.05))),
                ("enseignants-formes", total, round(teachers * rng.uniform(0.1, 0.6))),
            ]
            rows += [
                DataValue(
                    data_element=elements[code],
                    category_option=option,
                    org_unit_id=pk,
                    path=path,
                    period=period,
                    value=Decimal(value),
                    stored_by=admin,
                    version=1,
                )
                for code, option, value in cells
            ]
            if index in late:
                day = deadline + dt.timedelta(days=rng.randint(3, 60))
            else:
                day = period.start + dt.timedelta(days=rng.randint(10, 60))
            at = min(
                timezone.make_aware(dt.datetime.combine(day, dt.time(10, rng.randint(0, 59)))),
                now,
            )
            received.append(
                DataSetReport(
                    data_set=data_set, org_unit_id=pk, path=path, period=period, received_at=at
                )
            )
        DataValue.objects.bulk_create(rows, batch_size=ctx.batch_size)
        DataSetReport.objects.bulk_create(received, batch_size=ctx.batch_size)
        audit_record(
            actor=None,
            action=SEED,
            obj=province,
            changes={
                "data_set": [None, data_set.code],
                "data_values": [None, len(rows)],
                "seed": [None, ctx.seed],
            },
        )
        values += len(rows)
        reports += len(received)
        ctx.progress.advance(1, province.code)
    ctx.counts["data_values"] = ctx.counts.get("data_values", 0) + values
    ctx.counts["data_reports"] = ctx.counts.get("data_reports", 0) + reports
    return period


def create_approvals(
    ctx: Context, admin: User, data_set: DataSet, units: Units, period: Period
) -> None:
    """Some schools of each province approved by its officer; with several provinces in the
    scale, the whole of one of them (not the home province, whose data the demo accounts
    enter) approved up to the province."""
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    approvers = [users[n] for n in ("dp.tanger", "dp.fes", "region.tanger") if n in users]
    approvers.append(admin)
    whole = next((p for p in units.provinces if p.code != "MA-TNG"), None)
    count = 0
    for province in units.provinces:
        rng = ctx.rng("steering", "approvals", province.code)
        actor = next(u for u in approvers if can_approve_at(u, province))
        schools = list(
            OrgUnit.objects.filter(path__startswith=province.path, depth=SCHOOL_DEPTH).order_by(
                "path"
            )
        )
        if province != whole:
            share = max(1, min(round(len(schools) * APPROVED_SCHOOL_SHARE), APPROVED_SCHOOLS_MAX))
            schools = rng.sample(schools, share)
        for school in schools:
            data_approve(actor=actor, data_set=data_set, org_unit=school, period=period)
            count += 1
        if province == whole:
            data_approve(actor=actor, data_set=data_set, org_unit=province, period=period)
            count += 1
    ctx.counts["approvals"] = ctx.counts.get("approvals", 0) + count


def create_steering(ctx: Context) -> None:
    """The step: targets, action plans, aggregate data, validation and approvals."""
    admin = User.objects.get(username=ADMIN)
    units = _units(ctx)
    ctx.progress.total(2 * len(units.all) + len(units.provinces))
    drawn = create_targets(ctx, admin, units)
    create_action_plans(ctx, admin, units, drawn)
    data_set = create_catalogue(admin)
    period = create_data_values(ctx, admin, data_set, units)
    violations = rules_run(org_unit=units.country, period=period, actor=None)
    ctx.counts["violations"] = ctx.counts.get("violations", 0) + len(violations)
    create_approvals(ctx, admin, data_set, units, period)


__all__ = ["create_steering", "target_for"]
