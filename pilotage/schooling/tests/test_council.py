"""The class council: the annual average with the cycle's semester weights, no suggestion
while a semester is incomplete, and closing the year only after a confirmation that says
what it will do. Class A1 is 5AP, primary school: marks out of 10, promotion from 5
(docs/schooling.md § Marks, § Class council)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pilotage.core.tests.support import unchanged
from pilotage.orgunits.services import academic_year_create
from pilotage.schooling.grading import PENDING
from pilotage.schooling.models import CouncilDecision, Enrolment, GradingScale
from pilotage.schooling.services.council import council_review
from pilotage.schooling.services.marks import Cell, marks_save_sheet, sheet_ensure, sheet_validate

pytestmark = pytest.mark.django_db


def _marks(
    personas, school_year, semester, marks: dict[int, str], *, validate: bool = True
) -> None:  # type: ignore[no-untyped-def]
    """The same mark in every continuous assessment of maths in ``semester``."""
    sheet = sheet_ensure(
        school_class=school_year.class_a1, subject=school_year.sheet.subject, semester=semester
    )
    cells = [
        Cell(school_year.pupils_a1[i].code_massar, col, v)
        for i, v in marks.items()
        for col in ("test_1", "test_2", "test_3", "activity_1")
    ]
    marks_save_sheet(actor=personas.teacher_a1, sheet=sheet, version=sheet.version, cells=cells)
    if validate:
        sheet_validate(actor=personas.head_a, sheet=sheet)


def _by_pupil(school_year):  # type: ignore[no-untyped-def]
    return {p.enrolment.pupil_id: p for p in council_review(school_year.class_a1).proposals}


def _url(school_year) -> str:  # type: ignore[no-untyped-def]
    return f"/schooling/classes/{school_year.class_a1.pk}/council/"


def test_the_annual_average_uses_the_configured_semester_weights(
    client, personas, school_year
) -> None:  # type: ignore[no-untyped-def]
    # Source: docs/schooling.md § Marks, "Annual average = (w1 × S1 + w2 × S2) / (w1 + w2)
    # with the cycle's GradingScale weights; default 1 and 1, (S1 + S2) / 2".
    first = {0: "6", 1: "4", 2: "3", 3: "5", 4: "9"}
    second = {0: "9", 1: "4,5", 2: "5", 3: "5", 4: "10"}
    _marks(personas, school_year, school_year.s1, first)
    _marks(personas, school_year, school_year.s2, second)
    pupils = school_year.pupils_a1
    equal = _by_pupil(school_year)
    assert equal[pupils[0].pk].annual == Decimal("7.50")  # (6 + 9) / 2
    assert equal[pupils[1].pk].annual == Decimal("4.25")  # (4 + 4.5) / 2
    assert equal[pupils[1].pk].suggestion == "repeat"  # below 5/10
    assert equal[pupils[2].pk].annual == Decimal("4.00")  # (3 + 5) / 2
    client.force_login(personas.head_a)
    body = client.get(_url(school_year)).content.decode()
    assert 'data-formula="(S1 + S2) / 2"' in body and 'data-mark-max="10"' in body
    # A ministry that weighs S2 twice: (1 × S1 + 2 × S2) / 3.
    GradingScale.objects.filter(cycle="primaire").update(second_semester_weight=2)
    weighted = _by_pupil(school_year)
    assert weighted[pupils[0].pk].annual == Decimal("8.00")  # (6 + 18) / 3
    assert weighted[pupils[1].pk].annual == Decimal("4.33")  # (4 + 9) / 3 = 4.333…
    assert weighted[pupils[2].pk].annual == Decimal("4.33")  # (3 + 10) / 3
    assert weighted[pupils[4].pk].annual == Decimal("9.67")  # (9 + 20) / 3 = 9.666…
    assert weighted[pupils[3].pk].suggestion == "promote"  # (5 + 10) / 3 = 5, the threshold
    body = client.get(_url(school_year)).content.decode()
    assert 'data-formula="(1 × S1 + 2 × S2) / 3"' in body


def test_no_suggestion_from_the_first_semester_alone(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    _marks(personas, school_year, school_year.s1, dict.fromkeys(range(5), "8"))
    proposals = _by_pupil(school_year)
    assert {p.suggestion for p in proposals.values()} == {PENDING}
    assert {p.annual for p in proposals.values()} == {None}
    assert {p.missing for p in proposals.values()} == {(2,)}
    client.force_login(personas.head_a)
    body = client.get(_url(school_year)).content.decode()
    assert 'data-semester="2"' in body and "S2 : aucune feuille de notes." in body
    assert body.count('data-suggestion="pending"') == 5
    assert body.count("pas de moyenne en S2") == 5
    # S2 entered but not validated by the head: still nothing proposed.
    _marks(personas, school_year, school_year.s2, dict.fromkeys(range(5), "8"), validate=False)
    proposals = _by_pupil(school_year)
    assert {p.suggestion for p in proposals.values()} == {PENDING}
    assert {p.annual for p in proposals.values()} == {Decimal("8.00")}
    body = client.get(_url(school_year)).content.decode()
    assert "S2 : 0 feuille validée sur 1." in body
    # A blank decision (the pending default) records nothing.
    with unchanged(CouncilDecision):
        client.post(
            _url(school_year), {f"decision:{p.enrolment.pk}": "" for p in proposals.values()}
        )


def test_closing_the_year_asks_for_confirmation_first(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    _marks(personas, school_year, school_year.s1, {0: "7", 1: "3", 2: "6", 3: "8", 4: "5"})
    _marks(personas, school_year, school_year.s2, {0: "7", 1: "3", 2: "6", 3: "8", 4: "5"})
    next_year = academic_year_create(actor=None, first_year=2026)
    client.force_login(personas.head_a)
    proposals = _by_pupil(school_year)
    posted = {f"decision:{p.enrolment.pk}": p.suggestion for p in proposals.values()}
    before = list(Enrolment.objects.order_by("pk").values_list("pk", "status", "left_on"))
    response = client.post(_url(school_year), {**posted, "close": "1"})
    assert response.status_code == 200  # the confirmation, not the closing
    assert list(Enrolment.objects.order_by("pk").values_list("pk", "status", "left_on")) == before
    body = response.content.decode()
    assert 'id="confirm"' in body and 'name="confirm"' in body
    assert 'data-count="promoted" data-n="4"' in body
    assert 'data-count="repeating" data-n="1"' in body
    assert 'data-count="next_year" data-n="5"' in body and 'data-next-year="2026-2027"' in body
    assert f'href="{_url(school_year)}"' in body  # cancel: back to the council, nothing done
    assert CouncilDecision.objects.count() == 5  # the decisions are saved
    assert not Enrolment.objects.filter(academic_year=next_year).exists()
    response = client.post(_url(school_year), {"confirm": "1", "next_year": next_year.pk})
    assert response.status_code == 302
    assert Enrolment.objects.filter(academic_year=next_year).count() == 5
    assert Enrolment.objects.filter(academic_year=next_year, status="repeating").count() == 1
    # Closing twice would enrol the repeaters twice: refused, nothing changed.
    with unchanged(Enrolment):
        response = client.post(_url(school_year), {"confirm": "1", "next_year": next_year.pk})
        assert "Déjà inscrits pour 2026-2027" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("persona", ["teacher_a1", "head_b", "provincial_a"])
def test_only_the_school_head_closes(client, personas, school_year, persona) -> None:  # type: ignore[no-untyped-def]
    next_year = academic_year_create(actor=None, first_year=2026)
    enrolments = Enrolment.objects.filter(school_class=school_year.class_a1)
    posted = {f"decision:{e.pk}": "promote" for e in enrolments}
    client.force_login(getattr(personas, persona))
    with unchanged(CouncilDecision, Enrolment):
        assert client.get(_url(school_year)).status_code == 404
        assert client.post(_url(school_year), {**posted, "close": "1"}).status_code == 404
        confirm = {"confirm": "1", "next_year": next_year.pk}
        assert client.post(_url(school_year), confirm).status_code == 404


def test_the_council_page_query_count_does_not_grow(
    client, personas, school_year, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    from pilotage.schooling.tests.factories import enrol, make_pupil

    _marks(personas, school_year, school_year.s1, dict.fromkeys(range(5), "6"))
    client.force_login(personas.head_a)
    # session, user, scope, the class, the semesters, class_results twice (scale,
    # coefficients, roster, marks, sheets each), the sheets' state, the policy, the
    # repeats, the decisions: none of them per pupil.
    with django_assert_max_num_queries(19) as first:
        client.get(_url(school_year))
    for _ in range(15):
        enrol(make_pupil(), school_year.class_a1)
    with django_assert_max_num_queries(len(first.captured_queries)):
        body = client.get(_url(school_year)).content.decode()
    assert body.count("data-enrolment=") == 20
