"""The demo's contact centre: about 150 associations and a year of tickets, every ticket
played through the ticket services at its own time, so the statistics and the SLA board
have something true to show.

Seeded once for the class at the small scale (the tests' tiny one gets a tenth of the
tickets) with only the steps the contact centre needs (the country, the tree, the
accounts, then the contact steps): the school records and the indicators are tested
elsewhere and cost minutes."""

from collections import Counter
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.test import override_settings
from django.utils import timezone

from pilotage.contact.models import (
    DONE_STATUSES,
    OPEN_STATUSES,
    SURVEY_VALIDITY,
    Association,
    Channel,
    LegalForm,
    MessageKind,
    Requester,
    SatisfactionSurvey,
    Status,
    Ticket,
    TicketFieldStat,
    TicketMessage,
    TicketStat,
    TicketType,
)
from pilotage.contact.selectors.routing import BREACHED, OK, WARNING, deadline_state
from pilotage.contact.services import sla
from pilotage.core.models import AuditEntry
from pilotage.demo import contact_registry, contact_tickets, generate
from pilotage.demo.context import SCALES, Context
from pilotage.demo.tests.conftest import TEST_HASHERS
from pilotage.demo.tests.helpers import TINY
from pilotage.orgunits.models import OrgUnit

# Read at import, before the demo's autouse fixture takes the facts and steering out.
FULL_STEPS = list(generate.STEPS)
CONTACT_STEPS = (
    "country",
    "coop_countries",  # before the accounts: one of them works in Senegal
    "years",
    "tree",
    "accounts",
    "contact",
    "contact_sla",
    "contact_registry",
    "contact_tickets",
    "contact_stats",
)
AGENTS = {"agent.contact", "agent.fes", "superviseur.contact"}
ARABIC = ("\u0600", "\u06ff")


def has_arabic(text: str) -> bool:
    return any(ARABIC[0] <= ch <= ARABIC[1] for ch in text)


@pytest.fixture(scope="class")
def contact_demo(django_db_setup, django_db_blocker):
    """The contact centre's demo on the small tree, once for the class; answers the context
    and when it was seeded. Rolled back at the end."""
    ctx = Context(scale=SCALES["small"], seed=2026)
    steps = [s for s in FULL_STEPS if s.name in CONTACT_STEPS]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=TEST_HASHERS),
        transaction.atomic(),
        mock.patch.object(generate, "STEPS", steps),
    ):
        generate.run_steps(ctx, show_progress=False)
        # What would run when the seed commits: the steps leave no mail to send.
        ctx.shared["pending_on_commit"] = len(transaction.get_connection().run_on_commit)
        ctx.shared["seeded_at"] = timezone.now()
        yield ctx
        transaction.set_rollback(True)


@pytest.fixture
def seeded(contact_demo, db):
    return contact_demo


def test_a_test_sized_scale_gets_a_tenth_of_the_tickets():
    assert {contact_tickets.tickets_for(s) for s in SCALES.values()} == {1500}
    assert contact_tickets.tickets_for(TINY) == 150


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_registry():
    def registry(seed):
        with transaction.atomic():
            ctx = Context(scale=TINY, seed=seed)
            for step in FULL_STEPS:
                if step.name in CONTACT_STEPS[: CONTACT_STEPS.index("contact_registry") + 1]:
                    step.run(ctx)
            rows = list(
                Association.objects.order_by("registration_number", "name_fr").values_list(
                    "name_fr", "name_ar", "registration_number", "legal_form", "org_unit__code"
                )
            ) + list(
                Requester.objects.order_by("last_name", "first_name", "pk").values_list(
                    "first_name", "last_name", "email", "phone", "association__name_fr"
                )
            )
            transaction.set_rollback(True)
        return rows

    first = registry(1)
    assert len(first) > 150 + 150
    assert not Association.objects.exists()
    assert registry(1) == first
    assert registry(2) != first


def test_the_contact_steps_come_after_the_queues_and_before_the_statistics():
    names = [s.name for s in FULL_STEPS]
    order = ["contact", "contact_sla", "contact_kb", "contact_registry", "contact_tickets"]
    assert [n for n in names if n in order] == order
    assert names[-1] == "contact_stats"
    assert names.index("contact_tickets") == names.index("contact_registry") + 1
    step = {s.name: s for s in FULL_STEPS}
    assert step["contact_registry"].run is contact_registry.create_contact_registry
    assert step["contact_tickets"].run is contact_tickets.create_contact_tickets


class TestContactDemo:
    def test_the_registry(self, seeded):
        associations = Association.objects.select_related("org_unit")
        assert associations.count() >= 150
        assert all(has_arabic(a.name_ar) and not has_arabic(a.name_fr) for a in associations)
        numbers = [a.registration_number for a in associations if a.registration_number]
        assert len(numbers) > 0.8 * associations.count()
        assert len(set(numbers)) == len(numbers)
        assert {a.legal_form for a in associations} >= {
            LegalForm.ASSOCIATION,
            LegalForm.UNION,
            LegalForm.NETWORK,
        }
        # Seats from the demo's tree: Morocco's regions, provinces and communes.
        morocco = OrgUnit.objects.get(code="MA", depth=1)
        assert all(a.org_unit.path.startswith(morocco.path) for a in associations)
        depths = Counter(a.org_unit.depth for a in associations)
        assert set(depths) == {2, 3, 4}, depths
        regions = {a.org_unit.path[: 2 * OrgUnit.steplen] for a in associations}
        assert len(regions) >= 8
        assert not Association.objects.annotate(n=Count("fields")).filter(n=0).exists()
        assert not Association.objects.annotate(n=Count("contacts")).filter(n=0).exists()
        assert associations.exclude(email="").exclude(phone="").count() > 80
        assert associations.exclude(employees=None).count() > 100
        citizens = Requester.objects.filter(association=None)
        assert citizens.count() >= 150
        assert not citizens.filter(org_unit=None).exists()
        # On file before the first ticket of the year.
        first = Ticket.objects.order_by("created_at").first().created_at
        assert not Association.objects.filter(created_at__gte=first).exists()
        assert not Requester.objects.filter(created_at__gte=first).exists()
        # Every entry was recorded by the registry's services, audited.
        created = AuditEntry.objects.filter(action="association_create").count()
        assert created == Association.objects.count()

    def test_a_year_of_tickets_over_every_channel_type_and_status(self, seeded):
        now = seeded.shared["seeded_at"]
        tickets = Ticket.objects.all()
        assert tickets.count() >= 1000
        assert set(tickets.values_list("channel", "type").distinct()) == {
            (c, t) for c in Channel.values for t in TicketType.values
        }
        assert set(tickets.values_list("status", flat=True).distinct()) == set(Status.values)
        months = tickets.annotate(m=TruncMonth("created_at")).values("m").distinct().count()
        assert months >= 10
        assert not tickets.filter(created_at__lt=now - contact_tickets.YEAR).exists()
        assert not tickets.filter(created_at__gt=now).exists()
        for name in ("acknowledged_at", "first_response_at", "resolved_at", "closed_at"):
            assert not tickets.filter(**{f"{name}__gt": now}).exists(), name
            assert not tickets.filter(**{f"{name}__lt": F("created_at")}).exists(), name
        assert not TicketMessage.objects.filter(created_at__gt=now).exists()
        assert not TicketMessage.objects.filter(created_at__lt=F("ticket__created_at")).exists()
        assert not tickets.filter(
            Q(updated_at__gt=now) | Q(updated_at__lt=F("created_at"))
        ).exists()
        # References numbered from 1 each year, in the order of receipt.
        first = tickets.order_by("created_at", "pk").first()
        assert first.reference == f"{timezone.localtime(first.created_at).year}-000001"
        assert tickets.values("reference").distinct().count() == tickets.count()
        # Resolved before done (merged duplicates are closed without an answer of their own).
        done = tickets.filter(status__in=DONE_STATUSES, merged_into=None)
        assert not done.filter(resolved_at=None).exists()
        assert not tickets.filter(status=Status.CLOSED, closed_at=None).exists()
        assert done.count() > 0.7 * tickets.count()

    def test_the_due_dates_are_the_sla_services(self, seeded):
        """A ticket whose clock never stopped has the due dates the SLA services give from
        its receipt; one that waited on the requester has its resolution moved later."""
        checked = moved = 0
        for ticket in Ticket.objects.select_related("queue__calendar"):
            assert ticket.ack_due_at and ticket.response_due_at and ticket.resolution_due_at
            stored = (ticket.ack_due_at, ticket.response_due_at, ticket.resolution_due_at)
            if ticket.sla_paused_minutes == 0:
                assert sla.sla_recompute(ticket, at=ticket.created_at) == [], ticket.reference
                checked += 1
            else:
                paused = ticket.sla_paused_minutes
                ticket.sla_paused_minutes = 0
                sla.sla_recompute(ticket, at=ticket.created_at)
                assert stored[2] > ticket.resolution_due_at, ticket.reference
                ticket.sla_paused_minutes = paused
                moved += 1
        assert checked > 1000 and moved > 10

    def test_the_sla_board_has_breaches_and_warnings(self, seeded):
        now = seeded.shared["seeded_at"]
        open_tickets = list(Ticket.objects.filter(status__in=OPEN_STATUSES))
        states = Counter(deadline_state(t, now).state for t in open_tickets)
        assert states[BREACHED] >= 3 and states[WARNING] >= 3 and states[OK] >= 10, states
        # Some resolved late too: the rate of resolutions in time is not 100 %.
        resolved = Ticket.objects.exclude(resolved_at=None)
        late = resolved.filter(resolved_at__gt=F("resolution_due_at")).count()
        assert 0.02 * resolved.count() < late < 0.3 * resolved.count()
        # Paused while waiting on the requester.
        assert not Ticket.objects.filter(
            status=Status.WAITING_REQUESTER, sla_paused_at=None
        ).exists()
        assert Ticket.objects.filter(sla_paused_minutes__gt=0).exists()

    def test_agents_replies_notes_and_requesters(self, seeded):
        tickets = Ticket.objects.all()
        assignees = set(tickets.exclude(assignee=None).values_list("assignee__username", flat=True))
        assert assignees == AGENTS
        # The complaints' queue is assigned by hand: some wait for the supervisor.
        assert tickets.filter(status=Status.NEW, assignee=None, queue__code="complaints").exists()
        kinds = Counter(TicketMessage.objects.values_list("kind", flat=True))
        assert kinds[MessageKind.REPLY] > 1000 and kinds[MessageKind.NOTE] > 100
        assert kinds[MessageKind.INCOMING] > tickets.count()
        assert not TicketMessage.objects.filter(
            kind__in=(MessageKind.REPLY, MessageKind.NOTE), author=None
        ).exists()
        assert tickets.filter(confidential=True).count() >= 10
        assert tickets.filter(requester=None, association=None).count() >= 10
        assert tickets.exclude(association=None).count() > 0.4 * tickets.count()
        assert tickets.filter(language="ar").exists() and tickets.filter(language="fr").exists()
        assert all(
            has_arabic(s) for s in tickets.filter(language="ar").values_list("subject", flat=True)
        )
        assert (
            tickets.filter(
                first_contact_resolution=True, channel__in=(Channel.PHONE, Channel.WALK_IN)
            ).count()
            >= 50
        )
        assert (
            not tickets.filter(first_contact_resolution=True)
            .exclude(channel__in=(Channel.PHONE, Channel.WALK_IN))
            .exists()
        )
        # Mails received were acknowledged (the acknowledgement mail), calls at once.
        assert not tickets.filter(channel=Channel.EMAIL, acknowledged_at=None).exists()
        assert (
            not tickets.filter(channel=Channel.PHONE)
            .exclude(acknowledged_at=F("created_at"))
            .exists()
        )

    def test_satisfaction_appeals_mediator_and_merges(self, seeded):
        surveys = SatisfactionSurvey.objects.all()
        ratings = Counter(surveys.exclude(rating=None).values_list("rating", flat=True))
        assert set(ratings) == {1, 2, 3, 4, 5}
        assert sum(ratings.values()) > 200
        assert not surveys.filter(answered_at__lt=F("sent_at")).exists()
        assert not surveys.filter(answered_at__gte=F("sent_at") + SURVEY_VALIDITY).exists()
        answers = AuditEntry.objects.filter(action="survey_answer").count()
        assert answers == sum(ratings.values())
        appealed = surveys.exclude(appealed_at=None)
        assert appealed.count() >= 2
        assert all(s.rating in (1, 2) for s in appealed)
        referred = Ticket.objects.exclude(mediator_referred_on=None)
        assert referred.count() >= 2
        for ticket in referred:
            assert ticket.type == TicketType.COMPLAINT and ticket.mediator_reference
            assert ticket.created_at.date() < ticket.mediator_referred_on <= timezone.localdate()
        merged = Ticket.objects.exclude(merged_into=None)
        assert merged.count() >= 2
        assert not merged.exclude(status=Status.CLOSED).exists()
        assert not merged.exclude(updated_at=F("closed_at")).exists()

    def test_nothing_is_mailed(self, seeded):
        assert seeded.shared["pending_on_commit"] == 0
        assert mail.outbox == []
        # The replies to someone with an address count as sent then: the retry job, which
        # sends the unsent replies of the last days, finds none of them.
        replies = TicketMessage.objects.filter(kind=MessageKind.REPLY)
        with_address = replies.filter(
            Q(ticket__requester__email__gt="") | Q(ticket__association__email__gt="")
        )
        assert with_address.count() > 500
        assert not with_address.filter(sent_at=None).exists()
        assert not with_address.exclude(sent_at=F("created_at")).exists()

    def test_the_statistics_are_rebuilt_from_the_tickets(self, seeded):
        counted = Ticket.objects.filter(merged_into=None).count()
        assert TicketStat.objects.aggregate(n=Sum("received"))["n"] == counted
        assert TicketStat.objects.aggregate(n=Sum("resolved"))["n"] > 0.8 * counted
        assert TicketStat.objects.aggregate(n=Sum("first_contact"))["n"] >= 50
        assert TicketFieldStat.objects.exists()

    @pytest.mark.parametrize("flags", [["--reset"], []])
    def test_seeding_again_is_refused_and_changes_nothing(self, seeded, flags):
        before = (
            Association.objects.count(),
            Ticket.objects.count(),
            TicketMessage.objects.count(),
            AuditEntry.objects.count(),
        )
        with pytest.raises(CommandError, match="migrate"):
            call_command("seed_demo", "--scale", "small", *flags, stdout=StringIO(), verbosity=0)
        assert (
            Association.objects.count(),
            Ticket.objects.count(),
            TicketMessage.objects.count(),
            AuditEntry.objects.count(),
        ) == before

    def test_the_steps_refuse_a_filled_registry_or_ticket_list(self, seeded):
        before = (Association.objects.count(), Requester.objects.count(), Ticket.objects.count())
        ctx = Context(scale=TINY, seed=2026)
        with pytest.raises(RuntimeError, match="not empty"):
            contact_registry.create_contact_registry(ctx)
        with pytest.raises(RuntimeError, match="already has tickets"):
            contact_tickets.create_contact_tickets(ctx)
        assert (
            Association.objects.count(),
            Requester.objects.count(),
            Ticket.objects.count(),
        ) == before
