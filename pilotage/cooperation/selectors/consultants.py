"""Reading consultants, contracts, deliverables and reports, scoped to the reader: a
consultant reaches only their own; the programme team its programme's; the head all."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from pilotage.cooperation.models import (
    Activity,
    ActivityReport,
    Consultant,
    Contract,
    Deliverable,
    DeliverableStatus,
    DeliverableVersion,
    ReportStatus,
    Review,
)
from pilotage.cooperation.permissions import contracts_q, runs_all
from pilotage.cooperation.selectors.workplans import activities_visible


def contracts_visible(actor: Any) -> QuerySet[Contract]:
    return Contract.objects.filter(contracts_q(actor)).distinct()


def consultants_list(actor: Any) -> QuerySet[Consultant]:
    """The consultants registry: every consultant for the head; for a manager, those with
    a contract in their programmes or without any contract yet (to be hired). With the
    number of contracts the reader sees (one annotation)."""
    visible = contracts_visible(actor).values("pk")
    qs = Consultant.objects.select_related("user", "country", "partner").annotate(
        contract_count=Count("contracts", filter=Q(contracts__in=visible), distinct=True)
    )
    if not runs_all(actor):
        qs = qs.filter(Q(contracts__in=visible) | Q(contracts__isnull=True)).distinct()
    return qs.order_by("user__last_name", "user__username")


def consultant_contracts(actor: Any, consultant: Consultant | None = None) -> QuerySet[Contract]:
    qs = contracts_visible(actor).select_related("consultant__user", "programme")
    if consultant is not None:
        qs = qs.filter(consultant=consultant)
    return qs.order_by("-start_date", "reference")


def contract_get(actor: Any, pk: int) -> Contract:
    found = (
        contracts_visible(actor)
        .select_related("consultant__user", "consultant__country", "programme")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def contract_deliverables(contract: Contract) -> QuerySet[Deliverable]:
    return contract.deliverables.annotate(version_count=Count("versions")).order_by(
        "due_date", "pk"
    )


def contract_reports(contract: Contract) -> QuerySet[ActivityReport]:
    return contract.reports.select_related("reviewed_by").order_by("-period_start", "pk")


def contract_workplan(actor: Any, contract: Contract) -> QuerySet[Activity]:
    """The consultant's work plan under the contract: the programme's activities they are
    responsible for (that the reader sees)."""
    return (
        activities_visible(actor)
        .filter(programme=contract.programme, responsible=contract.consultant.user)
        .select_related("output", "project")
        .order_by("start_date", "code")
    )


def deliverables_visible(actor: Any) -> QuerySet[Deliverable]:
    return Deliverable.objects.filter(contract__in=contracts_visible(actor).values("pk"))


def deliverable_get(actor: Any, pk: int) -> Deliverable:
    found = (
        deliverables_visible(actor)
        .select_related("contract__consultant__user", "contract__programme")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=DeliverableVersion.objects.select_related("submitted_by")
                .prefetch_related(
                    Prefetch("reviews", queryset=Review.objects.select_related("reviewer"))
                )
                .order_by("-number"),
            )
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def deliverable_version_get(actor: Any, pk: int) -> DeliverableVersion:
    """A version (its file), or a 404 for whoever does not see its contract."""
    found = (
        DeliverableVersion.objects.filter(
            deliverable__contract__in=contracts_visible(actor).values("pk")
        )
        .select_related("deliverable")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def report_get(actor: Any, pk: int) -> ActivityReport:
    found = (
        ActivityReport.objects.filter(contract__in=contracts_visible(actor).values("pk"))
        .select_related("contract__programme", "contract__consultant")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def my_deliverables_due(actor: Any, *, today: dt.date | None = None) -> QuerySet[Deliverable]:
    """A consultant's deliverables still to hand in (pending or rejected), soonest first."""
    return (
        Deliverable.objects.filter(
            contract__consultant__user=actor,
            status__in=(DeliverableStatus.PENDING, DeliverableStatus.REJECTED),
        )
        .select_related("contract")
        .order_by("due_date", "pk")
    )


def deliverables_to_review(actor: Any) -> QuerySet[Deliverable]:
    """Deliverables waiting for the reader's review: submitted or under review, in the
    programmes they manage (all for the head), oldest due first."""
    from pilotage.cooperation.models import MemberRole

    qs = Deliverable.objects.filter(
        status__in=(DeliverableStatus.SUBMITTED, DeliverableStatus.UNDER_REVIEW)
    )
    if not runs_all(actor):
        qs = qs.filter(
            contract__programme__members__user=actor,
            contract__programme__members__role=MemberRole.MANAGER,
        )
    return (
        qs.select_related("contract__consultant__user", "contract__programme")
        .distinct()
        .order_by("due_date", "pk")
    )


def reports_to_review(actor: Any) -> QuerySet[ActivityReport]:
    from pilotage.cooperation.models import MemberRole

    qs = ActivityReport.objects.filter(status=ReportStatus.SUBMITTED)
    if not runs_all(actor):
        qs = qs.filter(
            contract__programme__members__user=actor,
            contract__programme__members__role=MemberRole.MANAGER,
        )
    return (
        qs.select_related("contract__consultant__user", "contract__programme")
        .distinct()
        .order_by("submitted_at", "pk")
    )


def today() -> dt.date:
    return timezone.localdate()
