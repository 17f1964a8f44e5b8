"""The staff's ticket pages: the list and a ticket's page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from pilotage.contact import permissions as perms
from pilotage.contact.models import Status
from pilotage.contact.selectors.tickets import (
    requester_label,
    ticket_get,
    ticket_messages,
    tickets_list,
)

PAGE_SIZE = 50


def tickets(request: HttpRequest) -> HttpResponse:
    if not perms.can_use(request.user):
        raise Http404
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""
    rows = tickets_list(request.user, status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for ticket in page:
        ticket.requester_shown = requester_label(request.user, ticket)  # type: ignore[attr-defined]
    return render(
        request,
        "contact/tickets/list.html",
        {"page_obj": page, "statuses": Status.choices, "status": status},
    )


def ticket(request: HttpRequest, pk: int) -> HttpResponse:
    found = ticket_get(request.user, pk)
    return render(
        request,
        "contact/tickets/detail.html",
        {
            "ticket": found,
            "requester_shown": requester_label(request.user, found),
            "messages_list": ticket_messages(request.user, found),
            "sees_identity": perms.sees_identity(request.user, found),
            "can_handle": perms.can_handle_ticket(request.user, found),
        },
    )


urlpatterns = [
    path("", tickets, name="tickets"),
    path("tickets/<int:pk>/", ticket, name="ticket"),
]
