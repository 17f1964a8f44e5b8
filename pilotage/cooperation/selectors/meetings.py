"""Reading the meeting log and the follow-up actions. Meetings are read by those who read
the partners registry; a follow-up action by them and by its owner."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from pilotage.cooperation.models import FollowUpAction, FollowUpStatus, Meeting, Partner
from pilotage.cooperation.permissions import can_use, staff_sees_partners


def meetings_visible(actor: Any) -> QuerySet[Meeting]:
    if not staff_sees_partners(actor):
        return Meeting.objects.none()
    return Meeting.objects.all()


def meetings_list(
    actor: Any, *, when: str = "", partner: Partner | None = None, today: dt.date | None = None
) -> QuerySet[Meeting]:
    """``when``: "upcoming" (today on, soonest first), "past" (before today, latest first)
    or everything (latest first). Each meeting with its partners (one prefetch) and its
    count of open follow-ups (an annotation): three queries with the paginator's count."""
    today = today or timezone.localdate()
    qs = meetings_visible(actor).select_related("programme")
    if partner is not None:
        qs = qs.filter(partners=partner)
    if when == "upcoming":
        qs = qs.filter(date__gte=today).order_by("date", "pk")
    elif when == "past":
        qs = qs.filter(date__lt=today).order_by("-date", "-pk")
    else:
        qs = qs.order_by("-date", "-pk")
    return qs.annotate(
        open_followups=Count("followups", filter=Q(followups__status=FollowUpStatus.OPEN))
    ).prefetch_related(Prefetch("partners", queryset=Partner.objects.order_by("name_fr")))


def partner_meetings(actor: Any, partner: Partner, limit: int = 20) -> list[Meeting]:
    """A partner's latest meetings, for its page."""
    return list(meetings_visible(actor).filter(partners=partner).order_by("-date", "-pk")[:limit])


def meeting_get(actor: Any, pk: int) -> Meeting:
    meeting = (
        meetings_visible(actor).select_related("programme", "created_by").filter(pk=pk).first()
    )
    if meeting is None:
        raise Http404
    return meeting


def meeting_followups(meeting: Meeting) -> QuerySet[FollowUpAction]:
    return meeting.followups.select_related("owner").order_by("status", "due_date", "pk")


def followups_visible(actor: Any) -> QuerySet[FollowUpAction]:
    """All of them for the staff; their own for any other cooperation user."""
    if staff_sees_partners(actor):
        return FollowUpAction.objects.all()
    if can_use(actor):
        return FollowUpAction.objects.filter(owner=actor)
    return FollowUpAction.objects.none()


def followup_get(actor: Any, pk: int) -> FollowUpAction:
    action = followups_visible(actor).select_related("meeting", "owner").filter(pk=pk).first()
    if action is None:
        raise Http404
    return action


def followups_list(
    actor: Any, *, mine: bool = True, overdue: bool = False, today: dt.date | None = None
) -> QuerySet[FollowUpAction]:
    """The follow-ups page: the reader's own (or everyone's, for the staff), open ones
    first by due date; ``overdue`` keeps the open ones past their due date."""
    today = today or timezone.localdate()
    qs = followups_visible(actor).select_related("meeting", "owner")
    if mine:
        qs = qs.filter(owner=actor)
    if overdue:
        qs = qs.filter(status=FollowUpStatus.OPEN, due_date__lt=today)
    return qs.order_by("status", "due_date", "pk")


def followups_overdue_for(
    user: Any, *, limit: int = 10, today: dt.date | None = None
) -> tuple[int, list[FollowUpAction]]:
    """The user's own open actions past their due date: the count and the ``limit`` most
    overdue (two queries)."""
    today = today or timezone.localdate()
    qs = FollowUpAction.objects.filter(owner=user, status=FollowUpStatus.OPEN, due_date__lt=today)
    total = qs.count()
    if not total:
        return 0, []
    return total, list(qs.select_related("meeting").order_by("due_date", "pk")[:limit])


def cooperation_people() -> QuerySet[Any]:
    """Active people holding a cooperation role: who may attend a meeting or own a
    follow-up action."""
    from pilotage.accounts.models import User
    from pilotage.cooperation.roles import USE_COOPERATION
    from pilotage.core.roles import roles_with

    return (
        User.objects.filter(is_active=True, assignments__role__in=roles_with(USE_COOPERATION))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
