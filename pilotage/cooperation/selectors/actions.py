"""Reading partner actions, for the table, the map and the export. Every reader of the
cooperation pages sees every partner's actions (``permissions.can_view_actions``);
``ActionFilters`` narrows them the same way on the three pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pycountry
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404

from pilotage.cooperation.models import Partner, PartnerAction
from pilotage.cooperation.permissions import can_view_actions
from pilotage.orgunits.models import OrgUnit


@dataclass(frozen=True)
class ActionFilters:
    country: OrgUnit | None = None
    subdivision: OrgUnit | None = None
    topic: str = ""
    partner: Partner | None = None
    status: str = ""

    def q(self) -> Q:
        q = Q()
        if self.country is not None:
            q &= Q(country=self.country)
        if self.subdivision is not None:
            q &= Q(subdivisions=self.subdivision)
        if self.topic:
            q &= Q(topic=self.topic)
        if self.partner is not None:
            q &= Q(partner=self.partner)
        if self.status:
            q &= Q(status=self.status)
        return q


def actions_visible(actor: Any) -> QuerySet[PartnerAction]:
    if not can_view_actions(actor):
        return PartnerAction.objects.none()
    return PartnerAction.objects.all()


def actions_list(actor: Any, filters: ActionFilters | None = None) -> QuerySet[PartnerAction]:
    """The table and the export: three queries whatever the number of rows (the actions
    with their partner, country, programme and last editor joined; their regions in one
    prefetch), plus the count when paginated."""
    filters = filters or ActionFilters()
    return (
        actions_visible(actor)
        .filter(filters.q())
        .select_related("partner", "country", "programme", "updated_by")
        .prefetch_related(Prefetch("subdivisions", queryset=OrgUnit.objects.order_by("code")))
        .distinct()
        .order_by("country__code", "partner__code", "start_date", "pk")
    )


def action_get(actor: Any, pk: int) -> PartnerAction:
    """The action, or a 404 for a reader who does not open the cooperation pages."""
    found = (
        actions_visible(actor)
        .select_related("partner", "country", "programme", "updated_by")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def iso_numeric(alpha2: str) -> str | None:
    """The ISO 3166-1 numeric code (``"686"`` for SN), the id of a country in the
    Natural Earth TopoJSON of the world-atlas package; None for a code pycountry lacks."""
    country = pycountry.countries.get(alpha_2=alpha2.upper())
    return country.numeric if country else None


def actions_by_country(actor: Any, filters: ActionFilters | None = None) -> list[dict[str, Any]]:
    """The map: per country (a root of the tree) the number of actions, of partners and of
    beneficiaries reached, with the country's ISO numeric code. Two queries: the countries
    and one grouped count."""
    filters = filters or ActionFilters()
    grouped = {
        row["country"]: row
        for row in actions_visible(actor)
        .filter(filters.q())
        .values("country")
        .annotate(
            actions=Count("pk", distinct=True),
            partners=Count("partner", distinct=True),
            reached_total=Sum("reached"),
        )
        .order_by()
    }
    out = []
    for country in OrgUnit.objects.filter(depth=1).order_by("code"):
        row = grouped.get(country.pk, {})
        out.append(
            {
                "pk": country.pk,
                "code": country.code,
                "numeric": iso_numeric(country.code),
                "name": country.name,
                "actions": row.get("actions", 0),
                "partners": row.get("partners", 0),
                "reached": row.get("reached_total") or 0,
            }
        )
    return out


def action_partners(actor: Any) -> QuerySet[Partner]:
    """The partners that have actions, for the filter."""
    return Partner.objects.filter(pk__in=actions_visible(actor).values("partner")).order_by(
        "name_fr"
    )
