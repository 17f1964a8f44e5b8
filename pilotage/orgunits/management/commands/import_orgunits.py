from pilotage.core.imports import ImportCommand


class Command(ImportCommand):
    help = "Import org units from a CSV or XLSX file; all rows or none."
    kind = "orgunits.import"
