"""The cooperation programmes in the API: the programmes and projects the caller sees
(read-only; the same reach as the pages, ``permissions.py``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Prefetch
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from pilotage.cooperation.models import Programme, ProgrammeCountry, ProgrammeSector, Project
from pilotage.cooperation.selectors.programmes import programmes_visible, projects_visible
from pilotage.core.apischema import errors
from pilotage.core.pagination import Pages

router = Router(tags=["cooperation"])


class ShareOut(Schema):
    code: str
    percentage: Decimal


class ProgrammeOut(Schema):
    id: int
    code: str
    title_fr: str
    title_en: str
    status: str
    start_date: dt.date
    end_date: dt.date
    default_currency: str
    lead_partner: str | None
    countries: list[ShareOut]
    sectors: list[ShareOut]

    @staticmethod
    def resolve_lead_partner(obj: Programme) -> str | None:
        return obj.lead_partner.code if obj.lead_partner else None

    @staticmethod
    def resolve_countries(obj: Programme) -> list[ShareOut]:
        return [ShareOut(code=c.country.code, percentage=c.percentage) for c in obj.countries.all()]

    @staticmethod
    def resolve_sectors(obj: Programme) -> list[ShareOut]:
        return [ShareOut(code=s.code, percentage=s.percentage) for s in obj.sectors.all()]


class ProjectOut(Schema):
    id: int
    code: str
    programme: str
    title_fr: str
    title_en: str
    country: str | None
    status: str
    start_date: dt.date
    end_date: dt.date
    default_currency: str

    @staticmethod
    def resolve_programme(obj: Project) -> str:
        return obj.programme.code

    @staticmethod
    def resolve_country(obj: Project) -> str | None:
        return obj.country.code if obj.country else None


def _programmes(request: HttpRequest):
    return (
        programmes_visible(request.user)
        .select_related("lead_partner")
        .prefetch_related(
            Prefetch("countries", ProgrammeCountry.objects.select_related("country")),
            Prefetch("sectors", ProgrammeSector.objects.all()),
        )
        .order_by("code")
    )


@router.get("/programmes", response={200: list[ProgrammeOut]})
@paginate(Pages, page_size=100)
def list_programmes(request: HttpRequest):
    """The programmes the caller sees, with their countries and sectors (shares in %)."""
    return _programmes(request)


@router.get("/programmes/{code}", response={200: ProgrammeOut, **errors(404)})
def get_programme(request: HttpRequest, code: str):
    return get_object_or_404(_programmes(request), code=code)


@router.get("/projects", response={200: list[ProjectOut]})
@paginate(Pages, page_size=100)
def list_projects(request: HttpRequest, programme: str = "", country: str = ""):
    """The projects the caller sees (a country coordinator: their country's)."""
    qs = projects_visible(request.user).select_related("programme", "country").order_by("code")
    if programme:
        qs = qs.filter(programme__code=programme)
    if country:
        qs = qs.filter(country__code=country.upper())
    return qs
