"""The whole API against its own OpenAPI schema (schemathesis): every operation, with
generated valid and invalid input, as a logged-in user over seeded data. No answer may be
a server error, and every answer (status, content type, body) must be one the schema
declares. Bounded in examples and deterministic (derandomized), so it runs in seconds on
SQLite and on PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from pilotage.accounts.services import token_create
from pilotage.schooling.tests.conftest import school_year  # noqa: F401 - the seeded fixture

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def caller(personas, school_year) -> Iterator[dict[str, str]]:  # type: ignore[no-untyped-def]  # noqa: F811
    """A national administrator (sees every list, the audit log included) over a school
    year with classes, pupils and a marks sheet.

    Requests go straight to the WSGI application, whose end-of-request handler closes the
    database connection when it is inside a transaction: on PostgreSQL that would lose the
    test's transaction and its data. Django's test client unhooks the same handler."""
    token = token_create(actor=personas.national_admin, name="schemathesis")[1]
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield {"Authorization": f"Bearer {token}"}
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_as_its_schema_says(case, caller) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(headers=caller)
