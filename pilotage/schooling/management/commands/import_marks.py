from pilotage.core.imports import ImportCommand


class Command(ImportCommand):
    help = "Import marks from a CSV or XLSX file, under the marks-sheet rules; all rows or none."
    kind = "schooling.import_marks"
