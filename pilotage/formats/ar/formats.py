"""Arabic as written in Morocco (CLDR ``ar-MA``, Latin digits): "3 دجنبر 2026", "03/12/2026 20:38".

The short date keeps plain slashes where CLDR puts a right-to-left mark after each number:
the short form fills tables, exports and form fields, where an invisible mark would be
copied into spreadsheets and refused when typed back; the order (day, month, year) is CLDR's."""

from pilotage.formats.common import *  # noqa: F403

DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."  # as CLDR ar-MA
