"""The SLA board: the supervisor's open tickets by queue and agent with their next deadline
and its state, counts per state, filters, the agents' availability, and the bulk
re-assignment (htmx). The board refreshes itself every 30 seconds; the tickets ticked in
it stay ticked (the poll sends them)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from pilotage.contact import permissions as perms
from pilotage.contact.forms.routing import ReassignForm
from pilotage.contact.models import Queue
from pilotage.contact.selectors.routing import (
    STATE_LABELS,
    STATES,
    agents_overview,
    board_tickets,
    deadline_state,
    regions,
)
from pilotage.contact.services.routing import tickets_reassign

# Beyond this many rows the board shows the most urgent ones (the counts stay complete).
BOARD_ROWS = 300


def _filters(request: HttpRequest) -> dict[str, Any]:
    data = request.GET if request.method == "GET" else request.POST
    queue = data.get("queue", "")
    agent_raw = data.get("agent", "")
    region_raw = data.get("region", "")
    agent = int(agent_raw) if agent_raw.isdigit() else None
    region = regions().filter(pk=int(region_raw)).first() if region_raw.isdigit() else None
    return {
        "queue": queue if queue.replace("-", "").replace("_", "").isalnum() else "",
        "agent": agent,
        "unassigned": agent_raw == "none",
        "region": region,
        "agent_raw": agent_raw,
    }


def _board_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    f = _filters(request)
    now = timezone.now()
    rows = list(
        board_tickets(
            request.user,
            queue=f["queue"],
            agent=f["agent"],
            unassigned=f["unassigned"],
            region=f["region"],
        )
    )
    for row in rows:
        row.deadline = deadline_state(row, now)  # type: ignore[attr-defined]
    order = {state: i for i, state in enumerate(STATES)}
    rows.sort(
        key=lambda t: (
            order[t.deadline.state],  # type: ignore[attr-defined]
            t.deadline.due or now,  # type: ignore[attr-defined]
            t.pk,
        )
    )
    counts = Counter(t.deadline.state for t in rows)  # type: ignore[attr-defined]
    agents = list(agents_overview(request.user))
    data = request.GET if request.method == "GET" else request.POST
    ticked = {int(v) for v in data.getlist("ticket") if v.isdigit()}
    query = urlencode(
        {
            k: v
            for k, v in (
                ("queue", f["queue"]),
                ("agent", f["agent_raw"]),
                ("region", f["region"].pk if f["region"] else ""),
            )
            if v
        }
    )
    return {
        "rows": rows[:BOARD_ROWS],
        "hidden_rows": max(0, len(rows) - BOARD_ROWS),
        "counts": [(state, STATE_LABELS[state], counts.get(state, 0)) for state in STATES],
        "total": len(rows),
        "agents": agents,
        "queues": Queue.objects.filter(is_active=True).order_by("order", "code"),
        "regions": regions(),
        "filters": f,
        "query": query,
        "ticked": ticked,
        "now": now,
        "reassign_form": extra.pop("reassign_form", None)
        or ReassignForm(agents=agents_overview(request.user)),
        **extra,
    }


def board(request: HttpRequest) -> HttpResponse:
    if not perms.supervises(request.user):
        raise Http404
    context = _board_context(request)
    template = (
        "contact/board/_board.html"
        if request.headers.get("HX-Request")
        else "contact/board/board.html"
    )
    return render(request, template, context)


@require_POST
def board_reassign(request: HttpRequest) -> HttpResponse:
    if not perms.supervises(request.user):
        raise Http404
    form = ReassignForm(request.POST, agents=agents_overview(request.user))
    ids = [int(v) for v in request.POST.getlist("ticket") if v.isdigit()]
    errors: list[str] = []
    done = ""
    if not form.is_valid():
        errors = [
            _("Attribuer à : choisissez un agent (« %(value)s » n'en est pas un).")
            % {"value": request.POST.get("assignee", "")[:40]}
        ]
    else:
        assignee = form.cleaned_data["assignee"]
        try:
            moved = tickets_reassign(actor=request.user, tickets=ids, assignee=assignee)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            errors = [str(m) for m in exc.messages]
        else:
            done = ngettext(
                "%(count)s ticket attribué à %(name)s.",
                "%(count)s tickets attribués à %(name)s.",
                len(moved),
            ) % {
                "count": len(moved),
                "name": assignee.get_full_name() or assignee.username,
            }
    if not request.headers.get("HX-Request"):
        from django.contrib import messages

        for error in errors:
            messages.error(request, error)
        if done:
            messages.success(request, done)
        return redirect("contact:board")
    context = _board_context(request, errors=errors, done=done)
    if done:
        context["ticked"] = set()
    return render(request, "contact/board/_board.html", context)


urlpatterns = [
    path("board/", board, name="board"),
    path("board/reassign/", board_reassign, name="board-reassign"),
]
