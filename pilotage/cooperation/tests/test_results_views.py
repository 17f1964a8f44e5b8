"""The results pages: each opens for who may see it and is a 404 to an outsider; forms
post through the services; list pages' query counts are pinned; the XLSX export opens."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from pilotage.cooperation.models import (
    IndicatorTarget,
    ResultIndicator,
    ResultNode,
    ResultUpdate,
    UpdateStatus,
)
from pilotage.cooperation.tests.results_support import logframe_build
from pilotage.core.models import AuditEntry

pytestmark = pytest.mark.django_db

Y25 = {"period_start": dt.date(2025, 1, 1), "period_end": dt.date(2025, 12, 31)}


def login(client, user):
    client.force_login(user)
    return client


def _update(lf, coop, project=None, status=UpdateStatus.SUBMITTED, **kw):
    return ResultUpdate.objects.create(
        indicator=lf.trained,
        project=project or coop.project_sn,
        status=status,
        value=D(120),
        submitted_by=coop.coordinator_sn if status != UpdateStatus.DRAFT else None,
        **Y25,
        **kw,
    )


def test_outsider_gets_404_everywhere(client, coop):
    lf = logframe_build(coop)
    u = _update(lf, coop)
    login(client, coop.manager_b)
    urls = [
        reverse("cooperation:results", args=[coop.imagine.pk]),
        reverse("cooperation:results-table", args=[coop.imagine.pk]),
        reverse("cooperation:results-table-xlsx", args=[coop.imagine.pk]),
        reverse("cooperation:results-to-report", args=[coop.imagine.pk]),
        reverse("cooperation:result-indicator", args=[lf.trained.pk]),
        reverse("cooperation:result-update", args=[u.pk]),
        reverse("cooperation:result-update-new", args=[lf.trained.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    before = (ResultUpdate.objects.count(), AuditEntry.objects.count())
    response = client.post(
        reverse("cooperation:result-update", args=[u.pk]), {"action": "approve", "version": 1}
    )
    assert response.status_code == 404
    assert (ResultUpdate.objects.count(), AuditEntry.objects.count()) == before
    u.refresh_from_db()
    assert u.status == UpdateStatus.SUBMITTED


def test_coordinator_cannot_edit_logframe_or_approve(client, coop):
    lf = logframe_build(coop)
    u = _update(lf, coop)
    login(client, coop.coordinator_sn)
    assert client.get(reverse("cooperation:results", args=[coop.imagine.pk])).status_code == 200
    before = (
        ResultNode.objects.count(),
        IndicatorTarget.objects.count(),
        AuditEntry.objects.count(),
    )
    assert (
        client.post(
            reverse("cooperation:result-node-new", args=[coop.imagine.pk]),
            {"level": "impact", "code": "9", "title_fr": "X"},
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("cooperation:result-indicator", args=[lf.trained.pk]),
            {"value": "5", **{k: v.isoformat() for k, v in Y25.items()}},
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("cooperation:result-update", args=[u.pk]), {"action": "approve", "version": 1}
        ).status_code
        == 404
    )
    after = (
        ResultNode.objects.count(),
        IndicatorTarget.objects.count(),
        AuditEntry.objects.count(),
    )
    assert after == before
    u.refresh_from_db()
    assert u.status == UpdateStatus.SUBMITTED


def test_manager_builds_logframe_and_targets(client, coop):
    login(client, coop.manager)
    r = client.post(
        reverse("cooperation:result-node-new", args=[coop.imagine.pk]),
        {"level": "impact", "code": "1", "title_fr": "Apprentissages"},
    )
    assert r.status_code == 302
    node = ResultNode.objects.get(code="1")
    r = client.post(
        reverse("cooperation:result-indicator-new", args=[node.pk]),
        {
            "code": "1.a",
            "title_fr": "Enseignants formés",
            "measure": "unit",
            "end_target": "1000",
            "period_aggregation": "sum",
            "location_aggregation": "sum",
            "by_sex": "on",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    ind = ResultIndicator.objects.get(code="1.a")
    r = client.post(
        reverse("cooperation:result-indicator", args=[ind.pk]),
        {"period_start": "2025-01-01", "period_end": "2025-12-31", "value": "300"},
    )
    assert r.status_code == 302
    assert ind.targets.get().value == D(300)
    page = client.get(reverse("cooperation:results", args=[coop.imagine.pk])).content.decode()
    assert "Enseignants formés" in page


def test_bad_target_is_a_message_not_a_500(client, coop):
    lf = logframe_build(coop)
    login(client, coop.manager)
    r = client.post(
        reverse("cooperation:result-indicator", args=[lf.trained.pk]),
        {"period_start": "2030-01-01", "period_end": "2030-12-31", "value": "3"},
    )
    assert r.status_code == 200
    assert "sort des dates du programme" in r.content.decode()
    assert not IndicatorTarget.objects.exists()


def test_coordinator_reports_with_sex_breakdown(client, coop):
    lf = logframe_build(coop)
    login(client, coop.coordinator_sn)
    url = reverse("cooperation:result-update-new", args=[lf.trained.pk])
    page = client.get(url).content.decode()
    assert "cell_sex_F" in page
    data = {
        "project": coop.project_sn.pk,
        "period_start": "2025-01-01",
        "period_end": "2025-12-31",
        "value": "120",
        "cell_sex_F": "60",
        "cell_sex_M": "50",
    }
    r = client.post(url, data)
    assert r.status_code == 200
    assert "totalise 110 au lieu de 120" in r.content.decode()
    assert not ResultUpdate.objects.exists()
    data["cell_sex_M"] = "60"
    r = client.post(url, data)
    assert r.status_code == 302
    u = ResultUpdate.objects.get()
    assert u.status == UpdateStatus.DRAFT and u.cells.count() == 2
    r = client.post(
        reverse("cooperation:result-update", args=[u.pk]), {"action": "submit", "version": 1}
    )
    assert r.status_code == 302
    u.refresh_from_db()
    assert u.status == UpdateStatus.SUBMITTED


def test_manager_returns_then_approves(client, coop):
    lf = logframe_build(coop)
    u = _update(lf, coop)
    login(client, coop.manager)
    url = reverse("cooperation:result-update", args=[u.pk])
    r = client.post(url, {"action": "return", "version": u.version, "comment": ""})
    assert r.status_code == 200
    assert "commentaire est requis" in r.content.decode()
    r = client.post(url, {"action": "return", "version": u.version, "comment": "Vérifier F"})
    assert r.status_code == 302
    u.refresh_from_db()
    assert u.status == UpdateStatus.RETURNED
    # A stale form (the version it was loaded at) is a conflict, not a silent overwrite.
    r = client.post(url, {"action": "approve", "version": 1})
    assert "Quelqu'un d'autre a modifié" in r.content.decode() or r.status_code == 200


def test_list_pages_query_counts(client, coop, django_assert_max_num_queries):
    lf = logframe_build(coop)
    for i in range(5):
        IndicatorTarget.objects.create(
            indicator=lf.trained,
            value=D(10),
            period_start=dt.date(2025, 1, 1) + dt.timedelta(days=i),
            period_end=dt.date(2025, 12, 31),
        )
    _update(lf, coop)
    _update(lf, coop, project=coop.project_ml)
    login(client, coop.manager)
    # 12, measured with 1 and with 6 targets and updates per indicator: session, user,
    # role assignments, the programme, its reach (can_view_programme), the nodes, their
    # indicators and the targets (3 prefetches), manages (can_edit), the reportable
    # projects and their reach (2).
    with django_assert_max_num_queries(12):
        assert client.get(reverse("cooperation:results", args=[coop.imagine.pk])).status_code == 200
    # 13: session, user, role assignments, the programme, the page's count and rows, the
    # logframe's reach and three prefetches, the reportable projects and their reach.
    with django_assert_max_num_queries(13):
        r = client.get(reverse("cooperation:results-to-approve", args=[coop.imagine.pk]))
        assert r.status_code == 200
    # 9: session, user, role assignments, the programme, the countries of the filter, the
    # table's reach, then its own three: indicators, targets, approved updates.
    with django_assert_max_num_queries(9):
        r = client.get(reverse("cooperation:results-table", args=[coop.imagine.pk]))
        assert r.status_code == 200


def test_table_and_xlsx(client, coop):
    lf = logframe_build(coop)
    ResultUpdate.objects.create(
        indicator=lf.share,
        project=coop.project_sn,
        status=UpdateStatus.APPROVED,
        numerator=D(30),
        denominator=D(60),
        **Y25,
    )
    ResultUpdate.objects.create(
        indicator=lf.share,
        project=coop.project_ml,
        status=UpdateStatus.APPROVED,
        numerator=D(45),
        denominator=D(50),
        **Y25,
    )
    login(client, coop.manager)
    page = client.get(reverse("cooperation:results-table", args=[coop.imagine.pk])).content
    assert "68,18" in page.decode()
    r = client.get(reverse("cooperation:results-table-xlsx", args=[coop.imagine.pk]))
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(r.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    share = [row for row in rows if row[1] == "1.1.a"]
    assert share[-1][8] == pytest.approx(68.1818, abs=1e-3)
    assert share[-1][9:11] == (75, 110)


def test_catalogue_value_shown_next_to_the_reported_one(client, coop, monkeypatch):
    """The page reads the indicators app through its public ``indicator_values``; here it
    answers as it would for a country with school data."""
    from pilotage.indicators.engine import Value
    from pilotage.indicators.selectors import catalogue
    from pilotage.orgunits.models import AcademicYear

    AcademicYear.objects.get_or_create(
        code="2024-2025", defaults={"start": dt.date(2024, 9, 1), "end": dt.date(2025, 8, 31)}
    )
    lf = logframe_build(coop)
    ResultIndicator.objects.filter(pk=lf.trained.pk).update(catalogue_code="enrolment")
    u = _update(lf, coop)
    calls = []

    def fake(code, *, units, years, by=()):
        calls.append((code, [x.code for x in units], [y.code for y in years]))
        return [Value(units[0].code, years[0].code, {}, 4321, None, 4321.0)]

    monkeypatch.setattr(catalogue, "indicator_values", fake)
    login(client, coop.manager)
    page = client.get(reverse("cooperation:result-update", args=[u.pk])).content.decode()
    assert "4321" in re.sub(r"\s", "", page), re.findall(r"<p id=\"catalogue\">.*?</p>", page, re.S)
    assert calls[0][:2] == ("enrolment", ["SN"])
