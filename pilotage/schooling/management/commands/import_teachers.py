from pilotage.core.imports import ImportCommand


class Command(ImportCommand):
    help = (
        "Import teachers (account, teacher record, teacher role on the school) from a CSV "
        "or XLSX file; all rows or none."
    )
    kind = "schooling.import_teachers"
