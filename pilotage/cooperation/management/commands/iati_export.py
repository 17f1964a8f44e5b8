"""``manage.py iati_export -o FILE [--programme CODE] [--validate]``: the IATI 2.03
activities file. Refused (exit status 1, no file written) while an activity breaks an IATI
Standard rule; every failure is listed with the activity and the rule."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pilotage.cooperation.iati.common import schema_errors
from pilotage.cooperation.iati.export import export_to_path
from pilotage.cooperation.models import Programme


class Command(BaseCommand):
    help = "Export the programmes and projects as an IATI 2.03 activities file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", required=True, help="file to write")
        parser.add_argument("--programme", help="only this programme (its code) and its projects")
        parser.add_argument(
            "--validate", action="store_true", help="check the written file against the XSD"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        programmes = Programme.objects.all()
        if options["programme"]:
            programmes = programmes.filter(code=options["programme"])
            if not programmes.exists():
                raise CommandError(f"No programme has the code {options['programme']!r}.")
        started = time.perf_counter()
        result = export_to_path(options["output"], programmes)
        if not result.ok:
            lines = "\n".join(f"  {failure}" for failure in result.failures)
            raise CommandError(
                f"IATI export refused: {len(result.failures)} rule failure(s); no file "
                f"written.\n{lines}"
            )
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{result.activities} activities written to {options['output']} in {seconds:.1f} s."
        )
        if options["validate"]:
            errors = schema_errors(options["output"])
            if errors:
                raise CommandError(
                    "The file does not pass the IATI 2.03 schema:\n" + "\n".join(errors)
                )
            self.stdout.write("The file passes the IATI 2.03 schema.")
