from pilotage.core.imports import ImportCommand


class Command(ImportCommand):
    help = (
        "Import baselines and targets (indicator × unit × year × disaggregation) from a CSV "
        "or XLSX file; all rows or none."
    )
    kind = "indicators.import_targets"
