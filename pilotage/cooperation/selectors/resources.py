"""Reading the resources bank, print runs and their totals, scoped to the reader."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.http import Http404

from pilotage.cooperation.models import Distribution, EducationalResource, PrintRun, Programme
from pilotage.cooperation.permissions import runs_all
from pilotage.cooperation.selectors.programmes import programmes_visible, projects_visible
from pilotage.orgunits.models import OrgUnit


def resources_visible(actor: Any) -> QuerySet[EducationalResource]:
    """The bank: resources of the programmes the reader sees, and those of no programme
    (shared by every programme) for anyone who sees one."""
    if runs_all(actor):
        return EducationalResource.objects.all()
    return EducationalResource.objects.filter(
        Q(programme__in=programmes_visible(actor).values("pk")) | Q(programme__isnull=True)
    )


def resources_search(
    actor: Any,
    programme: Programme,
    *,
    q: str = "",
    level: str = "",
    subject: str = "",
    language: str = "",
    licence: str = "",
) -> QuerySet[EducationalResource]:
    qs = resources_visible(actor).filter(Q(programme=programme) | Q(programme__isnull=True))
    if q:
        qs = qs.filter(
            Q(title_fr__icontains=q) | Q(title_ar__icontains=q) | Q(title_en__icontains=q)
        )
    if level:
        qs = qs.filter(level=level)
    if subject:
        qs = qs.filter(subject__icontains=subject)
    if language:
        qs = qs.filter(language=language)
    if licence:
        qs = qs.filter(licence=licence)
    return qs.order_by("title_fr", "pk")


def resource_get(actor: Any, pk: int) -> EducationalResource:
    found = resources_visible(actor).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def print_runs_visible(actor: Any, programme: Programme) -> QuerySet[PrintRun]:
    """The programme's print runs in the countries of the projects the reader sees."""
    countries = projects_visible(actor).filter(programme=programme).values("country")
    return PrintRun.objects.filter(programme=programme, country__in=countries)


def print_runs_list(
    actor: Any, programme: Programme, *, country: OrgUnit | None = None
) -> QuerySet[PrintRun]:
    qs = print_runs_visible(actor, programme).select_related("resource", "country", "subdivision")
    if country is not None:
        qs = qs.filter(country=country)
    return qs.order_by("country__code", "-pk")


def print_run_get(actor: Any, programme: Programme, pk: int) -> PrintRun:
    found = (
        print_runs_visible(actor, programme)
        .select_related("resource", "country", "subdivision", "programme")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def run_distributions(run: PrintRun) -> QuerySet[Distribution]:
    return run.distributions.select_related("destination", "confirmed_by").order_by(
        "-delivered_on", "pk"
    )


@dataclass
class Row:
    """Quantities of a country (``region`` None: the country's total) or of one of its
    regions (the runs recorded for that subdivision)."""

    country: OrgUnit
    region: OrgUnit | None
    planned: int
    printed: int
    delivered: int
    confirmed: int


def print_totals(actor: Any, programme: Programme, *, country: OrgUnit | None = None) -> list[Row]:
    """Planned, printed, delivered and confirmed copies per country, each followed by its
    regions (runs recorded at a subdivision): one grouped query and one for the units."""
    runs = print_runs_visible(actor, programme)
    if country is not None:
        runs = runs.filter(country=country)
    groups = list(
        runs.values("country", "subdivision")
        .annotate(
            planned_=Sum("planned"),
            printed_=Sum("printed"),
            delivered_=Sum("delivered"),
            confirmed_=Sum("confirmed"),
        )
        .order_by()
    )
    ids = {g["country"] for g in groups} | {g["subdivision"] for g in groups if g["subdivision"]}
    units = OrgUnit.objects.in_bulk(list(ids))
    totals: dict[int, Row] = {}
    regions: dict[int, list[Row]] = {}
    for g in groups:
        unit = units[g["country"]]
        total = totals.setdefault(unit.pk, Row(unit, None, 0, 0, 0, 0))
        values = [g["planned_"], g["printed_"], g["delivered_"], g["confirmed_"]]
        total.planned += values[0]
        total.printed += values[1]
        total.delivered += values[2]
        total.confirmed += values[3]
        if g["subdivision"]:
            regions.setdefault(unit.pk, []).append(Row(unit, units[g["subdivision"]], *values))
    rows: list[Row] = []
    for pk, total in sorted(totals.items(), key=lambda item: item[1].country.code):
        rows.append(total)
        rows.extend(sorted(regions.get(pk, []), key=lambda r: r.region.code if r.region else ""))
    return rows
