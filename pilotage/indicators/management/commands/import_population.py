from pilotage.core.imports import ImportCommand


class Command(ImportCommand):
    help = (
        "Import population estimates (province, year, age, sex, population) from a CSV or "
        "XLSX file; the file's cells replace the stored ones; all rows or none."
    )
    kind = "indicators.import_population"
