"""``manage.py rebuild_indicators [--year 2025-2026]``: recompute the fact tables from the
school records, for recovery (the writing services keep them up to date otherwise)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pilotage.core.jobs import TerminalReporter
from pilotage.indicators.facts import facts_rebuild
from pilotage.orgunits.models import AcademicYear


class Command(BaseCommand):
    help = "Recompute the indicators' fact tables from the school records."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", help="academic year code, e.g. 2025-2026 (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        years = None
        if options["year"]:
            years = list(AcademicYear.objects.filter(code=options["year"]))
            if not years:
                known = ", ".join(AcademicYear.objects.values_list("code", flat=True))
                raise CommandError(f"Unknown academic year {options['year']!r} (known: {known})")
        reporter = TerminalReporter("rebuild_indicators")
        try:
            result = facts_rebuild(years=years, progress=reporter)
        finally:
            reporter.close()
        self.stdout.write(f"{result['years']} year(s), {result['pupil_facts']} pupil fact rows")
