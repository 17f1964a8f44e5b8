"""The kernel's request checks: a NUL character anywhere a view would read it is a 400
naming where, on both databases, before anything is read or written."""

from __future__ import annotations

import json

import pytest

from pilotage.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_a_nul_in_a_query_parameter_is_named(client, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.national_admin)
    response = client.get("/contact/", {"q": "a\x00b"})
    assert response.status_code == 400
    assert "« q » contient un caractère nul" in response.content.decode()
    # Without it, the same page answers.
    assert client.get("/contact/", {"q": "ab"}).status_code == 200


def test_a_nul_in_the_path_in_a_form_and_in_json(client, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.national_admin)
    audits = AuditEntry.objects.count()
    assert client.get("/contact/public/track/a%00b/").status_code == 400
    response = client.post("/contact/public/", {"subject": "x\x00"})
    assert response.status_code == 400 and "« subject »" in response.content.decode()
    api = client.post(
        "/api/v1/contact/tickets",
        json.dumps({"subject": "a\u0000"}),
        content_type="application/json",
    )
    assert api.status_code == 400 and api.json()["detail"].startswith("« subject »")
    nested = client.post(
        "/api/v1/contact/tickets",
        json.dumps({"items": [{"ok": "x"}, {"name": "\u0000"}]}),
        content_type="application/json",
    )
    assert nested.json()["detail"].startswith("« items.1.name »")
    assert client.get("/api/v1/kb/search", {"q": "\x00"}).json()["detail"].startswith("« q »")
    assert AuditEntry.objects.count() == audits


def test_the_page_is_in_the_visitors_language(client) -> None:  # type: ignore[no-untyped-def]
    client.cookies["django_language"] = "ar"
    response = client.get("/contact/aide/", {"q": "\x00"}, HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 400 and 'dir="rtl"' in response.content.decode()
