"""Deadlines (SLA) of a ticket: set at creation from the policy of its type × priority on
its queue's calendar, stopped while waiting on the requester, restarted when they answer
(the due dates move by the BUSINESS time the ticket waited), recomputed when its type,
priority or queue changes. The ticket services call ``sla_start``, ``sla_pause``,
``sla_resume`` and ``sla_recompute``; each changes the ticket in memory and returns the
fields it changed, which the caller saves.

``sla_check`` warns the assignee at 75 % of a deadline and escalates a breach to the
supervisors covering the ticket, each once (``SlaEvent``). The supervisors' edits of the
calendars and policies are here too, audited.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pilotage.contact import businesstime as bt
from pilotage.contact import permissions as perms
from pilotage.contact.audit import (
    SLA_CALENDAR_EDIT,
    SLA_HOLIDAY_OVERRIDE,
    SLA_RAMADAN_CORRECT,
)
from pilotage.contact.models import (
    BusinessCalendar,
    Deadline,
    HolidayOverride,
    OverrideKind,
    Priority,
    RamadanCorrection,
    SlaClock,
    SlaEvent,
    SlaEventKind,
    SlaPolicy,
    Status,
    Ticket,
    TicketType,
    WorkingHours,
)
from pilotage.contact.roles import CONTACT_SUPERVISOR
from pilotage.core.audit import audit_record
from pilotage.core.mail import base_url
from pilotage.core.versioning import locked, version_check, versioned_update

logger = logging.getLogger(__name__)

# The ticket's due field and the field that meets it, per deadline.
DEADLINES: tuple[tuple[str, str, str, str], ...] = (
    (Deadline.ACK, "ack_delay", "ack_due_at", "acknowledged_at"),
    (Deadline.RESPONSE, "response_delay", "response_due_at", "first_response_at"),
    (Deadline.RESOLUTION, "resolution_delay", "resolution_due_at", "resolved_at"),
)
DUE_FIELDS = [due for _d, _delay, due, _met in DEADLINES]
WARN_AT = 0.75


# --- the policies: Moroccan legal defaults -----------------------------------------------


@dataclass(frozen=True)
class Terms:
    clock: str
    ack: int | None
    response: int | None
    resolution: int | None
    basis: str


DAY = 24 * 60
COMPLAINT_LAW = (
    "Décret n° 2-17-265 du 23 juin 2017 : accusé de réception (plafond 15 jours), "
    "réponse sous 60 jours"
)
INFORMATION_LAW = (
    "Loi n° 31-13, art. 16 et 17 : 20 jours ouvrables, 3 en cas d'urgence (prorogeable une fois)"
)
SERVICE = "Politique de service"


def _defaults() -> dict[tuple[str, str], Terms]:
    """The policies seeded for every type × priority; see docs/contact.md "Deadlines" for
    what is law and what is the service's own commitment."""
    table: dict[tuple[str, str], Terms] = {}
    for priority in Priority.values:
        urgent = priority == Priority.URGENT
        high = priority == Priority.HIGH
        # Complaints: acknowledged at once, answered within 60 days (the legal ceiling);
        # the first response and the faster answer of urgent ones are service policy.
        table[(TicketType.COMPLAINT, priority)] = Terms(
            SlaClock.CALENDAR,
            0,
            (1 if urgent else 2 if high else 5) * DAY,
            (15 if urgent else 30 if high else 60) * DAY,
            COMPLAINT_LAW,
        )
        # Access to information (law 31-13): 20 working days, 3 when urgent.
        table[(TicketType.INFORMATION, priority)] = Terms(
            SlaClock.WORKING_DAYS,
            1,
            1 if urgent else 5,
            3 if urgent else 10 if high else 20,
            INFORMATION_LAW,
        )
        for kind in (TicketType.PROCEDURE, TicketType.GUIDANCE):
            table[(kind, priority)] = Terms(
                SlaClock.WORKING_DAYS,
                1,
                1 if urgent else 3,
                3 if urgent else 10 if high else 20,
                SERVICE,
            )
        for kind in (TicketType.OBSERVATION, TicketType.SUGGESTION):
            table[(kind, priority)] = Terms(SlaClock.WORKING_DAYS, 1, 10, 30, SERVICE)
    return table


LEGAL_DEFAULTS = _defaults()


def sla_policies_seed() -> int:
    """Creates the missing policies from :data:`LEGAL_DEFAULTS` (demo, tests, a new
    installation); keeps the ones a supervisor has set. Returns how many it created."""
    existing = set(SlaPolicy.objects.values_list("type", "priority"))
    rows = [
        SlaPolicy(
            type=kind,
            priority=priority,
            clock=terms.clock,
            ack_delay=terms.ack,
            response_delay=terms.response,
            resolution_delay=terms.resolution,
            basis=terms.basis,
        )
        for (kind, priority), terms in LEGAL_DEFAULTS.items()
        if (kind, priority) not in existing
    ]
    SlaPolicy.objects.bulk_create(rows)
    return len(rows)


def _terms(ticket: Ticket) -> Terms:
    policy = SlaPolicy.objects.filter(type=ticket.type, priority=ticket.priority).first()
    if policy is None:
        return LEGAL_DEFAULTS.get(
            (ticket.type, ticket.priority), LEGAL_DEFAULTS[(TicketType.COMPLAINT, Priority.NORMAL)]
        )
    return Terms(
        policy.clock, policy.ack_delay, policy.response_delay, policy.resolution_delay, policy.basis
    )


# --- the calendars as clocks -------------------------------------------------------------

# A calendar-less queue counts on the administration's ordinary hours.
DEFAULT_WEEK: list[list[bt.Interval]] = [[(510, 990)]] * 5 + [[], []]
DEFAULT_RAMADAN_WEEK: list[list[bt.Interval]] = [[(540, 900)]] * 5 + [[], []]

_clocks: dict[tuple[int, int], bt.Clock] = {}


def holidays_of(overrides: list[HolidayOverride], year: int) -> dict[dt.date, str]:
    """The days off of ``year``: Morocco's public holidays with the calendar's overrides."""
    days = dict(bt.morocco_holidays(year))
    for override in overrides:
        if override.kind in (OverrideKind.REMOVE, OverrideKind.MOVE):
            name = days.pop(override.day, override.name)
            if override.kind == OverrideKind.MOVE and override.moved_to:
                days[override.moved_to] = override.name or name
        elif override.kind == OverrideKind.ADD:
            days[override.day] = override.name
    return {day: name for day, name in days.items() if day.year == year}


def ramadan_of(corrections: dict[int, RamadanCorrection], year: int) -> tuple[dt.date, dt.date]:
    correction = corrections.get(year)
    if correction is None:
        return bt.ramadan_days(year)
    return bt.ramadan_days(year, correction.start_shift, correction.end_shift)


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def clock_build(calendar: BusinessCalendar | None) -> bt.Clock:
    """The calendar's business clock (uncached: :func:`clock_for` caches it)."""
    if calendar is None:
        return bt.Clock(
            "Africa/Casablanca",
            DEFAULT_WEEK,
            DEFAULT_RAMADAN_WEEK,
            holidays=lambda year: holidays_of([], year),
            ramadan=lambda year: _days(*bt.ramadan_days(year)),
        )
    week: list[list[bt.Interval]] = [[] for _day in range(7)]
    ramadan_week: list[list[bt.Interval]] = [[] for _day in range(7)]
    for hours in WorkingHours.objects.filter(calendar=calendar):
        target = ramadan_week if hours.ramadan else week
        target[hours.weekday].append(
            (hours.start.hour * 60 + hours.start.minute, hours.end.hour * 60 + hours.end.minute)
        )
    overrides = list(HolidayOverride.objects.filter(calendar=calendar))
    corrections = {c.year: c for c in RamadanCorrection.objects.filter(calendar=calendar)}
    if not any(week):
        # A calendar nobody has set the hours of yet counts on the ordinary ones.
        week, ramadan_week = DEFAULT_WEEK, DEFAULT_RAMADAN_WEEK
    return bt.Clock(
        calendar.timezone,
        week,
        ramadan_week if any(ramadan_week) else None,
        holidays=lambda year: holidays_of(overrides, year),
        ramadan=lambda year: _days(*ramadan_of(corrections, year)),
    )


def clock_for(calendar: BusinessCalendar | None) -> bt.Clock:
    """The calendar's clock, cached in the process per calendar and version (every edit of
    the calendar bumps its version, so no process counts on stale hours)."""
    key = (0, 0) if calendar is None else (calendar.pk, calendar.version)
    found = _clocks.get(key)
    if found is None:
        if len(_clocks) > 256:
            _clocks.clear()
        found = _clocks[key] = clock_build(calendar)
    return found


def calendar_hours_seed(
    calendar: BusinessCalendar,
    *,
    hours: dict[int, str],
    ramadan: dict[int, str] | None = None,
) -> None:
    """Sets a calendar's hours without an actor (demo, tests): weekday → '08:30-16:30'
    (several intervals separated by commas)."""
    rows = []
    for is_ramadan, week in ((False, hours), (True, ramadan or {})):
        for weekday, text in week.items():
            for part in filter(None, (p.strip() for p in text.split(","))):
                start, end = (dt.time.fromisoformat(t.strip()) for t in part.split("-"))
                rows.append(
                    WorkingHours(
                        calendar=calendar, weekday=weekday, start=start, end=end, ramadan=is_ramadan
                    )
                )
    with transaction.atomic():
        WorkingHours.objects.filter(calendar=calendar).delete()
        WorkingHours.objects.bulk_create(rows)
        BusinessCalendar.objects.filter(pk=calendar.pk).update(version=F("version") + 1)
    calendar.refresh_from_db(fields=["version"])


def _ticket_clock(ticket: Ticket) -> bt.Clock:
    queue = ticket.queue
    return clock_for(queue.calendar if queue is not None else None)


def _due(clock: bt.Clock, terms: Terms, start: dt.datetime, delay: int, paused: int) -> dt.datetime:
    if terms.clock == SlaClock.CALENDAR:
        return bt.add_calendar(start, delay + paused)
    if terms.clock == SlaClock.WORKING_DAYS:
        due = clock.add_working_days(start, delay)
    else:
        due = clock.add(start, delay)
    return clock.add(due, paused) if paused else due


def _shift(clock: bt.Clock, terms: Terms, due: dt.datetime, minutes: int) -> dt.datetime:
    if terms.clock == SlaClock.CALENDAR:
        return bt.add_calendar(due, minutes)
    return clock.add(due, minutes)


# --- the ticket's clock --------------------------------------------------------------------


def _compute(ticket: Ticket, start: dt.datetime) -> list[str]:
    clock = _ticket_clock(ticket)
    terms = _terms(ticket)
    changed = []
    for _deadline, delay_name, due_name, _met in DEADLINES:
        delay = getattr(terms, delay_name.removesuffix("_delay"))
        due = None if delay is None else _due(clock, terms, start, delay, ticket.sla_paused_minutes)
        if getattr(ticket, due_name) != due:
            setattr(ticket, due_name, due)
            changed.append(due_name)
    return changed


def sla_start(ticket: Ticket, *, at: dt.datetime) -> list[str]:
    ticket.sla_paused_minutes = 0
    return _compute(ticket, at) + ["sla_paused_minutes"]


def sla_recompute(ticket: Ticket, *, at: dt.datetime) -> list[str]:
    """After a change of type, priority or queue: the due dates the new policy gives,
    counted from the ticket's receipt, with the business time it has already waited."""
    return _compute(ticket, ticket.created_at or at)


def sla_pause(ticket: Ticket, *, at: dt.datetime) -> list[str]:
    if ticket.sla_paused_at is not None:
        return []
    ticket.sla_paused_at = at
    return ["sla_paused_at"]


def sla_resume(ticket: Ticket, *, at: dt.datetime) -> list[str]:
    """Moves each deadline not yet met and not yet passed when the clock stopped by the
    business time the ticket waited (a requester who answers on Monday a question asked on
    Friday afternoon gives back Friday's remaining hours, not the weekend)."""
    paused_at = ticket.sla_paused_at
    if paused_at is None:
        return []
    clock = _ticket_clock(ticket)
    terms = _terms(ticket)
    waited = max(0, clock.between(paused_at, at))
    ticket.sla_paused_at = None
    ticket.sla_paused_minutes += waited
    changed = ["sla_paused_at", "sla_paused_minutes"]
    if waited == 0:
        return changed
    for _deadline, _delay, due_name, met_name in DEADLINES:
        due = getattr(ticket, due_name)
        if due is None or getattr(ticket, met_name) is not None or due <= paused_at:
            continue
        setattr(ticket, due_name, _shift(clock, terms, due, waited))
        changed.append(due_name)
    return changed


def time_left(ticket: Ticket, due_name: str, *, at: dt.datetime) -> int | None:
    """Business minutes left before a deadline (negative once passed), for the API."""
    due = getattr(ticket, due_name)
    if due is None:
        return None
    return _ticket_clock(ticket).between(at, due)


# --- warnings and escalation ---------------------------------------------------------------


def _supervisors() -> list[tuple[str, Any]]:
    from pilotage.accounts.models import RoleAssignment

    return [
        (a.org_unit.path, a.user)
        for a in RoleAssignment.objects.filter(
            role=CONTACT_SUPERVISOR, user__is_active=True
        ).select_related("user", "org_unit")
    ]


def _event_mail(event: SlaEvent, ticket: Ticket, users: list[Any]) -> int:
    sent = 0
    link = f"{base_url()}/contact/tickets/{ticket.pk}/"
    for user in users:
        if not user.email:
            continue
        with translation.override(getattr(user, "preferred_language", "") or "fr"):
            params = {
                "reference": ticket.reference,
                "deadline": Deadline(event.deadline).label,
                "due": timezone.localtime(event.due_at).strftime("%d/%m/%Y %H:%M"),
            }
            if event.kind == SlaEventKind.WARNED:
                subject = _("Ticket %(reference)s : échéance proche (%(deadline)s)") % params
                body = (
                    _(
                        "Le délai « %(deadline)s » du ticket %(reference)s est consommé à 75 %%. "
                        "Échéance : %(due)s."
                    )
                    % params
                )
            else:
                subject = _("Ticket %(reference)s : délai dépassé (%(deadline)s)") % params
                body = (
                    _(
                        "Le délai « %(deadline)s » du ticket %(reference)s est dépassé depuis "
                        "le %(due)s. Il vous est signalé comme superviseur."
                    )
                    % params
                )
        try:
            EmailMessage(subject, f"{body}\n\n{link}\n", to=[user.email]).send()
        except OSError:
            logger.exception("SLA mail for ticket %s to %s failed", ticket.pk, user.pk)
        else:
            sent += 1
    return sent


def _state(
    ticket: Ticket, clock: bt.Clock, terms: Terms, due: dt.datetime, now: dt.datetime
) -> str | None:
    if now >= due:
        return SlaEventKind.BREACHED
    start = ticket.created_at
    if terms.clock == SlaClock.CALENDAR:
        total, spent = bt.between_calendar(start, due), bt.between_calendar(start, now)
    else:
        total, spent = clock.between(start, due), clock.between(start, now)
    total -= ticket.sla_paused_minutes
    spent -= ticket.sla_paused_minutes
    if total > 0 and spent >= WARN_AT * total:
        return SlaEventKind.WARNED
    return None


def sla_check(*, at: dt.datetime | None = None) -> dict[str, int]:
    """Records and mails the warnings (75 %) and breaches due at ``at`` (now), each once:
    a second run finds the events recorded and sends nothing more."""
    now = at or timezone.now()
    unmet = Q()
    for _deadline, _delay, due_name, met_name in DEADLINES:
        unmet |= Q(**{f"{due_name}__isnull": False, f"{met_name}__isnull": True})
    tickets = (
        Ticket.objects.filter(unmet, sla_paused_at__isnull=True)
        .exclude(status__in=(Status.RESOLVED, Status.CLOSED, Status.WAITING_REQUESTER))
        .select_related("queue__calendar", "assignee", "org_unit")
    )
    recorded = set(
        SlaEvent.objects.filter(ticket__in=tickets).values_list("ticket_id", "deadline", "kind")
    )
    supervisors: list[tuple[str, Any]] | None = None
    counts = {"warned": 0, "breached": 0, "emails": 0}
    terms_cache: dict[tuple[str, str], Terms] = {}
    for ticket in tickets.iterator(chunk_size=2000):
        clock = _ticket_clock(ticket)
        key = (ticket.type, ticket.priority)
        if key not in terms_cache:
            terms_cache[key] = _terms(ticket)
        terms = terms_cache[key]
        for deadline, _delay, due_name, met_name in DEADLINES:
            due = getattr(ticket, due_name)
            if due is None or getattr(ticket, met_name) is not None:
                continue
            kind = _state(ticket, clock, terms, due, now)
            if kind is None or (ticket.pk, deadline, kind) in recorded:
                continue
            if kind == SlaEventKind.WARNED:
                users = [ticket.assignee] if ticket.assignee else []
            else:
                if supervisors is None:
                    supervisors = _supervisors()
                path = ticket.org_unit.path
                users = list({u.pk: u for p, u in supervisors if path.startswith(p)}.values())
            try:
                with transaction.atomic():
                    event = SlaEvent.objects.create(
                        ticket=ticket, deadline=deadline, kind=kind, due_at=due, at=now
                    )
            except IntegrityError:
                continue  # another run recorded it first
            counts[str(kind)] += 1
            sent = _event_mail(event, ticket, users)
            if sent:
                SlaEvent.objects.filter(pk=event.pk).update(recipients=sent)
            counts["emails"] += sent
    return counts


# --- the supervisors' edits ------------------------------------------------------------


def _calendar_touch(calendar: BusinessCalendar | int, version: int | None) -> BusinessCalendar:
    """Locks the calendar, checks the version the form was loaded at and bumps it."""
    stored = locked(BusinessCalendar, calendar)
    version_check(stored, version)
    BusinessCalendar.objects.filter(pk=stored.pk).update(version=F("version") + 1)
    stored.version += 1
    return stored


def _supervise_check(actor: Any) -> None:
    if not perms.edits_sla(actor):
        raise PermissionDenied


@transaction.atomic
def calendar_hours_set(
    *,
    actor: Any,
    calendar: BusinessCalendar | int,
    ramadan: bool,
    week: dict[int, list[tuple[dt.time, dt.time]]],
    version: int | None = None,
) -> BusinessCalendar:
    """Replaces the ordinary (or the Ramadan) weekly hours of a calendar. ``week``: weekday
    → intervals; overlapping intervals of a day are refused."""
    _supervise_check(actor)
    for weekday, intervals in week.items():
        ordered = sorted(intervals)
        for start, end in ordered:
            if end <= start:
                raise ValidationError(
                    {
                        f"day_{weekday}": _("%(start)s–%(end)s : la fin doit suivre le début.")
                        % {"start": f"{start:%H:%M}", "end": f"{end:%H:%M}"}
                    }
                )
        for (_s1, e1), (s2, _e2) in zip(ordered, ordered[1:], strict=False):
            if s2 < e1:
                raise ValidationError(
                    {
                        f"day_{weekday}": _("Les plages %(first)s et %(second)s se chevauchent.")
                        % {"first": f"{_s1:%H:%M}–{e1:%H:%M}", "second": f"{s2:%H:%M}–{_e2:%H:%M}"}
                    }
                )
    stored = _calendar_touch(calendar, version)
    old = [str(h) for h in WorkingHours.objects.filter(calendar=stored, ramadan=ramadan)]
    WorkingHours.objects.filter(calendar=stored, ramadan=ramadan).delete()
    rows = [
        WorkingHours(calendar=stored, weekday=weekday, start=start, end=end, ramadan=ramadan)
        for weekday, intervals in sorted(week.items())
        for start, end in sorted(intervals)
    ]
    WorkingHours.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action=SLA_CALENDAR_EDIT,
        obj=stored,
        changes={"ramadan_hours" if ramadan else "hours": [old, [str(r) for r in rows]]},
    )
    return stored


@transaction.atomic
def ramadan_correct(
    *,
    actor: Any,
    calendar: BusinessCalendar | int,
    year: int,
    start_shift: int,
    end_shift: int,
    version: int | None = None,
) -> RamadanCorrection:
    """Sets the days the moon sighting moves Ramadan's first and last day in ``year``."""
    _supervise_check(actor)
    stored = _calendar_touch(calendar, version)
    correction = RamadanCorrection.objects.filter(calendar=stored, year=year).first()
    before = None if correction is None else [correction.start_shift, correction.end_shift]
    correction = correction or RamadanCorrection(calendar=stored, year=year)
    correction.start_shift, correction.end_shift = start_shift, end_shift
    correction.full_clean()
    correction.save()
    audit_record(
        actor=actor,
        action=SLA_RAMADAN_CORRECT,
        obj=stored,
        changes={f"ramadan_{year}": [before, [start_shift, end_shift]]},
    )
    return correction


@transaction.atomic
def holiday_override_set(
    *,
    actor: Any,
    calendar: BusinessCalendar | int,
    kind: str,
    day: dt.date,
    moved_to: dt.date | None = None,
    name: str = "",
    version: int | None = None,
) -> HolidayOverride:
    """Adds, removes or moves a public holiday on one calendar (replaces an earlier
    override of the same day). Removing or moving needs a holiday on that day."""
    _supervise_check(actor)
    stored = _calendar_touch(calendar, version)
    if kind in (OverrideKind.REMOVE, OverrideKind.MOVE) and day not in bt.morocco_holidays(
        day.year
    ):
        raise ValidationError(
            {
                "day": _("Le %(day)s n'est pas un jour férié à retirer ou déplacer.")
                % {"day": f"{day:%d/%m/%Y}"}
            }
        )
    if kind != OverrideKind.MOVE:
        moved_to = None
    elif moved_to is None:
        raise ValidationError({"moved_to": _("Indiquez le jour où le jour férié est déplacé.")})
    previous = HolidayOverride.objects.filter(calendar=stored, day=day).first()
    before = None if previous is None else [previous.kind, str(previous.moved_to or "")]
    override = previous or HolidayOverride(calendar=stored, day=day)
    override.kind, override.moved_to, override.name = kind, moved_to, name.strip()
    override.full_clean()
    override.save()
    audit_record(
        actor=actor,
        action=SLA_HOLIDAY_OVERRIDE,
        obj=stored,
        changes={f"holiday_{day.isoformat()}": [before, [kind, str(moved_to or "")]]},
    )
    return override


@transaction.atomic
def holiday_override_delete(
    *,
    actor: Any,
    override: HolidayOverride | int,
    calendar: BusinessCalendar | int,
    version: int | None = None,
) -> None:
    _supervise_check(actor)
    pk = override.pk if isinstance(override, HolidayOverride) else override
    calendar_pk = calendar.pk if isinstance(calendar, BusinessCalendar) else calendar
    found = HolidayOverride.objects.filter(pk=pk, calendar_id=calendar_pk).first()
    if found is None:
        raise ValidationError(_("Cette correction n'existe plus."))
    stored = _calendar_touch(found.calendar_id, version)
    found.delete()
    audit_record(
        actor=actor,
        action=SLA_HOLIDAY_OVERRIDE,
        obj=stored,
        changes={
            f"holiday_{found.day.isoformat()}": [[found.kind, str(found.moved_to or "")], None]
        },
    )


POLICY_FIELDS = ("clock", "ack_delay", "response_delay", "resolution_delay", "basis")


@transaction.atomic
def sla_policy_update(
    *, actor: Any, policy: SlaPolicy | int, version: int | None, changes: dict[str, Any]
) -> SlaPolicy:
    """Edits a policy (the tickets already open keep their due dates until recomputed)."""
    return versioned_update(
        actor=actor,
        model=SlaPolicy,
        obj=policy,
        version=version,
        changes=changes,
        editable=POLICY_FIELDS,
        service="sla_policy_update",
        allowed=lambda _p: perms.edits_sla(actor),
    )
