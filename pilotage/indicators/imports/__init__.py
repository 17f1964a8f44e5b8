"""The indicators app's imports, declared for the kernel's pipeline
(``pilotage.core.imports``; registered in ``indicators/tasks.py``): aggregate data values
and population estimates."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from pilotage.core.imports import ImportKind
from pilotage.indicators.imports.aggregates import AGGREGATE_COLUMNS, aggregates_import
from pilotage.indicators.imports.population import POPULATION_COLUMNS, population_import
from pilotage.indicators.permissions import can_enter_data_somewhere, can_manage_catalogue

__all__ = [
    "AGGREGATES",
    "AGGREGATE_COLUMNS",
    "POPULATION",
    "POPULATION_COLUMNS",
    "aggregates_import",
    "population_import",
]

AGGREGATES = ImportKind(
    name="indicators.import_aggregates",
    label=_("Import de données agrégées"),
    title=_("Importer des données agrégées"),
    columns=AGGREGATE_COLUMNS,
    example={
        "period": "2025-2026",
        "org_unit": "04101A",
        "data_element": "classrooms",
        "category_option": "total",
        "value": "12",
    },
    run=aggregates_import,
    may_open=can_enter_data_somewhere,
    help=(
        _(
            "period : code de période (2025-11, 2025Q4, 2025, 2025-2026) ; org_unit : code de "
            "l'unité, au niveau de l'ensemble de données ; data_element et category_option : "
            "codes du catalogue (option vide si l'élément n'en a qu'une) ; value : nombre "
            "(virgule acceptée), vide pour effacer. Les données approuvées sont refusées."
        ),
    ),
)
POPULATION = ImportKind(
    name="indicators.import_population",
    label=_("Import d'estimations de population"),
    title=_("Importer des estimations de population"),
    columns=POPULATION_COLUMNS,
    example={
        "province": "MA-TNG",
        "year": "2025-2026",
        "age": "6",
        "sex": "F",
        "population": "10250",
    },
    run=population_import,
    may_open=can_manage_catalogue,
    help=(
        _(
            "province : code d'une direction provinciale ; year : année scolaire (2025-2026) ; "
            "age : âge révolu, de 0 à 120 ; sex : F ou M ; population : nombre entier. Les "
            "cellules du fichier remplacent celles enregistrées, les autres sont gardées."
        ),
    ),
)
