"""Bulletins: what the PDF says (read back with poppler's pdftotext, which returns Arabic in
logical order), that its figures are class_results' figures, who may print what, and the
batch job from the button to the download.

Worked example (rules in docs/schooling.md, "Marks"): class A1 (5AP, every coefficient 1),
semester 1, continuous assessment = three tests and the integrated activities.

    pupil   maths               average   French             average   general  rank
    p1      16 18 17 · 17       17.00     15 16 14 · 15      15.00     16.00    1
    p3      11                  11.00     exempt             —         11.00    2
    child   12 14 13 · 15       13.50     10 11 ABS · 9      7.50      10.50    3
    p2      8 9 10 · 9          9.00      12 12 12 · 12      12.00     10.50    3
    p4      —                   —         —                  —         —        —

ABS counts as 0, an exempt subject is left out of the general average, equal averages share
a rank. Class averages: maths (13.50+17+9+11)/4 = 12.625 → 12.63, French
(7.50+15+12)/3 = 11.50, general (10.50+16+10.50+11)/4 = 12.00.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest
from babel import Locale
from babel.dates import format_date
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from pilotage.accounts.services import role_assign
from pilotage.accounts.tests.factories import UserFactory
from pilotage.core.models import Job
from pilotage.core.tests.support import require
from pilotage.schooling import reports
from pilotage.schooling.models import (
    Absence,
    Enrolment,
    Guardian,
    GuardianRelation,
    Session,
    Subject,
)
from pilotage.schooling.reports import (
    ReportFontMissing,
    bulletin_pdf,
    bulletins_class_pdf,
    bulletins_pdf,
)
from pilotage.schooling.roles import PARENT, TEACHER
from pilotage.schooling.selectors import class_results
from pilotage.schooling.services.marks import Cell, marks_save_sheet, sheet_ensure
from pilotage.schooling.tests.factories import enrol, make_class, make_pupil, make_teacher, teach

# Written with marks out of 20 in class A1 (5AP): see conftest.marks_out_of_20.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("marks_out_of_20")]

SCHOOL_AR = "مدرسة ابن بطوطة الابتدائية"
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Arabic presentation forms: what a "reshaper" writes instead of shaping with the font.
PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")


@pytest.fixture(autouse=True)
def _fonts() -> None:
    try:
        reports.report_fonts_check()
    except ReportFontMissing as missing:
        require(False, str(missing))


def pdftotext() -> str:
    found = shutil.which("pdftotext")
    require(
        found is not None,
        "pdftotext is not installed (Debian's poppler-utils; make test installs it as root)",
    )
    return str(found)


def pdf_text(pdf: bytes) -> str:
    """The text as a reader would copy it; pdftotext wraps right-to-left lines in
    embedding controls, which are dropped so strings compare in logical order."""
    out = subprocess.run(
        [pdftotext(), "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return BIDI_CONTROLS.sub("", out.stdout.decode())


def word_x(pdf: bytes, word: str) -> float:
    """Horizontal position of ``word`` on the first page, in points from the left edge."""
    out = subprocess.run(
        [pdftotext(), "-bbox", "-f", "1", "-l", "1", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    found = re.search(rf'<word xMin="([\d.]+)"[^>]*>{re.escape(word)}</word>', out)
    assert found, f"{word} not on the page"
    return float(found.group(1))


def pages(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def save(sheet, teacher, rows: dict) -> None:  # type: ignore[no-untyped-def]
    cells = [
        Cell(pupil.code_massar, column, raw)
        for pupil, values in rows.items()
        for column, raw in zip(("test_1", "test_2", "test_3", "activity_1"), values, strict=False)
    ]
    sheet.refresh_from_db()
    marks_save_sheet(actor=teacher, sheet=sheet, version=sheet.version, cells=cells)


@pytest.fixture
def marked(school_year, personas):  # type: ignore[no-untyped-def]
    """The worked example of the module docstring, and absences for the child."""
    sy = school_year
    school = personas.school_a
    school.name_ar = SCHOOL_AR
    school.save(update_fields=["name_ar"])
    child, p1, p2, p3, p4 = sy.pupils_a1
    french = sheet_ensure(
        school_class=sy.class_a1, subject=Subject.objects.get(code="FR"), semester=sy.s1
    )
    teacher = personas.teacher_a1
    save(
        sy.sheet,
        teacher,
        {p1: (16, 18, 17, 17), p3: (11,), child: (12, 14, 13, 15), p2: (8, 9, 10, 9)},
    )
    save(
        french,
        teacher,
        {p1: (15, 16, 14, 15), p3: ("DISP",), child: (10, 11, "ABS", 9), p2: (12, 12, 12, 12)},
    )
    for day, justified, hours in (
        (dt.date(2025, 10, 6), True, 4),
        (dt.date(2025, 11, 3), False, 3),
    ):
        Absence.objects.create(
            pupil=child,
            school_class=sy.class_a1,
            date=day,
            session=Session.MORNING,
            hours=hours,
            justified=justified,
            recorded_by=teacher,
        )
    # Second semester: not on the first semester's bulletin.
    Absence.objects.create(
        pupil=child,
        school_class=sy.class_a1,
        date=dt.date(2026, 3, 2),
        session=Session.MORNING,
        hours=5,
        justified=False,
        recorded_by=teacher,
    )
    return sy


def child_enrolment(sy) -> Enrolment:  # type: ignore[no-untyped-def]
    return Enrolment.objects.select_related("pupil", "school_class__school").get(
        pupil=sy.child, school_class=sy.class_a1
    )


# --- What the bulletin says -------------------------------------------------------------------


def test_french_bulletin_prints_the_worked_example(marked) -> None:  # type: ignore[no-untyped-def]
    pdf = bulletin_pdf(enrolment=child_enrolment(marked), semester=marked.s1, language="fr")
    assert pdf.startswith(b"%PDF") and pages(pdf) == 1
    text = pdf_text(pdf)
    for expected in (
        "Royaume du Maroc",
        "Ministère de l'Éducation nationale",
        "Tanger-Tétouan-Al Hoceïma",  # AREF, from the school's ancestors
        "Préfecture de Tanger-Assilah",  # Direction provinciale
        "École primaire Ibn Battouta",
        SCHOOL_AR,
        "04101A",
        "2025-2026",
        "Semestre 1",
        marked.child.full_name,
        marked.child.full_name_ar,
        marked.child.code_massar,
        format_date(marked.child.birth_date, "long", locale="fr_MA"),  # 2 février 2015
        "5AP-1",
        "Mathématiques",
        "Français",
        "Moyenne générale",
        "Mention",
        "Passable",
        "10,50 / 20",  # general average
        "13,50",  # maths
        "7,50",  # French, ABS counted as 0
        "12,63",  # class average in maths
        "11,50",  # class average in French
        "12,00",  # class general average
        "Appréciation du professeur",
        "Le parent ou tuteur",
    ):
        assert expected in text, expected
    assert re.search(r"Rang\s+3\s*/\s*5", text), text  # rank / class size, tied with p2
    # Absences of the first semester only: 4 h justified + 3 h not.
    assert re.search(r"Absences\s*:\s*7 h", text), text
    assert re.search(r"Absences non justifiées\s*:\s*3 h", text), text


def test_every_figure_is_class_results(marked) -> None:  # type: ignore[no-untyped-def]
    results = class_results(marked.class_a1, marked.s1)
    pdf = bulletins_class_pdf(school_class=marked.class_a1, semester=marked.s1, language="fr")
    assert pages(pdf) == len(results.pupils) == 5
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    pdftotext()
    for number, result in enumerate(results.pupils):
        page = pypdf.PdfWriter()
        page.add_page(reader.pages[number])
        out = io.BytesIO()
        page.write(out)
        text = pdf_text(out.getvalue())
        assert result.enrolment.pupil.code_massar in text
        for subject in results.subjects:
            value = result.subjects[subject.pk]
            if value is not None:
                assert str(value).replace(".", ",") in text
        if result.average is None:
            assert "/ 20" not in text
        else:
            assert f"{result.average} / 20".replace(".", ",") in text
            assert re.search(rf"{result.rank}\s*/\s*5", text)
    assert str(results.class_average) == "12.00"


def test_arabic_bulletin_is_right_to_left_and_reads_back_in_logical_order(marked) -> None:  # type: ignore[no-untyped-def]
    enrolment = child_enrolment(marked)
    pdf = bulletin_pdf(enrolment=enrolment, semester=marked.s1, language="ar")
    text = pdf_text(pdf)
    pupil = marked.child
    assert pupil.full_name_ar and pupil.full_name_ar in text
    assert SCHOOL_AR in text
    assert "طنجة تطوان الحسيمة" in text  # the AREF's Arabic name
    assert "الرياضيات" in text  # subject names in Arabic
    assert pupil.full_name in text and pupil.code_massar in text
    for number in ("10,50", "13,50", "12,63"):
        assert number in text, number  # numbers keep their left-to-right order
    with translation.override("ar"):
        labels = [gettext("Moyenne générale"), gettext("Rang"), gettext("Royaume du Maroc")]
    for label in labels:
        assert label in text, label
    # Shaped by the font (OpenType), not by substituting presentation-form characters.
    assert not PRESENTATION_FORMS.search(text)
    # The page mirrors: the pupil block's first column is on the right in Arabic.
    french = bulletin_pdf(enrolment=enrolment, semester=marked.s1, language="fr")
    assert word_x(french, pupil.code_massar) < 297 < word_x(pdf, pupil.code_massar)
    assert b"/Lang(ar)" in pdf


def test_arabic_bulletin_dates_are_moroccan(marked) -> None:  # type: ignore[no-untyped-def]
    """Issue #9: « 3 دجنبر 2026 » as CLDR ar-MA writes it, not 03/12/2026 nor ديسمبر."""
    pdf = bulletin_pdf(enrolment=child_enrolment(marked), semester=marked.s1, language="ar")
    text = pdf_text(pdf)
    months = Locale.parse("ar_MA").months["format"]["wide"]
    # pdftotext gives a number next to Arabic words in display order ("3دجنبر 2026"), so
    # the month and the year are compared, and the day is looked for beside them.
    for day in (marked.child.birth_date, timezone.localdate()):
        assert re.search(rf"{day.day}\s*:?\s*{months[day.month]} {day.year}", text), day
    assert marked.child.birth_date.strftime("%d/%m/%Y") not in text


def test_bulletin_names_the_pupil_in_its_language_first(marked, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The name field holds the name in the bulletin's script, the other field the other
    script, each with its language so the template isolates it (bulletin.typ: run)."""
    seen: list[dict] = []
    monkeypatch.setattr(reports, "_render", lambda document, tagged: seen.append(document) or b"")
    pupil = marked.child
    for language in ("ar", "fr"):
        with pytest.raises(Exception):  # noqa: B017 - the stub returns no PDF to count
            bulletins_class_pdf(school_class=marked.class_a1, semester=marked.s1, language=language)
    ar_page, fr_page = (
        next(b for b in doc["bulletins"] if b["massar"] == pupil.code_massar) for doc in seen
    )
    assert (ar_page["name"], ar_page["name_lang"]) == (pupil.full_name_ar, "ar")
    assert (ar_page["other_name"], ar_page["other_name_lang"]) == (pupil.full_name, "fr")
    assert (fr_page["name"], fr_page["name_lang"]) == (pupil.full_name, "fr")
    assert (fr_page["other_name"], fr_page["other_name_lang"]) == (pupil.full_name_ar, "ar")


def test_class_results_is_computed_once_per_class(
    marked, monkeypatch, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    calls = []

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(args)
        return class_results(*args, **kwargs)

    monkeypatch.setattr(reports, "class_results", spy)
    bulletins_class_pdf(school_class=marked.class_a1, semester=marked.s1, language="ar")
    assert len(calls) == 1
    # The query count does not grow with the class: the school's ancestors, class_results
    # (the cycle's mark scale, coefficients, roster, marks, sheets), the absences and the
    # teachers' appreciations.
    with django_assert_num_queries(8):
        bulletins_class_pdf(school_class=marked.class_b1, semester=marked.s1, language="fr")
    for _ in range(4):
        enrol(make_pupil(), marked.class_b1)
    with django_assert_num_queries(8):
        pdf = bulletins_class_pdf(school_class=marked.class_b1, semester=marked.s1, language="fr")
    assert pages(pdf) == 7


def test_several_classes_make_one_pdf(marked, personas) -> None:  # type: ignore[no-untyped-def]
    class_a2 = make_class(personas.school_a, marked.year, "6AP", "6AP-1")
    for _ in range(2):
        enrol(make_pupil(), class_a2)
    classes = reports.report_classes(semester=marked.s1, school_id=personas.school_a.pk)
    assert [c.name for c in classes] == ["5AP-1", "6AP-1"]
    pdf = bulletins_pdf(classes=classes, semester=marked.s1, language="ar")
    assert pdf.startswith(b"%PDF") and pages(pdf) == 7


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_every_subject_of_the_structure_fits_on_one_page(marked, language: str) -> None:  # type: ignore[no-untyped-def]
    for subject in Subject.objects.all():  # 14 subjects, more than any level studies
        sheet_ensure(school_class=marked.class_b1, subject=subject, semester=marked.s1)
    pdf = bulletins_class_pdf(school_class=marked.class_b1, semester=marked.s1, language=language)
    assert pages(pdf) == 3
    assert Subject.objects.count() == 14


def test_a_bulletin_spilling_onto_a_second_page_stops_the_batch(marked, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(reports, "_page_count", lambda pdf: 6)
    with pytest.raises(reports.ReportError, match="5AP-1"):
        bulletins_class_pdf(school_class=marked.class_a1, semester=marked.s1, language="fr")


def test_names_are_text_never_markup(marked) -> None:  # type: ignore[no-untyped-def]
    pupil = make_pupil(last_name='#panic("x") *Gras* $x$ \\', first_name="<b>")
    enrolment = enrol(pupil, marked.class_a1)
    pdf = bulletin_pdf(enrolment=enrolment, semester=marked.s1, language="fr")
    assert '#panic("x") *Gras* $x$ \\ <b>' in pdf_text(pdf)


def test_missing_font_fails_with_the_package_to_install(marked, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.REPORT_FONT_DIRS = [str(tmp_path)]
    with pytest.raises(ReportFontMissing) as caught:
        bulletin_pdf(enrolment=child_enrolment(marked), semester=marked.s1, language="ar")
    assert "Noto Naskh Arabic" in str(caught.value)
    assert "apt-get install fonts-noto-core" in str(caught.value)


def test_unknown_language_is_refused(marked) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="language"):
        bulletin_pdf(enrolment=child_enrolment(marked), semester=marked.s1, language="de")


# --- Who may print what -------------------------------------------------------------------------


def _user(username: str, role: str, unit):  # type: ignore[no-untyped-def]
    user = UserFactory(username=username)
    role_assign(actor=None, user=user, role=role, org_unit=unit)
    return user


@pytest.fixture
def outsiders(marked, personas):  # type: ignore[no-untyped-def]
    """A parent of a pupil of school B, and a teacher of another class of school A."""
    parent_b = _user("parent.b", PARENT, personas.school_b)
    Guardian.objects.create(
        pupil=marked.pupils_b1[0], user=parent_b, relation=GuardianRelation.FATHER
    )
    teacher_a2 = _user("teacher.a2", TEACHER, personas.school_a)
    class_a2 = make_class(personas.school_a, marked.year, "6AP", "6AP-1")
    teach(make_teacher(teacher_a2, personas.school_a), class_a2, "MATH")
    return {"parent_b": parent_b, "teacher_a2": teacher_a2}


def _persona(personas, outsiders, name):  # type: ignore[no-untyped-def]
    return outsiders[name] if name in outsiders else getattr(personas, name)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("national_admin", 200),
        ("regional_officer", 200),
        ("provincial_a", 200),
        ("head_a", 200),
        ("teacher_a1", 200),
        ("parent_a", 200),
        ("provincial_b", 404),
        ("head_b", 404),
        ("teacher_a2", 404),
        ("parent_b", 404),
        ("agent", 404),
    ],
)
def test_pupil_bulletin_matrix(
    client, marked, personas, outsiders, persona: str, status: int
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(_persona(personas, outsiders, persona))
    response = client.get(f"/schooling/pupils/{marked.child.code_massar}/bulletin/1.pdf?lang=ar")
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert marked.child.full_name_ar in pdf_text(response.content)


def test_a_parent_sees_only_their_own_child(client, marked, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.parent_a)
    other = marked.pupils_a1[1]
    assert client.get(f"/schooling/pupils/{other.code_massar}/bulletin/1.pdf").status_code == 404
    assert (
        client.get(f"/schooling/pupils/{marked.child.code_massar}/bulletin/3.pdf").status_code
        == 404
    )
    response = client.get(f"/schooling/pupils/{marked.child.code_massar}/bulletin/2.pdf?lang=fr")
    assert response.status_code == 200 and "Semestre 2" in pdf_text(response.content)


CLASS_BATCH = [
    ("national_admin", True),
    ("regional_officer", True),
    ("provincial_a", True),
    ("head_a", True),
    ("provincial_b", False),
    ("head_b", False),
    ("teacher_a1", False),  # teaches the class, but printing is the school's business
    ("teacher_a2", False),
    ("parent_a", False),
    ("agent", False),
]


@pytest.mark.parametrize(("persona", "allowed"), CLASS_BATCH)
def test_class_batch_matrix(
    client, marked, personas, outsiders, persona: str, allowed: bool
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(_persona(personas, outsiders, persona))
    response = client.post(
        f"/schooling/classes/{marked.class_a1.pk}/bulletins/", {"semestre": "1", "lang": "ar"}
    )
    if allowed:
        job = Job.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
        assert job.kind == "schooling.report_cards"
        assert job.params == {
            "class_ids": [marked.class_a1.pk],
            "semester_id": marked.s1.pk,
            "language": "ar",
        }
    else:
        assert response.status_code == 404
        assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("national_admin", True),
        ("head_a", True),
        ("regional_officer", False),
        ("provincial_a", False),
        ("head_b", False),
        ("teacher_a1", False),
        ("parent_a", False),
        ("agent", False),
    ],
)
def test_school_batch_matrix(
    client, marked, personas, outsiders, persona: str, allowed: bool
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(_persona(personas, outsiders, persona))
    response = client.post("/schooling/schools/04101A/bulletins/", {"semestre": "2"})
    if allowed:
        job = Job.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
        assert job.params == {
            "school_id": personas.school_a.pk,
            "semester_id": marked.s2.pk,
            "language": "fr",
        }
    else:
        assert response.status_code == 404
        assert not Job.objects.exists()


def test_batch_refuses_get_and_bad_semester(client, marked, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.head_a)
    assert client.get(f"/schooling/classes/{marked.class_a1.pk}/bulletins/").status_code == 405
    bad = client.post(f"/schooling/classes/{marked.class_a1.pk}/bulletins/", {"semestre": "3"})
    assert bad.status_code == 404
    assert not Job.objects.exists()


# --- The batch job, through the worker ----------------------------------------------------------


def test_batch_job_runs_in_the_worker_and_its_file_is_downloaded(
    client, marked, personas, django_capture_on_commit_callbacks, run_jobs, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    class_a2 = make_class(personas.school_a, marked.year, "6AP", "6AP-2")
    for _ in range(2):
        enrol(make_pupil(), class_a2)
    client.force_login(personas.head_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/schooling/schools/04101A/bulletins/", {"semestre": "1", "lang": "ar"}
        )
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    run_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.result
    assert job.result["file"] == f"report-cards/{job.pk}.pdf"
    url = f"/schooling/report-cards/{job.pk}.pdf"
    assert job.result["download"] == url
    assert (job.done, job.total, job.result["bulletins"]) == (7, 7, 7)
    assert (tmp_path / "report-cards" / f"{job.pk}.pdf").is_file()
    page = client.get(f"/jobs/{job.pk}/progress/").content.decode()
    assert "100 %" in page

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    pdf = b"".join(response.streaming_content)
    assert pdf.startswith(b"%PDF") and pages(pdf) == 7
    assert SCHOOL_AR in pdf_text(pdf)
    # Only the job's creator or an administrator downloads it.
    for persona in ("national_admin",):
        client.force_login(getattr(personas, persona))
        assert client.get(url).status_code == 200
    for persona in ("head_b", "provincial_a", "teacher_a1", "parent_a"):
        client.force_login(getattr(personas, persona))
        assert client.get(url).status_code == 404


def test_download_of_an_unfinished_or_foreign_job_is_404(
    client, marked, personas, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    client.force_login(personas.head_a)
    client.post(f"/schooling/classes/{marked.class_a1.pk}/bulletins/", {"semestre": "1"})
    job = Job.objects.get()
    assert client.get(f"/schooling/report-cards/{job.pk}.pdf").status_code == 404  # queued
    other = Job.objects.create(
        kind="orgunits.import", created_by=personas.head_a, status="succeeded"
    )
    assert client.get(f"/schooling/report-cards/{other.pk}.pdf").status_code == 404
    # A result pointing outside the report folder is never served.
    job.status, job.result = Job.Status.SUCCEEDED, {"file": "../db.sqlite3"}
    job.save()
    assert client.get(f"/schooling/report-cards/{job.pk}.pdf").status_code == 404


def test_download_of_a_purged_batch_says_it_expired(
    client, marked, personas, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    settings.REPORT_CARDS_RETENTION_DAYS = 3
    (tmp_path / "report-cards").mkdir()
    job = Job.objects.create(
        kind="schooling.report_cards",
        created_by=personas.head_a,
        status=Job.Status.SUCCEEDED,
        result={"file": "report-cards/gone.pdf"},
    )
    url = f"/schooling/report-cards/{job.pk}.pdf"
    client.force_login(personas.head_a)
    response = client.get(url)
    assert response.status_code == 410
    assert "gardés 3 jours" in response.content.decode()
    # Whoever may not see the job still learns nothing about it.
    client.force_login(personas.head_b)
    assert client.get(url).status_code == 404


def test_a_failing_batch_says_why(
    client, marked, personas, django_capture_on_commit_callbacks, run_jobs, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    empty = make_class(personas.school_a, marked.year, "6AP", "6AP-9")
    client.force_login(personas.head_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/schooling/classes/{empty.pk}/bulletins/", {"semestre": "1"})
    run_jobs()
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert "Aucun élève" in job.message


def _aged(path: Path, days: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-old")
    stamp = path.stat().st_mtime - days * 86400
    os.utime(path, (stamp, stamp))
    return path


def test_purge_deletes_batch_files_past_their_retention_only(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    settings.REPORT_CARDS_RETENTION_DAYS = 7
    folder = tmp_path / "report-cards"
    old, crashed = _aged(folder / "old.pdf", 8), _aged(folder / "crashed.part", 8)
    recent = _aged(folder / "recent.pdf", 6)
    elsewhere = _aged(tmp_path / "uploads" / "old.pdf", 30)
    assert reports.report_files_purge() == 2
    assert not old.exists() and not crashed.exists()
    assert recent.exists() and elsewhere.exists()
    settings.REPORT_CARDS_RETENTION_DAYS = 5
    assert reports.report_files_purge() == 1
    assert not recent.exists()


def test_purge_without_a_report_folder_does_nothing(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "absent"
    assert reports.report_files_purge() == 0


def test_a_new_batch_purges_the_expired_ones(
    client, marked, personas, django_capture_on_commit_callbacks, run_jobs, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    settings.REPORT_CARDS_RETENTION_DAYS = 7
    expired = _aged(tmp_path / "report-cards" / "expired.pdf", 8)
    kept = _aged(tmp_path / "report-cards" / "kept.pdf", 1)
    client.force_login(personas.head_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/schooling/classes/{marked.class_a1.pk}/bulletins/", {"semestre": "1"})
    run_jobs()
    job = Job.objects.get()
    assert job.status == Job.Status.SUCCEEDED, job.result
    assert not expired.exists() and kept.exists()
    assert (tmp_path / job.result["file"]).is_file()


def test_purge_command(settings, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    settings.REPORT_CARDS_RETENTION_DAYS = 3
    old = _aged(tmp_path / "report-cards" / "old.pdf", 4)
    call_command("purge_report_cards")
    assert not old.exists()
    assert "1 file(s) older than 3 day(s) deleted." in capsys.readouterr().out


def test_batch_form_renders_for_a_class_and_a_school(marked) -> None:  # type: ignore[no-untyped-def]
    html = render_to_string("schooling/report_cards_form.html", {"school_class": marked.class_a1})
    assert f'action="/schooling/classes/{marked.class_a1.pk}/bulletins/"' in html
    html = render_to_string("schooling/report_cards_form.html", {"school_code": "04101A"})
    assert 'action="/schooling/schools/04101A/bulletins/"' in html
    assert 'name="semestre"' in html and 'value="ar"' in html


# --- The command ---------------------------------------------------------------------------------


def test_command_prints_a_class_and_a_school(marked, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "a1.pdf"
    call_command(
        "report_cards",
        "--class",
        str(marked.class_a1.pk),
        "--semester",
        "1",
        "--lang",
        "ar",
        "-o",
        str(out),
    )
    assert pages(out.read_bytes()) == 5
    assert "5 bulletins" in capsys.readouterr().out
    out = tmp_path / "b.pdf"
    call_command("report_cards", "--school", "03201B", "--semester", "2", "-o", str(out))
    assert pages(out.read_bytes()) == 3
    assert "Semestre 2" in pdf_text(out.read_bytes())


def test_command_errors_are_plain(marked, tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "x.pdf"
    with pytest.raises(CommandError, match="no such school"):
        call_command("report_cards", "--school", "NOPE", "--semester", "1", "-o", str(out))
    with pytest.raises(CommandError, match="no class 999999"):
        call_command("report_cards", "--class", "999999", "--semester", "1", "-o", str(out))
    settings.REPORT_FONT_DIRS = [str(tmp_path)]
    with pytest.raises(CommandError, match="fonts-noto-core"):
        call_command(
            "report_cards", "--class", str(marked.class_a1.pk), "--semester", "1", "-o", str(out)
        )
    assert not out.exists()
