"""Routing pages: the availability toggle in every contact page's header, a ticket's
assignment page (take, assign, transfer) and the queues (list and edit)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pilotage.contact import permissions as perms
from pilotage.contact.forms.routing import AssignForm, AvailabilityForm, QueueForm, TransferForm
from pilotage.contact.models import AgentStatus, Queue
from pilotage.contact.selectors.routing import contact_staff, queues_overview
from pilotage.contact.selectors.tickets import ticket_get
from pilotage.contact.services.routing import (
    agent_availability_set,
    queue_update,
    ticket_assign,
    ticket_take,
    ticket_transfer,
)
from pilotage.core.versioning import Conflict


def _errors(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


def availability(request: HttpRequest) -> HttpResponse:
    """The header toggle (loaded by htmx into every contact page); POST flips it."""
    if not perms.handles_tickets(request.user):
        # A contact-centre user who takes no tickets has no toggle; outsiders get 404.
        if request.method == "POST" or not perms.can_use(request.user):
            raise Http404
        return HttpResponse(status=204)
    error = ""
    if request.method == "POST":
        form = AvailabilityForm(request.POST)
        if form.is_valid():
            try:
                agent_availability_set(
                    actor=request.user,
                    available=form.cleaned_data["available"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                error = " ".join(_errors(exc))
        else:
            error = _("Le motif dépasse 200 caractères.")
        if not request.headers.get("HX-Request"):
            if error:
                messages.error(request, error)
            return redirect("contact:tickets")
    status = AgentStatus.objects.filter(user_id=int(request.user.pk or 0)).first()
    return render(
        request,
        "contact/routing/_availability.html",
        {"agent_status": status, "available": status is None or status.available, "error": error},
    )


def _ticket_page(request: HttpRequest, pk: int, **extra: Any) -> HttpResponse:
    found = ticket_get(request.user, pk)
    if not perms.can_handle_ticket(request.user, found) and not perms.can_supervise_ticket(
        request.user, found
    ):
        raise Http404
    supervises = perms.can_supervise_ticket(request.user, found)
    context = {
        "ticket": found,
        "supervises": supervises,
        "can_take": perms.can_handle_ticket(request.user, found)
        and found.assignee_id != request.user.pk
        and found.is_open,
        "assign_form": extra.pop("assign_form", None)
        or AssignForm(
            queue=found.queue, initial={"assignee": found.assignee_id, "version": found.version}
        ),
        "transfer_form": extra.pop("transfer_form", None)
        or TransferForm(current=found.queue, initial={"version": found.version}),
        **extra,
    }
    return render(request, "contact/routing/ticket.html", context, status=200)


def ticket_routing(request: HttpRequest, pk: int) -> HttpResponse:
    return _ticket_page(request, pk)


@require_POST
def ticket_take_view(request: HttpRequest, pk: int) -> HttpResponse:
    found = ticket_get(request.user, pk)
    try:
        ticket_take(actor=request.user, ticket=found, version=_version(request))
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        return _ticket_page(request, pk, errors=_errors(exc))
    messages.success(request, _("Vous traitez maintenant ce ticket."))
    return redirect("contact:ticket", pk=pk)


@require_POST
def ticket_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    found = ticket_get(request.user, pk)
    form = AssignForm(request.POST, queue=found.queue)
    if not form.is_valid():
        return _ticket_page(request, pk, assign_form=form)
    try:
        ticket_assign(
            actor=request.user,
            ticket=found,
            assignee=form.cleaned_data["assignee"],
            version=form.cleaned_data["version"],
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        return _ticket_page(request, pk, assign_form=form, errors=_errors(exc))
    messages.success(request, _("Attribution enregistrée."))
    return redirect("contact:ticket-routing", pk=pk)


@require_POST
def ticket_transfer_view(request: HttpRequest, pk: int) -> HttpResponse:
    found = ticket_get(request.user, pk)
    form = TransferForm(request.POST, current=found.queue)
    if not form.is_valid():
        return _ticket_page(request, pk, transfer_form=form)
    try:
        ticket_transfer(
            actor=request.user,
            ticket=found,
            queue=form.cleaned_data["queue"],
            note=form.cleaned_data["note"],
            version=form.cleaned_data["version"],
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        return _ticket_page(request, pk, transfer_form=form, errors=_errors(exc))
    messages.success(request, _("Ticket transféré."))
    return redirect("contact:ticket-routing", pk=pk)


def _version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST["version"])
    except (KeyError, ValueError):
        return None


def queues(request: HttpRequest) -> HttpResponse:
    if not perms.supervises(request.user):
        raise Http404
    return render(request, "contact/routing/queues.html", {"queues": queues_overview(request.user)})


def queue_edit(request: HttpRequest, code: str) -> HttpResponse:
    if not perms.edits_queues(request.user):
        raise Http404
    queue = Queue.objects.filter(code=code).first()
    if queue is None:
        raise Http404
    errors: list[str] = []
    if request.method == "POST":
        form = QueueForm(request.POST, agents=contact_staff())
        if form.is_valid():
            try:
                queue_update(
                    actor=request.user,
                    queue=queue,
                    assignment=form.cleaned_data["assignment"],
                    members=list(form.cleaned_data["members"]),
                    version=form.cleaned_data["version"],
                )
            except (Conflict, ValidationError) as exc:
                errors = _errors(exc)
            else:
                messages.success(request, _("File enregistrée."))
                return redirect("contact:queues")
    else:
        form = QueueForm(
            agents=contact_staff(),
            initial={
                "assignment": queue.assignment,
                "members": list(queue.members.values_list("pk", flat=True)),
                "version": queue.version,
            },
        )
    return render(
        request, "contact/routing/queue_form.html", {"queue": queue, "form": form, "errors": errors}
    )


urlpatterns = [
    path("availability/", availability, name="availability"),
    path("tickets/<int:pk>/routing/", ticket_routing, name="ticket-routing"),
    path("tickets/<int:pk>/take/", ticket_take_view, name="ticket-take"),
    path("tickets/<int:pk>/assign/", ticket_assign_view, name="ticket-assign"),
    path("tickets/<int:pk>/transfer/", ticket_transfer_view, name="ticket-transfer"),
    path("queues/", queues, name="queues"),
    path("queues/<slug:code>/", queue_edit, name="queue-edit"),
]
