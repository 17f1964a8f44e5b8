from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from pilotage.orgunits.countries import COUNTRIES
from pilotage.orgunits.models import OrgUnit


class Command(BaseCommand):
    help = "Create the org-unit levels and the upper tree (country, regions, provinces)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("country", nargs="?", default="morocco", choices=sorted(COUNTRIES))

    def handle(self, *args: Any, country: str, **options: Any) -> None:
        root = COUNTRIES[country]()
        count = OrgUnit.objects.filter(path__startswith=root.path).count()
        self.stdout.write(self.style.SUCCESS(f"{root.name_fr}: {count} org units"))
