"""Delete report-card batch files older than REPORT_CARDS_RETENTION_DAYS.

Each new batch purges them too; this command is for a server where none runs for a while.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from pilotage.schooling.reports import report_files_purge


class Command(BaseCommand):
    help = "Delete report-card batch files older than REPORT_CARDS_RETENTION_DAYS."

    def handle(self, *args: Any, **options: Any) -> None:
        removed = report_files_purge()
        self.stdout.write(
            f"{removed} file(s) older than {settings.REPORT_CARDS_RETENTION_DAYS} day(s) deleted."
        )
