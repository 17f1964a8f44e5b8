"""Demo data of the agreements: the ImaginEcole financing convention between UNESCO
(funding) and the agency (implementing), with its signed PDF, its obligations (reports,
counterpart, audit) and an amendment that extended it; and a South-South protocol with
AFD. Written after the ``cooperation`` step, which made the partners and programmes."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone
from pypdf import PdfWriter

from pilotage.cooperation.models import (
    Agreement,
    AgreementDocument,
    AgreementKind,
    AgreementParty,
    AgreementStatus,
    Amendment,
    Obligation,
    ObligationKind,
    ObligationStatus,
    OrganisationRole,
    OrganisationType,
    Partner,
    PartnerKind,
    Programme,
)
from pilotage.core.audit import SEED, audit_record
from pilotage.demo.context import Context

AGENCY = "agence"


def _pdf(title: str) -> bytes:
    """A one-page A4 PDF carrying the title in its metadata (enough to be a real file)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _document(agreement: Agreement, title: str, name: str) -> AgreementDocument:
    data = _pdf(title)
    document = AgreementDocument(
        agreement=agreement,
        title=title,
        name=name,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    document.file.save(name, ContentFile(data), save=False)
    document.save()
    return document


def _agreement(
    programme: Programme | None,
    parties: list[tuple[Partner, str]],
    **fields: object,
) -> Agreement:
    agreement = Agreement.objects.create(programme=programme, **fields)
    AgreementParty.objects.bulk_create(
        AgreementParty(agreement=agreement, partner=p, role=r) for p, r in parties
    )
    audit_record(
        actor=None, action=SEED, obj=agreement, changes={"seed": [None, agreement.reference]}
    )
    return agreement


def create_agreements(ctx: Context) -> None:
    from pilotage.accounts.models import User

    ctx.progress.total(2)
    agency, _created = Partner.objects.get_or_create(
        code=AGENCY,
        defaults={
            "name_fr": "Agence marocaine de coopération internationale",
            "name_en": "Moroccan Agency for International Cooperation",
            "acronym": "AMCI",
            "kind": PartnerKind.AGENCY,
            "iati_type": OrganisationType.GOVERNMENT,
            "country": "MA",
        },
    )
    partners = {p.code: p for p in Partner.objects.filter(code__in=("unesco", "afd"))}
    programmes = {p.code: p for p in Programme.objects.filter(code__in=("imagine", "sud-sud-fp"))}
    manager = User.objects.filter(username="coop.programme").first()

    imagine = _agreement(
        programmes.get("imagine"),
        [(partners["unesco"], OrganisationRole.FUNDING), (agency, OrganisationRole.IMPLEMENTING)],
        reference="CONV-UNESCO-IMG-2024",
        title_fr="Convention de financement ImaginEcole",
        title_en="ImaginEcole financing agreement",
        kind=AgreementKind.CONVENTION,
        status=AgreementStatus.SIGNED,
        signed_on=dt.date(2024, 2, 15),
        effective_on=dt.date(2024, 3, 1),
        ends_on=dt.date(2028, 6, 30),
        amount=Decimal("4500000.00"),
        currency="EUR",
        version=2,
    )
    _document(imagine, "Convention signée", "convention_unesco_imaginecole.pdf")
    report_2024 = _document(imagine, "Rapport narratif 2024", "rapport_narratif_2024.pdf")
    today = timezone.localdate()
    Obligation.objects.bulk_create(
        [
            Obligation(
                agreement=imagine,
                kind=ObligationKind.NARRATIVE_REPORT,
                title="Rapport narratif 2024",
                due_on=dt.date(2025, 3, 31),
                owner=manager,
                status=ObligationStatus.ACCEPTED,
                document=report_2024,
            ),
            Obligation(
                agreement=imagine,
                kind=ObligationKind.NARRATIVE_REPORT,
                title="Rapport narratif annuel",
                due_on=today + dt.timedelta(days=25),
                owner=manager,
            ),
            Obligation(
                agreement=imagine,
                kind=ObligationKind.FINANCIAL_REPORT,
                title="Rapport financier annuel",
                due_on=today + dt.timedelta(days=40),
                owner=manager,
            ),
            Obligation(
                agreement=imagine,
                kind=ObligationKind.COUNTERPART,
                title="Contribution de contrepartie (locaux et personnel)",
                due_on=today + dt.timedelta(days=90),
                responsible_party=agency,
                owner=manager,
            ),
            Obligation(
                agreement=imagine,
                kind=ObligationKind.AUDIT,
                title="Audit externe à mi-parcours",
                due_on=dt.date(2026, 9, 30),
                responsible_party=partners["unesco"],
            ),
        ]
    )
    Amendment.objects.create(
        agreement=imagine,
        number=1,
        signed_on=dt.date(2025, 11, 20),
        signed_by="Représentant de l'UNESCO ; Directeur général de l'Agence",
        summary="Prolongation de six mois et abondement pour deux pays supplémentaires.",
        changes={"ends_on": ["2027-12-31", "2028-06-30"], "amount": ["4000000.00", "4500000.00"]},
        recorded_by=manager,
    )
    ctx.progress.advance(1, imagine.reference)

    south = _agreement(
        programmes.get("sud-sud-fp"),
        [(partners["afd"], OrganisationRole.FUNDING), (agency, OrganisationRole.IMPLEMENTING)],
        reference="PROT-AFD-SSFP-2025",
        title_fr="Protocole de coopération Sud-Sud en formation professionnelle",
        title_en="South-South vocational training protocol",
        kind=AgreementKind.PROTOCOL,
        status=AgreementStatus.SIGNED,
        signed_on=dt.date(2025, 1, 20),
        effective_on=dt.date(2025, 2, 1),
        ends_on=dt.date(2028, 12, 31),
        amount=Decimal("12000000.00"),
        currency="MAD",
    )
    _document(south, "Protocole signé", "protocole_afd_sud_sud.pdf")
    Obligation.objects.create(
        agreement=south,
        kind=ObligationKind.NO_OBJECTION,
        title="Demande de non-objection : plan de passation des marchés",
        due_on=today + dt.timedelta(days=7),
        owner=manager,
    )
    ctx.progress.advance(1, south.reference)
