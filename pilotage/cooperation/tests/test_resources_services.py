"""The resources bank, print runs and distributions: checks by content, quantities that
never run ahead of the step before, reach, and the totals per country and region."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from pilotage.cooperation.models import Distribution, EducationalResource, PrintRun
from pilotage.cooperation.selectors.resources import print_totals, resources_search
from pilotage.cooperation.services.resources import (
    distribution_add,
    distribution_confirm,
    print_run_create,
    print_run_update,
    resource_create,
)
from pilotage.core.models import AuditEntry
from pilotage.orgunits.tests.factories import make_unit

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def new_resource(actor, programme, **kw):
    fields = {
        "title_fr": "Guide de lecture CP",
        "kind": "document",
        "level": "primary",
        "subject": "Lecture",
        "language": "fr",
        "licence": "CC-BY",
    }
    fields.update(kw)
    upload = fields.pop("upload", SimpleUploadedFile("guide.pdf", PDF))
    return resource_create(actor=actor, programme=programme, upload=upload, **fields)


def test_a_pdf_is_stored_and_a_disguised_file_refused(coop, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    resource = new_resource(coop.coordinator_sn, coop.imagine)
    assert resource.content_type == "application/pdf" and resource.file
    with pytest.raises(ValidationError) as exc:
        new_resource(
            coop.coordinator_sn,
            coop.imagine,
            upload=SimpleUploadedFile("video.mp4", b"MZ\x90\x00 not a video at all"),
        )
    assert "file" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        new_resource(coop.coordinator_sn, coop.imagine, language="xx", url="https://e.org/r")
    assert "language" in exc.value.message_dict
    assert EducationalResource.objects.count() == 1


def test_a_too_large_file_is_refused(coop, settings):
    settings.PILOTAGE_RESOURCE_MAX_BYTES = 10
    with pytest.raises(ValidationError):
        new_resource(coop.coordinator_sn, coop.imagine)
    assert EducationalResource.objects.count() == 0


def test_an_outsider_cannot_add_a_resource(coop):
    audits = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        new_resource(coop.manager_b, coop.imagine, upload=None, url="https://e.org/r")
    with pytest.raises(PermissionDenied):
        new_resource(coop.partner_user, coop.imagine, upload=None, url="https://e.org/r")
    assert EducationalResource.objects.count() == 0 and AuditEntry.objects.count() == audits


def test_search_by_level_language_and_licence(coop):
    new_resource(coop.manager, coop.imagine, upload=None, url="https://e.org/a")
    new_resource(
        coop.manager,
        coop.imagine,
        upload=None,
        url="https://e.org/b",
        title_fr="Mathématiques 6e",
        level="lower_secondary",
        language="ar",
        licence="PD",
    )
    assert [
        r.title_fr for r in resources_search(coop.coordinator_sn, coop.imagine, language="ar")
    ] == ["Mathématiques 6e"]
    assert resources_search(coop.coordinator_sn, coop.imagine, level="primary").count() == 1
    assert resources_search(coop.coordinator_sn, coop.imagine, licence="CC-BY-SA").count() == 0
    assert resources_search(coop.manager_b, coop.other).count() == 0


def test_quantities_refused_with_a_clear_message(coop):
    resource = new_resource(coop.manager, coop.imagine, upload=None, url="https://e.org/a")
    with pytest.raises(ValidationError) as exc:
        print_run_create(
            actor=coop.coordinator_sn,
            programme=coop.imagine,
            resource=resource,
            country=coop.senegal,
            planned=1000,
            printed=800,
            delivered=900,
            confirmed=950,
        )
    errors = exc.value.message_dict
    assert "900 exemplaires livrés pour 800 imprimés" in errors["delivered"][0]
    assert "950 exemplaires reçus confirmés pour 900 livrés" in errors["confirmed"][0]
    # Printed beyond plan is allowed (a reprint): planned ≥ printed is not a rule.
    run = print_run_create(
        actor=coop.coordinator_sn,
        programme=coop.imagine,
        resource=resource,
        country=coop.senegal,
        planned=1000,
        printed=1200,
    )
    assert PrintRun.objects.get() == run


def test_a_coordinator_records_print_runs_of_their_country_only(coop):
    resource = new_resource(coop.manager, coop.imagine, upload=None, url="https://e.org/a")
    audits = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        print_run_create(
            actor=coop.coordinator_ml,
            programme=coop.imagine,
            resource=resource,
            country=coop.senegal,
            planned=10,
        )
    assert PrintRun.objects.count() == 0 and AuditEntry.objects.count() == audits


def test_distributions_fill_the_run_and_never_exceed_it(coop):
    thies = make_unit(coop.senegal, code="SN-TH", name_fr="Thiès")
    coop.senegal.refresh_from_db()
    coop.dakar.refresh_from_db()
    resource = new_resource(coop.manager, coop.imagine, upload=None, url="https://e.org/a")
    run = print_run_create(
        actor=coop.coordinator_sn,
        programme=coop.imagine,
        resource=resource,
        country=coop.senegal,
        planned=1000,
        printed=1000,
    )
    day = dt.date(2026, 4, 1)
    d1 = distribution_add(
        actor=coop.coordinator_sn, run=run, destination=coop.dakar, quantity=600, delivered_on=day
    )
    distribution_add(
        actor=coop.coordinator_sn, run=run, destination=thies, quantity=400, delivered_on=day
    )
    with pytest.raises(ValidationError):
        distribution_add(
            actor=coop.coordinator_sn, run=run, destination=thies, quantity=1, delivered_on=day
        )
    with pytest.raises(ValidationError):
        distribution_add(
            actor=coop.coordinator_sn,
            run=run,
            destination=coop.bamako,
            quantity=1,
            delivered_on=day,
        )
    assert Distribution.objects.count() == 2
    with pytest.raises(ValidationError):
        distribution_confirm(actor=coop.coordinator_sn, distribution=d1, quantity=601, on=day)
    with pytest.raises(PermissionDenied):
        distribution_confirm(actor=coop.coordinator_ml, distribution=d1, quantity=600, on=day)
    distribution_confirm(actor=coop.coordinator_sn, distribution=d1, quantity=590, on=day)
    run.refresh_from_db()
    assert (run.delivered, run.confirmed) == (1000, 590)
    with pytest.raises(ValidationError):
        print_run_update(actor=coop.coordinator_sn, run=run, version=run.version, delivered=5)


def test_worked_example_totals_per_country_and_region(coop):
    """The issue's "60 000 resources printed and distributed": three runs, SN national
    (30 000 printed), SN at Dakar (20 000), ML (10 000) → 60 000 printed in all; SN's
    row sums its two runs, Dakar's row its own."""
    resource = new_resource(coop.manager, coop.imagine, upload=None, url="https://e.org/a")
    for country, sub, planned, printed, delivered, confirmed in (
        (coop.senegal, None, 30000, 30000, 28000, 25000),
        (coop.senegal, coop.dakar, 20000, 20000, 20000, 19000),
        (coop.mali, None, 12000, 10000, 9000, 0),
    ):
        print_run_create(
            actor=coop.manager,
            programme=coop.imagine,
            resource=resource,
            country=country,
            subdivision=sub,
            planned=planned,
            printed=printed,
            delivered=delivered,
            confirmed=confirmed,
        )
    rows = print_totals(coop.manager, coop.imagine)
    table = [
        (
            r.country.code,
            r.region.code if r.region else None,
            r.planned,
            r.printed,
            r.delivered,
            r.confirmed,
        )
        for r in rows
    ]
    assert table == [
        ("ML", None, 12000, 10000, 9000, 0),
        ("SN", None, 50000, 50000, 48000, 44000),
        ("SN", "SN-DK", 20000, 20000, 20000, 19000),
    ]
    assert sum(r.printed for r in rows if r.region is None) == 60000
    assert [r.country.code for r in print_totals(coop.coordinator_sn, coop.imagine)] == ["SN", "SN"]
    assert print_totals(coop.manager_b, coop.imagine) == []
    assert [r.country.code for r in print_totals(coop.head, coop.imagine, country=coop.mali)] == [
        "ML"
    ]
