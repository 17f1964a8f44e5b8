import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pilotage.core.jobs import Progress, TerminalReporter
from pilotage.core.tabular import ImportRejected
from pilotage.orgunits.imports import orgunits_import


class Command(BaseCommand):
    help = "Import org units from a CSV or XLSX file; all rows or none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Validate only; write nothing.")

    def handle(self, *args: Any, file: Path, dry_run: bool, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        reporter = TerminalReporter(f"Import {file.name}")
        try:
            with file.open("rb") as stream:
                counts = orgunits_import(
                    actor=None,
                    stream=stream,
                    filename=file.name,
                    dry_run=dry_run,
                    progress=Progress(None, echo=reporter),
                )
        except ImportRejected as rejected:
            reporter.close()
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            self.stderr.write(
                f"{file.name}: rejected, {len(rejected.problems)} problem(s); nothing written."
            )
            sys.exit(1)
        reporter.close()
        prefix = "dry run: " if dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(prefix + ", ".join(f"{k} {v}" for k, v in counts.items()))
        )
