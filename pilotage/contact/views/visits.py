"""Walk-in reception: register a visitor (a number of the day), the waiting list, call the
next visitor to one's desk, serve the visit (it becomes a ticket), and the hall screen of
called numbers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pilotage.contact import permissions as perms
from pilotage.contact.forms.intake import CallForm, DeskForm, VisitForm
from pilotage.contact.models import Association, Visit, VisitStatus
from pilotage.contact.services import visits as svc
from pilotage.core.versioning import Conflict

DESK_SESSION_KEY = "contact_desk"
DISPLAY_ROWS = 8


def _guard(request: HttpRequest) -> None:
    if not perms.receives_visitors(request.user):
        raise Http404


def _associations(request: HttpRequest) -> QuerySet[Association]:
    return Association.objects.filter(perms.associations_q(request.user))


def visits(request: HttpRequest) -> HttpResponse:
    """The reception page: register a visitor, the waiting list, call the next."""
    _guard(request)
    form = VisitForm(request.POST or None, associations=_associations(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                visit = svc.visit_register(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errs in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errs)
            else:
                messages.success(
                    request,
                    _("Visiteur enregistré : numéro %(number)s.") % {"number": visit.label},
                )
                return redirect("contact:visits")
        status = 422
    today = timezone.localdate()
    # One query: today's waiting and called visitors.
    rows = list(
        Visit.objects.filter(day=today, status__in=[VisitStatus.WAITING, VisitStatus.CALLED])
        .select_related("association", "served_by")
        .order_by("number")
    )
    return render(
        request,
        "contact/visits/page.html",
        {
            "form": form,
            "desk_form": DeskForm(initial={"desk": request.session.get(DESK_SESSION_KEY, "")}),
            "waiting": [v for v in rows if v.status == VisitStatus.WAITING],
            "mine": [
                v
                for v in rows
                if v.status == VisitStatus.CALLED and v.served_by_id == request.user.pk
            ],
        },
        status=status,
    )


@require_POST
def call_next(request: HttpRequest) -> HttpResponse:
    _guard(request)
    form = DeskForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Indiquez votre guichet."))
        return redirect("contact:visits")
    desk = form.cleaned_data["desk"]
    request.session[DESK_SESSION_KEY] = desk
    visit = svc.visit_call_next(actor=request.user, desk=desk)
    if visit is None:
        messages.info(request, _("Personne n'attend."))
        return redirect("contact:visits")
    return redirect("contact:visit", visit.pk)


def visit(request: HttpRequest, pk: int) -> HttpResponse:
    """Serving a called visitor: what they asked becomes a ticket."""
    _guard(request)
    found = Visit.objects.select_related("association", "served_by", "ticket").filter(pk=pk).first()
    if found is None or found.served_by_id != request.user.pk:
        raise Http404
    form = CallForm(request.POST or None, initial={"subject": found.reason})
    if request.method == "POST" and form.is_valid() and found.status == VisitStatus.CALLED:
        data = form.cleaned_data
        try:
            ticket = svc.visit_serve(
                actor=request.user,
                visit=found,
                type=data["type"],
                subject=data["subject"],
                notes=data["notes"],
                queue=data["queue"],
                priority=data["priority"],
                category=data["category"],
                answered=data["answered"],
                version=int(request.POST.get("version") or found.version),
            )
        except Conflict:
            form.add_error(None, _("La visite a été modifiée entre-temps ; rechargez la page."))
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(
                request,
                _("Visite %(number)s enregistrée : ticket %(reference)s.")
                % {"number": found.label, "reference": ticket.reference},
            )
            return redirect("contact:ticket", ticket.pk)
    return render(
        request,
        "contact/visits/serve.html",
        {"visit": found, "form": form},
        status=422 if request.method == "POST" else 200,
    )


def display(request: HttpRequest) -> HttpResponse:
    """The hall screen: the numbers called today and their desk (no names)."""
    if not perms.sees_visit_display(request.user):
        raise Http404
    # One query: the last numbers called today.
    called = list(
        Visit.objects.filter(day=timezone.localdate(), called_at__isnull=False)
        .order_by("-called_at")
        .only("number", "desk", "called_at")[:DISPLAY_ROWS]
    )
    template = (
        "contact/visits/_display_rows.html"
        if request.headers.get("HX-Request")
        else "contact/visits/display.html"
    )
    return render(request, template, {"called": called})


urlpatterns = [
    path("visits/", visits, name="visits"),
    path("visits/next/", call_next, name="visit-call-next"),
    path("visits/<int:pk>/", visit, name="visit"),
    path("visits/display/", display, name="visits-display"),
]
