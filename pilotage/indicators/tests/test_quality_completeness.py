"""Completeness and timeliness of a data set's forms per child unit, and the gaps of the
school records (classes without marks, schools without enrolments)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from pilotage.indicators.models import DataSetReport, DataValue
from pilotage.indicators.quality.completeness import (
    completeness_for,
    report_received,
    school_gaps,
)
from pilotage.indicators.tests.quality_factories import aware, make_aggregates, put
from pilotage.orgunits.tests.factories import make_school
from pilotage.schooling.models import Assessment, Mark, MarkSheet, Subject
from pilotage.schooling.structure import structure_load_morocco
from pilotage.schooling.tests.factories import enrol, make_class, make_pupil


@pytest.fixture
def agg(personas):  # type: ignore[no-untyped-def]
    return make_aggregates()


@pytest.fixture
def forms(personas, agg):  # type: ignore[no-untyped-def]
    """The 2025-2026 form (period ends 31 August 2026, 30 days allowed: on time until
    30 September 2026) of four schools:

    - school A: a value saved 10 September → received, on time;
    - new school 1: a value saved 1 September, but the form's receipt recorded
      15 October (the import brought it then) → received, late;
    - new school 2: nothing, only a value of an element outside the data set → missing;
    - school B (region B): a value saved 1 December → received, late.
    """
    p = personas
    first = make_school(p.commune_a, code="04301C").org_unit
    second = make_school(p.commune_a, code="04302D").org_unit
    school_a = p.fresh(p.school_a)
    put(agg, agg.pupils, "f", school_a, 10, updated_at=aware(2026, 9, 10, 12))
    put(agg, agg.pupils, "g", first, 10, updated_at=aware(2026, 9, 1, 12))
    report_received(agg.data_set, first, agg.period, at=aware(2026, 10, 15, 9))
    outside = agg.pupils.__class__.objects.create(
        code="hors", name_fr="Hors ensemble", combo=agg.total
    )
    put(agg, outside, "total", second, 1, updated_at=aware(2026, 9, 1, 12))
    put(agg, agg.teachers, "f", p.school_b, 3, updated_at=aware(2026, 12, 1, 12))
    return first, second


def test_counts_per_child_unit(personas, agg, forms) -> None:  # type: ignore[no-untyped-def]
    result = completeness_for(
        personas.national_admin, data_set=agg.data_set, unit=personas.country, periods=[agg.period]
    )
    rows = {r.unit.code: (r.expected, r.received, r.on_time, r.late) for r in result.children}
    assert rows == {"MA-01": (3, 2, 1, 1), "MA-03": (1, 1, 0, 1)}
    total = result.total
    assert (total.expected, total.received, total.on_time) == (4, 3, 1)
    assert total.completeness == 75.0
    assert total.timeliness == 25.0


def test_the_actor_counts_only_their_scope(personas, agg, forms) -> None:  # type: ignore[no-untyped-def]
    result = completeness_for(
        personas.provincial_b, data_set=agg.data_set, unit=personas.country, periods=[agg.period]
    )
    assert (result.total.expected, result.total.received) == (1, 1)


def test_the_first_receipt_stays(personas, agg) -> None:  # type: ignore[no-untyped-def]
    first = report_received(agg.data_set, personas.school_a, agg.period, at=aware(2026, 9, 2, 8))
    again = report_received(agg.data_set, personas.school_a, agg.period)
    assert again.pk == first.pk and again.received_at == aware(2026, 9, 2, 8)
    assert DataSetReport.objects.count() == 1


def test_a_receipt_without_values_is_not_a_form(personas, agg) -> None:  # type: ignore[no-untyped-def]
    report_received(agg.data_set, personas.school_a, agg.period, at=aware(2026, 9, 2, 8))
    result = completeness_for(
        personas.provincial_a, data_set=agg.data_set, unit=personas.province_a, periods=[agg.period]
    )
    assert (result.total.expected, result.total.received) == (1, 0)


def test_school_records_gaps(personas, agg) -> None:  # type: ignore[no-untyped-def]
    """School A has two classes, one with a mark; school B has a class but no pupil, and
    a third school nothing: one class without marks under province A, and under the
    country the two empty classes and the two schools without enrolments."""
    structure_load_morocco()
    p = personas
    marked = make_class(p.school_a, agg.year, "1AP", "1AP-1")
    bare = make_class(p.school_a, agg.year, "1AP", "1AP-2")
    make_class(p.school_b, agg.year, "1AC", "1AC-1")
    third = make_school(p.commune_b, code="03299Z").org_unit
    pupil = make_pupil()
    enrol(pupil, marked)
    sheet = MarkSheet.objects.create(
        school_class=marked,
        subject=Subject.objects.first(),
        semester=agg.year.semesters.get(number=1),
    )
    assessment = Assessment.objects.create(sheet=sheet, kind="test", number=1)
    Mark.objects.create(assessment=assessment, pupil=pupil, value=Decimal(12), updated_by=p.head_a)

    gaps = school_gaps(p.province_a, agg.year)
    assert (gaps.classes_without_marks, gaps.schools_without_enrolments) == (1, 0)
    assert [c.name for c in gaps.classes] == [bare.name]
    gaps = school_gaps(p.country, agg.year)
    assert (gaps.classes_without_marks, gaps.schools_without_enrolments) == (2, 2)
    assert {s.code for s in gaps.schools} == {p.school_b.code, third.code}


def _url(agg, unit) -> str:  # type: ignore[no-untyped-def]
    return (
        f"{reverse('indicators:quality-completeness')}?unit={unit.code}"
        f"&data_set={agg.data_set.code}&period={agg.period.code}&year={agg.year.code}"
    )


def test_the_page_in_a_fixed_number_of_queries(
    client, personas, agg, forms, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.national_admin)
    client.get(_url(agg, personas.country))
    # session, user, role assignments, unit, data sets, periods, children, reporting
    # units, received values, receipts, years, then the school gaps: two counts, two
    # lists.
    with django_assert_num_queries(15):
        response = client.get(_url(agg, personas.country))
    body = response.content.decode()
    assert "75,0 %" in body and "25,0 %" in body
    assert "Tanger-Tétouan-Al Hoceïma" in body


def test_outsiders_get_404(client, personas, agg) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.head_b)
    assert client.get(_url(agg, personas.school_a)).status_code == 404
    client.force_login(personas.agent)
    assert client.get(reverse("indicators:quality-completeness")).status_code == 404
    assert DataValue.objects.count() == 0
