"""Report cards: semester bulletins per second per core, French and Arabic, for a whole
school and for one class, against the floor cost of the engine.

The claim (issue "School records", report cards): ≥ 20 bulletins per second per core.

What it builds, in a throwaway PostgreSQL database: the Moroccan structure and tree, the
year 2025-2026, one collège with ``--classes`` 1AC classes of ``--pupils`` pupils, nine
subjects with a marks sheet each (three tests and the integrated activity: 4 marks per
pupil and subject, a few ABS), and absences (about a third of the pupils, one to three
half-days each, some justified).

What it measures, in one process pinned to one core (``os.sched_setaffinity(0, {0})``),
CPU time of the process (``time.process_time()``) and wall time, each run ``--repeat``
times after a warm-up (the first bulletin of a process loads the fonts), best and median.
Before every run (untimed) all marks change, so each run prints other averages, ranks and
mentions and none is served from Typst's memoised layout of an identical document:

- ours, the real code path: ``bulletins_pdf`` for the whole school (``report_classes``,
  then per class ``class_results``, absences, JSON, Typst, the page check; parts joined
  with pypdf), ``bulletins_class_pdf`` for one class, and ``bulletin_pdf`` one pupil at a
  time (tagged) for one class;
- the same documents (the JSON ``reports.py`` hands Typst, built beforehand) compiled with
  the real template: the share of Typst in ours;
- the baseline: the same documents compiled, one class per document as ours does, with a
  trivial template (one page per pupil with their name, same fonts, language and
  direction), the floor cost of the engine for the same number of pages.

The PostgreSQL backend's CPU is reported apart (it is not on the pinned core).

    .venv/bin/python bench/report_cards.py
    .venv/bin/python bench/report_cards.py --repeat 1 --no-record
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shlex
import signal
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from importlib.metadata import version
from typing import Any

import common

FIRST_YEAR = 2025
LEVEL = "1AC"
SUBJECTS = 9
GOAL = 20.0
BASELINE_TEMPLATE = b"""
#let data = json(bytes(sys.inputs.data))
#set document(title: data.title)
#set page(paper: "a4")
#set text(font: data.fonts, lang: data.lang, dir: if data.rtl { rtl } else { ltr })
#for (i, b) in data.bulletins.enumerate() {
  if i > 0 { pagebreak() }
  text(b.name)
}
"""


# --- Data set ----------------------------------------------------------------------------


@dataclass
class School:
    org_unit_id: int
    semester_id: int
    class_ids: list[int]
    pupils: int
    marks: int
    absences: int
    built_in: float


def build_school(classes: int, pupils: int, seed: int = 2025) -> School:
    from import_enrolments import FIRST_NAMES, LAST_NAMES

    from pilotage.accounts.models import User
    from pilotage.orgunits.countries import country_load_morocco
    from pilotage.orgunits.models import OrgUnit, OrgUnitLevel, Semester
    from pilotage.orgunits.services import academic_year_create, orgunit_create, school_save
    from pilotage.schooling.models import (
        Absence,
        Enrolment,
        GradeLevel,
        Mark,
        Pupil,
        SchoolClass,
        Session,
        Subject,
    )
    from pilotage.schooling.services.marks import sheet_ensure
    from pilotage.schooling.structure import structure_load_morocco

    started = time.perf_counter()
    rng = random.Random(seed)
    structure_load_morocco()
    country_load_morocco()
    year = academic_year_create(actor=None, first_year=FIRST_YEAR, current=True)
    semester = Semester.objects.get(academic_year=year, number=1)
    level = GradeLevel.objects.get(code=LEVEL)
    subjects = list(
        Subject.objects.filter(subjectcoefficient__grade_level=level).order_by("code").distinct()
    )[:SUBJECTS]
    province = OrgUnit.objects.filter(depth=3).order_by("code").first()
    assert province is not None  # noqa: S101 - country_load_morocco just made them
    commune = orgunit_create(
        actor=None,
        parent=province,
        level=OrgUnitLevel.objects.get(depth=4),
        code="BENCH-COMMUNE",
        name_fr="Commune du banc d'essai",
        name_ar="جماعة الاختبار",
    )
    unit = orgunit_create(
        actor=None,
        parent=commune,
        level=OrgUnitLevel.objects.get(depth=5),
        code="BENCH-COLLEGE",
        name_fr="Collège Ibn Battouta",
        name_ar="إعدادية ابن بطوطة",
    )
    school_save(
        actor=None,
        org_unit=unit,
        school_code="90001C",
        cycles=["college"],
        sector="public",
        milieu="urbain",
    )
    teacher = User.objects.create(username="bench-teacher", password="!")  # noqa: S106
    school_classes = SchoolClass.objects.bulk_create(
        SchoolClass(school=unit, academic_year=year, grade_level=level, name=f"{LEVEL}-{c + 1}")
        for c in range(classes)
    )
    people = []
    for i in range(classes * pupils):
        last, last_ar = LAST_NAMES[rng.randrange(len(LAST_NAMES))]
        first, first_ar, sex = FIRST_NAMES[rng.randrange(len(FIRST_NAMES))]
        people.append(
            Pupil(
                code_massar=f"J{130_000_000 + i:09d}",
                last_name=last,
                first_name=first,
                last_name_ar=last_ar,
                first_name_ar=first_ar,
                sex=sex,
                birth_date=dt.date(FIRST_YEAR - 12, rng.randint(1, 12), rng.randint(1, 28)),
            )
        )
    people = Pupil.objects.bulk_create(people)
    class_of = [school_classes[i // pupils] for i in range(len(people))]
    Enrolment.objects.bulk_create(
        Enrolment(
            pupil=pupil,
            school=unit,
            academic_year=year,
            grade_level=level,
            school_class=class_of[i],
            entered_on=year.start,
        )
        for i, pupil in enumerate(people)
    )
    marks = []
    for school_class in school_classes:
        roster = [p for p, c in zip(people, class_of, strict=True) if c is school_class]
        for subject in subjects:
            sheet = sheet_ensure(school_class=school_class, subject=subject, semester=semester)
            for assessment in sheet.assessments.all():
                for pupil in roster:
                    absent = rng.random() < 0.02
                    marks.append(
                        Mark(
                            assessment=assessment,
                            pupil=pupil,
                            value=None if absent else Decimal(rng.randint(0, 80)) / 4,
                            code="ABS" if absent else "",
                            updated_by=teacher,
                        )
                    )
    Mark.objects.bulk_create(marks, batch_size=5000)
    absences = []
    for pupil, school_class in zip(people, class_of, strict=True):
        if rng.random() < 0.35:
            days = rng.sample(range(100), rng.randint(1, 3))
            for d in days:
                absences.append(
                    Absence(
                        pupil=pupil,
                        school_class=school_class,
                        date=semester.start + dt.timedelta(days=d),
                        session=rng.choice([Session.MORNING, Session.AFTERNOON]),
                        hours=rng.randint(1, 4),
                        justified=rng.random() < 0.4,
                        recorded_by=teacher,
                    )
                )
    Absence.objects.bulk_create(absences)
    return School(
        unit.pk,
        semester.pk,
        [c.pk for c in school_classes],
        len(people),
        len(marks),
        len(absences),
        time.perf_counter() - started,
    )


# --- Runs --------------------------------------------------------------------------------


@dataclass
class Result:
    label: str
    language: str
    bulletins: int
    cpu: list[float]
    wall: list[float]
    postgres: float  # CPU seconds of the PostgreSQL backend, all repeats
    pdf_bytes: int

    def rate(self, times: list[float], best: bool) -> float:
        t = min(times) if best else statistics.median(times)
        return self.bulletins / t if t else 0.0


def backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def shift_marks() -> None:
    """Change every mark (each repeat prints other averages, ranks and mentions), so that
    no run is served from Typst's memoised layout of the same document."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE schooling_mark SET value = mod(value + 1.75, 20) WHERE value IS NOT NULL"
        )


def measure(
    label: str,
    language: str,
    bulletins: int,
    repeat: int,
    fn: Callable[[Any], bytes | int],
    prepare: Callable[[], Any],
) -> Result:
    """``prepare`` (untimed) changes the data before each run, the warm-up included."""
    fn(prepare())  # warm-up: fonts, translations, compiled templates
    pid = backend_pid()
    cpu, wall, size, postgres = [], [], 0, 0.0
    for _ in range(repeat):
        prepared = prepare()
        pg0, c0, w0 = common.cpu_seconds([pid]), time.process_time(), time.perf_counter()
        out = fn(prepared)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
        postgres += common.cpu_seconds([pid]) - pg0
        size = len(out) if isinstance(out, bytes) else out
    return Result(label, language, bulletins, cpu, wall, postgres, size)


def compile_documents(template: bytes, documents: list[str]) -> int:
    """Compile each document as reports.py does (one per class); returns the bytes made."""
    import typst

    from pilotage.schooling import reports

    compiler = reports._compiler()
    size = 0
    for data in documents:
        pdf = compiler.compile(input=template, sys_inputs={"data": data}, pdf_tags=False)
        size += len(pdf) if isinstance(pdf, bytes) else 0
    if not isinstance(compiler, typst.Compiler):  # pragma: no cover - a bug
        raise TypeError(type(compiler))
    return size


def documents_of(classes: list[Any], semester: Any, language: str) -> list[str]:
    """The JSON ``reports.py`` gives Typst for each class (its own private helpers, so the
    documents are exactly the real ones)."""
    from django.utils import translation

    from pilotage.schooling import reports

    out = []
    with translation.override(language):
        header = reports._header(classes[0].school)
        for school_class in classes:
            pages = reports._class_pages(school_class, semester, header=header)
            document = reports._document(pages, language=language, title=school_class.name)
            out.append(json.dumps(document, ensure_ascii=False))
    return out


def run_all(school: School, repeat: int) -> list[Result]:
    from pilotage.orgunits.models import Semester
    from pilotage.schooling import reports
    from pilotage.schooling.models import ACTIVE_STATUSES, Enrolment

    semester = Semester.objects.select_related("academic_year").get(pk=school.semester_id)
    classes = reports.report_classes(semester=semester, school_id=school.org_unit_id)
    first = classes[0]
    in_first = Enrolment.objects.filter(school_class=first, status__in=ACTIVE_STATUSES).count()
    enrolments = list(
        Enrolment.objects.filter(school_class=first, status__in=ACTIVE_STATUSES).select_related(
            "pupil", "school_class__school"
        )
    )
    template = reports._template()
    results = []
    for language in reports.LANGUAGES:

        def school_batch(_p: Any, language: str = language) -> bytes:
            chosen = reports.report_classes(semester=semester, school_id=school.org_unit_id)
            return reports.bulletins_pdf(classes=chosen, semester=semester, language=language)

        def one_class(_p: Any, language: str = language) -> bytes:
            return reports.bulletins_class_pdf(
                school_class=first, semester=semester, language=language
            )

        def one_by_one(_p: Any, language: str = language) -> int:
            return sum(
                len(reports.bulletin_pdf(enrolment=e, semester=semester, language=language))
                for e in enrolments
            )

        def new_documents(language: str = language) -> list[str]:
            shift_marks()
            return documents_of(classes, semester, language)

        for label, bulletins, fn, prepare in (
            ("ours: whole school, `bulletins_pdf`", school.pupils, school_batch, shift_marks),
            ("ours: one class, `bulletins_class_pdf`", in_first, one_class, shift_marks),
            (
                "ours: one pupil at a time, `bulletin_pdf` (tagged)",
                in_first,
                one_by_one,
                shift_marks,
            ),
            (
                "Typst alone, real template, same documents",
                school.pupils,
                lambda docs: compile_documents(template, docs),
                new_documents,
            ),
            (
                "baseline: Typst, trivial one-page-per-pupil template, same documents",
                school.pupils,
                lambda docs: compile_documents(BASELINE_TEMPLATE, docs),
                new_documents,
            ),
        ):
            result = measure(label, language, bulletins, repeat, fn, prepare)
            print(
                f"{language} {label}: {result.rate(result.cpu, True):.0f} bulletins/CPU-s,"
                f" {result.rate(result.wall, True):.0f} bulletins/s wall (best)",
                flush=True,
            )
            results.append(result)
    return results


# --- Report ------------------------------------------------------------------------------


def report(
    args: argparse.Namespace, info: dict[str, str], school: School, results: list[Result]
) -> str:
    command = "python bench/report_cards.py " + shlex.join(sys.argv[1:])
    lines = [
        "| language | run | bulletins | per CPU-second, best / median | per wall-second, best"
        " / median | PostgreSQL CPU s (all repeats) | PDF KB |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.language} | {r.label} | {r.bulletins} | {r.rate(r.cpu, True):.0f} /"
            f" {r.rate(r.cpu, False):.0f} | {r.rate(r.wall, True):.0f} /"
            f" {r.rate(r.wall, False):.0f} | {r.postgres:.2f} | {r.pdf_bytes / 1024:.0f} |"
        )
    ratios = []
    for language in ("fr", "ar"):
        mine = [r for r in results if r.language == language]
        school_run = next(r for r in mine if "whole school" in r.label)
        typst_only = next(r for r in mine if "alone" in r.label)
        base = next(r for r in mine if r.label.startswith("baseline"))
        ours_rate = school_run.rate(school_run.cpu, False)
        ratios.append(
            f"- {language}: whole school {ours_rate:.0f} bulletins per CPU-second (median), "
            f"baseline {base.rate(base.cpu, False):.0f}: **ours / baseline = "
            f"{ours_rate / base.rate(base.cpu, False):.2f}**; Typst with the real template "
            f"takes {statistics.median(typst_only.cpu) / statistics.median(school_run.cpu):.0%}"
            f" of ours' CPU; goal ≥ {GOAL:.0f}/s per core: "
            f"{'met' if ours_rate >= GOAL else 'not met'} ({ours_rate / GOAL:.1f}×)."
        )
    parts = [
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC: `.venv/bin/{command.strip()}`",
        "",
        "Machine (shared with other work during the run: see the load average):",
        "",
        common.machine_text(info),
        f"- typst (PyPI): {version('typst')}, pypdf: {version('pypdf')}",
        f"- load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        "",
        f"Data: one collège, {len(school.class_ids)} classes of {args.pupils} pupils"
        f" ({school.pupils}), {SUBJECTS} subjects × 4 marks ({school.marks} marks),"
        f" {school.absences} absences; PostgreSQL, built in {school.built_in:.1f} s. The"
        " process is pinned to CPU 0; each run repeated"
        f" {args.repeat} times after a warm-up.",
        "",
        *lines,
        "",
        *ratios,
    ]
    return "\n".join(parts)


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--pupils", type=int, default=35, help="pupils per class")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--no-record", dest="record", action="store_false")
    return p.parse_args()


def main() -> int:
    args = parse_args()
    # A plain kill still drops the database and the temporary files (finally blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    warnings.filterwarnings("ignore", message="No directory at")
    os.sched_setaffinity(0, {0})
    info = common.machine()
    info["pinned to"] = "CPU 0"
    print("Report cards —", ", ".join(f"{k}: {v}" for k, v in info.items()), flush=True)
    with common.temp_database("bench_reports") as db_url:
        common.django_setup(db_url, DJANGO_DEBUG="false")
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0)
        school = build_school(args.classes, args.pupils)
        print(
            f"data: {school.pupils} pupils, {school.marks} marks, {school.absences} absences,"
            f" built in {school.built_in:.1f} s",
            flush=True,
        )
        results = run_all(school, args.repeat)
        connections.close_all()
    text = report(args, info, school, results)
    print()
    print(text)
    if args.record:
        common.record_section("Report cards", text)
        print(f"\nrecorded in {common.BENCHMARKS_MD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
