"""factory_boy factories and builders for the cooperation tests."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import factory

from pilotage.cooperation.models import (
    ActivityStatus,
    OrganisationType,
    Partner,
    PartnerKind,
    Programme,
    ProgrammeCountry,
    Project,
)
from pilotage.orgunits.models import OrgUnit

_counter = itertools.count(1)


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    code = factory.Sequence(lambda n: f"partner-{n}")
    name_fr = factory.Sequence(lambda n: f"Partenaire {n}")
    kind = PartnerKind.MULTILATERAL_DONOR
    iati_type = OrganisationType.MULTILATERAL


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    code = factory.Sequence(lambda n: f"prog-{n}")
    title_fr = factory.Sequence(lambda n: f"Programme {n}")
    title_en = factory.Sequence(lambda n: f"Programme {n}")
    status = ActivityStatus.IMPLEMENTATION
    start_date = dt.date(2025, 1, 1)
    end_date = dt.date(2028, 12, 31)
    default_currency = "EUR"


def programme_with_countries(countries: list[OrgUnit], **kw: Any) -> Programme:
    """A programme covering ``countries`` in equal shares (the last takes the remainder),
    with a project per country."""
    programme = ProgrammeFactory(**kw)
    share = (Decimal(100) / len(countries)).quantize(Decimal("0.01"))
    for i, country in enumerate(countries):
        pct = share if i < len(countries) - 1 else Decimal(100) - share * (len(countries) - 1)
        ProgrammeCountry.objects.create(programme=programme, country=country, percentage=pct)
        Project.objects.create(
            programme=programme,
            code=f"{programme.code}-{country.code.lower()}",
            title_fr=f"{programme.title_fr} — {country.name_fr}",
            title_en=f"{programme.title_en} — {country.name_fr}",
            country=country,
            status=ActivityStatus.IMPLEMENTATION,
            start_date=programme.start_date,
            end_date=programme.end_date,
            default_currency=programme.default_currency,
        )
    return programme
