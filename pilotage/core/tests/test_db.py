"""Database helpers of the kernel."""

from __future__ import annotations

import pytest
from django.db import connection

from pilotage.accounts.tests.factories import UserFactory
from pilotage.core.db import statistics_refresh
from pilotage.core.tests.support import require


@pytest.mark.postgres
@pytest.mark.django_db
def test_statistics_refresh_gives_the_planner_the_rows_just_loaded() -> None:
    # Marked postgres: make test deselects it, .ci/run runs it in its PostgreSQL pass.
    require(connection.vendor == "postgresql", "needs PostgreSQL")
    UserFactory.create_batch(25)

    def estimated_rows() -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'accounts_user'::regclass")
            return float(cursor.fetchone()[0])

    assert estimated_rows() < 25  # a fresh table: no statistics yet (-1 or 0)
    statistics_refresh()
    assert estimated_rows() >= 25
