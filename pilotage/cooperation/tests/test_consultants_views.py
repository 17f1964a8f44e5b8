"""The consultant pages: a consultant reaches only their own contract, deliverables and
files; the managers review through the page; the registry and "to review" lists."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pilotage.cooperation.models import (
    Consultant,
    ConsultantScope,
    DeliverableStatus,
    DeliverableVersion,
    Review,
)
from pilotage.cooperation.services.consultants import deliverable_submit
from pilotage.cooperation.tests.workplans_support import hire_build, pdf_upload, plan_build
from pilotage.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_consultant_sees_only_their_own(client, coop):
    hire = hire_build(coop)
    plan_build(coop)
    client.force_login(coop.consultant)
    page = client.get(reverse("cooperation:consultant-space")).content.decode()
    assert "IMG-2026-01" in page and "OTH-2026-01" not in page
    page = client.get(reverse("cooperation:contract", args=[hire.contract.pk])).content.decode()
    assert "Rapport de démarrage" in page and "Activité A1" in page and "Activité A2" not in page
    other = deliverable_submit(
        actor=hire.other_user, deliverable=hire.other_deliverable, upload=pdf_upload()
    )
    for url in (
        reverse("cooperation:contract", args=[hire.other_contract.pk]),
        reverse("cooperation:deliverable", args=[hire.other_deliverable.pk]),
        reverse("cooperation:deliverable-file", args=[other.pk]),
        reverse("cooperation:consultants"),
        reverse("cooperation:to-review"),
        reverse("cooperation:workplan", args=[coop.imagine.pk]),
    ):
        assert client.get(url).status_code == 404, url
    # The other programme's manager, a coordinator and a partner do not reach the file.
    mine = deliverable_submit(
        actor=coop.consultant, deliverable=hire.deliverable, upload=pdf_upload()
    )
    for outsider in (coop.manager_b, coop.coordinator_sn, coop.partner_user):
        client.force_login(outsider)
        assert (
            client.get(reverse("cooperation:deliverable-file", args=[mine.pk])).status_code == 404
        )
    client.force_login(coop.manager)
    response = client.get(reverse("cooperation:deliverable-file", args=[mine.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


def test_submit_and_review_through_the_pages(client, coop):
    hire = hire_build(coop)
    url = reverse("cooperation:deliverable", args=[hire.deliverable.pk])
    client.force_login(coop.consultant)
    bad = client.post(url, {"form": "version", "file": _named(b"<html>", "x.pdf")})
    assert bad.status_code == 200 and "ne correspond pas" in bad.content.decode()
    assert (
        client.post(url, {"form": "version", "file": pdf_upload(), "note": "v1"}).status_code == 302
    )
    # The consultant cannot review their own work.
    before = (Review.objects.count(), AuditEntry.objects.count())
    assert client.post(url, {"form": "review", "decision": "validate"}).status_code == 404
    assert (Review.objects.count(), AuditEntry.objects.count()) == before
    client.force_login(coop.manager_b)
    assert client.post(url, {"form": "review", "decision": "validate"}).status_code == 404
    client.force_login(coop.manager)
    empty = client.post(url, {"form": "review", "decision": "reject", "comment": ""})
    assert "motif du rejet" in empty.content.decode()
    response = client.post(url, {"form": "review", "decision": "reject", "comment": "Incomplet"})
    assert response.status_code == 302
    hire.deliverable.refresh_from_db()
    assert hire.deliverable.status == DeliverableStatus.REJECTED
    client.force_login(coop.consultant)
    assert client.post(url, {"form": "version", "file": pdf_upload("v2.pdf")}).status_code == 302
    assert DeliverableVersion.objects.filter(deliverable=hire.deliverable).count() == 2
    page = client.get(url).content.decode()
    assert "Incomplet" in page and "Version 2" in page


def _named(content, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_to_review_and_home_cards(client, coop):
    hire = hire_build(coop)
    deliverable_submit(actor=coop.consultant, deliverable=hire.deliverable, upload=pdf_upload())
    client.force_login(coop.manager)
    page = client.get(reverse("cooperation:to-review")).content.decode()
    assert "Rapport de démarrage" in page and "Étude finale" not in page
    assert 'id="home-to-review"' in client.get("/").content.decode()
    client.force_login(coop.manager_b)
    assert (
        "Rapport de démarrage" not in client.get(reverse("cooperation:to-review")).content.decode()
    )
    client.force_login(hire.other_user)
    home = client.get("/").content.decode()
    assert 'id="home-deliverables-due"' in home and "Étude finale" in home
    assert "Rapport de démarrage" not in home


def test_consultants_list_query_count_does_not_grow(client, coop, django_assert_max_num_queries):
    from pilotage.conftest import _person
    from pilotage.cooperation.roles import CONSULTANT

    hire_build(coop)
    for i in range(10):
        user = _person(f"consultant.{i}", CONSULTANT, coop.senegal)
        Consultant.objects.create(user=user, scope=ConsultantScope.NATIONAL, country=coop.senegal)
    client.force_login(coop.manager)
    # session, user, role assignments (scope), count (paginator), consultants with their
    # user, country, partner and contract count, menu/home lookups of the base template.
    with django_assert_max_num_queries(9):
        response = client.get(reverse("cooperation:consultants"))
    assert response.content.decode().count('id="consultant-') == 11  # not the other programme's
