"""The programme's IATI page and download: who opens them, the rules report when the
export is blocked, the file when it is not."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from pilotage.cooperation.iati.common import schema_errors
from pilotage.cooperation.models import ProgrammeSector
from pilotage.cooperation.tests.test_iati_export import with_money
from pilotage.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def urls(programme):
    return (
        reverse("cooperation:programme-iati", args=[programme.pk]),
        reverse("cooperation:programme-iati-download", args=[programme.pk]),
    )


def test_the_manager_downloads_a_valid_file(client, coop):
    with_money(coop)
    client.force_login(coop.manager)
    page, download = urls(coop.imagine)
    text = client.get(page).content.decode()
    assert 'id="iati-download"' in text and "3 activités" in text
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="iati-imagine.xml"'
    data = b"".join(response.streaming_content)
    assert schema_errors(io.BytesIO(data)) == []
    assert b"XX-DEMO-MEN-imagine-sn" in data and b"XX-DEMO-MEN-other" not in data


def test_the_tab_shows_for_the_manager_only(client, coop):
    page, _download = urls(coop.imagine)
    client.force_login(coop.manager)
    overview = client.get(reverse("cooperation:programme", args=[coop.imagine.pk]))
    assert page in overview.content.decode()
    client.force_login(coop.coordinator_sn)  # sees the programme, does not publish it
    overview = client.get(reverse("cooperation:programme", args=[coop.imagine.pk]))
    assert overview.status_code == 200 and page not in overview.content.decode()


def test_a_blocked_export_shows_the_rules_and_gives_no_file(client, coop):
    with_money(coop)
    ProgrammeSector.objects.filter(programme=coop.other).delete()
    client.force_login(coop.head)
    page, download = urls(coop.other)
    text = client.get(page).content.decode()
    assert 'id="iati-blocked"' in text and 'id="iati-download"' not in text
    assert "XX-DEMO-MEN-other-sn" in text and "sector" in text
    response = client.get(download)
    assert response.status_code == 422
    assert "Content-Disposition" not in response
    assert "XX-DEMO-MEN-other" in response.content.decode()


@pytest.mark.parametrize("who", ["manager_b", "coordinator_sn", "finance", "partner_user"])
def test_others_get_404_and_nothing_changes(client, coop, who):
    with_money(coop)
    client.force_login(getattr(coop, who))
    entries = AuditEntry.objects.count()  # after the login, which is audited
    for url in urls(coop.imagine):
        assert client.get(url).status_code == 404
    assert AuditEntry.objects.count() == entries


def test_the_page_reads_a_fixed_number_of_queries(client, coop, django_assert_max_num_queries):
    with_money(coop)
    client.force_login(coop.manager)
    page, _download = urls(coop.imagine)
    # session, user, scope assignments, the programme, the manager check, the export's 11
    # (programme, countries, sectors, agreements, parties, projects, their sectors,
    # budgets, transactions, latest plan revisions, disbursements), the tabs' permission
    # checks and the base template's menu.
    with django_assert_max_num_queries(24):
        assert client.get(page).status_code == 200
