"""The cooperation app's background work (found by :mod:`pilotage.core.jobs`)."""

from pilotage.core.imports import import_kind_register
from pilotage.cooperation.imports_actions import ACTIONS

import_kind_register(ACTIONS)
