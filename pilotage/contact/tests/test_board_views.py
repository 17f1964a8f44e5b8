"""The SLA board: deadline states, scope, filters, the bulk re-assignment (htmx), the
queues page and the availability toggle; query counts pinned."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from pilotage.contact.models import AgentStatus, Queue, QueueMember, Ticket
from pilotage.contact.selectors.routing import BREACHED, MET, OK, WARNING, deadline_state
from pilotage.contact.tests.factories import make_ticket
from pilotage.core.tests.support import unchanged

HOUR = dt.timedelta(hours=1)


NOW = timezone.now()


def _ticket(**fields):  # type: ignore[no-untyped-def]
    created = NOW - 10 * HOUR
    base = {
        "status": "open",
        "created_at": created,
        "ack_due_at": created + 20 * HOUR,
        "response_due_at": created + 40 * HOUR,
        "resolution_due_at": created + 100 * HOUR,
    }
    return Ticket(**{**base, **fields})


def test_deadline_state_reads_the_next_pending_deadline() -> None:
    now = NOW
    t = _ticket()
    state = deadline_state(t, now)
    assert (state.name, state.state, state.percent) == ("ack", OK, 50)
    t = _ticket(ack_due_at=now - HOUR)
    assert deadline_state(t, now).state == BREACHED
    t = _ticket(acknowledged_at=now, response_due_at=now + 2 * HOUR)  # 10 of 12 hours used
    state = deadline_state(t, now)
    assert (state.name, state.state, state.percent) == ("response", WARNING, 83)
    t = _ticket(acknowledged_at=now, first_response_at=now, resolution_due_at=None)
    assert deadline_state(t, now).state == MET


def test_a_paused_clock_reads_time_at_the_pause() -> None:
    now = NOW
    t = _ticket(ack_due_at=now - HOUR, sla_paused_at=now - 5 * HOUR)
    state = deadline_state(t, now)
    assert state.state == OK and state.paused and state.left == 4 * HOUR


def _breached(cc, unit, subject="En retard"):  # type: ignore[no-untyped-def]
    ticket = make_ticket(cc.complaints, unit, subject=subject)
    Ticket.objects.filter(pk=ticket.pk).update(ack_due_at=timezone.now() - HOUR)
    return ticket


def test_the_board_is_for_supervisors_only(client, cc) -> None:
    client.force_login(cc.agent)
    assert client.get("/contact/board/").status_code == 404
    assert client.get("/contact/queues/").status_code == 404
    ticket = make_ticket(cc.complaints, cc.personas.province_b)
    with unchanged(Ticket):
        response = client.post(
            "/contact/board/reassign/", {"ticket": [ticket.pk], "assignee": cc.agent.pk}
        )
    assert response.status_code == 404


def test_the_board_shows_states_counts_and_filters(client, cc, django_assert_max_num_queries):
    late = _breached(cc, cc.personas.province_b)
    for n in range(20):
        make_ticket(cc.info, cc.personas.province_a, subject=f"Objet {n}")
    client.force_login(cc.supervisor)
    # session, user, role assignments (scope), the open tickets with queue/agent/unit, the
    # agents with availability and load, the queues and regions of the filters, the
    # re-assign select's agents.
    with django_assert_max_num_queries(10):
        page = client.get("/contact/board/").content.decode()
    assert f'id="board-ticket-{late.pk}" class="sla-breached"' in page
    assert 'data-state="breached"><strong>1</strong>' in page
    assert 'hx-trigger="every 30s"' in page
    page = client.get("/contact/board/?queue=info").content.decode()
    assert late.reference not in page
    page = client.get(f"/contact/board/?region={cc.personas.region_b.pk}").content.decode()
    assert late.reference in page and "Objet 3" not in page
    partial = client.get("/contact/board/", headers={"HX-Request": "true"}).content.decode()
    assert partial.startswith('<div id="board"') and "<html" not in partial


def test_the_board_reassigns_ticked_tickets_through_htmx(client, cc) -> None:
    late = _breached(cc, cc.personas.province_b)
    client.force_login(cc.supervisor)
    response = client.post(
        "/contact/board/reassign/",
        {"ticket": [late.pk], "assignee": cc.agent_fes.pk},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    late.refresh_from_db()
    assert late.assignee == cc.agent_fes
    assert "1 ticket attribué" in response.content.decode()


def test_a_refused_reassign_names_the_ticket_and_changes_nothing(client, cc) -> None:
    tanger = _breached(cc, cc.personas.province_a)
    client.force_login(cc.supervisor)
    with unchanged(Ticket):
        response = client.post(
            "/contact/board/reassign/",
            {"ticket": [tanger.pk], "assignee": cc.agent_fes.pk},
            headers={"HX-Request": "true"},
        )
    assert response.status_code == 200
    assert tanger.reference in response.content.decode()
    with unchanged(Ticket):
        response = client.post(
            "/contact/board/reassign/",
            {"ticket": [tanger.pk], "assignee": "abc"},
            headers={"HX-Request": "true"},
        )
    assert "abc" in response.content.decode()


def test_the_availability_toggle(client, cc) -> None:
    client.force_login(cc.agent)
    assert "Me rendre indisponible" in client.get("/contact/availability/").content.decode()
    response = client.post(
        "/contact/availability/", {"note": "Réunion"}, headers={"HX-Request": "true"}
    )
    assert "Me rendre disponible" in response.content.decode()
    assert AgentStatus.objects.get(user=cc.agent).available is False
    # The national admin opens the contact pages but takes no tickets: no toggle.
    client.force_login(cc.personas.national_admin)
    assert client.get("/contact/availability/").status_code == 204
    with unchanged(AgentStatus):
        assert client.post("/contact/availability/", {"available": "on"}).status_code == 404
    # A school head is an outsider: 404 either way.
    client.force_login(cc.personas.head_a)
    with unchanged(AgentStatus):
        assert client.get("/contact/availability/").status_code == 404
        assert client.post("/contact/availability/", {"available": "on"}).status_code == 404


def test_the_queues_page_and_its_edit(client, cc, django_assert_max_num_queries) -> None:
    make_ticket(cc.info, cc.personas.province_a)
    client.force_login(cc.supervisor)
    # session, user, role assignments, the queues with their counts, their members.
    with django_assert_max_num_queries(6):
        page = client.get("/contact/queues/").content.decode()
    assert 'id="queue-info"' in page
    response = client.post(
        "/contact/queues/info/",
        {"assignment": "round_robin", "members": [cc.agent.pk, cc.agent_fes.pk], "version": 1},
    )
    assert response.status_code == 302
    assert Queue.objects.get(code="info").assignment == "round_robin"
    assert QueueMember.objects.filter(queue__code="info").count() == 2
    with unchanged(Queue, QueueMember):
        response = client.post(
            "/contact/queues/info/", {"assignment": "manual", "members": [], "version": 1}
        )
    assert "Quelqu" in response.content.decode()


def test_the_ticket_routing_page_take_and_transfer(client, cc) -> None:
    ticket = make_ticket(cc.info, cc.personas.province_a)
    client.force_login(cc.agent)
    assert "Je prends" in client.get(f"/contact/tickets/{ticket.pk}/routing/").content.decode()
    client.post(f"/contact/tickets/{ticket.pk}/take/", {"version": ticket.version})
    ticket.refresh_from_db()
    assert ticket.assignee == cc.agent
    with unchanged(Ticket):
        response = client.post(
            f"/contact/tickets/{ticket.pk}/transfer/",
            {"queue": cc.complaints.pk, "note": "x", "version": ticket.version},
        )
    assert response.status_code == 404
    client.force_login(cc.supervisor)
    response = client.post(
        f"/contact/tickets/{ticket.pk}/transfer/",
        {"queue": cc.complaints.pk, "note": "Réclamation", "version": ticket.version},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.queue == cc.complaints and ticket.assignee is None
    client.force_login(cc.agent_fes)
    assert client.get(f"/contact/tickets/{ticket.pk}/routing/").status_code == 404
