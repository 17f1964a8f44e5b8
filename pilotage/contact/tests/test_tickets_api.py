"""The tickets API: create, list, read with deadlines, reply, status; scope and masking."""

from __future__ import annotations

from pilotage.contact.models import Status, Ticket
from pilotage.contact.tests.factories import make_ticket
from pilotage.core.models import AuditEntry

BASE = "/api/v1/contact/tickets"


def test_create_then_read_with_seconds_left(client, cc) -> None:
    client.force_login(cc.agent)
    response = client.post(
        BASE,
        {
            "channel": "letter",
            "type": "information",
            "subject": "Retard",
            "body": "Lettre reçue",
            "queue": "complaints",
            "org_unit": cc.personas.province_a.code,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["ack_seconds_left"] > 0 and body["resolution_seconds_left"] > 0
    read = client.get(f"{BASE}/{body['id']}").json()
    assert read["reference"] == body["reference"]
    bad = client.post(
        BASE,
        {
            "channel": "letter",
            "type": "x",
            "subject": "s",
            "body": "b",
            "queue": "nope",
            "org_unit": "MA",
        },
        content_type="application/json",
    )
    assert bad.status_code == 422 and "queue" in bad.json()["errors"]


def test_list_reply_status_and_denied_cases(client, cc, django_assert_max_num_queries) -> None:
    ticket = make_ticket(cc.info, cc.personas.province_a, requester=cc.citizen, confidential=True)
    for n in range(10):
        make_ticket(cc.info, cc.personas.province_a, subject=f"Objet {n}")
    client.force_login(cc.agent)
    # session, user, role assignments, count, the page with its joins.
    with django_assert_max_num_queries(6):
        listed = client.get(f"{BASE}?status=new").json()
    assert listed["count"] == 11
    row = next(r for r in listed["items"] if r["id"] == ticket.pk)
    assert row["requester"] == "Confidentiel"
    reply = client.post(
        f"{BASE}/{ticket.pk}/replies", {"body": "Réponse"}, content_type="application/json"
    )
    assert reply.status_code == 201
    assert reply.json()["ticket"]["response_seconds_left"] is None  # met
    status = client.post(
        f"{BASE}/{ticket.pk}/status", {"status": "resolved"}, content_type="application/json"
    )
    assert status.status_code == 200 and status.json()["status"] == Status.RESOLVED
    wrong = client.post(
        f"{BASE}/{ticket.pk}/status", {"status": "zzz"}, content_type="application/json"
    )
    assert wrong.status_code == 422
    audits = AuditEntry.objects.filter(object_type="contact.ticket").count()
    client.force_login(cc.agent_fes)
    assert client.get(f"{BASE}/{ticket.pk}").status_code == 404
    assert (
        client.post(
            f"{BASE}/{ticket.pk}/status", {"status": "closed"}, content_type="application/json"
        ).status_code
        == 404
    )
    client.force_login(cc.personas.national_admin)  # sees, does not handle
    assert (
        client.post(
            f"{BASE}/{ticket.pk}/replies", {"body": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    client.force_login(cc.personas.head_a)
    assert client.get(BASE).status_code == 404
    assert (
        client.post(
            BASE,
            {
                "channel": "letter",
                "type": "complaint",
                "subject": "s",
                "body": "b",
                "queue": "info",
                "org_unit": "MA",
            },
            content_type="application/json",
        ).status_code
        == 403
    )
    assert AuditEntry.objects.filter(object_type="contact.ticket").count() == audits
    assert Ticket.objects.get(pk=ticket.pk).status == Status.RESOLVED
