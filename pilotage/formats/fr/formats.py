"""French as written in Morocco (CLDR ``fr-MA``): "3 décembre 2026", "03/12/2026 20:38"."""

from pilotage.formats.common import *  # noqa: F403

DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\u202f"  # narrow no-break space, as CLDR fr-MA
