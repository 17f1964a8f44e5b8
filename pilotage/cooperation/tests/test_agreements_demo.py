"""The agreements' demo step runs on the partners and programmes of the cooperation step
and leaves readable PDFs, obligations and an amendment."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from pilotage.cooperation.models import Agreement, OrganisationRole
from pilotage.cooperation.tests.factories import PartnerFactory, ProgrammeFactory
from pilotage.demo.context import SCALES, Context
from pilotage.demo.coop_agreements import create_agreements

pytestmark = pytest.mark.django_db


def test_demo_agreements(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    PartnerFactory(code="unesco", name_fr="UNESCO")
    PartnerFactory(code="afd", name_fr="AFD")
    ProgrammeFactory(code="imagine")
    ProgrammeFactory(code="sud-sud-fp")
    create_agreements(Context(scale=SCALES["small"], seed=1))
    imagine = Agreement.objects.get(reference="CONV-UNESCO-IMG-2024")
    roles = {(p.partner.code, p.role) for p in imagine.parties.select_related("partner")}
    assert roles == {
        ("unesco", OrganisationRole.FUNDING),
        ("agence", OrganisationRole.IMPLEMENTING),
    }
    assert imagine.obligations.count() == 5
    assert imagine.amendments.get().changes["ends_on"] == ["2027-12-31", "2028-06-30"]
    for document in imagine.documents.all():
        with document.file.open("rb") as handle:
            assert len(PdfReader(io.BytesIO(handle.read())).pages) == 1
    assert Agreement.objects.filter(reference="PROT-AFD-SSFP-2025", currency="MAD").exists()
