"""``manage.py contact_sla_check [--at ISO-DATETIME]``: record and e-mail the SLA warnings
(75 % of a deadline, to the assignee) and breaches (to the supervisors covering the ticket);
each event goes once, so a cron may run it as often as it likes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from pilotage.contact.services.sla import sla_check


class Command(BaseCommand):
    help = "Record and e-mail the SLA warnings and breaches (each once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--at", help="the instant to check at (ISO 8601); default now")

    def handle(self, *args: Any, **options: Any) -> None:
        at = None
        if options.get("at"):
            try:
                at = dt.datetime.fromisoformat(options["at"])
            except ValueError as exc:
                raise CommandError(f"--at: {options['at']!r} is not an ISO 8601 instant") from exc
            if timezone.is_naive(at):
                at = timezone.make_aware(at)
        result = sla_check(at=at)
        self.stdout.write(
            f"{result['warned']} warning(s), {result['breached']} breach(es), "
            f"{result['emails']} e-mail(s) sent"
        )
