from pilotage.core.imports import ImportCommand


class Command(ImportCommand):
    help = (
        "Import aggregate data values (period, org_unit, data_element, category_option, "
        "value) from a CSV or XLSX file; all rows or none."
    )
    kind = "indicators.import_aggregates"
