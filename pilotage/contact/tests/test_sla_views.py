"""The deadlines' pages: agents read, supervisors edit; outsiders get 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pilotage.accounts.tests.factories import UserFactory
from pilotage.contact.models import HolidayOverride, WorkingHours
from pilotage.contact.services import sla
from pilotage.core.models import AuditEntry


@pytest.fixture
def sla_cc(cc):
    sla._clocks.clear()
    sla.calendar_hours_seed(cc.calendar, hours=dict.fromkeys(range(5), "08:30-16:30"))
    sla.sla_policies_seed()
    return cc


def test_the_policies_page_reads_in_a_fixed_number_of_queries(
    client, sla_cc, django_assert_max_num_queries
) -> None:
    client.force_login(sla_cc.agent)
    # session, user, role assignments (scope), calendars, policies.
    with django_assert_max_num_queries(8):
        page = client.get(reverse("contact:sla"))
    assert page.status_code == 200
    assert "Réclamation" in page.content.decode()
    assert reverse("contact:sla_policy", args=[1]) not in page.content.decode()


def test_an_agent_reads_the_calendar_without_forms_and_cannot_post(client, sla_cc) -> None:
    client.force_login(sla_cc.agent)
    url = reverse("contact:sla_calendar", args=[sla_cc.calendar.pk])
    page = client.get(url, {"year": 2026})
    assert page.status_code == 200
    body = page.content.decode()
    assert "hours-form" not in body
    assert "20/03/2026" in body or "20 mars 2026" in body  # Aïd al-Fitr listed
    audits = AuditEntry.objects.count()
    denied = client.post(
        reverse("contact:sla_calendar_edit", args=[sla_cc.calendar.pk, "override"]),
        {"override-kind": "add", "override-day": "2026-12-07", "override-version": 1},
    )
    assert denied.status_code == 404
    assert not HolidayOverride.objects.exists()
    assert AuditEntry.objects.count() == audits


def test_a_supervisor_sets_the_hours_and_a_bad_interval_names_the_value(client, sla_cc) -> None:
    client.force_login(sla_cc.supervisor)
    url = reverse("contact:sla_calendar_edit", args=[sla_cc.calendar.pk, "hours"])
    version = type(sla_cc.calendar).objects.get(pk=sla_cc.calendar.pk).version
    bad = client.post(url, {"hours-version": version, "hours-day_0": "08:30-25:00"})
    assert bad.status_code == 400
    assert "08:30-25:00" in bad.content.decode()
    assert WorkingHours.objects.filter(calendar=sla_cc.calendar).count() == 5
    good = client.post(
        url,
        {
            "hours-version": version,
            "hours-day_0": "08:30-12:30, 14:00-16:30",
            "hours-day_1": "08:30-16:30",
        },
    )
    assert good.status_code == 302
    assert WorkingHours.objects.filter(calendar=sla_cc.calendar, ramadan=False).count() == 3
    assert AuditEntry.objects.filter(action="sla_calendar_edit").count() == 1


def test_outsiders_get_404(client, sla_cc) -> None:
    # Anonymous visitors are sent to the login page; a signed-in user without a contact
    # role gets 404 on every page.
    assert client.get(reverse("contact:sla")).status_code == 302
    client.force_login(UserFactory(username="outsider"))
    assert client.get(reverse("contact:sla")).status_code == 404
    assert client.get(reverse("contact:sla_calendar", args=[sla_cc.calendar.pk])).status_code == 404
