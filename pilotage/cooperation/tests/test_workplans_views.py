"""The "Plan de travail" tab: who opens it, what it lists, in how many queries; the Gantt
chart, the revisions and the activity page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pilotage.cooperation.models import Activity, WorkplanRevision
from pilotage.cooperation.tests.workplans_support import plan_build
from pilotage.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_the_tab_lists_the_readers_activities(client, coop):
    plan_build(coop)
    url = reverse("cooperation:workplan", args=[coop.imagine.pk])
    client.force_login(coop.manager)
    page = client.get(url).content.decode()
    assert "Plan de travail" in page and all(f">{c}<" in page for c in ("A1", "A2", "A3"))
    client.force_login(coop.coordinator_ml)
    page = client.get(url).content.decode()
    assert ">A2<" in page and ">A1<" not in page and ">A3<" not in page


def test_outsiders_get_404(client, coop):
    plan = plan_build(coop)
    for user in (coop.manager_b, coop.consultant, coop.partner_user, coop.personas.head_a):
        client.force_login(user)
        for name in ("workplan", "workplan-gantt", "workplan-revisions", "activity-new"):
            assert (
                client.get(reverse(f"cooperation:{name}", args=[coop.imagine.pk])).status_code
                == 404
            )
    client.force_login(coop.coordinator_ml)
    assert client.get(reverse("cooperation:activity", args=[plan.sn.pk])).status_code == 404
    assert (
        client.get(reverse("cooperation:activity-new", args=[coop.imagine.pk])).status_code == 404
    )


def test_a_denied_progress_post_changes_nothing(client, coop):
    plan = plan_build(coop)
    client.force_login(coop.coordinator_ml)
    before = AuditEntry.objects.count()  # after the login's own entry
    response = client.post(
        reverse("cooperation:activity", args=[plan.sn.pk]), {"progress": 80, "status": "ongoing"}
    )
    assert response.status_code == 404 and AuditEntry.objects.count() == before
    client.force_login(coop.coordinator_sn)
    before = AuditEntry.objects.count()  # logging in is audited too
    response = client.post(
        reverse("cooperation:activity", args=[plan.ml.pk]), {"progress": 80, "status": "ongoing"}
    )
    assert response.status_code == 404
    plan.ml.refresh_from_db()
    assert plan.ml.progress == 0 and AuditEntry.objects.count() == before
    # The coordinator of Senegal reports A1's progress through the page.
    response = client.post(
        reverse("cooperation:activity", args=[plan.sn.pk]),
        {"progress": 80, "status": "planned", "version": 1},
    )
    assert response.status_code == 302
    plan.sn.refresh_from_db()
    assert plan.sn.progress == 80


def test_list_query_count_does_not_grow(client, coop, django_assert_max_num_queries):
    plan = plan_build(coop)
    for i in range(12):
        Activity.objects.create(
            programme=coop.imagine,
            project=coop.project_sn,
            output=plan.output_1,
            code=f"Z{i:02}",
            title_fr=f"Z {i}",
            start_date=plan.sn.start_date,
            end_date=plan.sn.end_date,
            responsible=coop.manager,
        )
    client.force_login(coop.manager)
    url = reverse("cooperation:workplan", args=[coop.imagine.pk])
    # Eleven, as measured on PostgreSQL: session, user, role assignments (scope), the
    # programme (reach), can_view_workplan, the activities with their joins, the cash flow
    # (one grouped query), can_edit (manages), the programme tabs' reach check, the
    # filter's projects and outputs.
    with django_assert_max_num_queries(11):
        response = client.get(url)
    assert response.content.decode().count('id="activity-') == 15
    with django_assert_max_num_queries(10):  # the same, without the cash flow and can_edit
        response = client.get(reverse("cooperation:workplan-gantt", args=[coop.imagine.pk]))
    # 15 bars; today (the run's date) may fall outside January–June 2026.
    assert response.content.decode().count('<g class="row" id="gantt-') == 15


def test_gantt_filter_and_rtl(client, coop):
    plan_build(coop)
    client.force_login(coop.manager)
    url = reverse("cooperation:workplan-gantt", args=[coop.imagine.pk])
    page = client.get(url, {"project": coop.project_ml.pk}).content.decode()
    assert "<svg" in page and "A2 ·" in page and "A1 ·" not in page
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert 'class="gantt rtl"' in page


def test_revisions_through_the_pages(client, coop):
    plan = plan_build(coop)
    client.force_login(coop.manager)
    url = reverse("cooperation:workplan-revisions", args=[coop.imagine.pk])
    assert client.post(url, {"note": "Quinzaine 1"}).status_code == 302
    client.post(
        reverse("cooperation:activity", args=[plan.ml.pk]),
        {"progress": 30, "status": "ongoing", "version": 1},
    )
    assert client.post(url, {"note": "Quinzaine 2"}).status_code == 302
    page = client.get(
        reverse("cooperation:workplan-compare", args=[coop.imagine.pk]), {"a": 1, "b": 2}
    ).content.decode()
    assert "A2" in page and "30" in page
    client.force_login(coop.coordinator_sn)
    before = WorkplanRevision.objects.count()
    assert client.post(url, {"note": "x"}).status_code == 404
    assert WorkplanRevision.objects.count() == before
    page = client.get(
        reverse("cooperation:workplan-compare", args=[coop.imagine.pk]), {"a": 1, "b": 2}
    ).content.decode()
    assert "Activité A2" not in page  # Mali's activity is not shown to Senegal's coordinator
