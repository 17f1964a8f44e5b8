"""Demo data of the results framework: ImaginEcole's logframe (1 impact, 2 outcomes,
4 outputs, 8 indicators: counts, a percentage with numerator and denominator, a cumulative
count, a qualitative one), yearly targets and end-of-programme targets, and updates of
several countries in every state (approved, submitted, returned with a comment, draft).
The South-South programme gets one indicator linked to the indicators catalogue, so that
Morocco's school data shows beside what is reported."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from pilotage.cooperation.models import (
    Aggregation,
    IndicatorTarget,
    Measure,
    Programme,
    ResultIndicator,
    ResultLevel,
    ResultNode,
    ResultUpdate,
    UpdateCell,
    UpdateComment,
    UpdateStatus,
)
from pilotage.core.audit import SEED, audit_record
from pilotage.demo.context import Context
from pilotage.orgunits.models import OrgUnit

YEARS = (2024, 2025, 2026, 2027)
MANAGER = "coop.programme"

# code, parent, level, French title, English title
NODES = [
    (
        "1",
        None,
        ResultLevel.IMPACT,
        "Les élèves apprennent mieux grâce aux ressources éducatives numériques",
        "Pupils learn better with digital educational resources",
    ),
    (
        "1.1",
        "1",
        ResultLevel.OUTCOME,
        "Les enseignants intègrent les ressources numériques dans leurs pratiques",
        "Teachers use digital resources in their practice",
    ),
    (
        "1.2",
        "1",
        ResultLevel.OUTCOME,
        "Les ministères pilotent l'usage des ressources",
        "Ministries steer the use of the resources",
    ),
    ("1.1.1", "1.1", ResultLevel.OUTPUT, "Des enseignants sont formés", "Teachers are trained"),
    ("1.1.2", "1.1", ResultLevel.OUTPUT, "Des écoles sont équipées", "Schools are equipped"),
    (
        "1.2.1",
        "1.2",
        ResultLevel.OUTPUT,
        "Une plateforme de ressources est en ligne",
        "A resource platform is online",
    ),
    (
        "1.2.2",
        "1.2",
        ResultLevel.OUTPUT,
        "Des inspecteurs suivent les usages",
        "Inspectors follow the use",
    ),
]

# code, node, French title, measure, unit, extra fields, end target, yearly programme target
INDICATORS = [
    (
        "1.a",
        "1",
        "Appréciation des inspecteurs sur les pratiques en classe",
        Measure.QUALITATIVE,
        "",
        {},
        None,
        None,
    ),
    (
        "1.1.a",
        "1.1",
        "Part des enseignants formés utilisant des ressources numériques",
        Measure.PERCENTAGE,
        "%",
        {"by_sex": True},
        Decimal(60),
        Decimal(50),
    ),
    (
        "1.1.1.a",
        "1.1.1",
        "Enseignants formés",
        Measure.UNIT,
        "enseignants",
        {"by_sex": True, "by_level": True},
        Decimal(6000),
        Decimal(1500),
    ),
    (
        "1.1.1.b",
        "1.1.1",
        "Formateurs certifiés",
        Measure.UNIT,
        "formateurs",
        {},
        Decimal(200),
        Decimal(50),
    ),
    (
        "1.1.2.a",
        "1.1.2",
        "Écoles équipées (cumul)",
        Measure.UNIT,
        "écoles",
        {"cumulative": True},
        Decimal(800),
        None,
    ),
    (
        "1.2.1.a",
        "1.2.1",
        "Ressources publiées sur la plateforme",
        Measure.UNIT,
        "ressources",
        {},
        Decimal(1200),
        Decimal(300),
    ),
    (
        "1.2.1.b",
        "1.2.1",
        "Disponibilité de la plateforme",
        Measure.PERCENTAGE,
        "%",
        {},
        Decimal(95),
        Decimal(95),
    ),
    (
        "1.2.2.a",
        "1.2.2",
        "Visites d'inspection réalisées (maximum mensuel)",
        Measure.UNIT,
        "visites",
        {"period_aggregation": Aggregation.MAXIMUM},
        Decimal(120),
        None,
    ),
]

# Approved yearly counts of teachers trained (women, men) by country, 2024 and 2025.
TRAINED = {
    "SN": ((180, 140), (260, 210)),
    "ML": ((120, 130), (200, 190)),
    "BF": ((90, 110), (150, 160)),
    "CI": ((160, 150), (230, 220)),
    "NE": ((70, 95), (110, 140)),
}
# Share of trained teachers using digital resources: (users, trained) by country, 2025.
SHARE = {"SN": (240, 470), "ML": (250, 390), "BF": (120, 310), "CI": (300, 450)}


def _year(y: int) -> dict[str, dt.date]:
    return {"period_start": dt.date(y, 1, 1), "period_end": dt.date(y, 12, 31)}


def create_results(ctx: Context) -> None:
    from pilotage.accounts.models import User

    programme = Programme.objects.filter(code="imagine").first()
    if programme is None:
        return
    manager = User.objects.filter(username=MANAGER).first()
    coordinator = User.objects.filter(username="coord.senegal").first()
    ctx.progress.total(len(NODES) + len(INDICATORS) + 1)
    nodes: dict[str, ResultNode] = {}
    for code, parent, level, fr, en in NODES:
        nodes[code] = ResultNode.objects.create(
            programme=programme,
            parent=nodes[parent] if parent else None,
            level=level,
            code=code,
            title_fr=fr,
            title_en=en,
        )
        ctx.progress.advance(1, code)
    indicators: dict[str, ResultIndicator] = {}
    for code, node, fr, measure, unit, extra, end, yearly in INDICATORS:
        ind = ResultIndicator.objects.create(
            node=nodes[node],
            code=code,
            title_fr=fr,
            measure=measure,
            unit_label=unit,
            baseline_value=Decimal(0) if measure != Measure.QUALITATIVE else None,
            baseline_date=dt.date(2023, 12, 31),
            end_target=end,
            end_target_text=(
                "Usage régulier et pédagogique des ressources dans la majorité des classes"
                if measure == Measure.QUALITATIVE
                else ""
            ),
            means_of_verification="Rapports annuels des coordinations pays ; listes de présence",
            **cast(dict[str, Any], extra),
        )
        indicators[code] = ind
        if yearly is not None:
            IndicatorTarget.objects.bulk_create(
                IndicatorTarget(indicator=ind, value=yearly, **_year(y)) for y in YEARS
            )
        ctx.progress.advance(1, code)
    countries = {u.code: u for u in OrgUnit.objects.filter(depth=1, code__in=list(TRAINED))}
    # Senegal's own yearly target for teachers trained.
    if "SN" in countries:
        IndicatorTarget.objects.bulk_create(
            IndicatorTarget(
                indicator=indicators["1.1.1.a"],
                country=countries["SN"],
                value=Decimal(450),
                **_year(y),
            )
            for y in YEARS
        )
    projects = {
        p.country.code: p for p in programme.projects.select_related("country") if p.country
    }
    now = dt.datetime.now(dt.UTC)
    approved = {
        "status": UpdateStatus.APPROVED,
        "submitted_by": coordinator,
        "submitted_at": now,
        "approved_by": manager,
        "approved_at": now,
    }
    trained = indicators["1.1.1.a"]
    for country, years in TRAINED.items():
        for y, (women, men) in zip((2024, 2025), years, strict=True):
            u = ResultUpdate.objects.create(
                indicator=trained,
                project=projects[country],
                value=Decimal(women + men),
                created_by=coordinator,
                **_year(y),
                **approved,
            )
            UpdateCell.objects.bulk_create(
                [
                    UpdateCell(update=u, dimension="sex", category="F", value=Decimal(women)),
                    UpdateCell(update=u, dimension="sex", category="M", value=Decimal(men)),
                ]
            )
    share = indicators["1.1.a"]
    for country, (num, den) in SHARE.items():
        ResultUpdate.objects.create(
            indicator=share,
            project=projects[country],
            numerator=Decimal(num),
            denominator=Decimal(den),
            **_year(2025),
            **approved,
        )
    equipped = indicators["1.1.2.a"]
    for country, totals in {"SN": (40, 95), "ML": (30, 70), "CI": (50, 120)}.items():
        for y, total in zip((2024, 2025), totals, strict=True):
            ResultUpdate.objects.create(
                indicator=equipped,
                project=projects[country],
                value=Decimal(total),
                **_year(y),
                **approved,
            )
    ResultUpdate.objects.create(
        indicator=indicators["1.a"],
        project=projects["SN"],
        text=(
            "Les inspecteurs observent un usage hebdomadaire des ressources "
            "dans les classes pilotes."
        ),
        **_year(2025),
        **approved,
    )
    # Waiting for the manager: Senegal's 2026 teachers trained.
    ResultUpdate.objects.create(
        indicator=trained,
        project=projects["SN"],
        value=Decimal(150),
        status=UpdateStatus.SUBMITTED,
        submitted_by=coordinator,
        submitted_at=now,
        **_year(2026),
    )
    # Returned to Mali with a comment.
    returned = ResultUpdate.objects.create(
        indicator=share,
        project=projects["ML"],
        numerator=Decimal(280),
        denominator=Decimal(250),
        status=UpdateStatus.RETURNED,
        submitted_at=now,
        **_year(2026),
    )
    UpdateComment.objects.create(
        update=returned,
        author=manager,
        action="return",
        text="Le numérateur dépasse le nombre d'enseignants formés : vérifiez les deux chiffres.",
    )
    # A draft in Burkina Faso.
    ResultUpdate.objects.create(
        indicator=indicators["1.2.1.a"], project=projects["BF"], value=Decimal(40), **_year(2026)
    )
    _south_south()
    audit_record(actor=None, action=SEED, obj=programme, changes={"seed": [None, "results"]})
    ctx.progress.advance(1, "sud-sud-fp")


def _south_south() -> None:
    """One outcome of the South-South programme linked to the catalogue's qualified
    teachers: Morocco's figure comes from its school data."""
    programme = Programme.objects.filter(code="sud-sud-fp").first()
    if programme is None:
        return
    impact = ResultNode.objects.create(
        programme=programme,
        level=ResultLevel.IMPACT,
        code="1",
        title_fr="Une formation professionnelle de qualité",
    )
    qualified = ResultIndicator.objects.create(
        node=impact,
        code="1.a",
        title_fr="Part des enseignants qualifiés",
        measure=Measure.PERCENTAGE,
        unit_label="%",
        end_target=Decimal(90),
        catalogue_code="qualified_teachers_pct",
        means_of_verification="Données scolaires du ministère (catalogue des indicateurs)",
    )
    project = programme.projects.filter(country__code="MA").first()
    if project is not None:
        ResultUpdate.objects.create(
            indicator=qualified,
            project=project,
            numerator=Decimal(410),
            denominator=Decimal(500),
            status=UpdateStatus.APPROVED,
            **_year(2025),
        )
