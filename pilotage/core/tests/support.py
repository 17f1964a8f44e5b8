"""Helpers shared by tests of every app."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db.models import Model

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, reason: str) -> None:
    """Skip locally, fail in CI: a missing component (PostgreSQL, Chromium) must never let
    a test pass silently there."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


@contextmanager
def unchanged(*models: type[Model]) -> Iterator[None]:
    """Asserts that the block leaves every row of ``models`` and the audit log as they were:
    the check of a refused write (CONVENTIONS §6, "asserts that nothing changed")."""
    from pilotage.core.models import AuditEntry

    def state() -> list[list[dict[str, Any]]]:
        return [list(m._default_manager.order_by("pk").values()) for m in (*models, AuditEntry)]

    before = state()
    yield
    assert state() == before, "a refused write changed rows or the audit log"
