"""The supervision team's statistics, read from the aggregate tables (``models/stats.py``)
within the reader's scope: volumes by channel, type, theme, region, queue, agent and field
of action, deadlines kept, first-contact resolution, satisfaction (mean rating out of 5,
share rated 4 or 5, answer rate, appeals), trends by week and month; and the
backlog by age, read live from the open tickets (one grouped count on an indexed status).

Every figure is a dict of plain values, so the page, the XLSX export and the PDF report
show the same numbers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from pilotage.contact.models import (
    OPEN_STATUSES,
    ActionField,
    Category,
    Channel,
    Queue,
    Ticket,
    TicketType,
)
from pilotage.contact.models.stats import StatsRebuild, TicketFieldStat, TicketStat
from pilotage.contact.roles import READ_STATISTICS
from pilotage.core.scope import scope_of
from pilotage.orgunits.models import OrgUnit

# Backlog ages (days since receipt): label, from (inclusive), to (exclusive).
AGE_BUCKETS = [
    ("0-2", 0, 2),
    ("2-7", 2, 7),
    ("7-30", 7, 30),
    ("30-60", 30, 60),
    ("60+", 60, None),
]

SUMS = {
    "received": Sum("received"),
    "resolved": Sum("resolved"),
    "resolved_in_time": Sum("resolved_in_time"),
    "with_resolution_due": Sum("with_resolution_due"),
    "responded": Sum("responded"),
    "responded_in_time": Sum("responded_in_time"),
    "acknowledged_in_time": Sum("acknowledged_in_time"),
    "with_ack_due": Sum("with_ack_due"),
    "first_contact": Sum("first_contact"),
    "resolution_hours": Sum("resolution_hours"),
    "surveys_sent": Sum("surveys_sent"),
    "surveys_rated": Sum("surveys_rated"),
    "rating_sum": Sum("rating_sum"),
    "satisfied": Sum("satisfied"),
    "appeals": Sum("appeals"),
}


@dataclass(frozen=True)
class StatsFilter:
    start: dt.date
    end: dt.date  # inclusive
    queue: Queue | None = None
    region: OrgUnit | None = None

    @classmethod
    def last_year(cls, today: dt.date | None = None) -> StatsFilter:
        today = today or timezone.localdate()
        return cls(start=today.replace(day=1) - dt.timedelta(days=335), end=today)


def _percent(part: float, whole: float) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _figures(row: dict[str, Any]) -> dict[str, Any]:
    """Counts and the rates computed from them."""
    values = {k: (row.get(k) or 0) for k in SUMS}
    values["sla_resolution"] = _percent(values["resolved_in_time"], values["with_resolution_due"])
    values["sla_response"] = _percent(values["responded_in_time"], values["responded"])
    values["sla_ack"] = _percent(values["acknowledged_in_time"], values["with_ack_due"])
    values["fcr_rate"] = _percent(values["first_contact"], values["received"])
    values["resolution_rate"] = _percent(values["resolved"], values["received"])
    values["satisfaction_mean"] = (
        round(values["rating_sum"] / values["surveys_rated"], 1)
        if values["surveys_rated"]
        else None
    )
    values["satisfied_rate"] = _percent(values["satisfied"], values["surveys_rated"])
    values["survey_answer_rate"] = _percent(values["surveys_rated"], values["surveys_sent"])
    values["mean_resolution_days"] = (
        round(values["resolution_hours"] / values["resolved"] / 24, 1)
        if values["resolved"]
        else None
    )
    return values


def _rows(actor: Any, f: StatsFilter) -> QuerySet[TicketStat]:
    rows = TicketStat.objects.filter(
        scope_of(actor).q_for(READ_STATISTICS, "unit_path"), day__gte=f.start, day__lte=f.end
    )
    if f.queue is not None:
        rows = rows.filter(queue=f.queue)
    if f.region is not None:
        rows = rows.filter(unit_path__startswith=f.region.path)
    return rows


def _grouped(rows: QuerySet[TicketStat], key: str) -> list[dict[str, Any]]:
    return [{"key": r[key], **_figures(r)} for r in rows.values(key).annotate(**SUMS).order_by(key)]


def _labelled(groups: list[dict[str, Any]], labels: dict[Any, str]) -> list[dict[str, Any]]:
    out = [{**g, "label": labels.get(g["key"], str(g["key"]) if g["key"] else "—")} for g in groups]
    return sorted(out, key=lambda g: -g["received"])


def backlog_by_age(actor: Any, f: StatsFilter, now: dt.datetime | None = None) -> list[dict]:
    """Open tickets now, by days since receipt (one query with a count per bucket)."""
    now = now or timezone.now()
    tickets = Ticket.objects.filter(
        scope_of(actor).q_for(READ_STATISTICS, "org_unit__path"),
        status__in=OPEN_STATUSES,
        merged_into__isnull=True,
    )
    if f.queue is not None:
        tickets = tickets.filter(queue=f.queue)
    if f.region is not None:
        tickets = tickets.filter(org_unit__path__startswith=f.region.path)
    counts = {}
    for label, low, high in AGE_BUCKETS:
        cond = Q(created_at__lte=now - dt.timedelta(days=low))
        if high is not None:
            cond &= Q(created_at__gt=now - dt.timedelta(days=high))
        counts[label] = Count("pk", filter=cond)
    counts["overdue"] = Count("pk", filter=Q(resolution_due_at__lt=now))
    result = tickets.aggregate(**counts)
    return [{"label": label, "count": result[label] or 0} for label, _low, _high in AGE_BUCKETS] + [
        {"label": "overdue", "count": result["overdue"] or 0}
    ]


def stats_dashboard(actor: Any, f: StatsFilter) -> dict[str, Any]:
    """Everything the dashboard shows (a fixed number of queries)."""
    rows = _rows(actor, f)
    totals = _figures(rows.aggregate(**SUMS))
    categories = {c.pk: c.name for c in Category.objects.filter(parent__isnull=True)}
    queues = {q.pk: q.name for q in Queue.objects.all()}
    by_region = _grouped(rows, "region_id")
    region_names = {
        u.pk: u.name
        for u in OrgUnit.objects.filter(pk__in=[g["key"] for g in by_region if g["key"]])
    }
    by_agent = (
        rows.values(
            "assignee_id", "assignee__username", "assignee__first_name", "assignee__last_name"
        )
        .annotate(**SUMS)
        .order_by("assignee__username")
    )
    fields = (
        TicketFieldStat.objects.filter(
            scope_of(actor).q_for(READ_STATISTICS, "unit_path"),
            day__gte=f.start,
            day__lte=f.end,
        )
        .values("field_id")
        .annotate(received=Sum("received"))
    )
    if f.region is not None:
        fields = fields.filter(unit_path__startswith=f.region.path)
    field_names = {a.pk: a.name for a in ActionField.objects.all()}
    weekly = [
        {"period": r["p"], "received": r["received"], "resolved": r["resolved"]}
        for r in rows.annotate(p=TruncWeek("day"))
        .values("p")
        .annotate(received=Sum("received"), resolved=Sum("resolved"))
        .order_by("p")
    ]
    monthly = [
        {"period": r["p"], **_figures(r)}
        for r in rows.annotate(p=TruncMonth("day")).values("p").annotate(**SUMS).order_by("p")
    ]
    rebuilt = StatsRebuild.objects.first()
    return {
        "filter": f,
        "totals": totals,
        "by_channel": _labelled(
            _grouped(rows, "channel"), {c.value: str(c.label) for c in Channel}
        ),
        "by_type": _labelled(_grouped(rows, "type"), {t.value: str(t.label) for t in TicketType}),
        "by_category": _labelled(_grouped(rows, "category_id"), categories),
        "by_region": _labelled(by_region, region_names),
        "by_queue": _labelled(_grouped(rows, "queue_id"), queues),
        "by_agent": sorted(
            (
                {
                    "key": r["assignee_id"],
                    "label": (
                        f"{r['assignee__first_name']} {r['assignee__last_name']}".strip()
                        or r["assignee__username"]
                        or "—"
                    ),
                    **_figures(r),
                }
                for r in by_agent
            ),
            key=lambda g: -g["received"],
        ),
        "by_field": sorted(
            (
                {"key": r["field_id"], "label": field_names.get(r["field_id"], ""), **r}
                for r in fields
            ),
            key=lambda g: -g["received"],
        ),
        "weekly": weekly,
        "monthly": monthly,
        "backlog": backlog_by_age(actor, f),
        "rebuilt_at": rebuilt.finished_at if rebuilt else None,
    }
