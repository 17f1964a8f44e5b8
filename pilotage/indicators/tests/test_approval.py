"""Bottom-up approval: school → province → region → country (communes are passed
through), locking, the un-approval cascade, the denied paths, the page."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse

from pilotage.core.models import AuditEntry
from pilotage.core.tests.support import unchanged
from pilotage.indicators.models import DataApproval, DataValue
from pilotage.indicators.permissions import can_approve_at
from pilotage.indicators.quality.approval import (
    approval_chain,
    approval_locks,
    approved_values_q,
    data_approve,
    data_unapprove,
)
from pilotage.indicators.tests.quality_factories import make_aggregates, put
from pilotage.orgunits.models import Period
from pilotage.orgunits.services import academic_year_create


@pytest.fixture
def agg(personas):  # type: ignore[no-untyped-def]
    return make_aggregates()


def approve(actor, agg, unit):  # type: ignore[no-untyped-def]
    return data_approve(actor=actor, data_set=agg.data_set, org_unit=unit, period=agg.period)


def unapprove(actor, agg, unit):  # type: ignore[no-untyped-def]
    return data_unapprove(actor=actor, data_set=agg.data_set, org_unit=unit, period=agg.period)


def approved(agg) -> set[str]:  # type: ignore[no-untyped-def]
    return set(DataApproval.objects.values_list("org_unit__code", flat=True))


def test_the_chain_skips_communes(personas, agg) -> None:  # type: ignore[no-untyped-def]
    assert [level.code for level in approval_chain(agg.data_set)] == [
        "etablissement",
        "direction-provinciale",
        "aref",
        "pays",
    ]


def test_who_approves_where(personas) -> None:  # type: ignore[no-untyped-def]
    p = personas
    assert can_approve_at(p.head_a, p.school_a)
    assert not can_approve_at(p.head_a, p.commune_a)
    assert not can_approve_at(p.head_b, p.school_a)
    assert can_approve_at(p.provincial_a, p.province_a)
    assert can_approve_at(p.provincial_a, p.school_a)
    assert not can_approve_at(p.provincial_a, p.region_a)
    assert can_approve_at(p.regional_officer, p.region_a)
    assert not can_approve_at(p.regional_officer, p.country)
    assert can_approve_at(p.national_admin, p.country)
    assert not can_approve_at(p.teacher_a1, p.school_a)


def test_bottom_up_order(personas, agg) -> None:  # type: ignore[no-untyped-def]
    p = personas
    # The province before its school: refused, naming the school, nothing written.
    with unchanged(DataApproval), pytest.raises(ValidationError) as caught:
        approve(p.provincial_a, agg, p.province_a)
    assert "École primaire Ibn Battouta" in caught.value.messages[0]
    approve(p.head_a, agg, p.school_a)
    approve(p.provincial_a, agg, p.province_a)
    # The country before region B (and its province, its school): refused.
    approve(p.regional_officer, agg, p.region_a)
    with unchanged(DataApproval), pytest.raises(ValidationError):
        approve(p.national_admin, agg, p.country)
    approve(p.head_b, agg, p.school_b)
    with unchanged(DataApproval), pytest.raises(ValidationError):
        approve(p.national_admin, agg, p.region_b)  # its province is not approved
    approve(p.provincial_b, agg, p.province_b)
    approve(p.national_admin, agg, p.region_b)
    approve(p.national_admin, agg, p.country)
    assert len(approved(agg)) == 7
    assert AuditEntry.objects.filter(action="data_approve").count() == 7
    # Twice: refused.
    with unchanged(DataApproval), pytest.raises(ValidationError):
        approve(p.national_admin, agg, p.country)


def test_no_approval_at_a_pass_through_level(personas, agg) -> None:  # type: ignore[no-untyped-def]
    approve(personas.head_a, agg, personas.school_a)
    with unchanged(DataApproval), pytest.raises(ValidationError):
        approve(personas.provincial_a, agg, personas.commune_a)


def test_denied_approvals_change_nothing(personas, agg) -> None:  # type: ignore[no-untyped-def]
    p = personas
    for actor, unit in [
        (p.head_b, p.school_a),
        (p.teacher_a1, p.school_a),
        (p.agent, p.school_a),
        (p.provincial_b, p.school_a),
        (p.head_a, p.province_a),
    ]:
        with unchanged(DataApproval), pytest.raises(PermissionDenied):
            approve(actor, agg, unit)
    approve(p.head_a, agg, p.school_a)
    with unchanged(DataApproval), pytest.raises(PermissionDenied):
        unapprove(p.head_b, agg, p.school_a)


def test_approved_data_is_locked_below_and_only_there(personas, agg) -> None:  # type: ignore[no-untyped-def]
    p = personas
    assert not approval_locks(agg.data_set, p.school_a, agg.period)
    approve(p.head_a, agg, p.school_a)
    assert approval_locks(agg.data_set, p.school_a, agg.period)
    assert not approval_locks(agg.data_set, p.school_b, agg.period)
    assert not approval_locks(agg.data_set, p.province_a, agg.period)
    next_year = academic_year_create(actor=None, first_year=2026)
    later = Period.objects.get(code=next_year.code)
    assert not approval_locks(agg.data_set, p.school_a, later)
    # Approved above: still locked after the school's own row is gone from the check.
    approve(p.provincial_a, agg, p.province_a)
    DataApproval.objects.filter(org_unit=p.school_a).delete()
    assert approval_locks(agg.data_set, p.school_a, agg.period)


def test_unapproving_cascades_up(personas, agg) -> None:  # type: ignore[no-untyped-def]
    p = personas
    approve(p.head_a, agg, p.school_a)
    approve(p.provincial_a, agg, p.province_a)
    approve(p.regional_officer, agg, p.region_a)
    # The school head may not undo what the province and the region approved above.
    with unchanged(DataApproval), pytest.raises(ValidationError) as caught:
        unapprove(p.head_a, agg, p.school_a)
    assert "Tanger" in caught.value.messages[0]
    # Neither may the province, while the region is approved.
    with unchanged(DataApproval), pytest.raises(ValidationError):
        unapprove(p.provincial_a, agg, p.province_a)
    # The region withdraws the school's approval: the province and region go too.
    assert unapprove(p.regional_officer, agg, p.school_a) == 3
    assert approved(agg) == set()
    assert AuditEntry.objects.filter(action="data_unapprove").count() == 3
    assert not approval_locks(agg.data_set, p.school_a, agg.period)


def test_unapproving_the_top_sends_it_one_level_down(personas, agg) -> None:  # type: ignore[no-untyped-def]
    p = personas
    approve(p.head_a, agg, p.school_a)
    approve(p.provincial_a, agg, p.province_a)
    assert unapprove(p.provincial_a, agg, p.province_a) == 1
    assert approved(agg) == {p.school_a.code}
    with unchanged(DataApproval), pytest.raises(ValidationError):
        unapprove(p.provincial_a, agg, p.province_a)  # no longer approved


def test_approved_values_q(personas, agg) -> None:  # type: ignore[no-untyped-def]
    a = put(agg, agg.pupils, "f", personas.school_a, 10)
    b = put(agg, agg.pupils, "f", personas.school_b, 12)
    assert set(DataValue.objects.filter(approved_values_q())) == {a, b}
    with override_settings(PILOTAGE_HIDE_UNAPPROVED_DATA=True):
        assert list(DataValue.objects.filter(approved_values_q())) == []
        approve(personas.head_a, agg, personas.school_a)
        assert list(DataValue.objects.filter(approved_values_q())) == [a]
        approve(personas.provincial_a, agg, personas.province_a)
        approve(personas.regional_officer, agg, personas.region_a)
        assert list(DataValue.objects.filter(approved_values_q())) == [a]


# --- The page ---------------------------------------------------------------------------


def _url(agg, unit) -> str:  # type: ignore[no-untyped-def]
    return (
        f"{reverse('indicators:quality-approval')}?unit={unit.code}"
        f"&data_set={agg.data_set.code}&period={agg.period.code}"
    )


def test_the_page_shows_the_units_below_in_a_fixed_number_of_queries(
    client, personas, agg, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    from pilotage.orgunits.tests.factories import make_school

    for _ in range(3):
        make_school(personas.commune_a)
    approve(personas.head_a, agg, personas.fresh(personas.school_a))
    client.force_login(personas.provincial_a)
    client.get(_url(agg, personas.province_a))
    # session, user, role assignments, unit, data sets, periods, chain levels, schools
    # below, approvals, units counted below, ancestors.
    with django_assert_num_queries(11):
        response = client.get(_url(agg, personas.province_a))
    body = response.content.decode()
    assert body.count('value="approve"') == 4  # the province (not ready) and 3 schools
    assert "1 / 4" in body
    assert body.count('value="unapprove"') == 1


def test_htmx_approve_and_unapprove(client, personas, agg) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.provincial_a)
    data = {
        "unit": personas.province_a.code,
        "target": personas.school_a.code,
        "data_set": agg.data_set.code,
        "period": agg.period.code,
        "action": "approve",
    }
    url = reverse("indicators:quality-approval-decide")
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="approval-table"' in response.content.decode()
    assert approved(agg) == {personas.school_a.code}
    # Refused with the reason in the fragment (the province's other schools: none here,
    # so approve the province; then approving it again says so).
    client.post(url, {**data, "target": personas.province_a.code}, HTTP_HX_REQUEST="true")
    response = client.post(
        url, {**data, "target": personas.province_a.code}, HTTP_HX_REQUEST="true"
    )
    assert "déjà approuvée" in response.content.decode()
    response = client.post(url, {**data, "action": "unapprove"})
    assert response.status_code == 302
    assert approved(agg) == set()


def test_outsiders_get_404(client, personas, agg) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.provincial_b)
    assert client.get(_url(agg, personas.province_a)).status_code == 404
    with unchanged(DataApproval):
        response = client.post(
            reverse("indicators:quality-approval-decide"),
            {
                "unit": personas.school_a.code,
                "target": personas.school_a.code,
                "data_set": agg.data_set.code,
                "period": agg.period.code,
                "action": "approve",
            },
        )
    assert response.status_code == 404
    client.force_login(personas.head_b)
    # Inside the scope but not theirs to approve (a school head at their school's region
    # cannot even see it): 404 as well.
    assert client.get(_url(agg, personas.region_b)).status_code == 404


def test_a_period_of_another_type_is_refused(personas, agg) -> None:  # type: ignore[no-untyped-def]
    month = Period.objects.filter(type="month").first()
    with unchanged(DataApproval), pytest.raises(ValidationError):
        data_approve(
            actor=personas.head_a, data_set=agg.data_set, org_unit=personas.school_a, period=month
        )


def test_a_school_head_sees_their_school_only(client, personas, agg) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.head_a)
    response = client.get(
        f"{reverse('indicators:quality-approval')}?data_set={agg.data_set.code}"
        f"&period={agg.period.code}"
    )
    body = response.content.decode()
    assert personas.school_a.code in body and personas.school_b.code not in body
    assert 'value="approve"' in body


def test_the_chain_above_links_only_to_units_the_reader_may_open(client, personas, agg) -> None:  # type: ignore[no-untyped-def]
    # A provincial officer's page shows no link to the region or the country: each would
    # answer 404 (found by bench/page_budgets.py following the links of every page).
    client.force_login(personas.provincial_a)
    body = client.get(_url(agg, personas.province_a)).content.decode()
    assert f"?unit={personas.country.code}&" not in body
    assert f"?unit={personas.region_a.code}&" not in body
    client.force_login(personas.national_admin)
    body = client.get(_url(agg, personas.province_a)).content.decode()
    assert f"?unit={personas.country.code}&amp;" in body  # the national admin may go up
