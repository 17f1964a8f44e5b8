"""Reading the partners registry. The registry is the service's own: its staff read it
whole (``staff_sees_partners``); everyone else gets a 404."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from pilotage.cooperation.models import Partner
from pilotage.cooperation.permissions import staff_sees_partners


def partners_visible(actor: Any) -> QuerySet[Partner]:
    if not staff_sees_partners(actor):
        return Partner.objects.none()
    return Partner.objects.all()


def partners_list(
    actor: Any,
    *,
    kind: str = "",
    iati_type: str = "",
    country: str = "",
    search: str = "",
) -> QuerySet[Partner]:
    """The partners page: filtered, each with its counts of contacts, meetings and
    opportunities (one query with three counting subqueries, whatever the number of rows)."""
    qs = partners_visible(actor)
    if kind:
        qs = qs.filter(kind=kind)
    if iati_type:
        qs = qs.filter(iati_type=iati_type)
    if country:
        qs = qs.filter(country=country.upper())
    if search:
        term = search.strip()
        qs = qs.filter(
            Q(name_fr__icontains=term)
            | Q(name_ar__icontains=term)
            | Q(name_en__icontains=term)
            | Q(acronym__icontains=term)
            | Q(code__icontains=term)
        )
    return qs.annotate(
        contact_count=Count("contacts", distinct=True),
        meeting_count=Count("meetings", distinct=True),
        opportunity_count=Count("opportunities", distinct=True),
    ).order_by("name_fr", "pk")


def partner_countries(actor: Any) -> list[str]:
    """The countries partners are registered in, for the filter."""
    return list(
        partners_visible(actor)
        .exclude(country="")
        .values_list("country", flat=True)
        .distinct()
        .order_by("country")
    )


def partner_get(actor: Any, pk: int) -> Partner:
    partner = partners_visible(actor).filter(pk=pk).first()
    if partner is None:
        raise Http404
    return partner
