"""Targets and statuses of indicator values (built with the targets and action plans)."""

from __future__ import annotations

from collections.abc import Sequence

from pilotage.indicators.engine import Value


def attach_targets(code: str, values: Sequence[Value]) -> None:
    """Set ``target`` and ``status`` on each value that has a target (none yet)."""
