"""The resources pages: the bank, the checked download, the print runs and totals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pilotage.cooperation.models import Distribution, PrintRun
from pilotage.cooperation.services.resources import print_run_create
from pilotage.cooperation.tests.test_resources_services import PDF, new_resource
from pilotage.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


def test_the_bank_and_the_download_follow_the_programme(client, coop, media):
    resource = new_resource(coop.manager, coop.imagine)
    client.force_login(coop.coordinator_ml)
    page = client.get(
        reverse("cooperation:resources", args=[coop.imagine.pk]), {"level": "primary"}
    )
    assert "Guide de lecture CP" in page.content.decode()
    response = client.get(reverse("cooperation:resource-download", args=[resource.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert "attachment" in response["Content-Disposition"]
    client.force_login(coop.manager_b)
    assert (
        client.get(reverse("cooperation:resource-download", args=[resource.pk])).status_code == 404
    )
    assert client.get(reverse("cooperation:resources", args=[coop.imagine.pk])).status_code == 404


def test_a_resource_is_added_through_the_page(client, coop, media):
    client.force_login(coop.coordinator_sn)
    response = client.post(
        reverse("cooperation:resource-new", args=[coop.imagine.pk]),
        {
            "title_fr": "Fiches de calcul",
            "kind": "lesson",
            "level": "primary",
            "subject": "Mathématiques",
            "language": "fr",
            "licence": "CC-BY-SA",
            "upload": SimpleUploadedFile("fiches.pdf", PDF),
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("cooperation:resource-new", args=[coop.imagine.pk]),
        {
            "title_fr": "Faux PDF",
            "kind": "document",
            "level": "primary",
            "subject": "X",
            "language": "fr",
            "licence": "PD",
            "upload": SimpleUploadedFile("faux.pdf", b"<html>"),
        },
    )
    assert response.status_code == 200 and "ne correspond pas" in response.content.decode()


def test_print_runs_page_and_distribution_refusal(client, coop):
    resource = new_resource(coop.manager, coop.imagine, upload=None, url="https://e.org/a")
    run = print_run_create(
        actor=coop.manager,
        programme=coop.imagine,
        resource=resource,
        country=coop.senegal,
        planned=100,
        printed=100,
    )
    client.force_login(coop.coordinator_sn)
    page = client.get(reverse("cooperation:print-runs", args=[coop.imagine.pk])).content.decode()
    assert 'id="print-totals"' in page and f'id="run-{run.pk}"' in page
    url = reverse("cooperation:print-run", args=[coop.imagine.pk, run.pk])
    response = client.post(
        url,
        {
            "action": "distribute",
            "destination": coop.dakar.pk,
            "quantity": 150,
            "delivered_on": "2026-04-01",
        },
    )
    assert (
        response.status_code == 200
        and "150 exemplaires livrés pour 100" in response.content.decode()
    )
    assert Distribution.objects.count() == 0
    response = client.post(
        url,
        {
            "action": "distribute",
            "destination": coop.dakar.pk,
            "quantity": 80,
            "delivered_on": "2026-04-01",
        },
    )
    assert response.status_code == 302
    audits = AuditEntry.objects.filter(object_type__startswith="cooperation.").count()
    client.force_login(coop.coordinator_ml)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "edit", "planned": 1}).status_code == 404
    run.refresh_from_db()
    assert (
        run.delivered == 80
        and run.planned == 100
        and AuditEntry.objects.filter(object_type__startswith="cooperation.").count() == audits
    )


def test_print_runs_query_count_does_not_grow(client, coop, django_assert_max_num_queries):
    resource = new_resource(coop.manager, coop.imagine, upload=None, url="https://e.org/a")
    for i in range(6):
        print_run_create(
            actor=coop.manager,
            programme=coop.imagine,
            resource=resource,
            country=coop.senegal if i % 2 else coop.mali,
            planned=10 * i,
            printed=10 * i,
            ordered_on=dt.date(2026, 1, 1),
        )
    client.force_login(coop.manager)
    # session, user, role assignments (scope), programme, can_view_resources, count
    # (paginator), the runs with their resource and units, totals (one grouped query),
    # their units' names, the programme's projects and team, and whether a country is
    # left to record in (may the reader add a run?).
    with django_assert_max_num_queries(12):
        response = client.get(reverse("cooperation:print-runs", args=[coop.imagine.pk]))
    assert response.content.decode().count('id="run-') == 6
    assert PrintRun.objects.count() == 6
