"""Print the bulletins of a class or a school into one PDF, with a progress bar."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pilotage.core.jobs import Progress, TerminalReporter
from pilotage.orgunits.models import AcademicYear, OrgUnit, Semester
from pilotage.orgunits.selectors import academic_year_current
from pilotage.schooling.models import SchoolClass
from pilotage.schooling.reports import LANGUAGES, ReportError, bulletins_pdf, report_classes


class Command(BaseCommand):
    help = "Semester bulletins of a class (--class) or a school (--school) as one PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument(
            "--class", dest="class_ids", type=int, action="append", help="class id (repeatable)"
        )
        which.add_argument("--school", help="school code (code établissement)")
        parser.add_argument("--semester", type=int, choices=[1, 2], required=True)
        parser.add_argument("--lang", choices=LANGUAGES, default="fr")
        parser.add_argument(
            "--year", help="academic year code, e.g. 2025-2026 (default: the current year)"
        )
        parser.add_argument("-o", "--output", type=Path, required=True, help="PDF file to write")

    def handle(
        self,
        *args: Any,
        class_ids: list[int] | None,
        school: str | None,
        semester: int,
        lang: str,
        year: str | None,
        output: Path,
        **options: Any,
    ) -> None:
        academic_year = self._year(year, class_ids)
        term = Semester.objects.filter(academic_year=academic_year, number=semester).first()
        if term is None:
            raise CommandError(f"{academic_year}: no semester {semester}")
        if school:
            unit = OrgUnit.objects.filter(school__school_code=school).first()
            if unit is None:
                raise CommandError(f"{school}: no such school")
            classes = report_classes(semester=term, school_id=unit.pk)
        else:
            classes = report_classes(semester=term, class_ids=class_ids)
            missing = set(class_ids or []) - {c.pk for c in classes}
            if missing:
                raise CommandError(
                    f"no class {', '.join(map(str, sorted(missing)))} in {academic_year}"
                )
        reporter = TerminalReporter("Bulletins")
        progress = Progress(None, echo=reporter)
        started = time.perf_counter()
        try:
            pdf = bulletins_pdf(
                classes=classes,
                semester=term,
                language=lang,
                progress=progress,
            )
        except ReportError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            reporter.close()
        elapsed = time.perf_counter() - started
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(pdf)
        self.stdout.write(
            self.style.SUCCESS(
                f"{output}: {progress.count_done} bulletins, {len(classes)} class(es), "
                f"{len(pdf) // 1024} KiB in {elapsed:.1f} s"
            )
        )

    def _year(self, code: str | None, class_ids: list[int] | None) -> AcademicYear:
        if code:
            found = AcademicYear.objects.filter(code=code).first()
            if found is None:
                raise CommandError(f"{code}: no such academic year")
            return found
        if class_ids:  # the classes say which year they belong to
            first = SchoolClass.objects.filter(pk__in=class_ids).select_related("academic_year")
            school_class = first.first()
            if school_class is not None:
                return school_class.academic_year
        current = academic_year_current()
        if current is None:
            raise CommandError("no current academic year: pass --year")
        return current
