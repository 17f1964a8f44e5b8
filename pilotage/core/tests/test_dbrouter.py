"""The read-replica router: which alias each read uses, in and out of requests.

The test database has one real connection; the fixture adds a ``replica`` alias that is
the same connection (what ``TEST: {"MIRROR": "default"}`` gives a test run), so queries
work whichever alias the router picks, and a spy on the router records its choices."""

from __future__ import annotations

import runpy
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from pilotage.accounts.models import User
from pilotage.core import dbrouter
from pilotage.core.dbrouter import ReplicaMiddleware, ReplicaRouter, replica_reads
from pilotage.indicators.tests.test_api import facts  # noqa: F401 - the fixture
from pilotage.orgunits.models import OrgUnit

SETTINGS = Path(__file__).resolve().parents[2] / "settings.py"


@pytest.fixture
def reads(monkeypatch) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Every routing decision for a read: (app label, alias)."""
    seen: list[tuple[str, str]] = []
    original = ReplicaRouter.db_for_read

    def spy(self, model, **hints):  # type: ignore[no-untyped-def]
        alias = original(self, model, **hints)
        seen.append((model._meta.app_label, alias or "default"))
        return alias

    monkeypatch.setattr(ReplicaRouter, "db_for_read", spy)
    return seen


@pytest.fixture
def replica(settings) -> Iterator[str]:  # type: ignore[no-untyped-def]
    settings.PILOTAGE_READ_REPLICA = "replica"
    connections["replica"] = connections["default"]
    try:
        yield "replica"
    finally:
        del connections["replica"]


def _aliases(reads: list[tuple[str, str]], app: str) -> set[str]:
    return {alias for label, alias in reads if label == app}


def test_settings_add_the_replica_alias_from_its_url(monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://app:secret@primary:5432/pilotage")
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://reader:secret@standby:5432/pilotage")
    conf = runpy.run_path(str(SETTINGS))
    replica = conf["DATABASES"]["replica"]
    assert (replica["HOST"], replica["USER"], replica["NAME"]) == ("standby", "reader", "pilotage")
    assert replica["ENGINE"] == conf["DATABASES"]["default"]["ENGINE"]
    assert replica["TEST"] == {"MIRROR": "default"}
    assert conf["PILOTAGE_READ_REPLICA"] == "replica"
    assert "pilotage.core.dbrouter.ReplicaRouter" in conf["DATABASE_ROUTERS"]
    assert "pilotage.core.dbrouter.ReplicaMiddleware" in conf["MIDDLEWARE"]


def test_without_the_setting_there_is_no_replica(monkeypatch) -> None:
    monkeypatch.delenv("DATABASE_REPLICA_URL", raising=False)
    conf = runpy.run_path(str(SETTINGS))
    assert set(conf["DATABASES"]) == {"default"}
    assert conf["PILOTAGE_READ_REPLICA"] is None


@pytest.mark.django_db
def test_without_a_replica_every_read_is_the_primarys(client, personas, reads) -> None:
    client.force_login(personas.national_admin)
    assert client.get("/api/v1/indicators/").status_code == 200
    assert reads
    assert {alias for _app, alias in reads} == {"default"}
    assert "pilotage_primary" not in client.cookies
    with replica_reads():
        assert ReplicaRouter().db_for_read(OrgUnit) is None


@pytest.mark.django_db
def test_api_get_reads_the_replica_except_accounts_and_sessions(
    client, personas, replica, reads
) -> None:
    client.force_login(personas.provincial_a)
    reads.clear()
    response = client.get("/api/v1/orgunits?parent=MA-TNG")
    assert response.status_code == 200
    assert _aliases(reads, "orgunits") == {"replica"}
    assert _aliases(reads, "sessions") == {"default"}
    assert _aliases(reads, "accounts") == {"default"}
    assert "pilotage_primary" not in response.cookies


@pytest.mark.django_db
def test_dashboard_get_reads_the_replica(client, personas, facts, replica, reads) -> None:  # noqa: F811
    client.force_login(personas.provincial_a)
    reads.clear()
    response = client.get("/indicators/export/dhis2/?org_unit=MA-TNG")
    assert response.status_code == 200
    b"".join(response.streaming_content)  # the streamed body reads after the view returned
    assert _aliases(reads, "orgunits") == {"replica"}
    assert "default" not in _aliases(reads, "indicators")


@pytest.mark.django_db
def test_pages_outside_the_replica_paths_read_the_primary(client, personas, replica, reads) -> None:
    client.force_login(personas.provincial_a)
    reads.clear()
    assert client.get("/orgunits/").status_code == 200
    assert _aliases(reads, "orgunits") == {"default"}


@pytest.mark.django_db
def test_a_post_reads_the_primary_and_sticks_the_browser_to_it(
    client, personas, replica, reads
) -> None:
    client.force_login(personas.national_admin)
    reads.clear()
    response = client.post("/api/v1/indicators/")  # a GET-only route: 405, still a POST
    assert response.status_code == 405
    assert response.cookies["pilotage_primary"]["max-age"] == 10
    reads.clear()
    # The next GET from this browser reads the primary, until the cookie expires.
    assert client.get("/api/v1/orgunits").status_code == 200
    assert _aliases(reads, "orgunits") == {"default"}
    del client.cookies["pilotage_primary"]
    reads.clear()
    assert client.get("/api/v1/orgunits").status_code == 200
    assert _aliases(reads, "orgunits") == {"replica"}


@pytest.mark.django_db
def test_a_read_after_a_write_in_the_same_request_reads_the_primary(
    personas, replica, reads
) -> None:
    def view(request):  # type: ignore[no-untyped-def]
        list(OrgUnit.objects.all()[:1])
        personas.country.save(update_fields=["name_fr"])
        list(OrgUnit.objects.all()[:1])
        return HttpResponse("ok")

    request = RequestFactory().get("/indicators/anything")
    response = ReplicaMiddleware(view)(request)
    assert [alias for app, alias in reads if app == "orgunits"] == ["replica", "default"]
    # and the browser stays on the primary for the next few seconds.
    assert "pilotage_primary" in response.cookies


@pytest.mark.django_db
def test_replica_reads_block(personas, replica, reads) -> None:
    router = ReplicaRouter()
    assert router.db_for_read(OrgUnit) == "default"  # outside a request: the primary
    with replica_reads():
        assert router.db_for_read(OrgUnit) == "replica"
        assert router.db_for_read(User) == "default"
        with transaction.atomic():
            # a read in an open transaction is the check of a check-then-act
            assert router.db_for_read(OrgUnit) == "default"
        assert router.db_for_read(OrgUnit) == "replica"
        assert router.db_for_write(OrgUnit) == "default"
        assert router.db_for_read(OrgUnit) == "default"
    assert router.db_for_read(OrgUnit) == "default"


def test_migrations_and_relations(settings) -> None:
    router = ReplicaRouter()
    settings.PILOTAGE_READ_REPLICA = "replica"
    assert router.allow_migrate("replica", "orgunits") is False
    assert router.allow_migrate("default", "orgunits") is None
    a, b = OrgUnit(), OrgUnit()
    a._state.db, b._state.db = "replica", "default"
    assert router.allow_relation(a, b) is True
    b._state.db = "other"
    assert router.allow_relation(a, b) is False
    settings.PILOTAGE_READ_REPLICA = None
    assert router.allow_migrate("replica", "orgunits") is None
    assert dbrouter.replica_alias() is None
