"""Deliverables submitted in versions, reviewed, rejected and resubmitted, validated for
good; files checked by their content; activity reports read and approved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from pilotage.cooperation.models import (
    ActivityReport,
    DeliverableStatus,
    DeliverableVersion,
    ReportStatus,
    Review,
    ReviewDecision,
)
from pilotage.cooperation.services.consultants import (
    activity_report_review,
    activity_report_submit,
    deliverable_create,
    deliverable_reject,
    deliverable_review,
    deliverable_submit,
    deliverable_validate,
)
from pilotage.cooperation.tests.workplans_support import (
    docx_upload,
    hire_build,
    pdf_upload,
    zip_bytes,
)
from pilotage.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _counts():
    return (
        DeliverableVersion.objects.count(),
        Review.objects.count(),
        ActivityReport.objects.count(),
        AuditEntry.objects.count(),
    )


def test_the_full_cycle_reject_resubmit_validate(coop):
    hire = hire_build(coop)
    d = hire.deliverable
    v1 = deliverable_submit(actor=coop.consultant, deliverable=d, upload=pdf_upload(), note="v1")
    d.refresh_from_db()
    assert (v1.number, d.status, v1.content_type) == (
        1,
        DeliverableStatus.SUBMITTED,
        "application/pdf",
    )
    assert v1.file.read().startswith(b"%PDF-")
    deliverable_review(
        actor=coop.manager, version=v1, decision=ReviewDecision.COMMENT, comment="Voir p. 3"
    )
    d.refresh_from_db()
    assert d.status == DeliverableStatus.UNDER_REVIEW
    deliverable_reject(actor=coop.manager, version=v1, comment="Manque le calendrier")
    d.refresh_from_db()
    assert d.status == DeliverableStatus.REJECTED
    v2 = deliverable_submit(actor=coop.consultant, deliverable=d, upload=docx_upload())
    assert v2.number == 2
    with pytest.raises(ValidationError):  # only the latest version is reviewed
        deliverable_validate(actor=coop.manager, version=v1)
    deliverable_validate(actor=coop.manager, version=v2, comment="Merci")
    d.refresh_from_db()
    assert d.status == DeliverableStatus.VALIDATED
    # Validated is final: no new version, no new review.
    before = _counts()
    with pytest.raises(ValidationError):
        deliverable_submit(actor=coop.consultant, deliverable=d, upload=pdf_upload())
    with pytest.raises(ValidationError):
        deliverable_reject(actor=coop.manager, version=v2, comment="Finalement non")
    assert _counts() == before
    actions = list(
        AuditEntry.objects.filter(object_type="cooperation.deliverable", object_id=str(d.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "deliverable_submit",
        *["deliverable_review"] * 2,
        "deliverable_submit",
        "deliverable_review",
    ]


def test_a_rejection_or_a_comment_needs_words(coop):
    hire = hire_build(coop)
    v1 = deliverable_submit(
        actor=coop.consultant, deliverable=hire.deliverable, upload=pdf_upload()
    )
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        deliverable_reject(actor=coop.manager, version=v1, comment="  ")
    assert "comment" in refused.value.message_dict
    assert _counts() == before


def test_only_the_contracts_consultant_submits_and_only_its_managers_review(coop):
    hire = hire_build(coop)
    before = _counts()
    for outsider in (hire.other_user, coop.manager, coop.coordinator_sn):
        with pytest.raises(PermissionDenied):
            deliverable_submit(actor=outsider, deliverable=hire.deliverable, upload=pdf_upload())
    assert _counts() == before
    v1 = deliverable_submit(
        actor=coop.consultant, deliverable=hire.deliverable, upload=pdf_upload()
    )
    before = _counts()
    for outsider in (coop.manager_b, coop.consultant, coop.coordinator_sn, coop.finance):
        with pytest.raises(PermissionDenied):
            deliverable_validate(actor=outsider, version=v1)
    with pytest.raises(PermissionDenied):
        deliverable_create(
            actor=coop.manager_b, contract=hire.contract, title="X", due_date=dt.date(2026, 5, 1)
        )
    assert _counts() == before
    hire.deliverable.refresh_from_db()
    assert hire.deliverable.status == DeliverableStatus.SUBMITTED
    deliverable_validate(actor=coop.head, version=v1)  # the head reviews every programme


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("virus.exe", b"MZ\x90\x00", "type refusé"),
        ("faux.pdf", b"<html>not a pdf</html>", "ne correspond pas"),
        ("tableau.docx", zip_bytes("xl/workbook.xml"), "pas un document .docx lisible"),
        ("casse.xlsx", b"PK\x03\x04garbage", "pas un document .xlsx lisible"),
    ],
)
def test_files_are_checked_by_content(coop, name, content, reason):
    hire = hire_build(coop)
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        deliverable_submit(
            actor=coop.consultant,
            deliverable=hire.deliverable,
            upload=SimpleUploadedFile(name, content),
        )
    message = " ".join(refused.value.message_dict["file"])
    assert name in message and reason in message
    assert _counts() == before
    hire.deliverable.refresh_from_db()
    assert hire.deliverable.status == DeliverableStatus.PENDING


def test_the_size_limit(coop, settings):
    settings.PILOTAGE_DELIVERABLE_MAX_BYTES = 10
    hire = hire_build(coop)
    with pytest.raises(ValidationError) as refused:
        deliverable_submit(actor=coop.consultant, deliverable=hire.deliverable, upload=pdf_upload())
    assert "taille maximale" in refused.value.message_dict["file"][0]
    assert not DeliverableVersion.objects.exists()


def test_activity_reports_are_read_and_approved_or_returned(coop):
    hire = hire_build(coop)
    report = activity_report_submit(
        actor=coop.consultant,
        contract=hire.contract,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 1, 31),
        text="Ateliers tenus à Dakar.",
    )
    before = _counts()
    with pytest.raises(PermissionDenied):
        activity_report_review(actor=coop.manager_b, report=report, approve=True)
    with pytest.raises(ValidationError):  # returned needs a reason
        activity_report_review(actor=coop.manager, report=report, approve=False)
    with pytest.raises(PermissionDenied):
        activity_report_submit(
            actor=hire.other_user,
            contract=hire.contract,
            period_start=dt.date(2026, 2, 1),
            period_end=dt.date(2026, 2, 28),
            text="x",
        )
    assert _counts() == before
    done = activity_report_review(actor=coop.manager, report=report, approve=True)
    assert (done.status, done.reviewed_by) == (ReportStatus.APPROVED, coop.manager)
    with pytest.raises(ValidationError):
        activity_report_review(actor=coop.manager, report=report, approve=False, comment="x")
