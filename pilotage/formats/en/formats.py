"""English for Moroccan readers: day first as in CLDR ``en-GB`` ("3 December 2026", "03/12/2026
20:38"), never the US month-first order."""

from pilotage.formats.common import *  # noqa: F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","  # as CLDR en-GB
