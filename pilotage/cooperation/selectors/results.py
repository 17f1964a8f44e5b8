"""Reading the results framework, scoped to the reader: the logframe, the updates to
report and to approve, and the target-vs-actual table (``target_vs_actual``), which the
monthly report also calls. Figures are rolled up by ``results_rollup.py``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from pilotage.cooperation import results_rollup as rollup
from pilotage.cooperation.models import (
    IndicatorTarget,
    Measure,
    MemberRole,
    Programme,
    Project,
    ResultIndicator,
    ResultNode,
    ResultUpdate,
    UpdateStatus,
)
from pilotage.cooperation.permissions import can_report, can_view_programme, runs_all
from pilotage.cooperation.selectors.programmes import projects_visible
from pilotage.orgunits.models import OrgUnit


def spec_of(indicator: ResultIndicator) -> rollup.Spec:
    return rollup.Spec(
        measure=indicator.measure,
        period_aggregation=indicator.period_aggregation,
        location_aggregation=indicator.location_aggregation,
        cumulative=indicator.cumulative,
    )


def entry_of(update: ResultUpdate) -> rollup.Entry:
    """``update.project.country`` must be loaded (select_related)."""
    country = update.project.country
    return rollup.Entry(
        location=country.code if country is not None else update.project.code,
        period_start=update.period_start,
        period_end=update.period_end,
        value=update.value,
        numerator=update.numerator,
        denominator=update.denominator,
        status=update.status,
    )


def logframe(actor: Any, programme: Programme) -> list[ResultNode]:
    """The programme's nodes in code order, each with its indicators and their targets
    (three queries whatever the size)."""
    if not can_view_programme(actor, programme):
        raise Http404
    return list(
        ResultNode.objects.filter(programme=programme)
        .order_by("code")
        .prefetch_related(
            Prefetch(
                "indicators",
                queryset=ResultIndicator.objects.order_by("code").prefetch_related(
                    Prefetch("targets", queryset=IndicatorTarget.objects.select_related("country"))
                ),
            )
        )
    )


def indicator_get(actor: Any, pk: int) -> ResultIndicator:
    found = ResultIndicator.objects.select_related("node__programme").filter(pk=pk).first()
    if found is None or not can_view_programme(actor, found.node.programme):
        raise Http404
    return found


def node_get(actor: Any, pk: int) -> ResultNode:
    found = ResultNode.objects.select_related("programme").filter(pk=pk).first()
    if found is None or not can_view_programme(actor, found.programme):
        raise Http404
    return found


def updates_visible(actor: Any) -> QuerySet[ResultUpdate]:
    """Updates of the projects the reader sees."""
    return ResultUpdate.objects.filter(project__in=projects_visible(actor).values("pk"))


def update_get(actor: Any, pk: int) -> ResultUpdate:
    found = (
        updates_visible(actor)
        .select_related(
            "indicator__node__programme",
            "project__country",
            "project__programme",
            "submitted_by",
            "approved_by",
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _list(qs: QuerySet[ResultUpdate]) -> QuerySet[ResultUpdate]:
    return qs.select_related(
        "indicator__node", "project__country", "project__programme", "submitted_by"
    ).order_by("-period_end", "project__code", "indicator__code")


def updates_to_report(actor: Any, programme: Programme | None = None) -> QuerySet[ResultUpdate]:
    """The reader's drafts and returned updates (a coordinator: their country's)."""
    qs = updates_visible(actor).filter(status__in=(UpdateStatus.DRAFT, UpdateStatus.RETURNED))
    if programme is not None:
        qs = qs.filter(project__programme=programme)
    return _list(qs)


def updates_to_approve(actor: Any, programme: Programme | None = None) -> QuerySet[ResultUpdate]:
    """Submitted updates of the programmes the reader manages, except their own."""
    qs = ResultUpdate.objects.filter(status=UpdateStatus.SUBMITTED)
    if not runs_all(actor):
        qs = qs.filter(
            project__programme__members__user=actor,
            project__programme__members__role=MemberRole.MANAGER,
        )
    qs = qs.exclude(submitted_by=actor)
    if programme is not None:
        qs = qs.filter(project__programme=programme)
    return _list(qs)


def programme_updates(actor: Any, programme: Programme) -> QuerySet[ResultUpdate]:
    return _list(updates_visible(actor).filter(project__programme=programme))


def reportable_projects(actor: Any, programme: Programme) -> list[Project]:
    """The programme's projects the reader may report for."""
    return [
        p
        for p in projects_visible(actor)
        .filter(programme=programme)
        .select_related("country", "programme")
        .order_by("code")
        if can_report(actor, p)
    ]


# --- target vs actual -----------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of the target-vs-actual table.

    ``country_code`` None: the whole programme (the reader's reach: a coordinator's
    programme-wide line is their own country's). ``period_start``/``period_end`` None:
    the end-of-programme line, whose target is the indicator's own end target and whose
    actual is everything approved up to ``until``. ``actual`` is a percentage (0–100)
    for a percentage indicator, with the summed ``numerator``/``denominator`` beside it;
    ``achievement`` is actual as a % of target. ``texts``: a qualitative indicator's
    approved descriptions (country code, text)."""

    indicator_id: int
    indicator_code: str
    indicator_title: str
    node_code: str
    measure: str
    unit_label: str
    country_code: str | None
    country_name: str
    period_start: dt.date | None
    period_end: dt.date | None
    baseline: Decimal | None
    target: Decimal | None
    target_text: str
    actual: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    achievement: Decimal | None
    updates_counted: int
    texts: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def is_end(self) -> bool:
        return self.period_end is None


def target_vs_actual(
    actor: Any,
    programme: Programme,
    *,
    country: OrgUnit | None = None,
    until: dt.date | None = None,
) -> list[Row]:
    """Per indicator: one row per period target (programme-wide, or the country's), then
    the end-of-programme row. With ``country``: that country's targets and actuals only
    (its end row has no target: end targets are programme-wide). Only approved updates
    count; those whose period ends after ``until`` are left out. Queries: the indicators
    (1), their targets (1), the updates the reader sees (1 with the projects and
    countries), whatever the number of rows."""
    if not can_view_programme(actor, programme):
        raise Http404
    indicators = list(
        ResultIndicator.objects.filter(node__programme=programme)
        .select_related("node")
        .order_by("node__code", "code")
        .prefetch_related(
            Prefetch(
                "targets",
                queryset=IndicatorTarget.objects.select_related("country").order_by(
                    "period_start", "country__code"
                ),
            )
        )
    )
    updates = updates_visible(actor).filter(
        project__programme=programme, status=UpdateStatus.APPROVED
    )
    if country is not None:
        updates = updates.filter(project__country=country)
    if until is not None:
        updates = updates.filter(period_end__lte=until)
    by_indicator: dict[int, list[ResultUpdate]] = defaultdict(list)
    for u in updates.select_related("project__country").order_by("period_end"):
        by_indicator[u.indicator_id].append(u)
    rows: list[Row] = []
    for ind in indicators:
        spec = spec_of(ind)
        mine = by_indicator.get(ind.pk, [])
        entries = [entry_of(u) for u in mine]

        def row(
            ind: ResultIndicator,
            *,
            figure: rollup.Figure,
            target: Decimal | None,
            target_text: str,
            unit: OrgUnit | None,
            start: dt.date | None,
            end: dt.date | None,
            texts: tuple[tuple[str, str], ...],
        ) -> Row:
            return Row(
                indicator_id=ind.pk,
                indicator_code=ind.code,
                indicator_title=ind.title,
                node_code=ind.node.code,
                measure=ind.measure,
                unit_label=ind.unit_label,
                country_code=unit.code if unit is not None else None,
                country_name=unit.name if unit is not None else "",
                period_start=start,
                period_end=end,
                baseline=ind.baseline_value,
                target=target,
                target_text=target_text,
                actual=figure.value,
                numerator=figure.numerator,
                denominator=figure.denominator,
                achievement=rollup.achievement(figure.value, target),
                updates_counted=figure.count,
                texts=texts,
            )

        for t in ind.targets.all():
            if country is not None and t.country_id != country.pk:
                continue
            if until is not None and t.period_start > until:
                continue
            scoped = [
                (e, u)
                for e, u in zip(entries, mine, strict=True)
                if t.country is None or u.project.country_id == t.country_id
            ]
            inside = [
                (e, u)
                for e, u in scoped
                if e.period_start >= t.period_start and e.period_end <= t.period_end
            ]
            figure = rollup.achieved([e for e, _u in inside], spec)
            rows.append(
                row(
                    ind,
                    figure=figure,
                    target=t.value,
                    target_text=t.text,
                    unit=t.country,
                    start=t.period_start,
                    end=t.period_end,
                    texts=_texts(ind, [u for _e, u in inside]),
                )
            )
        rows.append(
            row(
                ind,
                figure=rollup.achieved(entries, spec),
                target=ind.end_target if country is None else None,
                target_text=ind.end_target_text if country is None else "",
                unit=country,
                start=None,
                end=None,
                texts=_texts(ind, mine),
            )
        )
    return rows


def _texts(ind: ResultIndicator, updates: list[ResultUpdate]) -> tuple[tuple[str, str], ...]:
    if ind.measure != Measure.QUALITATIVE:
        return ()
    return tuple(
        (u.project.country.code if u.project.country else u.project.code, u.text) for u in updates
    )


def table_countries(actor: Any, programme: Programme) -> list[OrgUnit]:
    """The countries the reader may filter the table by."""
    ids = (
        projects_visible(actor).filter(programme=programme, country__isnull=False).values("country")
    )
    return list(OrgUnit.objects.filter(pk__in=ids).order_by("code"))


# --- the indicators catalogue ---------------------------------------------------------


@dataclass(frozen=True)
class CatalogueFigure:
    """What the indicators app computes from school data for a country and year."""

    country_code: str
    year: str | None
    value: float | None
    available: bool


def catalogue_figures(
    indicator: ResultIndicator, countries: list[OrgUnit], *, on: dt.date | None = None
) -> list[CatalogueFigure]:
    """For an indicator linked to the catalogue, each country's value computed by the
    indicators app (its public ``indicator_values``) for the school year running on ``on``
    (today by default), else the latest year before; ``available`` False where the
    country has no school data. One engine call per country."""
    if not indicator.catalogue_code:
        return []
    from pilotage.indicators.selectors.catalogue import IndicatorError, indicator_values
    from pilotage.indicators.selectors.values import academic_years

    on = on or dt.date.today()  # noqa: DTZ011 - a school year is a calendar matter
    years = [y for y in academic_years() if y.start <= on]
    year = years[0] if years else None
    out = []
    for unit in countries:
        value = None
        if year is not None:
            try:
                values = indicator_values(indicator.catalogue_code, units=[unit], years=[year])
            except IndicatorError:
                values = []
            found = [v for v in values if v.unit == unit.code and not v.dims]
            value = found[0].value if found else None
        out.append(
            CatalogueFigure(
                country_code=unit.code,
                year=year.code if year is not None else None,
                value=value,
                available=value is not None,
            )
        )
    return out
