"""The staff's side of satisfaction: a ticket's survey answers and the record of a
referral to the Médiateur du Royaume."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from pilotage.contact import permissions as perms
from pilotage.contact.forms.public import MediatorForm
from pilotage.contact.selectors.tickets import ticket_get
from pilotage.contact.services.satisfaction import mediator_referral_record


@require_http_methods(["GET", "POST"])
def mediator(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = ticket_get(request.user, pk)
    if not perms.can_record_mediator(request.user, ticket):
        raise Http404
    form = MediatorForm(
        request.POST if request.method == "POST" else None,
        initial={
            "mediator_referred_on": ticket.mediator_referred_on,
            "mediator_reference": ticket.mediator_reference,
            "version": ticket.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            mediator_referral_record(
                actor=request.user,
                ticket=ticket,
                referred_on=form.cleaned_data["mediator_referred_on"],
                reference=form.cleaned_data["mediator_reference"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            return redirect("contact:ticket-satisfaction", pk=ticket.pk)
    return render(
        request,
        "contact/satisfaction/mediator.html",
        {"ticket": ticket, "form": form, "surveys": ticket.surveys.all()},
        status=400 if form.errors else 200,
    )


urlpatterns = [
    path("tickets/<int:pk>/satisfaction/", mediator, name="ticket-satisfaction"),
]
