"""factory_boy factories and builders for the contact-centre tests."""

from __future__ import annotations

from typing import Any

import factory

from pilotage.contact.models import (
    Association,
    Channel,
    Queue,
    Requester,
    Ticket,
    TicketType,
)
from pilotage.contact.services.tickets import ticket_create


class AssociationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Association

    name_fr = factory.Sequence(lambda n: f"Association {n}")
    registration_number = factory.Sequence(lambda n: f"REG-{n:05d}")


class RequesterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Requester

    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = "Demandeur"


class QueueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Queue

    code = factory.Sequence(lambda n: f"queue-{n}")
    name_fr = factory.Sequence(lambda n: f"File {n}")


def make_ticket(
    queue: Queue,
    org_unit: Any,
    *,
    actor: Any = None,
    subject: str = "Demande de récépissé",
    body: str = "Bonjour, où en est notre dossier ?",
    channel: str = Channel.WEB,
    type: str = TicketType.INFORMATION,  # noqa: A002
    **fields: Any,
) -> Ticket:
    """A ticket through the real service (reference, deadlines, first message, audit)."""
    return ticket_create(
        actor=actor,
        channel=channel,
        type=type,
        subject=subject,
        body=body,
        queue=queue,
        org_unit=org_unit,
        **fields,
    )
