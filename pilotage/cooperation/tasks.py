"""The cooperation app's background work (found by :mod:`pilotage.core.jobs`)."""

from pilotage.cooperation.imports_actions import ACTIONS
from pilotage.core.imports import import_kind_register

import_kind_register(ACTIONS)
