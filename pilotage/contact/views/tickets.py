"""The staff's ticket pages: the list (and its XLSX export), a ticket's page with its
forms (reply or note, status, edit, links, merge, split), attachments, the "new ticket"
page, and the supervisors' canned replies."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from pilotage.contact import permissions as perms
from pilotage.contact.forms.tickets import (
    CannedForm,
    EditForm,
    LinkForm,
    MergeForm,
    NewTicketForm,
    ReplyForm,
    SplitForm,
    StatusForm,
)
from pilotage.contact.models import (
    Association,
    CannedReply,
    Category,
    Channel,
    Language,
    Priority,
    Queue,
    Requester,
    Status,
    TicketType,
)
from pilotage.contact.selectors.tickets import (
    SORT_LABELS,
    SORTS,
    TicketFilters,
    attachment_get,
    canned_for,
    deadlines,
    next_deadline,
    requester_label,
    ticket_by_reference,
    ticket_get,
    ticket_history,
    ticket_links,
    ticket_messages,
    tickets_list,
    tickets_similar,
)
from pilotage.contact.services import tickets as services
from pilotage.core.versioning import Conflict

PAGE_SIZE = 50
EXPORT_MAX_ROWS = 50_000


def _staff(request: HttpRequest) -> None:
    if not perms.can_use(request.user):
        raise Http404


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _filters(request: HttpRequest) -> TicketFilters:
    get = request.GET

    def choice(name: str, allowed: list[str]) -> str:
        value = get.get(name, "")
        return value if value in allowed else ""

    assignee = get.get("assignee", "")
    return TicketFilters(
        status=choice("status", [*Status.values, "open"]),
        queue=get.get("queue", "")[:40],
        type=choice("type", TicketType.values),
        channel=choice("channel", Channel.values),
        priority=choice("priority", Priority.values),
        category=_int(get.get("category")),
        assignee=assignee if assignee in ("me", "none") or assignee.isdigit() else "",
        org_unit=_int(get.get("org_unit")),
        overdue=get.get("overdue") == "1",
        q=get.get("q", "")[:100],
        sort=choice("sort", list(SORTS)) or "-created",
    )


def _querystring(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    return f"{encoded}&" if encoded else ""


def tickets(request: HttpRequest) -> HttpResponse:
    _staff(request)
    filters = _filters(request)
    rows = tickets_list(request.user, filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for ticket in page:
        ticket.requester_shown = requester_label(request.user, ticket)  # type: ignore[attr-defined]
        ticket.next_due = next_deadline(ticket, now)  # type: ignore[attr-defined]
    return render(
        request,
        "contact/tickets/list.html",
        {
            "page_obj": page,
            "filters": filters,
            "statuses": Status.choices,
            "status": filters.status,
            "types": TicketType.choices,
            "channels": Channel.choices,
            "priorities": Priority.choices,
            "queues": Queue.objects.filter(is_active=True),
            "categories": Category.objects.all(),
            "sorts": list(SORT_LABELS.items()),
            "querystring_base": _querystring(request),
        },
    )


@require_GET
def tickets_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as XLSX, written row by row; a confidential requester is masked
    as on the page."""
    from openpyxl import Workbook

    _staff(request)
    rows = tickets_list(request.user, _filters(request))[:EXPORT_MAX_ROWS]
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Tickets"))
    sheet.append(
        [
            pgettext("contact", "Référence"),
            pgettext("contact", "Objet"),
            _("Demandeur"),
            _("Canal"),
            _("Type"),
            _("Priorité"),
            _("File"),
            _("Agent"),
            _("Statut"),
            _("Reçu le"),
            _("Résolution due le"),
        ]
    )
    for t in rows.iterator(chunk_size=2000):
        sheet.append(
            [
                t.reference,
                t.subject,
                requester_label(request.user, t),
                t.get_channel_display(),
                t.get_type_display(),
                t.get_priority_display(),
                t.queue.name,
                (t.assignee.get_full_name() or t.assignee.username) if t.assignee else "",
                t.get_status_display(),
                timezone.localtime(t.created_at).replace(tzinfo=None),
                timezone.localtime(t.resolution_due_at).replace(tzinfo=None)
                if t.resolution_due_at
                else None,
            ]
        )
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="tickets.xlsx"'
    return response


def _errors_into(form: Form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, problems in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


def _ticket_context(request: HttpRequest, ticket: Any, **forms: Any) -> dict[str, Any]:
    user = request.user
    can_handle = perms.can_handle_ticket(user, ticket)
    thread = list(ticket_messages(user, ticket))
    context = {
        "ticket": ticket,
        "requester_shown": requester_label(user, ticket),
        "messages_list": thread,
        "sees_identity": perms.sees_identity(user, ticket),
        "can_handle": can_handle,
        "can_route": can_handle or perms.can_supervise_ticket(user, ticket),
        "deadlines": deadlines(ticket),
        "links": ticket_links(user, ticket),
        "history": ticket_history(user, ticket),
        "reply_language": Language(ticket.language).label,
        "canned": list(canned_for(user, ticket)) if can_handle else [],
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "status_form": forms.get("status_form")
        or StatusForm(initial={"status": ticket.status, "version": ticket.version}),
        "edit_form": forms.get("edit_form")
        or EditForm(
            initial={
                "type": ticket.type,
                "priority": ticket.priority,
                "category": ticket.category_id,
                "org_unit": ticket.org_unit.code,
                "version": ticket.version,
            }
        ),
        "link_form": forms.get("link_form") or LinkForm(),
        "merge_form": forms.get("merge_form") or MergeForm(),
        "split_form": forms.get("split_form") or SplitForm(message_ids=[m.pk for m in thread]),
        "statuses_next": [
            (s, Status(s).label) for s in sorted(services.TRANSITIONS.get(ticket.status, ()))
        ],
    }
    return context


def ticket(request: HttpRequest, pk: int) -> HttpResponse:
    found = ticket_get(request.user, pk)
    return render(request, "contact/tickets/detail.html", _ticket_context(request, found))


def _handled(request: HttpRequest, pk: int) -> Any:
    """The ticket for a form: 404 to whoever does not see it, 403 to whoever sees it but
    does not handle it."""
    found = ticket_get(request.user, pk)
    if not perms.can_handle_ticket(request.user, found):
        raise PermissionDenied
    return found


def _back(request: HttpRequest, found: Any, form_name: str, form: Form) -> HttpResponse:
    """A refused form: the page again with the form's errors (status 400)."""
    return render(
        request,
        "contact/tickets/detail.html",
        _ticket_context(request, found, **{form_name: form}),
        status=400,
    )


def _partial_post(
    request: HttpRequest,
    found: Any,
    form: Form,
    *,
    form_name: str,
    partial: str,
    done: str,
    write: Callable[[dict[str, Any]], object],
) -> HttpResponse:
    """A ticket-page form posted by htmx (or plainly): ``write`` the valid form through the
    service, then answer with the ``done`` fragment (htmx) or a redirect; a refusal gives
    back the ``partial`` fragment with the errors (400) or the whole page."""
    if form.is_valid():
        try:
            write(form.cleaned_data)
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            if request.headers.get("HX-Request"):
                fresh = ticket_get(request.user, found.pk)
                return render(request, done, _ticket_context(request, fresh))
            return redirect("contact:ticket", pk=found.pk)
    if request.headers.get("HX-Request"):
        context = _ticket_context(request, found, **{form_name: form})
        return render(request, partial, context, status=400)
    return _back(request, found, form_name, form)


@require_POST
def ticket_reply(request: HttpRequest, pk: int) -> HttpResponse:
    found = _handled(request, pk)

    def write(data: dict[str, Any]) -> object:
        return services.ticket_message_add(
            actor=request.user,
            ticket=found,
            kind=data["kind"],
            body=data["body"],
            status=data["status"] or None,
            language=found.language if found.language != Language.AMAZIGH else Language.ARABIC,
            attachments=services.attachments_read(request.FILES.getlist("attachments")),
        )

    # The reply may change the status and always moves the version: the status box is
    # swapped too (out of band, in ``_reply_done``), or its form would carry a stale version.
    return _partial_post(
        request,
        found,
        ReplyForm(request.POST),
        form_name="reply_form",
        partial="contact/tickets/_conversation.html",
        done="contact/tickets/_reply_done.html",
        write=write,
    )


@require_POST
def ticket_status(request: HttpRequest, pk: int) -> HttpResponse:
    found = _handled(request, pk)
    return _partial_post(
        request,
        found,
        StatusForm(request.POST),
        form_name="status_form",
        partial="contact/tickets/_status.html",
        done="contact/tickets/_status.html",
        write=lambda data: services.ticket_status_set(
            actor=request.user, ticket=found, status=data["status"], version=data["version"]
        ),
    )


@require_POST
def ticket_edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = _handled(request, pk)
    form = EditForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.ticket_update(
                actor=request.user,
                ticket=found,
                version=data["version"],
                changes={k: data[k] for k in services.TICKET_EDITABLE},
            )
        except (Conflict, ValidationError) as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, _("Ticket modifié."))
            return redirect("contact:ticket", pk=pk)
    return _back(request, found, "edit_form", form)


def _other(request: HttpRequest, form: Form) -> Any:
    try:
        return ticket_by_reference(request.user, form.cleaned_data["reference"])
    except Http404:
        form.add_error(
            "reference",
            _("Aucun ticket visible n'a la référence %(value)s.")
            % {"value": form.cleaned_data["reference"][:20]},
        )
        return None


@require_POST
def ticket_link(request: HttpRequest, pk: int) -> HttpResponse:
    found = _handled(request, pk)
    form = LinkForm(request.POST)
    if form.is_valid() and (other := _other(request, form)) is not None:
        try:
            services.ticket_link_add(
                actor=request.user, source=found, target=other, kind=form.cleaned_data["kind"]
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, _("Lien ajouté."))
            return redirect("contact:ticket", pk=pk)
    return _back(request, found, "link_form", form)


@require_POST
def ticket_merge(request: HttpRequest, pk: int) -> HttpResponse:
    found = _handled(request, pk)
    form = MergeForm(request.POST)
    if form.is_valid() and (other := _other(request, form)) is not None:
        try:
            target = services.ticket_merge(actor=request.user, source=found, target=other)
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(
                request,
                _("Ticket fusionné dans %(reference)s.") % {"reference": target.reference},
            )
            return redirect("contact:ticket", pk=target.pk)
    return _back(request, found, "merge_form", form)


@require_POST
def ticket_split(request: HttpRequest, pk: int) -> HttpResponse:
    found = _handled(request, pk)
    form = SplitForm(request.POST, message_ids=list(found.messages.values_list("pk", flat=True)))
    if form.is_valid():
        try:
            new = services.ticket_split(
                actor=request.user,
                ticket=found,
                message_ids=form.cleaned_data["messages"],
                subject=form.cleaned_data["subject"],
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(
                request, _("Nouveau ticket %(reference)s créé.") % {"reference": new.reference}
            )
            return redirect("contact:ticket", pk=new.pk)
    return _back(request, found, "split_form", form)


@require_GET
def ticket_canned(request: HttpRequest, pk: int, canned_pk: int) -> HttpResponse:
    """A canned reply filled for this ticket, in its requester's language (htmx swaps it
    into the reply's text box)."""
    found = _handled(request, pk)
    reply = get_object_or_404(canned_for(request.user, found), pk=canned_pk)
    text = services.canned_render(reply, found, actor=request.user, language=found.language)
    return render(request, "contact/tickets/_reply_body.html", {"text": text})


@require_GET
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    found = attachment_get(request.user, pk)
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.name,
        content_type=found.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _requester_find(text: str) -> Requester | None:
    text = text.strip()
    if not text:
        return None
    digits = "".join(ch for ch in text if ch.isdigit())
    query = Q(email__iexact=text)
    if len(digits) >= 6:
        query |= Q(phone_digits=digits)
    return Requester.objects.filter(query).order_by("pk").first()


def ticket_new(request: HttpRequest) -> HttpResponse:
    """A letter, a walk-in recorded by hand, any channel; warns of a probable duplicate
    before recording it."""
    if not perms.handles_tickets(request.user):
        raise Http404
    form = NewTicketForm(request.POST or None, request.FILES or None)
    similar: list[Any] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        requester = _requester_find(data["requester_contact"])
        association = (
            Association.objects.filter(
                registration_number__iexact=data["association_number"].strip()
            ).first()
            if data["association_number"].strip()
            else None
        )
        if data["requester_contact"].strip() and requester is None:
            form.add_error(
                "requester_contact",
                _("Aucun demandeur n'a ce téléphone ou ce courriel : %(value)s.")
                % {"value": data["requester_contact"][:60]},
            )
        if data["association_number"].strip() and association is None:
            form.add_error(
                "association_number",
                _("Aucune association n'a ce numéro : %(value)s.")
                % {"value": data["association_number"][:60]},
            )
        if form.is_valid():
            similar = tickets_similar(
                request.user,
                requester=requester,
                association=association,
                subject=data["subject"],
            )
            if not similar or data["confirm_duplicate"]:
                try:
                    files = services.attachments_read(request.FILES.getlist("attachments"))
                    created = services.ticket_create(
                        actor=request.user,
                        channel=data["channel"],
                        type=data["type"],
                        subject=data["subject"],
                        body=data["body"],
                        queue=data["queue"],
                        org_unit=data["org_unit"],
                        priority=data["priority"],
                        category=data["category"],
                        requester=requester,
                        association=association,
                        language=data["language"],
                        confidential=data["confidential"],
                        attachments=files,
                    )
                except ValidationError as exc:
                    _errors_into(form, exc)
                except PermissionDenied:
                    form.add_error(
                        "org_unit", _("Vous ne traitez pas les demandes concernant cette entité.")
                    )
                else:
                    messages.success(
                        request,
                        _("Ticket %(reference)s enregistré ; code de suivi : %(code)s.")
                        % {"reference": created.reference, "code": created.secret},  # type: ignore[attr-defined]
                    )
                    return redirect("contact:ticket", pk=created.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "contact/tickets/new.html", {"form": form, "similar": similar}, status=status
    )


# --- Canned replies (supervisors) ------------------------------------------------------


def canned_list(request: HttpRequest) -> HttpResponse:
    if not perms.supervises(request.user):
        raise Http404
    rows = CannedReply.objects.select_related("queue", "category")
    return render(request, "contact/tickets/canned_list.html", {"rows": rows})


def canned_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if not perms.supervises(request.user):
        raise Http404
    reply = get_object_or_404(CannedReply, pk=pk) if pk is not None else None
    initial: dict[str, Any] = {}
    if reply is not None:
        initial = {
            "title": reply.title,
            "body_fr": reply.body_fr,
            "body_ar": reply.body_ar,
            "queue": reply.queue_id,
            "category": reply.category_id,
            "is_active": reply.is_active,
            "version": reply.version,
        }
    form = CannedForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.canned_reply_save(actor=request.user, reply=reply, version=version, **data)
        except (Conflict, ValidationError) as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, _("Réponse type enregistrée."))
            return redirect(reverse("contact:canned_list"))
    return render(
        request,
        "contact/tickets/canned_form.html",
        {"form": form, "reply": reply, "placeholders": services.PLACEHOLDERS},
        status=400 if request.method == "POST" else 200,
    )


urlpatterns = [
    path("", tickets, name="tickets"),
    path("tickets/export.xlsx", tickets_export, name="tickets_export"),
    path("tickets/new/", ticket_new, name="ticket_new"),
    path("tickets/<int:pk>/", ticket, name="ticket"),
    path("tickets/<int:pk>/reply/", ticket_reply, name="ticket_reply"),
    path("tickets/<int:pk>/status/", ticket_status, name="ticket_status"),
    path("tickets/<int:pk>/edit/", ticket_edit, name="ticket_edit"),
    path("tickets/<int:pk>/link/", ticket_link, name="ticket_link"),
    path("tickets/<int:pk>/merge/", ticket_merge, name="ticket_merge"),
    path("tickets/<int:pk>/split/", ticket_split, name="ticket_split"),
    path("tickets/<int:pk>/canned/<int:canned_pk>/", ticket_canned, name="ticket_canned"),
    path("attachments/<int:pk>/", attachment, name="attachment"),
    path("canned/", canned_list, name="canned_list"),
    path("canned/new/", canned_edit, name="canned_new"),
    path("canned/<int:pk>/", canned_edit, name="canned_edit"),
]
