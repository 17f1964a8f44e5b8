"""Sign-ins in the audit log (accounts/audit.py), and the language sync that stays out."""

from __future__ import annotations

import pytest

from pilotage.accounts.audit import LOCKED_OUT, LOGIN, LOGIN_FAILED, USERNAME_QUOTED
from pilotage.accounts.tests.factories import PASSWORD
from pilotage.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _new(before: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(pk__gt=before).order_by("id"))


def _last_id() -> int:
    return AuditEntry.objects.order_by("-id").values_list("pk", flat=True).first() or 0


def test_a_login_is_recorded_with_the_address(client, personas) -> None:  # type: ignore[no-untyped-def]
    before = _last_id()
    client.post(
        "/accounts/login/",
        {"username": "head.a", "password": PASSWORD},
        REMOTE_ADDR="10.1.2.3",
    )
    [entry] = _new(before)
    assert (entry.action, entry.actor, entry.object_id) == (
        LOGIN,
        personas.head_a,
        str(personas.head_a.pk),
    )
    assert entry.changes == {"ip": [None, "10.1.2.3"]}
    assert entry.path == ""


def test_a_failed_login_records_the_name_tried_and_never_the_password(client, personas) -> None:  # type: ignore[no-untyped-def]
    before = _last_id()
    tried = "x" * 500  # longer than any account's name, and than axes' column (a 500 once)
    response = client.post("/accounts/login/", {"username": tried, "password": "Pa55-secret"})
    assert response.status_code == 200
    assert "Identifiant ou mot de passe incorrect." in response.content.decode()
    [entry] = _new(before)
    assert (entry.action, entry.actor, entry.object_type) == (LOGIN_FAILED, None, "")
    assert entry.object_repr == "x" * USERNAME_QUOTED
    assert entry.changes["username"] == [None, "x" * USERNAME_QUOTED]
    assert entry.changes["ip"][1] == "127.0.0.1"
    assert "Pa55-secret" not in str(entry.changes) + entry.object_repr


def test_a_lockout_is_recorded(client, personas) -> None:  # type: ignore[no-untyped-def]
    before = _last_id()
    for _ in range(5):
        client.post("/accounts/login/", {"username": "head.a", "password": "wrong"})
    actions = [e.action for e in _new(before)]
    assert actions.count(LOGIN_FAILED) == 5
    assert actions.count(LOCKED_OUT) == 1
    assert LOGIN not in actions


def test_the_language_sync_at_login_adds_no_row(client, personas) -> None:  # type: ignore[no-untyped-def]
    client.post("/i18n/setlang/", {"language": "ar", "next": "/accounts/login/"})
    before = _last_id()
    client.post("/accounts/login/", {"username": "head.a", "password": PASSWORD})
    personas.head_a.refresh_from_db()
    assert personas.head_a.preferred_language == "ar"
    assert [e.action for e in _new(before)] == [LOGIN]


def test_a_language_a_person_chooses_is_recorded(client, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.head_a)
    before = _last_id()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    [entry] = _new(before)
    assert (entry.action, entry.changes) == ("update", {"preferred_language": ["fr", "en"]})
