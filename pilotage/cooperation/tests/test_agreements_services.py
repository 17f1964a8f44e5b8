"""Writing agreements: permission (denied paths change nothing), the signed rule, the
version column, PDF checked by content, obligations and their reporting, amendments."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from pilotage.cooperation.models import (
    Agreement,
    AgreementDocument,
    AgreementParty,
    AgreementStatus,
    Amendment,
    Obligation,
    ObligationKind,
    ObligationStatus,
)
from pilotage.cooperation.services.agreements import (
    agreement_create,
    agreement_document_add,
    agreement_party_add,
    agreement_party_remove,
    agreement_update,
    amendment_record,
    obligation_create,
    obligation_review,
    obligation_submit,
)
from pilotage.cooperation.services.common import Conflict
from pilotage.cooperation.tests.agreements_support import (
    FUNDING,
    IMPLEMENTING,
    make_agreement,
    pdf_bytes,
    pdf_upload,
)
from pilotage.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return (
        Agreement.objects.count(),
        AgreementParty.objects.count(),
        AgreementDocument.objects.count(),
        Obligation.objects.count(),
        Amendment.objects.count(),
        AuditEntry.objects.count(),
    )


FIELDS = {
    "reference": "CONV-2025-01",
    "title_fr": "Convention de financement ImaginEcole",
    "kind": "convention",
    "amount": Decimal("2000000.00"),
    "currency": "EUR",
}


def test_manager_creates_an_agreement_for_their_programme(coop):
    agreement = agreement_create(actor=coop.manager, programme=coop.imagine, **FIELDS)
    assert agreement.status == AgreementStatus.DRAFT
    entry = AuditEntry.objects.get(
        object_type="cooperation.agreement", object_id=str(agreement.pk), action="create"
    )
    assert entry.changes["reference"] == [None, "CONV-2025-01"]


@pytest.mark.parametrize("who", ["manager_b", "coordinator_sn", "finance", "partner_user"])
def test_others_cannot_create_an_agreement_and_nothing_changes(coop, who):
    before = _counts()
    with pytest.raises(PermissionDenied):
        agreement_create(actor=getattr(coop, who), programme=coop.imagine, **FIELDS)
    assert _counts() == before


def test_a_manager_needs_a_programme_the_head_does_not(coop):
    with pytest.raises(PermissionDenied):
        agreement_create(actor=coop.manager, programme=None, **FIELDS)
    assert agreement_create(actor=coop.head, programme=None, **FIELDS).programme is None


def test_signed_needs_a_signature_date_and_a_funding_party(coop):
    with pytest.raises(ValidationError) as exc:
        agreement_create(actor=coop.manager, programme=coop.imagine, status="signed", **FIELDS)
    assert "signed_on" in exc.value.message_dict
    agreement = agreement_create(actor=coop.manager, programme=coop.imagine, **FIELDS)
    agreement_party_add(
        actor=coop.manager, agreement=agreement, partner=coop.oif, role=IMPLEMENTING
    )
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        agreement_update(
            actor=coop.manager,
            agreement=agreement,
            version=1,
            status="signed",
            signed_on=dt.date(2025, 5, 2),
        )
    assert "financeur" in exc.value.message_dict["status"][0]
    assert _counts() == before
    funding = agreement_party_add(
        actor=coop.manager, agreement=agreement, partner=coop.unesco, role=FUNDING
    )
    agreement_update(
        actor=coop.manager,
        agreement=agreement,
        version=1,
        status="signed",
        signed_on=dt.date(2025, 5, 2),
    )
    # The last funding party of a signed agreement stays.
    before = _counts()
    with pytest.raises(ValidationError):
        agreement_party_remove(actor=coop.manager, party=funding)
    assert _counts() == before


def test_a_party_role_is_an_iati_role(coop):
    agreement = make_agreement(coop.imagine, "R-1")
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        agreement_party_add(actor=coop.manager, agreement=agreement, partner=coop.oif, role="9")
    assert "9" in exc.value.message_dict["role"][0]
    assert _counts() == before


def test_party_add_denied_to_the_partner_and_another_manager(coop):
    agreement = make_agreement(coop.imagine, "R-2", [(coop.unesco, FUNDING)])
    before = _counts()
    for actor in (coop.partner_user, coop.manager_b, coop.coordinator_sn):
        with pytest.raises(PermissionDenied):
            agreement_party_add(actor=actor, agreement=agreement, partner=coop.oif, role=FUNDING)
    assert _counts() == before


def test_update_with_a_stale_version_is_a_conflict(coop):
    agreement = make_agreement(coop.imagine, "R-3")
    agreement_update(actor=coop.manager, agreement=agreement, version=1, title_fr="Nouveau")
    before = _counts()
    with pytest.raises(Conflict):
        agreement_update(actor=coop.head, agreement=agreement, version=1, title_fr="Autre")
    assert _counts() == before
    agreement.refresh_from_db()
    assert (agreement.title_fr, agreement.version) == ("Nouveau", 2)


# --- documents ---


def test_a_real_pdf_is_stored_with_its_size_and_digest(coop):
    agreement = make_agreement(coop.imagine, "D-1")
    data = pdf_bytes()
    document = agreement_document_add(
        actor=coop.manager,
        agreement=agreement,
        title="Convention signée",
        upload=pdf_upload("../../Convention signée (v2).pdf", data),
    )
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.size == len(data)
    assert document.name == "Convention_signée_v2.pdf"
    assert "/" not in document.name and ".." not in document.file.name
    with document.file.open("rb") as handle:
        assert handle.read() == data


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("note.pdf", b"Hello, this is text", "n'est pas un PDF"),
        ("fake.pdf", b"%PDF-1.7\nnot really a pdf at all\n%%EOF", "lisible"),
        ("page.pdf", b"<html><script>alert(1)</script></html>", "n'est pas un PDF"),
    ],
)
def test_a_file_that_is_not_a_pdf_by_content_is_refused(coop, name, data, reason):
    agreement = make_agreement(coop.imagine, "D-2")
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        agreement_document_add(
            actor=coop.manager, agreement=agreement, title="x", upload=pdf_upload(name, data)
        )
    assert reason in exc.value.message_dict["file"][0]
    assert _counts() == before


def test_a_pdf_over_the_limit_is_refused(coop, settings):
    settings.PILOTAGE_AGREEMENT_DOCUMENT_MAX_BYTES = 100
    agreement = make_agreement(coop.imagine, "D-3")
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        agreement_document_add(
            actor=coop.manager, agreement=agreement, title="x", upload=pdf_upload()
        )
    assert "taille maximale" in exc.value.message_dict["file"][0]
    assert _counts() == before


def test_partner_cannot_add_a_document_to_the_agreement(coop):
    agreement = make_agreement(coop.imagine, "D-4", [(coop.unesco, FUNDING)])
    before = _counts()
    with pytest.raises(PermissionDenied):
        agreement_document_add(
            actor=coop.partner_user, agreement=agreement, title="x", upload=pdf_upload()
        )
    assert _counts() == before


# --- obligations ---


def _obligation(coop, agreement, party=None, **kw):
    return obligation_create(
        actor=coop.manager,
        agreement=agreement,
        kind=kw.pop("kind", ObligationKind.NARRATIVE_REPORT),
        title=kw.pop("title", "Rapport narratif annuel 2025"),
        due_on=kw.pop("due_on", dt.date(2026, 3, 31)),
        responsible_party=party,
        **kw,
    )


def test_the_responsible_party_must_be_a_party(coop):
    agreement = make_agreement(coop.imagine, "O-1", [(coop.unesco, FUNDING)])
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        _obligation(coop, agreement, coop.oif)
    assert "partie à l'accord" in exc.value.message_dict["responsible_party"][0]
    with pytest.raises(ValidationError):
        _obligation(coop, agreement, None)  # neither a party nor an owner
    with pytest.raises(ValidationError):
        _obligation(coop, agreement, coop.unesco, reminder_days=[400])
    assert _counts() == before
    obligation = _obligation(coop, agreement, coop.unesco, reminder_days=[7, 30, 7])
    assert obligation.reminder_days == [30, 7]


def test_partner_hands_in_their_report_and_the_manager_accepts_it(coop):
    agreement = make_agreement(coop.imagine, "O-2", [(coop.unesco, FUNDING)])
    obligation = _obligation(coop, agreement, coop.unesco)
    submitted = obligation_submit(
        actor=coop.partner_user, obligation=obligation, upload=pdf_upload("rapport.pdf")
    )
    assert submitted.status == ObligationStatus.SUBMITTED
    assert submitted.document.agreement == agreement
    assert submitted.submitted_by == coop.partner_user
    before = _counts()
    with pytest.raises(PermissionDenied):
        obligation_review(
            actor=coop.partner_user, obligation=obligation, version=None, status="accepted"
        )
    assert _counts() == before
    accepted = obligation_review(
        actor=coop.manager, obligation=obligation, version=submitted.version, status="accepted"
    )
    assert accepted.status == ObligationStatus.ACCEPTED
    with pytest.raises(ValidationError):
        obligation_submit(actor=coop.partner_user, obligation=obligation, upload=pdf_upload())


def test_partner_cannot_hand_in_another_partys_obligation(coop):
    agreement = make_agreement(
        coop.imagine, "O-3", [(coop.unesco, FUNDING), (coop.oif, IMPLEMENTING)]
    )
    theirs = _obligation(coop, agreement, coop.oif)
    ours = _obligation(coop, agreement, None, owner=coop.manager)
    other = make_agreement(coop.other, "O-4", [(coop.oif, FUNDING)])
    elsewhere = obligation_create(
        actor=coop.manager_b,
        agreement=other,
        kind="audit",
        title="Audit",
        due_on=dt.date(2026, 1, 1),
        responsible_party=coop.oif,
    )
    before = _counts()
    for obligation in (theirs, ours, elsewhere):
        with pytest.raises(PermissionDenied):
            obligation_submit(actor=coop.partner_user, obligation=obligation, upload=pdf_upload())
    assert _counts() == before
    assert Obligation.objects.filter(status="pending").count() == 3


# --- amendments ---


def test_an_amendment_applies_its_changes_and_keeps_them(coop):
    agreement = make_agreement(coop.imagine, "A-1", [(coop.unesco, FUNDING)])
    amendment = amendment_record(
        actor=coop.manager,
        agreement=agreement,
        version=1,
        signed_on=dt.date(2026, 6, 15),
        signed_by="A. Diop (UNESCO), M. Alaoui (Agence)",
        summary="Prolongation d'un an et abondement",
        ends_on=dt.date(2028, 12, 31),
        amount=Decimal("1800000.00"),
    )
    agreement.refresh_from_db()
    assert agreement.ends_on == dt.date(2028, 12, 31)
    assert agreement.amount == Decimal("1800000.00")
    assert agreement.version == 2
    assert amendment.number == 1
    assert amendment.changes == {
        "ends_on": ["2027-12-31", "2028-12-31"],
        "amount": ["1500000.00", "1800000.00"],
    }
    entry = AuditEntry.objects.get(action="amendment_record")
    assert entry.changes["ends_on"] == ["2027-12-31", "2028-12-31"]
    assert entry.changes["amendment"] == [None, 1]
    second = amendment_record(
        actor=coop.head,
        agreement=agreement,
        version=2,
        signed_on=dt.date(2027, 1, 10),
        signed_by="X",
        summary="Devise",
        currency="USD",
    )
    assert second.number == 2 and second.changes == {"currency": ["EUR", "USD"]}


def test_amendment_denied_or_stale_changes_nothing(coop):
    agreement = make_agreement(coop.imagine, "A-2")
    before = _counts()
    kwargs = {
        "agreement": agreement,
        "signed_on": dt.date(2026, 6, 15),
        "signed_by": "X",
        "summary": "Y",
        "ends_on": dt.date(2029, 1, 1),
    }
    for actor in (coop.manager_b, coop.partner_user, coop.coordinator_sn, coop.finance):
        with pytest.raises(PermissionDenied):
            amendment_record(actor=actor, version=1, **kwargs)
    with pytest.raises(Conflict):
        amendment_record(actor=coop.manager, version=7, **kwargs)
    with pytest.raises(ValidationError):  # before the agreement's own signature
        amendment_record(
            actor=coop.manager, version=1, **{**kwargs, "signed_on": dt.date(2020, 1, 1)}
        )
    with pytest.raises(ValidationError):  # ends before it takes effect: nothing applied
        amendment_record(
            actor=coop.manager, version=1, **{**kwargs, "ends_on": dt.date(2024, 1, 1)}
        )
    assert _counts() == before
    agreement.refresh_from_db()
    assert agreement.ends_on == dt.date(2027, 12, 31) and agreement.version == 1
