"""``manage.py iati_import FILE [--dry-run]``: seed partners, opportunities, programmes
and projects from a donor's published IATI 2.0x activities file (all or nothing)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pilotage.cooperation.iati.imports import IatiFileRefused, import_activities

KINDS = ("partner", "opportunity", "programme", "project")


class Command(BaseCommand):
    help = "Import a donor's IATI 2.01-2.03 activities file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and show what would change, write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = import_activities(options["file"], dry_run=options["dry_run"])
        except (IatiFileRefused, OSError) as exc:
            raise CommandError(f"{options['file']}: {exc}") from exc
        if result.problems:
            lines = "\n".join(f"  {problem}" for problem in result.problems)
            raise CommandError(
                f"IATI import refused: {len(result.problems)} problem(s); nothing written.\n{lines}"
            )
        for note in result.notes:
            self.stdout.write(f"note: {note}")
        verb = "would be" if result.dry_run else "were"
        for kind, action, label in result.changes:
            if action != "unchanged":
                self.stdout.write(f"{kind} {action}: {label}")
        summary = ", ".join(
            f"{kind}: {result.count(kind, 'created')} created, "
            f"{result.count(kind, 'updated')} updated, {result.count(kind, 'unchanged')} unchanged"
            for kind in KINDS
        )
        self.stdout.write(f"IATI {result.version} file read; {summary} ({verb} written).")
        if result.dry_run:
            self.stdout.write("Dry run: nothing was written.")
