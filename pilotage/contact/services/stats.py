"""Rebuilding the statistics' aggregate tables (``models/stats.py``) from the tickets.

One grouped query over the tickets gives every row of ``TicketStat`` (and one more the
rows of ``TicketFieldStat``); the old rows are replaced in the same transaction, so a
reader sees the old figures or the new ones, never a mix. Merged tickets (duplicates folded
into another) are not counted. Run by the job ``contact.stats_rebuild`` and
``manage.py contact_stats_rebuild`` (a cron line in docs/contact.md), and by the demo.
"""

from __future__ import annotations

import time
import zoneinfo
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from pilotage.contact.models import SatisfactionSurvey, Ticket
from pilotage.contact.models.stats import StatsRebuild, TicketFieldStat, TicketStat
from pilotage.orgunits.models import OrgUnit

REGION_DEPTH = 2
BATCH = 2000


def _local_day() -> TruncDate:
    return TruncDate("created_at", tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def _regions_of(unit_ids: set[int]) -> dict[int, int | None]:
    """The region (depth 2 ancestor, or the unit itself) of each unit; None for a country."""
    units = dict(OrgUnit.objects.filter(pk__in=unit_ids).values_list("pk", "path"))
    steplen = OrgUnit.steplen
    region_paths = {p[: steplen * REGION_DEPTH] for p in units.values() if len(p) >= steplen * 2}
    regions = dict(OrgUnit.objects.filter(path__in=region_paths).values_list("path", "pk"))
    return {
        pk: regions.get(path[: steplen * REGION_DEPTH]) if len(path) >= steplen * 2 else None
        for pk, path in units.items()
    }


# What a TicketStat row is per (its day and dimensions), in the grouped queries' names.
KEYS = ("d", "queue_id", "channel", "type", "priority", "theme", "org_unit_id", "assignee_id")


def _surveys_by_key() -> dict[tuple[Any, ...], dict[str, int]]:
    """The satisfaction figures of each row, counted apart from the tickets (a ticket has a
    survey per resolution: joining them into the tickets' query would count it twice)."""
    rated = Q(rating__isnull=False)
    grouped = (
        SatisfactionSurvey.objects.filter(ticket__merged_into__isnull=True)
        .annotate(
            d=TruncDate("ticket__created_at", tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)),
            queue_id=F("ticket__queue_id"),
            channel=F("ticket__channel"),
            type=F("ticket__type"),
            priority=F("ticket__priority"),
            theme=Coalesce("ticket__category__parent_id", "ticket__category_id"),
            org_unit_id=F("ticket__org_unit_id"),
            assignee_id=F("ticket__assignee_id"),
        )
        .values(*KEYS)
        .annotate(
            surveys_sent=Count("pk"),
            surveys_rated=Count("pk", filter=rated),
            rating_sum=Coalesce(Sum("rating"), 0),
            satisfied=Count("pk", filter=Q(rating__gte=4)),
            appeals=Count("pk", filter=Q(appealed_at__isnull=False)),
        )
        .order_by()
    )
    return {
        tuple(r[k] for k in KEYS): {k: v for k, v in r.items() if k not in KEYS} for r in grouped
    }


@transaction.atomic
def stats_rebuild(*, actor: Any = None) -> dict[str, Any]:
    started = time.perf_counter()
    tickets = Ticket.objects.filter(merged_into__isnull=True)
    done = Q(resolved_at__isnull=False)
    grouped = (
        tickets.annotate(
            d=_local_day(),
            theme=Coalesce("category__parent_id", "category_id"),
        )
        .values(
            "d",
            "queue_id",
            "channel",
            "type",
            "priority",
            "theme",
            "org_unit_id",
            "org_unit__path",
            "assignee_id",
        )
        .annotate(
            n=Count("pk"),
            n_resolved=Count("pk", filter=done),
            n_in_time=Count(
                "pk",
                filter=done
                & Q(resolution_due_at__isnull=False, resolved_at__lte=F("resolution_due_at")),
            ),
            n_due=Count("pk", filter=done & Q(resolution_due_at__isnull=False)),
            n_responded=Count("pk", filter=Q(first_response_at__isnull=False)),
            n_resp_in_time=Count(
                "pk",
                filter=Q(
                    first_response_at__isnull=False,
                    response_due_at__isnull=False,
                    first_response_at__lte=F("response_due_at"),
                ),
            ),
            n_ack_in_time=Count(
                "pk",
                filter=Q(
                    acknowledged_at__isnull=False,
                    ack_due_at__isnull=False,
                    acknowledged_at__lte=F("ack_due_at"),
                ),
            ),
            n_ack_due=Count("pk", filter=Q(ack_due_at__isnull=False)),
            n_fcr=Count("pk", filter=Q(first_contact_resolution=True)),
            duration=Sum(
                ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField()),
                filter=done,
            ),
        )
        .order_by()
    )
    rows: list[dict[str, Any]] = list(grouped)
    surveys = _surveys_by_key()
    regions = _regions_of({r["org_unit_id"] for r in rows})
    TicketStat.objects.all().delete()
    TicketStat.objects.bulk_create(
        (
            TicketStat(
                day=r["d"],
                queue_id=r["queue_id"],
                channel=r["channel"],
                type=r["type"],
                priority=r["priority"],
                category_id=r["theme"],
                unit_id=r["org_unit_id"],
                unit_path=r["org_unit__path"],
                region_id=regions.get(r["org_unit_id"]),
                assignee_id=r["assignee_id"],
                received=r["n"],
                resolved=r["n_resolved"],
                resolved_in_time=r["n_in_time"],
                with_resolution_due=r["n_due"],
                responded=r["n_responded"],
                responded_in_time=r["n_resp_in_time"],
                acknowledged_in_time=r["n_ack_in_time"],
                with_ack_due=r["n_ack_due"],
                first_contact=r["n_fcr"],
                resolution_hours=(r["duration"].total_seconds() / 3600) if r["duration"] else 0.0,
                **surveys.get(tuple(r[k] for k in KEYS), {}),
            )
            for r in rows
        ),
        batch_size=BATCH,
    )
    fields = (
        tickets.filter(confidential=False, association__fields__isnull=False)
        .annotate(d=_local_day())
        .values("d", "association__fields", "org_unit__path")
        .annotate(n=Count("pk"))
        .order_by()
    )
    TicketFieldStat.objects.all().delete()
    TicketFieldStat.objects.bulk_create(
        (
            TicketFieldStat(
                day=r["d"],
                field_id=r["association__fields"],
                unit_path=r["org_unit__path"],
                received=r["n"],
            )
            for r in fields
        ),
        batch_size=BATCH,
    )
    total = sum(r["n"] for r in rows)
    seconds = time.perf_counter() - started
    StatsRebuild.objects.create(finished_at=timezone.now(), tickets=total, seconds=seconds)
    return {"tickets": total, "stat_rows": len(rows)}
