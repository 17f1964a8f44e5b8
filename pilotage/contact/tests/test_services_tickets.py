"""The ticket services every channel shares: create, add a message, change the status."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from pilotage.contact.models import Channel, MessageKind, Status, Ticket, TicketMessage
from pilotage.contact.services.tickets import (
    secret_hash,
    ticket_message_add,
    ticket_status_set,
)
from pilotage.contact.tests.factories import make_ticket
from pilotage.core.models import AuditEntry

AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_references_count_from_one_each_year(cc) -> None:
    first = make_ticket(cc.info, cc.personas.country, at=AT)
    second = make_ticket(cc.info, cc.personas.country, at=AT)
    next_year = make_ticket(cc.info, cc.personas.country, at=AT.replace(year=2027))
    assert (first.reference, second.reference) == ("2026-000001", "2026-000002")
    assert next_year.reference == "2027-000001"


def test_only_the_hash_of_the_tracking_code_is_kept(cc) -> None:
    ticket = make_ticket(cc.info, cc.personas.country)
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.secret_hash == secret_hash(ticket.secret)
    assert ticket.secret not in stored.secret_hash
    assert secret_hash(ticket.secret.lower()) == stored.secret_hash


def test_a_phone_call_is_acknowledged_on_the_spot(cc) -> None:
    call = make_ticket(cc.info, cc.personas.country, actor=cc.agent, channel=Channel.PHONE, at=AT)
    web = make_ticket(cc.info, cc.personas.country, at=AT)
    assert call.acknowledged_at == AT
    assert web.acknowledged_at is None
    assert AuditEntry.objects.filter(action="ticket_create", object_id=str(call.pk)).exists()


def test_an_agent_outside_the_unit_cannot_record_a_ticket_there(cc) -> None:
    with pytest.raises(PermissionDenied):
        make_ticket(cc.info, cc.personas.province_a, actor=cc.agent_fes)
    with pytest.raises(PermissionDenied):
        make_ticket(cc.info, cc.personas.province_a, actor=cc.personas.head_a)
    assert not Ticket.objects.exists()


def test_an_empty_message_is_refused_and_nothing_is_written(cc) -> None:
    with pytest.raises(ValidationError):
        make_ticket(cc.info, cc.personas.country, body="   ")
    assert not Ticket.objects.exists()


def test_a_reply_is_the_first_response_and_opens_the_ticket(cc) -> None:
    ticket = make_ticket(cc.info, cc.personas.country, at=AT)
    later = AT + dt.timedelta(hours=3)
    ticket_message_add(
        actor=cc.agent, ticket=ticket, kind=MessageKind.REPLY, body="Voici", at=later
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.first_response_at, ticket.acknowledged_at) == (
        Status.OPEN,
        later,
        later,
    )


def test_waiting_on_the_requester_stops_the_clock_until_they_answer(cc) -> None:
    ticket = make_ticket(cc.info, cc.personas.country, at=AT)
    due = ticket.resolution_due_at
    ticket_status_set(actor=cc.agent, ticket=ticket, status=Status.WAITING_REQUESTER, at=AT)
    ticket_message_add(
        actor=None,
        ticket=ticket,
        kind=MessageKind.INCOMING,
        body="Voici le document",
        channel=Channel.EMAIL,
        at=AT + dt.timedelta(days=2),
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.sla_paused_at is None
    assert ticket.resolution_due_at > due


def test_a_requester_writing_after_resolution_reopens(cc) -> None:
    ticket = make_ticket(cc.info, cc.personas.country)
    ticket_status_set(actor=cc.agent, ticket=ticket, status=Status.RESOLVED)
    ticket_message_add(
        actor=None, ticket=ticket, kind=MessageKind.INCOMING, body="Non", channel=Channel.EMAIL
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.REOPENED and ticket.resolved_at is None


def test_a_closed_ticket_cannot_go_back_to_waiting(cc) -> None:
    ticket = make_ticket(cc.info, cc.personas.country)
    ticket_status_set(actor=cc.agent, ticket=ticket, status=Status.RESOLVED)
    ticket_status_set(actor=cc.agent, ticket=ticket, status=Status.CLOSED)
    with pytest.raises(ValidationError):
        ticket_status_set(actor=cc.agent, ticket=ticket, status=Status.WAITING_OTHER)
    assert Ticket.objects.get(pk=ticket.pk).status == Status.CLOSED


def test_the_regional_agent_cannot_answer_a_ticket_of_another_region(cc) -> None:
    ticket = make_ticket(cc.info, cc.personas.province_a)
    before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        ticket_message_add(actor=cc.agent_fes, ticket=ticket, kind=MessageKind.REPLY, body="x")
    with pytest.raises(PermissionDenied):
        ticket_status_set(actor=cc.agent_fes, ticket=ticket, status=Status.RESOLVED)
    assert TicketMessage.objects.filter(ticket=ticket).count() == 1
    assert AuditEntry.objects.count() == before
