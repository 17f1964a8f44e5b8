"""The meeting log: the list (upcoming / past, by partner), a meeting's page with its
follow-up actions, creating and editing a meeting, and the "my follow-ups" page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pilotage.cooperation import permissions as perms
from pilotage.cooperation.forms.partners import FollowUpForm, MeetingForm
from pilotage.cooperation.models import MeetingKind, Partner
from pilotage.cooperation.selectors.meetings import (
    cooperation_people,
    followup_get,
    followups_list,
    meeting_followups,
    meeting_get,
    meetings_list,
)
from pilotage.cooperation.selectors.partners import partners_visible
from pilotage.cooperation.selectors.programmes import programmes_visible
from pilotage.cooperation.services.meetings import (
    MEETING_FIELDS,
    followup_add,
    followup_mark_done,
    meeting_create,
    meeting_update,
)
from pilotage.core.forms import form_errors_add

PAGE_SIZE = 50


def meetings(request: HttpRequest) -> HttpResponse:
    if not perms.staff_sees_partners(request.user):
        raise Http404
    when = request.GET.get("when", "")
    if when not in ("upcoming", "past"):
        when = ""
    partner: Partner | None = None
    if request.GET.get("partner", "").isdigit():
        partner = partners_visible(request.user).filter(pk=request.GET["partner"]).first()
    rows = meetings_list(request.user, when=when, partner=partner)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cooperation/meetings/list.html",
        {
            "page_obj": page,
            "when": when,
            "partner": partner,
            "querystring_base": (query.urlencode() + "&") if query else "",
            "can_manage": perms.can_manage_partners(request.user),
            "kinds": MeetingKind.choices,
        },
    )


def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    found = meeting_get(request.user, pk)
    can_manage = perms.can_manage_partners(request.user)
    form = FollowUpForm(people=cooperation_people()) if can_manage else None
    return render(
        request,
        "cooperation/meetings/detail.html",
        {
            "meeting": found,
            "partners": found.partners.order_by("name_fr"),
            "participants": found.participants.order_by("last_name", "username"),
            "followups": meeting_followups(found),
            "can_manage": can_manage,
            "followup_form": form,
            "today": timezone.localdate(),
        },
    )


def _meeting_form(request: HttpRequest, **kwargs) -> MeetingForm:
    return MeetingForm(
        request.POST or None,
        people=cooperation_people(),
        programmes=programmes_visible(request.user).order_by("code"),
        **kwargs,
    )


def meeting_new(request: HttpRequest) -> HttpResponse:
    if not perms.can_manage_partners(request.user):
        raise Http404
    initial = {}
    if request.GET.get("partner", "").isdigit():
        initial["partners"] = [int(request.GET["partner"])]
    form = _meeting_form(request, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {k: data[k] for k in MEETING_FIELDS}
        try:
            created = meeting_create(
                actor=request.user,
                partners=data["partners"],
                participants=data["participants"],
                **fields,
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Réunion enregistrée."))
            return redirect("cooperation:meeting", created.pk)
    return render(request, "cooperation/meetings/form.html", {"form": form})


def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = meeting_get(request.user, pk)
    if not perms.can_manage_partners(request.user):
        raise Http404
    form = _meeting_form(request, instance=found)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {k: data[k] for k in form.changed_data if k in MEETING_FIELDS}
        try:
            meeting_update(
                actor=request.user,
                meeting=found,
                version=data.get("version"),
                partners=data["partners"] if "partners" in form.changed_data else None,
                participants=data["participants"] if "participants" in form.changed_data else None,
                **changes,
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Réunion enregistrée."))
            return redirect("cooperation:meeting", found.pk)
    return render(request, "cooperation/meetings/form.html", {"form": form, "meeting": found})


@require_POST
def meeting_followup_new(request: HttpRequest, pk: int) -> HttpResponse:
    found = meeting_get(request.user, pk)
    if not perms.can_manage_partners(request.user):
        raise Http404
    form = FollowUpForm(request.POST, people=cooperation_people())
    if form.is_valid():
        try:
            followup_add(actor=request.user, meeting=found, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Action de suivi ajoutée."))
            return redirect("cooperation:meeting", found.pk)
    return render(
        request,
        "cooperation/meetings/detail.html",
        {
            "meeting": found,
            "partners": found.partners.order_by("name_fr"),
            "participants": found.participants.order_by("last_name", "username"),
            "followups": meeting_followups(found),
            "can_manage": True,
            "followup_form": form,
            "today": timezone.localdate(),
        },
        status=400,
    )


@require_POST
def followup_done(request: HttpRequest, pk: int) -> HttpResponse:
    action = followup_get(request.user, pk)
    try:
        followup_mark_done(actor=request.user, action=action)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Action de suivi marquée comme faite."))
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("cooperation:followups")


def followups(request: HttpRequest) -> HttpResponse:
    if not perms.can_see_followups(request.user):
        raise Http404
    staff = perms.staff_sees_partners(request.user)
    mine = not (staff and request.GET.get("who") == "all")
    overdue = request.GET.get("overdue") == "1"
    rows = followups_list(request.user, mine=mine, overdue=overdue)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cooperation/meetings/followups.html",
        {
            "page_obj": page,
            "mine": mine,
            "overdue": overdue,
            "staff": staff,
            "today": timezone.localdate(),
            "querystring_base": (query.urlencode() + "&") if query else "",
            "can_manage": perms.can_manage_partners(request.user),
        },
    )


urlpatterns = [
    path("meetings/", meetings, name="meetings"),
    path("meetings/new/", meeting_new, name="meeting-new"),
    path("meetings/<int:pk>/", meeting, name="meeting"),
    path("meetings/<int:pk>/edit/", meeting_edit, name="meeting-edit"),
    path("meetings/<int:pk>/followups/new/", meeting_followup_new, name="meeting-followup-new"),
    path("followups/", followups, name="followups"),
    path("followups/<int:pk>/done/", followup_done, name="followup-done"),
]
