"""``manage.py export_dhis2 --org-unit MA --period 2025-2026 [--output file.json]
[--user name]``: the DHIS2 ``dataValueSets`` file of a subtree and a school year
(``pilotage/indicators/dhis2.py``), written as it is computed.

Run by an operator, it exports any subtree; with ``--user`` it exports what that user
may see, as the download page would (a unit out of their scope is refused). Reads go to
the read replica when there is one."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from pilotage.core.dbrouter import replica_reads
from pilotage.indicators import dhis2
from pilotage.indicators.engine import IndicatorError
from pilotage.orgunits.models import OrgUnit


class Command(BaseCommand):
    help = "Export indicator and aggregate values of a subtree and a school year for DHIS2."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org-unit", required=True, help="org-unit code, e.g. MA")
        parser.add_argument("--period", help="school year, e.g. 2025-2026 (default: the latest)")
        parser.add_argument("--output", help="file to write (default: standard output)")
        parser.add_argument("--user", help="export only what this username may see")

    def handle(self, *args: Any, **options: Any) -> None:
        with replica_reads():
            export = self._export(options)
            started = time.monotonic()
            counted = _Counter(dhis2.data_values(export))
            chunks = dhis2.json_chunks(counted)
            if options["output"]:
                with open(options["output"], "w", encoding="utf-8") as out:
                    size = _write(chunks, out.write)
            else:
                size = _write(chunks, lambda chunk: self.stdout.write(chunk, ending=""))
        self.stderr.write(
            f"{counted.n} data values, {size} bytes, {time.monotonic() - started:.1f} s"
        )

    def _export(self, options: dict[str, Any]) -> dhis2.Export:
        code, period = options["org_unit"], options["period"]
        try:
            if options["user"]:
                user = get_user_model().objects.filter(username=options["user"]).first()
                if user is None:
                    raise CommandError(f"Unknown user {options['user']!r}")
                return dhis2.export_for(user, code, period)
            unit = OrgUnit.objects.filter(code=code).first()
            if unit is None:
                raise CommandError(f"Unknown org unit {code!r}")
            years = dhis2.school_years(period)
            if not years:
                raise CommandError("No school year to export")
            return dhis2.Export([unit], years[0])
        except Http404 as exc:
            raise CommandError(f"Org unit {code!r} is not in {options['user']}'s scope") from exc
        except IndicatorError as exc:
            raise CommandError(str(exc)) from exc


def _write(chunks: Iterator[str], write: Callable[[str], Any]) -> int:
    size = 0
    for chunk in chunks:
        write(chunk)
        size += len(chunk.encode())
    return size


class _Counter:
    def __init__(self, values: Iterator[dict[str, str]]) -> None:
        self.values = values
        self.n = 0

    def __iter__(self) -> Iterator[dict[str, str]]:
        for value in self.values:
            self.n += 1
            yield value
