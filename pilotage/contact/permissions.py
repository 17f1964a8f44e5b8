"""Who may see and change what in the contact centre (roles in ``roles.py``).

Every page, API route, export and service asks these functions. Reach is the kernel's tree
scope: an agent's or a supervisor's assignment covers the tickets whose concerned unit lies
in its subtree, and the associations whose seat does. A ticket the actor cannot see is a
404 to them. A confidential ticket's requester (person and association) is shown only to
the supervisors who cover it: ``sees_identity`` is the one rule pages, API, exports and
statistics apply.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from pilotage.contact.models import Association, Ticket
from pilotage.contact.roles import (
    HANDLE_TICKETS,
    READ_STATISTICS,
    SEE_CONFIDENTIAL,
    SUPERVISE,
    USE_CONTACT,
    WRITE_KB,
)
from pilotage.core.scope import scope_of


def can_use(actor: Any) -> bool:
    """Opens the contact-centre pages at all (menu entry, home cards)."""
    return scope_of(actor).allows(USE_CONTACT)


def handles_tickets(actor: Any) -> bool:
    """Takes calls, e-mails and visits somewhere (the intake pages)."""
    return scope_of(actor).allows(HANDLE_TICKETS)


def supervises(actor: Any) -> bool:
    """Supervises somewhere: SLA board, queues, calendars, policies, re-assignment."""
    return scope_of(actor).allows(SUPERVISE)


def reads_statistics(actor: Any) -> bool:
    return scope_of(actor).allows(READ_STATISTICS)


def writes_kb(actor: Any) -> bool:
    return scope_of(actor).allows(WRITE_KB)


def publishes_kb(actor: Any) -> bool:
    return scope_of(actor).allows(SUPERVISE)


def tickets_q(actor: Any, prefix: str = "") -> Q:
    """The tickets the actor sees (``prefix`` for a query on a related model)."""
    return scope_of(actor).q_for(USE_CONTACT, f"{prefix}org_unit__path")


def confidential_visible_q(actor: Any, prefix: str = "") -> Q:
    """Of those, the tickets whose requester the actor may see."""
    return Q(**{f"{prefix}confidential": False}) | scope_of(actor).q_for(
        SEE_CONFIDENTIAL, f"{prefix}org_unit__path"
    )


def associations_q(actor: Any) -> Q:
    return scope_of(actor).q_for(USE_CONTACT, "org_unit__path")


def can_see_ticket(actor: Any, ticket: Ticket) -> bool:
    return scope_of(actor).covers_for(USE_CONTACT, ticket.org_unit.path)


def can_handle_ticket(actor: Any, ticket: Ticket) -> bool:
    """Replies, notes, status changes, merge and split."""
    return scope_of(actor).covers_for(HANDLE_TICKETS, ticket.org_unit.path)


def can_supervise_ticket(actor: Any, ticket: Ticket) -> bool:
    """Re-assigns to anyone, transfers between queues, overrides a deadline."""
    return scope_of(actor).covers_for(SUPERVISE, ticket.org_unit.path)


def sees_identity(actor: Any, ticket: Ticket) -> bool:
    """The requester's name, phone, e-mail and association; for a confidential ticket only
    a supervisor who covers it."""
    if not ticket.confidential:
        return can_see_ticket(actor, ticket)
    return scope_of(actor).covers_for(SEE_CONFIDENTIAL, ticket.org_unit.path)


def can_see_association(actor: Any, association: Association) -> bool:
    return scope_of(actor).covers_for(USE_CONTACT, association.org_unit.path)


def can_edit_association(actor: Any, association: Association) -> bool:
    return scope_of(actor).covers_for(HANDLE_TICKETS, association.org_unit.path)


def can_handle_at(actor: Any, path: str) -> bool:
    """Handles tickets concerning the unit at ``path`` (creating one there)."""
    return scope_of(actor).covers_for(HANDLE_TICKETS, path)


# --- sla ---


def edits_sla(actor: Any) -> bool:
    """Sets the calendars' hours, Ramadan corrections, holiday overrides and the deadline
    policies (they apply to the whole contact centre)."""
    return scope_of(actor).allows(SUPERVISE)


# routing: the SLA board, re-assignment and the queues.
def supervised_tickets_q(actor: Any, prefix: str = "") -> Q:
    """The tickets the actor supervises (the SLA board, bulk re-assignment)."""
    return scope_of(actor).q_for(SUPERVISE, f"{prefix}org_unit__path")


def can_assign(actor: Any, ticket: Ticket, assignee: Any) -> bool:
    """A supervisor gives a ticket to anyone who may handle it; an agent only takes it."""
    if assignee is None:
        return can_supervise_ticket(actor, ticket)
    if can_supervise_ticket(actor, ticket):
        return True
    return assignee.pk == actor.pk and can_handle_ticket(actor, ticket)


def edits_queues(actor: Any) -> bool:
    return supervises(actor)


# registry: associations and requesters.
def can_record_association_at(actor: Any, path: str) -> bool:
    """Records an association whose seat is the unit at ``path`` (or imports it)."""
    return scope_of(actor).covers_for(HANDLE_TICKETS, path)


def can_import_associations(actor: Any) -> bool:
    """Opens the associations import page (each row is then checked against the seat)."""
    return scope_of(actor).allows(HANDLE_TICKETS)


def can_edit_requester(actor: Any, requester: Any) -> bool:
    """A contact person where their association is; a citizen where they live, or by any
    agent when their residence is not recorded."""
    if requester.association_id is not None:
        return can_edit_association(actor, requester.association)
    if requester.org_unit_id is None:
        return handles_tickets(actor)
    return scope_of(actor).covers_for(HANDLE_TICKETS, requester.org_unit.path)


# phone: the phone intake, the telephony tokens and the walk-in reception.
def takes_calls(actor: Any) -> bool:
    """Opens the phone intake screen (and sees the calls ringing for them)."""
    return handles_tickets(actor)


def manages_telephony(actor: Any) -> bool:
    """Creates the tokens the telephony server signs its webhook with."""
    return supervises(actor)


def receives_visitors(actor: Any) -> bool:
    """Registers walk-in visitors, calls the next one to a desk, serves the visit."""
    return handles_tickets(actor)


def sees_visit_display(actor: Any) -> bool:
    """The hall screen of called numbers (numbers and desks only, no names)."""
    return can_use(actor)


# kb: the knowledge base.
def edits_article(actor: Any, article: Any) -> bool:
    """Agents write and rewrite drafts; a published or internal article's text is changed
    only by those who publish (a change goes out at once)."""
    if article.status == "draft":
        return writes_kb(actor)
    return publishes_kb(actor)


# public: the Médiateur referral is recorded by whoever handles the ticket.
def can_record_mediator(actor: Any, ticket: Ticket) -> bool:
    return can_handle_ticket(actor, ticket)
