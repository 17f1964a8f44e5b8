"""The contact centre's background work (found by :mod:`pilotage.core.jobs`)."""

from __future__ import annotations

# registry: the associations import.
from pilotage.contact.imports.associations import ASSOCIATIONS
from pilotage.core.imports import import_kind_register

import_kind_register(ASSOCIATIONS)
