from typing import Any

from django.core.management.base import BaseCommand

from pilotage.schooling.structure import structure_load_morocco


class Command(BaseCommand):
    help = (
        "Load Morocco's education structure (levels, streams, subjects, coefficients, weightings)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = structure_load_morocco()
        self.stdout.write(self.style.SUCCESS(", ".join(f"{k}: {v}" for k, v in counts.items())))
