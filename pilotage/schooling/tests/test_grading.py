"""Worked examples of the grading rules. Each test names its source: the section of
docs/schooling.md that states the rule, and the text that section rests on. The figures of
an example are ours, worked by hand in the comment, from the rule so cited."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from pilotage.schooling.grading import (
    PENDING,
    Entry,
    Scale,
    Weights,
    annual_average,
    annual_formula,
    best_of,
    certificate_mark,
    continuous_average,
    council_suggestion,
    mark_text,
    mention,
    ranks,
    rounded,
    weighted_average,
)
from pilotage.schooling.structure import default_scale


def test_rounding_is_half_up() -> None:
    # Source: docs/schooling.md § Marks, "Rounding: half-up to two decimals at each printed
    # average (12.345 → 12.35)" — the example is the document's own.
    assert rounded(D("12.345")) == D("12.35")
    assert rounded(D("12.344")) == D("12.34")


def test_continuous_average_with_absent_and_exempt() -> None:
    # Source: docs/schooling.md § Marks, "Subject average for a semester": mean of the
    # continuous-assessment marks, DISP left out, ABS counted as 0.
    # Three tests 12, 15.5, absent (0) → 27.5 / 3 = 9.1666… → 9.17
    assert continuous_average([Entry(D(12)), Entry(D("15.5")), Entry(None, "ABS")]) == D("9.17")
    # Exempt marks are left out: (12 + 15.5) / 2 = 13.75
    assert continuous_average([Entry(D(12)), Entry(D("15.5")), Entry(None, "DISP")]) == D("13.75")
    assert continuous_average([Entry(None, "DISP")]) is None
    assert continuous_average([Entry(None, "ABS")], absent_counts_as_zero=False) is None


def test_general_average_with_coefficients() -> None:
    # Source: docs/schooling.md § Marks, "General average = Σ coefficient × subject
    # average / Σ coefficients, over subjects that have an average"; coefficients of the
    # kind loaded by structure.py (§ Education structure, "core subjects 3–4").
    # 3AC example: Arabic 14 (coef 3), French 11 (3), Maths 16.5 (3), English 12 (2)
    # = (42 + 33 + 49.5 + 24) / 11 = 148.5 / 11 = 13.5
    averages = {"AR": D(14), "FR": D(11), "MATH": D("16.5"), "EN": D(12), "EPS": None}
    coefficients = {"AR": D(3), "FR": D(3), "MATH": D(3), "EN": D(2), "EPS": D(1)}
    assert weighted_average(averages, coefficients) == D("13.50")
    assert weighted_average({"AR": None}, {"AR": D(3)}) is None


def test_annual_average() -> None:
    # Source: docs/schooling.md § Marks, "Annual average = (w1 × S1 + w2 × S2) / (w1 + w2)
    # with the cycle's weights; the Moroccan default is w1 = w2 = 1, (S1 + S2) / 2",
    # rounded half-up (§ Marks, "Rounding").
    assert annual_average(D("11.25"), D("12.50")) == D("11.88")  # 23.75 / 2 = 11.875 → 11.88
    # A ministry weighting S2 twice: (1 × 11 + 2 × 14) / 3 = 39 / 3 = 13
    assert annual_average(D(11), D(14), (D(1), D(2))) == D("13.00")
    # (1 × 8.5 + 2 × 9.25) / 3 = 27 / 3 = 9; on a /10 scale as on /20
    assert annual_average(D("8.5"), D("9.25"), (D(1), D(2))) == D("9.00")
    assert annual_formula((D(1), D(1))) == "(S1 + S2) / 2"
    assert annual_formula((D(1), D(2))) == "(1 × S1 + 2 × S2) / 3"


def test_annual_average_needs_both_semesters() -> None:
    # Source: docs/schooling.md § Class council, "no annual average, so no suggestion,
    # while a semester is incomplete": S1 alone must not promote.
    assert annual_average(None, D("12.5")) is None
    assert annual_average(D("12.5"), None) is None


def test_competition_ranking() -> None:
    # Source: docs/schooling.md § Marks, "Rank: competition ranking — equal averages share
    # a rank, the next one skips (15, 15, 14 → 1, 1, 3)"; a pupil without an average has
    # no rank.
    assert ranks({"a": D(15), "b": D(17), "c": D(15), "d": D(9), "e": None}) == {
        "b": 1,
        "a": 2,
        "c": 2,
        "d": 4,
    }


@pytest.mark.parametrize(
    ("average", "label"),
    [
        (D(16), "Très bien"),
        (D("15.99"), "Bien"),
        (D(14), "Bien"),
        (D(12), "Assez bien"),
        (D(10), "Passable"),
        (D("9.99"), ""),
        (None, ""),
    ],
)
def test_mentions(average, label) -> None:  # type: ignore[no-untyped-def]
    # Source: docs/schooling.md § Marks, "Mention: Très bien ≥ 16, Bien ≥ 14, Assez bien
    # ≥ 12, Passable ≥ 10 (the Moroccan baccalauréat mentions)", the lycée's and the
    # collège's default scale; each threshold and the value just below it.
    assert mention(average, default_scale("lycee")) == label
    assert mention(average, default_scale("college")) == label


@pytest.mark.parametrize("average", [D(10), D("9.5"), D(5), D(0)])
def test_primary_has_no_mention(average) -> None:  # type: ignore[no-untyped-def]
    # Source: docs/schooling.md § Marks, "Primary school: marks out of 10, pass at 5/10,
    # no mention" — a 10/10 is not a "Passable".
    assert mention(average, default_scale("primaire")) == ""


def test_default_scales_per_cycle() -> None:
    # Source: docs/schooling.md § Marks, the table of scales per cycle.
    primary, college, lycee = (default_scale(c) for c in ("primaire", "college", "lycee"))
    assert (primary.maximum, primary.pass_mark, primary.mentions) == (D(10), D(5), ())
    assert (college.maximum, college.pass_mark) == (D(20), D(10))
    assert (lycee.maximum, lycee.pass_mark, len(lycee.mentions)) == (D(20), D(10), 4)
    assert primary.maximum_text == "10" and lycee.annual_formula == "(S1 + S2) / 2"
    assert Scale().maximum == D(20)


def test_college_certificate() -> None:
    # Source: docs/schooling.md § Certificate marks, 3AC row and "Collège: (4 × regional
    # exam + 3 × local exam + 3 × continuous assessment) / 10, the rule given to us by the
    # ministry for the certificat d'études collégiales".
    # Certificat d'études collégiales: (4 × regional + 3 × local + 3 × continuous) / 10.
    # Regional 12, local 14, continuous 15 → (48 + 42 + 45) / 10 = 13.5
    weights = Weights(continuous=D("0.3"), local_exam=D("0.3"), regional_exam=D("0.4"))
    assert certificate_mark(weights, continuous=D(15), local_exam=D(14), regional_exam=D(12)) == D(
        "13.50"
    )
    assert certificate_mark(weights, continuous=D(15), local_exam=D(14), regional_exam=None) is None


def test_baccalaureate() -> None:
    # Source: docs/schooling.md § Certificate marks, 2BAC row and "Baccalauréat: 25 %
    # continuous assessment + 25 % regional exam + 50 % national exam — the weighting of
    # the baccalauréat reform in force since the 2006–2007 session".
    # Baccalauréat: 25 % continuous + 25 % regional exam (1BAC) + 50 % national exam.
    # Continuous 14, regional 12, national 9.5 → 3.5 + 3 + 4.75 = 11.25
    weights = Weights(continuous=D("0.25"), regional_exam=D("0.25"), national_exam=D("0.5"))
    assert certificate_mark(
        weights, continuous=D(14), regional_exam=D(12), national_exam=D("9.5")
    ) == D("11.25")


def test_resit_keeps_the_better_mark_per_subject() -> None:
    # Source: docs/schooling.md § Certificate marks, "Resit (session de rattrapage): each
    # subject keeps the better of its two marks"; a subject missing from the first session
    # takes the resit's.
    first = {"MATH": D(6), "PC": D(11), "FR": None}
    resit = {"MATH": D("9.5"), "PC": D(8), "FR": D(10)}
    assert best_of(first, resit) == {"MATH": D("9.5"), "PC": D(11), "FR": D(10)}


@pytest.mark.parametrize(
    ("average", "repeats", "expected"),
    [
        (D(10), 0, "promote"),
        (D("9.99"), 0, "repeat"),
        (D("9.99"), 2, "dismiss"),
        (None, 0, PENDING),
        (None, 2, PENDING),
    ],
)
def test_council_suggestion(average, repeats, expected) -> None:  # type: ignore[no-untyped-def]
    # Source: docs/schooling.md § Class council, "promote when the annual average ≥
    # promote_from (default 10); below it, repeat, unless the pupil has already repeated
    # max_repeats times in the cycle (default 2), then dismiss"; no annual average (a
    # semester missing): no suggestion.
    assert (
        council_suggestion(average, promote_from=D(10), repeats_in_cycle=repeats, max_repeats=2)
        == expected
    )


def test_one_function_turns_a_mark_into_text() -> None:
    """The grid, the audit log, the API, the imports and the report cards all call it."""
    assert mark_text(D("12.5")) == "12.50"  # stored, audited, in the API
    assert mark_text(D("12.50"), separator=",", trim=True) == "12,5"  # as typed in French
    assert mark_text(D("20.00"), trim=True) == "20" and mark_text(D("0.00"), trim=True) == "0"
    assert mark_text(D("12.345"), separator=",") == "12,35"  # half-up, as on report cards
    assert mark_text(12.5) == "12.50" and mark_text(0.1) == "0.10"  # SQLite's floats
    assert mark_text(D("7"), "ABS") == "ABS" and mark_text(None, "DISP") == "DISP"
    assert mark_text(None) == ""


# --- The scale of each cycle where marks are entered and shown ------------------------------


def _save(actor, sheet, raw: str, pupil):  # type: ignore[no-untyped-def]
    from pilotage.schooling.services.marks import Cell, marks_save_sheet

    return marks_save_sheet(
        actor=actor,
        sheet=sheet,
        version=sheet.version,
        cells=[Cell(pupil.code_massar, "test_1", raw)],
    )


@pytest.mark.django_db
def test_a_primary_mark_is_out_of_10_and_a_college_mark_out_of_20(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    # Source: docs/schooling.md § Marks, the table of scales: 5AP (primary) /10, 1AC /20.
    from pilotage.core.tests.support import unchanged
    from pilotage.schooling.models import Mark, Subject
    from pilotage.schooling.services.marks import SheetRejected, sheet_ensure

    pupil = school_year.pupils_a1[0]
    with unchanged(Mark), pytest.raises(SheetRejected) as refused:
        _save(personas.teacher_a1, school_year.sheet, "10,5", pupil)
    assert [p.reason for p in refused.value.problems] == [
        "la note doit être comprise entre 0 et 10"
    ]
    _save(personas.teacher_a1, school_year.sheet, "10", pupil)
    college = sheet_ensure(
        school_class=school_year.class_b1,
        subject=Subject.objects.get(code="MATH"),
        semester=school_year.s1,
    )
    _save(personas.head_b, college, "15,5", school_year.pupils_b1[0])
    assert sorted(Mark.objects.values_list("value", flat=True)) == [D(10), D("15.5")]


@pytest.mark.django_db
def test_pages_bulletins_and_api_show_the_cycles_scale(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    # Source: docs/schooling.md § Marks: primary marks out of 10 and no mention.
    from pilotage.schooling import reports
    from pilotage.schooling.selectors import class_results

    for pupil, raw in zip(school_year.pupils_a1, ["9", "8", "6", "5", "3"], strict=True):
        _save(personas.teacher_a1, school_year.sheet, raw, pupil)
        school_year.sheet.refresh_from_db()
    results = class_results(school_year.class_a1, school_year.s1)
    assert results.scale.maximum == D(10)
    assert {r.mention for r in results.pupils} == {""}  # 9/10 is not a baccalauréat mention
    pages = reports._class_pages(
        school_year.class_a1, school_year.s1, header=reports._header(personas.school_a)
    )
    assert pages[0]["average"].endswith("/ 10") and pages[0]["has_mentions"] is False
    assert reports.bulletins_class_pdf(
        school_class=school_year.class_a1, semester=school_year.s1, language="fr"
    ).startswith(b"%PDF")  # the layout without the mention cell compiles
    client.force_login(personas.teacher_a1)
    sheet = client.get(f"/api/v1/schooling/sheets/{school_year.sheet.pk}").json()
    assert (sheet["mark_max"], sheet["pass_mark"]) == ("10", "5")
    client.force_login(personas.head_a)
    body = client.get(f"/schooling/classes/{school_year.class_a1.pk}/").content.decode()
    assert "Passable" not in body and "Très bien" not in body


@pytest.mark.django_db
def test_every_way_in_uses_the_cycles_maximum(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    # Source: docs/schooling.md § Marks: 5AP (primary) is marked out of 10. The marks
    # import, the grid (its range check and help), the XLSX download's validation and the
    # parent's home card all use the class's scale, not a fixed 20.
    import io

    from openpyxl import load_workbook

    from pilotage.core.tabular import ImportRejected
    from pilotage.core.tests.support import unchanged
    from pilotage.schooling.imports.marks import marks_import
    from pilotage.schooling.models import Guardian, GuardianRelation, Mark
    from pilotage.schooling.tests.test_imports import MARK_COLUMNS, csv, mark

    pupil = school_year.pupils_a1[0]
    data = csv([mark(pupil, note="12")], MARK_COLUMNS, sep=";").encode()
    with unchanged(Mark), pytest.raises(ImportRejected) as refused:
        marks_import(actor=personas.head_a, stream=io.BytesIO(data), filename="notes.csv")
    [problem] = refused.value.problems
    assert (problem.row, problem.column, problem.value, problem.reason) == (
        2,
        "note",
        "12",
        "la note doit être comprise entre 0 et 10",
    )
    marks_import(
        actor=personas.head_a,
        stream=io.BytesIO(csv([mark(pupil, note="9,5")], MARK_COLUMNS, sep=";").encode()),
        filename="notes.csv",
    )
    assert Mark.objects.get(pupil=pupil).value == D("9.5")

    client.force_login(personas.teacher_a1)
    body = client.get(f"/schooling/sheets/{school_year.sheet.pk}/").content.decode()
    assert 'data-mark-max="10"' in body
    assert "La note doit être comprise entre 0 et 10." in body and "Notes de 0 à 10" in body
    workbook = load_workbook(
        io.BytesIO(client.get(f"/schooling/sheets/{school_year.sheet.pk}/xlsx").content)
    )
    [validation] = workbook.active.data_validations.dataValidation
    assert "<=10)" in validation.formula1 and "0 à 10" in validation.error

    Guardian.objects.get_or_create(
        pupil=pupil, user=personas.parent_a, defaults={"relation": GuardianRelation.FATHER}
    )
    client.force_login(personas.parent_a)
    home = client.get("/").content.decode()
    assert "9.50/10" in home or "9,50/10" in home
