"""Reading agreements, their documents and obligations, already scoped to the reader
(``permissions.agreements_q``). An external partner sees the agreements their organisation
is a party to and, of the reporting, only their own."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from pilotage.cooperation.models import (
    Agreement,
    AgreementDocument,
    AgreementParty,
    Obligation,
    Programme,
)
from pilotage.cooperation.permissions import (
    agreements_q,
    is_finance,
    partner_ids,
    programmes_q,
    runs_all,
)
from pilotage.core.scope import EVERYTHING


def agreements_visible(actor: Any) -> QuerySet[Agreement]:
    return Agreement.objects.filter(agreements_q(actor))


def _reporting_q(actor: Any, prefix: str = "") -> Q:
    """Of the obligations, what the reader sees: every one for staff (the agreements of
    the programmes they see); for a partner's account, those of their organisation."""
    partners = partner_ids(actor)
    if runs_all(actor) or is_finance(actor) or not partners:
        return EVERYTHING
    seen = Programme.objects.filter(programmes_q(actor)).values("pk")
    return Q(**{f"{prefix}responsible_party__in": partners}) | Q(
        **{f"{prefix}agreement__programme__in": seen}
    )


def agreements_list(actor: Any, filters: dict[str, Any] | None = None) -> QuerySet[Agreement]:
    """The agreements page: each with its programme (joined), its parties with their
    partner (one prefetch query) and the number of pending obligations (an annotation).
    ``filters``: ``q`` (reference or title), ``kind``, ``status``, ``programme`` (pk),
    ``partner`` (pk)."""
    filters = filters or {}
    qs = agreements_visible(actor)
    if filters.get("q"):
        text = str(filters["q"])[:100]
        qs = qs.filter(
            Q(reference__icontains=text) | Q(title_fr__icontains=text) | Q(title_en__icontains=text)
        )
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("programme"):
        qs = qs.filter(programme=filters["programme"])
    if filters.get("partner"):
        qs = qs.filter(
            pk__in=AgreementParty.objects.filter(partner=filters["partner"]).values("agreement")
        )
    return (
        qs.select_related("programme")
        .annotate(
            pending_count=Count(
                "obligations",
                filter=Q(obligations__status="pending") & _reporting_q(actor, "obligations__"),
                distinct=True,
            )
        )
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=AgreementParty.objects.select_related("partner").order_by("role", "pk"),
            )
        )
        .order_by("-signed_on", "reference")
    )


def agreement_get(actor: Any, pk: int) -> Agreement:
    """The agreement, or a 404 for a reader who does not see it."""
    found = agreements_visible(actor).select_related("programme").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def agreement_parties(agreement: Agreement) -> QuerySet[AgreementParty]:
    return agreement.parties.select_related("partner").order_by("role", "pk")


def agreement_obligations(actor: Any, agreement: Agreement) -> QuerySet[Obligation]:
    return (
        agreement.obligations.filter(_reporting_q(actor))
        .select_related("responsible_party", "owner", "document")
        .order_by("due_on", "pk")
    )


def documents_visible(actor: Any) -> QuerySet[AgreementDocument]:
    """Documents of the agreements the reader sees; a partner's account does not see the
    reporting other parties (or our staff) handed in."""
    qs = AgreementDocument.objects.filter(agreement__in=agreements_visible(actor).values("pk"))
    reporting = _reporting_q(actor, "obligations__")
    if reporting is not EVERYTHING:
        qs = qs.filter(Q(obligations__isnull=True) | reporting).distinct()
    return qs


def agreement_documents(actor: Any, agreement: Agreement) -> QuerySet[AgreementDocument]:
    return documents_visible(actor).filter(agreement=agreement).select_related("uploaded_by")


def document_get(actor: Any, pk: int) -> AgreementDocument:
    found = documents_visible(actor).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def obligation_get(actor: Any, pk: int) -> Obligation:
    found = (
        Obligation.objects.filter(agreement__in=agreements_visible(actor).values("pk"))
        .filter(_reporting_q(actor))
        .select_related("agreement", "agreement__programme", "responsible_party", "document")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found
