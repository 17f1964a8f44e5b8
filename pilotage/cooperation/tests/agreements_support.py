"""Builders shared by the agreements tests: a real one-page PDF and an agreement with
its parties, written straight to the tables (the services are what the tests test)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from pilotage.cooperation.models import (
    Agreement,
    AgreementKind,
    AgreementParty,
    OrganisationRole,
    Partner,
    Programme,
)


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _i in range(pages):
        writer.add_blank_page(width=72, height=72)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_upload(name: str = "convention.pdf", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes() if data is None else data, "application/pdf")


def make_agreement(
    programme: Programme | None,
    reference: str,
    parties: list[tuple[Partner, str]] = (),  # type: ignore[assignment]
    **kw: Any,
) -> Agreement:
    fields: dict[str, Any] = {
        "title_fr": f"Convention {reference}",
        "title_en": f"Agreement {reference}",
        "kind": AgreementKind.CONVENTION,
        "signed_on": dt.date(2025, 3, 1),
        "effective_on": dt.date(2025, 4, 1),
        "ends_on": dt.date(2027, 12, 31),
        "amount": Decimal("1500000.00"),
        "currency": "EUR",
        **kw,
    }
    agreement = Agreement.objects.create(programme=programme, reference=reference, **fields)
    for partner, role in parties:
        AgreementParty.objects.create(agreement=agreement, partner=partner, role=role)
    return agreement


FUNDING = OrganisationRole.FUNDING
IMPLEMENTING = OrganisationRole.IMPLEMENTING
