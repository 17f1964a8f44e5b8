from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pilotage.orgunits.countries import UnknownCountry, country_load
from pilotage.orgunits.models import OrgUnit


class Command(BaseCommand):
    help = (
        "Create the org-unit levels and the upper tree of a country: Morocco (`morocco` or "
        "`MA`: regions and provinces) or any country by its ISO 3166-1 alpha-2 code (`SN`, "
        "`BF`, ...: the country and its first-level ISO 3166-2 subdivisions). Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("country", nargs="?", default="morocco")

    def handle(self, *args: Any, country: str, **options: Any) -> None:
        try:
            root = country_load(country)
        except UnknownCountry as exc:
            raise CommandError(
                f"{country!r} is not an ISO 3166-1 alpha-2 country code (e.g. MA, SN, BF)."
            ) from exc
        count = OrgUnit.objects.filter(path__startswith=root.path).count()
        self.stdout.write(self.style.SUCCESS(f"{root.name_fr} ({root.code}): {count} org units"))
