"""Daily school life: attendance, transfers, the class council (the parents' portal is in
portal.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pilotage.schooling.models import (
    Absence,
    Decision,
    Enrolment,
    SchoolClass,
    Session,
)
from pilotage.schooling.permissions import (
    can_manage_school,
    can_take_attendance,
)
from pilotage.schooling.selectors import (
    absence_summary,
    class_roster,
    classes_visible,
)
from pilotage.schooling.services.attendance import (
    AbsenceLine,
    absences_record,
    attendance_days,
    is_school_day,
    school_day_default,
    school_day_step,
)
from pilotage.schooling.services.council import (
    council_close,
    council_close_plan,
    council_decide,
    council_proposals,
    council_review,
    next_year_of,
)


@dataclass
class RollRow:
    """One pupil's line of the roll, as stored or as the teacher typed it."""

    enrolment: Enrolment
    absent: bool = False
    hours: str = "4"
    justified: bool = False
    reason: str = ""
    total: dict[str, int] | None = None


def _posted_rows(request: HttpRequest, roster: list[Enrolment]) -> list[RollRow]:
    return [
        RollRow(
            e,
            absent=bool(request.POST.get(f"absent:{e.pupil_id}")),
            hours=request.POST.get(f"hours:{e.pupil_id}", "4").strip()[:3],
            justified=bool(request.POST.get(f"justified:{e.pupil_id}")),
            reason=request.POST.get(f"reason:{e.pupil_id}", "")[:200],
        )
        for e in roster
    ]


def _stored_rows(
    school_class: SchoolClass, day: dt.date, session: str, roster: list[Enrolment]
) -> list[RollRow]:
    existing = {
        a.pupil_id: a
        for a in Absence.objects.filter(school_class=school_class, date=day, session=session)
    }
    rows = []
    for e in roster:
        a = existing.get(e.pupil_id)
        rows.append(RollRow(e, True, str(a.hours), a.justified, a.reason) if a else RollRow(e))
    return rows


def _lines(rows: list[RollRow]) -> list[AbsenceLine]:
    lines = []
    for row in rows:
        if not row.absent:
            continue
        try:
            hours = int(row.hours or 4)
        except ValueError:
            hours = 0  # refused by the service with its reason
        lines.append(
            AbsenceLine(
                row.enrolment.pupil_id, hours=hours, justified=row.justified, reason=row.reason
            )
        )
    return lines


def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """The roll of one half-day. A refused roll (a date outside the year, a Sunday, hours
    out of range…) comes back with every tick, hour and reason as typed, and the reason;
    nothing is saved."""
    school_class = get_object_or_404(classes_visible(request.user), pk=pk)
    if not can_take_attendance(request.user, school_class):
        raise Http404
    today = timezone.localdate()
    roster = list(class_roster(school_class))
    data = request.POST if request.method == "POST" else request.GET
    session = data.get("session") or Session.MORNING
    status = 200
    if request.method == "POST":
        rows = _posted_rows(request, roster)
        typed = request.POST.get("date", "").strip()
        try:
            day: dt.date | None = dt.date.fromisoformat(typed)
        except ValueError:
            day = None
        if request.POST.get("show"):  # "Afficher": another day's roll, nothing saved
            return redirect(f"{request.path}?{urlencode({'date': typed, 'session': session})}")
        lines = _lines(rows)
        try:
            if day is None:
                raise ValidationError(_("Indiquez la date de l'appel."))
            absences_record(
                actor=request.user,
                school_class=school_class,
                date=day,
                session=session,
                lines=lines,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            status = 422
        else:
            messages.success(
                request,
                ngettext(
                    "Appel enregistré : %(n)s absence.",
                    "Appel enregistré : %(n)s absences.",
                    len(lines),
                )
                % {"n": len(lines)}
                if lines
                else _("Appel enregistré : aucun absent."),
            )
            query = urlencode({"date": typed, "session": session})
            return redirect(f"{request.path}?{query}")
        day_text = typed
    else:
        try:
            day = dt.date.fromisoformat(request.GET.get("date", ""))
        except ValueError:
            day = None
        if day is not None and not is_school_day(school_class, day, today=today):
            messages.warning(
                request,
                _("Le %(day)s n'est pas un jour de classe de l'année %(year)s.")
                % {
                    "day": date_format(day, "DATE_FORMAT"),
                    "year": school_class.academic_year.code,
                },
            )
            day = None
        if day is None:
            day = school_day_default(school_class, today=today)
        if session not in Session.values:
            session = Session.MORNING
        rows = _stored_rows(school_class, day, session, roster)
        day_text = day.isoformat()
    totals = absence_summary(school_class)
    for row in rows:
        row.total = totals.get(row.enrolment.pupil_id)
    first, last = attendance_days(school_class, today=today)
    shown = day if day is not None and first <= day <= last else None
    nav = {}
    if shown is not None:
        for name, step in (("previous", -1), ("next", 1)):
            other = school_day_step(school_class, shown, step, today=today)
            if other is not None:
                nav[name] = urlencode({"date": other.isoformat(), "session": session})
    return render(
        request,
        "schooling/attendance.html",
        {
            "school_class": school_class,
            "day": day,
            "day_text": day_text,
            "first_day": first.isoformat(),
            "last_day": last.isoformat(),
            "session": session,
            "sessions": Session.choices,
            "rows": rows,
            "nav": nav,
        },
        status=status,
    )


def council(request: HttpRequest, pk: int) -> HttpResponse:
    """The class council: averages, suggestions and decisions. "Enregistrer et clôturer
    l'année" saves the decisions and then shows what closing will do, with a confirm and
    a cancel; only the confirm (a second POST) closes the year."""
    school_class = get_object_or_404(classes_visible(request.user), pk=pk)
    if not can_manage_school(request.user, school_class.school):
        raise Http404
    if request.method == "POST" and request.POST.get("confirm"):
        next_year = next_year_of(school_class.academic_year)
        try:
            if next_year is None or str(next_year.pk) != request.POST.get("next_year"):
                raise ValidationError(_("L'année scolaire suivante n'est pas encore créée."))
            counts = council_close(
                actor=request.user, school_class=school_class, next_year=next_year
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                ngettext(
                    "Année clôturée : %(n)s inscription créée pour %(year)s.",
                    "Année clôturée : %(n)s inscriptions créées pour %(year)s.",
                    counts["next_year"],
                )
                % {"n": counts["next_year"], "year": next_year.code},
            )
        return redirect("schooling:council", pk=pk)
    plan = None
    if request.method == "POST":
        proposals = council_proposals(school_class)
        decisions = {
            p.enrolment.pk: (
                request.POST.get(f"decision:{p.enrolment.pk}", p.suggestion),
                request.POST.get(f"note:{p.enrolment.pk}", ""),
            )
            for p in proposals
        }
        try:
            council_decide(actor=request.user, school_class=school_class, decisions=decisions)
            if request.POST.get("close"):
                next_year = next_year_of(school_class.academic_year)
                if next_year is None:
                    raise ValidationError(_("L'année scolaire suivante n'est pas encore créée."))
                plan = council_close_plan(school_class=school_class, next_year=next_year)
                if plan.problems:
                    raise ValidationError(plan.problems)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("schooling:council", pk=pk)
        messages.success(request, _("Décisions enregistrées."))
        if plan is None:
            return redirect("schooling:council", pk=pk)
    review = council_review(school_class)
    return render(
        request,
        "schooling/council.html",
        {
            "school_class": school_class,
            "review": review,
            "proposals": review.proposals,
            "decisions": Decision.choices,
            "plan": plan,
        },
    )


urlpatterns = [
    path("classes/<int:pk>/attendance/", attendance, name="attendance"),
    path("classes/<int:pk>/council/", council, name="council"),
]
