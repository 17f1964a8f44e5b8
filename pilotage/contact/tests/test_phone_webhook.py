"""The telephony server's webhook, and the call ringing on the agent's intake page."""

from __future__ import annotations

import io
import json

import pytest
from django.core.cache import cache
from django.core.management import call_command

from pilotage.contact.api import calls as calls_api
from pilotage.contact.models import AgentExtension, CallStatus, IncomingCall, TelephonyToken
from pilotage.contact.services.intake import telephony_token_create
from pilotage.core.models import AuditEntry

URL = "/api/v1/contact/calls/incoming"


@pytest.fixture
def token(cc) -> str:
    cache.clear()
    _token, raw = telephony_token_create(actor=cc.supervisor, name="asterisk")
    return raw


def _post(client, token: str | None, body) -> object:  # type: ignore[no-untyped-def]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", **headers)


def test_only_the_hash_of_a_token_is_stored(cc, token) -> None:
    stored = TelephonyToken.objects.get()
    assert token.startswith("tel_") and token not in (stored.token_hash, stored.prefix * 2)
    assert len(stored.token_hash) == 64 and stored.created_by == cc.supervisor


def test_no_token_or_a_bad_one_is_401_and_records_nothing(client, cc, token) -> None:
    body = {"caller": "0612345678", "call_id": "c1", "agent": "agent"}
    assert _post(client, None, body).status_code == 401
    assert _post(client, "tel_wrong", body).status_code == 401
    # A user's session is not a telephony token.
    client.force_login(cc.supervisor)
    assert _post(client, None, body).status_code == 401
    TelephonyToken.objects.update(is_active=False)
    assert _post(client, token, body).status_code == 401
    assert IncomingCall.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"call_id": "c1"}, "caller"),
        ({"caller": "abc", "call_id": "c1"}, "caller"),
        ({"caller": "0612345678"}, "call_id"),
        ({"caller": "0612345678", "call_id": "x" * 101}, "call_id"),
        # A NUL is refused by the kernel before the API reads the body (400).
        ({"caller": "0612345678", "call_id": "\x00\x01"}, "call_id"),
    ],
)
def test_a_bad_body_is_422_naming_the_field(client, cc, token, body, field) -> None:
    response = _post(client, token, body)
    assert response.status_code == (400 if any("\x00" in v for v in body.values()) else 422)
    assert field in json.dumps(response.json()["detail"])
    assert IncomingCall.objects.count() == 0


def test_a_body_that_is_not_json_is_refused_not_500(client, cc, token) -> None:
    assert _post(client, token, "{not json").status_code in (400, 422)
    assert _post(client, token, "[1, 2]").status_code == 422


def test_a_call_is_recorded_once_and_rings_for_the_agent(client, cc, token) -> None:
    body = {
        "caller": "+212 6 12 34 56 78",
        "called": "0537000000",
        "agent": "agent",
        "call_id": "1701.42",
    }
    first = _post(client, token, body)
    assert first.status_code == 201
    assert first.json()["agent_found"] and first.json()["requester_found"]
    again = _post(client, token, body)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    call = IncomingCall.objects.get()
    assert call.agent == cc.agent and call.requester == cc.citizen
    assert call.caller_digits == "0612345678" and call.status == CallStatus.RINGING
    assert AuditEntry.objects.filter(action="call_incoming").count() == 1


def test_the_agent_is_found_by_extension(client, cc, token) -> None:
    AgentExtension.objects.create(user=cc.agent_fes, extension="204")
    assert _post(client, token, {"caller": "0700000000", "agent": "204", "call_id": "a"}).json()[
        "agent_found"
    ]
    assert IncomingCall.objects.get().agent == cc.agent_fes
    # Someone who takes no calls is no agent to ring.
    response = _post(client, token, {"caller": "0700000000", "agent": "head.a", "call_id": "b"})
    assert response.status_code == 201 and not response.json()["agent_found"]


def test_the_webhook_is_rate_limited(client, cc, token, monkeypatch) -> None:
    monkeypatch.setattr(calls_api, "RATE_PER_MINUTE", 2)
    for n in range(2):
        assert _post(client, token, {"caller": "0612", "call_id": f"r{n}"}).status_code == 201
    response = _post(client, token, {"caller": "0612", "call_id": "r3"})
    assert response.status_code == 429 and "retry" in response.json()["detail"]
    assert IncomingCall.objects.count() == 2


def test_the_banner_rings_on_the_agents_page_only(client, cc, token) -> None:
    _post(client, token, {"caller": "0612345678", "agent": "agent", "call_id": "x1"})
    call = IncomingCall.objects.get()
    client.force_login(cc.agent_fes)
    assert "ringing-banner" not in client.get("/contact/intake/ringing/").content.decode()
    assert client.post(f"/contact/intake/calls/{call.pk}/take/").status_code == 404
    client.force_login(cc.agent)
    html = client.get("/contact/intake/ringing/").content.decode()
    assert "ringing-banner" in html and "Fatima Zahra Bennani" in html
    response = client.post(f"/contact/intake/calls/{call.pk}/take/")
    assert response["Location"] == f"/contact/intake/?call={call.pk}&requester={cc.citizen.pk}"
    call.refresh_from_db()
    assert call.status == CallStatus.TAKEN
    assert "ringing-banner" not in client.get("/contact/intake/ringing/").content.decode()


def test_an_unknown_number_is_prefilled(client, cc, token) -> None:
    _post(client, token, {"caller": "0655443322", "agent": "agent", "call_id": "u1"})
    call = IncomingCall.objects.get()
    client.force_login(cc.agent)
    assert "numéro inconnu" in client.get("/contact/intake/ringing/").content.decode()
    html = client.get("/contact/intake/", {"call": call.pk}).content.decode()
    assert 'value="0655443322"' in html


def test_polling_is_one_cheap_query(client, cc, django_assert_max_num_queries) -> None:
    client.force_login(cc.agent)
    client.get("/contact/intake/ringing/")
    # session, user, role assignments (scope), the ringing call with its caller
    with django_assert_max_num_queries(4):
        client.get("/contact/intake/ringing/")


def test_the_supervisor_creates_a_token_on_a_page(client, cc) -> None:
    client.force_login(cc.agent)
    assert client.post("/contact/intake/telephony/", {"name": "x"}).status_code == 404
    assert TelephonyToken.objects.count() == 0
    client.force_login(cc.supervisor)
    html = client.post("/contact/intake/telephony/", {"name": "FreePBX Rabat"}).content.decode()
    assert 'id="token-secret"' in html and TelephonyToken.objects.get().name == "FreePBX Rabat"
    assert client.post("/contact/intake/telephony/", {"name": " "}).status_code == 422


def test_the_command_prints_a_working_token(cc) -> None:
    out = io.StringIO()
    call_command("contact_telephony_token", "asterisk-rabat", stdout=out, stderr=io.StringIO())
    raw = out.getvalue().strip()
    from pilotage.contact.services.intake import telephony_token_check

    assert telephony_token_check(raw) == TelephonyToken.objects.get(name="asterisk-rabat")
