"""Assignment by the queue's mode, availability, taking, assigning, transferring and the
bulk re-assignment: what each does, and that each refusal leaves nothing changed."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections

from pilotage.conftest import _person
from pilotage.contact.models import (
    AgentStatus,
    AssignmentMode,
    Priority,
    Queue,
    QueueMember,
    Status,
    Ticket,
    TicketMessage,
)
from pilotage.contact.roles import CONTACT_AGENT
from pilotage.contact.services.routing import (
    agent_availability_set,
    queue_update,
    ticket_assign,
    ticket_take,
    ticket_transfer,
    tickets_reassign,
)
from pilotage.contact.services.tickets import ticket_status_set
from pilotage.contact.tests.factories import make_ticket
from pilotage.core.models import AuditEntry
from pilotage.core.tests.support import require, unchanged


def _mode(queue: Queue, mode: str) -> None:
    Queue.objects.filter(pk=queue.pk).update(assignment=mode)
    queue.refresh_from_db()


def _agent(cc, name: str, unit=None):  # type: ignore[no-untyped-def]
    user = _person(name, CONTACT_AGENT, cc.personas.fresh(unit or cc.personas.country))
    return user


def test_manual_leaves_the_ticket_to_be_taken(cc) -> None:
    ticket = make_ticket(cc.info, cc.personas.province_a)
    assert ticket.assignee is None


def test_round_robin_takes_turns_in_a_stable_order(cc) -> None:
    second = _agent(cc, "agent.deux")
    QueueMember.objects.create(queue=cc.info, user=second)
    _mode(cc.info, AssignmentMode.ROUND_ROBIN)
    got = [make_ticket(cc.info, cc.personas.province_a).assignee for _ in range(3)]
    assert got == [cc.agent, second, cc.agent]
    cc.info.refresh_from_db()
    assert cc.info.last_assignee == cc.agent


def test_round_robin_skips_the_unavailable_and_those_whose_scope_does_not_cover(cc) -> None:
    _mode(cc.complaints, AssignmentMode.ROUND_ROBIN)
    # agent_fes covers Fès-Meknès only: a Tanger ticket always goes to the national agent.
    got = {make_ticket(cc.complaints, cc.personas.province_a).assignee for _ in range(2)}
    assert got == {cc.agent}
    agent_availability_set(actor=cc.agent, available=False, note="Réunion")
    assert make_ticket(cc.complaints, cc.personas.province_a).assignee is None
    assert make_ticket(cc.complaints, cc.personas.province_b).assignee == cc.agent_fes


def test_least_loaded_weighs_priorities_then_counts_then_names(cc) -> None:
    _mode(cc.complaints, AssignmentMode.MANUAL)
    fes = cc.personas.province_b
    # agent: one urgent ticket (5); agent_fes: two normal ones (2 + 2 = 4).
    ticket_assign(
        actor=cc.supervisor,
        ticket=make_ticket(cc.complaints, fes, priority=Priority.URGENT),
        assignee=cc.agent,
    )
    for _ in range(2):
        ticket_assign(
            actor=cc.supervisor, ticket=make_ticket(cc.complaints, fes), assignee=cc.agent_fes
        )
    _mode(cc.complaints, AssignmentMode.LEAST_LOADED)
    assert make_ticket(cc.complaints, fes).assignee == cc.agent_fes  # 4 < 5
    # Now 6 against 5: the national agent.
    assert make_ticket(cc.complaints, fes).assignee == cc.agent


def test_least_loaded_counts_only_open_tickets(cc) -> None:
    fes = cc.personas.province_b
    done = make_ticket(cc.complaints, fes, priority=Priority.URGENT)
    ticket_assign(actor=cc.supervisor, ticket=done, assignee=cc.agent)
    ticket_status_set(actor=cc.supervisor, ticket=done, status=Status.RESOLVED)
    ticket_assign(
        actor=cc.supervisor,
        ticket=make_ticket(cc.complaints, fes, priority=Priority.LOW),
        assignee=cc.agent_fes,
    )
    _mode(cc.complaints, AssignmentMode.LEAST_LOADED)
    assert make_ticket(cc.complaints, fes).assignee == cc.agent


def test_an_agent_takes_a_ticket_and_it_is_audited(cc) -> None:
    ticket = make_ticket(cc.info, cc.personas.province_a)
    ticket_take(actor=cc.agent, ticket=ticket, version=ticket.version)
    ticket.refresh_from_db()
    assert ticket.assignee == cc.agent and ticket.version == 2
    entry = AuditEntry.objects.get(action="ticket_assign")
    assert entry.changes == {"assignee": [None, "agent"]} or entry.changes["assignee"][0] is None


def test_an_agent_may_not_give_a_ticket_to_someone_else(cc) -> None:
    ticket = make_ticket(cc.complaints, cc.personas.province_b)
    with unchanged(Ticket), pytest.raises(PermissionDenied):
        ticket_assign(actor=cc.agent, ticket=ticket, assignee=cc.agent_fes)


def test_an_agent_outside_the_ticket_scope_may_not_take_it(cc) -> None:
    ticket = make_ticket(cc.complaints, cc.personas.province_a)
    with unchanged(Ticket), pytest.raises(PermissionDenied):
        ticket_take(actor=cc.agent_fes, ticket=ticket)


def test_the_supervisor_may_not_assign_outside_the_queue_or_the_scope(cc) -> None:
    tanger = make_ticket(cc.info, cc.personas.province_a)
    with unchanged(Ticket), pytest.raises(ValidationError) as error:
        ticket_assign(actor=cc.supervisor, ticket=tanger, assignee=cc.agent_fes)
    assert "n'est pas agent de la file" in str(error.value)
    complaint = make_ticket(cc.complaints, cc.personas.province_a)
    with unchanged(Ticket), pytest.raises(ValidationError) as error:
        ticket_assign(actor=cc.supervisor, ticket=complaint, assignee=cc.agent_fes)
    assert complaint.reference in str(error.value)


def test_a_stale_version_is_refused(cc) -> None:
    ticket = make_ticket(cc.info, cc.personas.province_a)
    ticket_take(actor=cc.agent, ticket=ticket)
    with unchanged(Ticket), pytest.raises(ValidationError):
        ticket_assign(actor=cc.supervisor, ticket=ticket, assignee=None, version=1)


def test_a_transfer_moves_notes_and_lets_the_new_queue_assign(cc) -> None:
    _mode(cc.complaints, AssignmentMode.ROUND_ROBIN)
    ticket = make_ticket(cc.info, cc.personas.province_b)
    ticket_transfer(
        actor=cc.supervisor, ticket=ticket, queue=cc.complaints, note="C'est une réclamation"
    )
    ticket.refresh_from_db()
    assert ticket.queue == cc.complaints and ticket.assignee == cc.agent
    note = TicketMessage.objects.get(ticket=ticket, kind="note")
    assert note.body == "C'est une réclamation"
    entry = AuditEntry.objects.get(action="ticket_transfer")
    assert entry.changes["queue"] == ["info", "complaints"]


def test_a_transfer_needs_a_reason_and_a_supervisor(cc) -> None:
    ticket = make_ticket(cc.info, cc.personas.province_a)
    with unchanged(Ticket, TicketMessage), pytest.raises(ValidationError) as error:
        ticket_transfer(actor=cc.supervisor, ticket=ticket, queue=cc.complaints, note="  ")
    assert "note" in error.value.message_dict
    with unchanged(Ticket, TicketMessage), pytest.raises(PermissionDenied):
        ticket_transfer(actor=cc.agent, ticket=ticket, queue=cc.complaints, note="Motif")


def test_bulk_reassign_is_all_or_nothing(cc) -> None:
    fes = make_ticket(cc.complaints, cc.personas.province_b)
    tanger = make_ticket(cc.complaints, cc.personas.province_a)
    with unchanged(Ticket), pytest.raises(ValidationError) as error:
        tickets_reassign(actor=cc.supervisor, tickets=[fes.pk, tanger.pk], assignee=cc.agent_fes)
    assert tanger.reference in str(error.value) and fes.reference not in str(error.value)
    tickets_reassign(actor=cc.supervisor, tickets=[fes.pk], assignee=cc.agent_fes)
    fes.refresh_from_db()
    assert fes.assignee == cc.agent_fes
    assert AuditEntry.objects.filter(action="ticket_assign").count() == 1


def test_bulk_reassign_is_refused_to_an_agent(cc) -> None:
    fes = make_ticket(cc.complaints, cc.personas.province_b)
    with unchanged(Ticket), pytest.raises(PermissionDenied):
        tickets_reassign(actor=cc.agent, tickets=[fes.pk], assignee=cc.agent)


def test_availability_is_audited_and_refused_to_others(cc) -> None:
    agent_availability_set(actor=cc.agent, available=False, note="Pause")
    status = AgentStatus.objects.get(user=cc.agent)
    assert not status.available and status.note == "Pause"
    assert AuditEntry.objects.get(action="agent_availability").changes["available"] == [True, False]
    with unchanged(AgentStatus), pytest.raises(PermissionDenied):
        agent_availability_set(actor=cc.personas.head_a, available=False)


def test_queue_update_sets_mode_and_members(cc) -> None:
    queue_update(
        actor=cc.supervisor,
        queue=cc.info,
        assignment=AssignmentMode.LEAST_LOADED,
        members=[cc.agent, cc.agent_fes],
        version=1,
    )
    cc.info.refresh_from_db()
    assert cc.info.assignment == AssignmentMode.LEAST_LOADED and cc.info.version == 2
    assert set(cc.info.members.all()) == {cc.agent, cc.agent_fes}
    changes = AuditEntry.objects.get(action="queue_update").changes
    assert changes["members"] == [["agent"], sorted(["agent", "agent.fes"])]


def test_queue_update_refusals_change_nothing(cc) -> None:
    with unchanged(Queue, QueueMember), pytest.raises(PermissionDenied):
        queue_update(actor=cc.agent, queue=cc.info, assignment="manual", members=[], version=1)
    with unchanged(Queue, QueueMember), pytest.raises(ValidationError) as error:
        queue_update(
            actor=cc.supervisor,
            queue=cc.info,
            assignment="manual",
            members=[cc.personas.head_a],
            version=1,
        )
    assert "n'est pas agent" in str(error.value)
    with unchanged(Queue, QueueMember), pytest.raises(ValidationError):
        queue_update(
            actor=cc.supervisor, queue=cc.info, assignment="lottery", members=[], version=1
        )
    with unchanged(Queue, QueueMember), pytest.raises(ValidationError):
        queue_update(actor=cc.supervisor, queue=cc.info, assignment="manual", members=[], version=7)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tickets_created_at_once_go_to_two_agents(cc) -> None:
    """Two threads create a ticket in a round-robin queue at the same instant: the queue's
    row lock makes the second wait for the first's choice, so they go to two agents."""
    require(connection.vendor == "postgresql", "needs PostgreSQL")
    second = _agent(cc, "agent.deux")
    QueueMember.objects.create(queue=cc.info, user=second)
    _mode(cc.info, AssignmentMode.ROUND_ROBIN)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def create() -> None:
        try:
            barrier.wait(timeout=10)
            make_ticket(cc.info, cc.personas.province_a)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assignees = sorted(Ticket.objects.values_list("assignee__username", flat=True))
    assert assignees == ["agent", "agent.deux"]
