from pilotage.core.imports import ImportCommand


class Command(ImportCommand):
    help = "Import pupils and their enrolments from a CSV or XLSX file; all rows or none."
    kind = "schooling.import_students"
