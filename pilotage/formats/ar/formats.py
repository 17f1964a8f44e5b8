"""Arabic as written in Morocco (CLDR ``ar-MA``, Latin digits): "3 دجنبر 2026", "03/12/2026 20:38".

The short date keeps plain slashes where CLDR puts a right-to-left mark after each number:
the short form fills tables, exports and form fields, where an invisible mark would be
copied into spreadsheets and refused when typed back; the order (day, month, year) is CLDR's."""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

DATE_INPUT_FORMATS = [
    "%d/%m/%Y",  # 03/12/2026
    "%d/%m/%y",  # 03/12/26
]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M:%S.%f",
    "%d/%m/%Y %H:%M",
]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."  # as CLDR ar-MA
NUMBER_GROUPING = 3
