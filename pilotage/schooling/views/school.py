"""Daily school life: attendance, transfers, the class council (the parents' portal is in
portal.py)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pilotage.orgunits.models import AcademicYear
from pilotage.schooling.models import Absence, Decision, Session
from pilotage.schooling.permissions import (
    can_manage_school,
    can_take_attendance,
)
from pilotage.schooling.selectors import (
    absence_summary,
    class_roster,
    classes_visible,
)
from pilotage.schooling.services.attendance import AbsenceLine, absences_record
from pilotage.schooling.services.council import council_close, council_decide, council_proposals


def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    school_class = get_object_or_404(classes_visible(request.user), pk=pk)
    if not can_take_attendance(request.user, school_class):
        raise Http404
    try:
        day = dt.date.fromisoformat(request.GET.get("date") or request.POST.get("date") or "")
    except ValueError:
        day = timezone.localdate()
    session = request.POST.get("session") or request.GET.get("session") or Session.MORNING
    roster = list(class_roster(school_class))
    if request.method == "POST":
        lines = []
        for enrolment in roster:
            pid = enrolment.pupil_id
            if request.POST.get(f"absent:{pid}"):
                try:
                    hours = int(request.POST.get(f"hours:{pid}") or 4)
                except ValueError:
                    hours = 0
                lines.append(
                    AbsenceLine(
                        pid,
                        hours=hours,
                        justified=bool(request.POST.get(f"justified:{pid}")),
                        reason=request.POST.get(f"reason:{pid}", "")[:200],
                    )
                )
        try:
            counts = absences_record(
                actor=request.user,
                school_class=school_class,
                date=day,
                session=session,
                lines=lines,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                ngettext(
                    "Appel enregistré : %(n)s absence.",
                    "Appel enregistré : %(n)s absences.",
                    len(lines),
                )
                % {"n": len(lines)}
                if any(counts.values()) or lines
                else _("Appel enregistré : aucun absent."),
            )
            return redirect(f"{request.path}?date={day.isoformat()}&session={session}")
    existing = {
        a.pupil_id: a
        for a in Absence.objects.filter(school_class=school_class, date=day, session=session)
    }
    return render(
        request,
        "schooling/attendance.html",
        {
            "school_class": school_class,
            "day": day,
            "session": session,
            "sessions": Session.choices,
            "rows": [(e, existing.get(e.pupil_id)) for e in roster],
            "summary": absence_summary(school_class),
        },
    )


def council(request: HttpRequest, pk: int) -> HttpResponse:
    school_class = get_object_or_404(classes_visible(request.user), pk=pk)
    if not can_manage_school(request.user, school_class.school):
        raise Http404
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
                next_year = (
                    AcademicYear.objects.filter(start__gt=school_class.academic_year.start)
                    .order_by("start")
                    .first()
                )
                if next_year is None:
                    raise ValidationError(_("L'année scolaire suivante n'est pas encore créée."))
                counts = council_close(
                    actor=request.user, school_class=school_class, next_year=next_year
                )
                messages.success(
                    request,
                    ngettext(
                        "Année clôturée : %(n)s inscription créée pour %(year)s.",
                        "Année clôturée : %(n)s inscriptions créées pour %(year)s.",
                        counts["next_year"],
                    )
                    % {"n": counts["next_year"], "year": next_year.code},
                )
            else:
                messages.success(request, _("Décisions enregistrées."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("schooling:council", pk=pk)
    return render(
        request,
        "schooling/council.html",
        {
            "school_class": school_class,
            "proposals": council_proposals(school_class),
            "decisions": Decision.choices,
        },
    )


urlpatterns = [
    path("classes/<int:pk>/attendance/", attendance, name="attendance"),
    path("classes/<int:pk>/council/", council, name="council"),
]
