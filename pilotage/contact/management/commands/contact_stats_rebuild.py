"""``manage.py contact_stats_rebuild``: rebuild the contact centre's statistics tables
(run it from cron, e.g. every 15 minutes; docs/contact.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from pilotage.contact.services.stats import stats_rebuild


class Command(BaseCommand):
    help = "Rebuild the contact centre's statistics from the tickets."

    def handle(self, *args: Any, **options: Any) -> None:
        result = stats_rebuild()
        self.stdout.write(f"{result['tickets']} tickets, {result['rows']} rows")
