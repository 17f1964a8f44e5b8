"""The org-unit tree's background jobs (found by :mod:`pilotage.core.jobs`)."""

from pilotage.core.imports import import_kind_register
from pilotage.orgunits.imports import ORGUNITS

import_kind_register(ORGUNITS)
