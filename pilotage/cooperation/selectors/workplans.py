"""Reading the work plan, scoped to the reader: the activity list and its filters, the
Gantt chart's geometry, the revisions and their comparison, the cash-flow plan per
activity, and the month's figures for the monthly report."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.http import Http404
from django.utils import timezone

from pilotage.cooperation.models import (
    Activity,
    ActivityDisbursement,
    PlanRevision,
    Programme,
    ResultLevel,
    ResultNode,
    WorkplanRevision,
    WorkStatus,
)
from pilotage.cooperation.permissions import activities_q


def activities_visible(actor: Any) -> QuerySet[Activity]:
    return Activity.objects.filter(activities_q(actor)).distinct()


def programme_activities(
    actor: Any,
    programme: Programme,
    *,
    project: int | None = None,
    output: int | None = None,
) -> QuerySet[Activity]:
    """The programme's activities the reader sees, in code order, with their project,
    output, responsible person and budget line (one query)."""
    qs = activities_visible(actor).filter(programme=programme)
    if project:
        qs = qs.filter(project_id=project)
    if output:
        qs = qs.filter(output_id=output)
    return qs.select_related("project", "output", "responsible", "budget_line").order_by(
        "code", "pk"
    )


def activity_get(actor: Any, pk: int) -> Activity:
    found = (
        activities_visible(actor)
        .select_related("programme", "project__country", "output", "responsible", "budget_line")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def programme_outputs(programme: Programme) -> QuerySet[ResultNode]:
    return ResultNode.objects.filter(programme=programme, level=ResultLevel.OUTPUT).order_by("code")


def workplan_revisions(programme: Programme) -> QuerySet[WorkplanRevision]:
    return (
        WorkplanRevision.objects.filter(programme=programme)
        .select_related("created_by")
        .defer("snapshot")
        .order_by("-number")
    )


def revision_get(programme: Programme, number: int) -> WorkplanRevision:
    found = WorkplanRevision.objects.filter(programme=programme, number=number).first()
    if found is None:
        raise Http404
    return found


@dataclass
class Change:
    code: str
    title: str
    fields: list[tuple[str, Any, Any]] = field(default_factory=list)


@dataclass
class Comparison:
    added: list[Change]
    removed: list[Change]
    changed: list[Change]


def revisions_compare(
    old: WorkplanRevision, new: WorkplanRevision, *, visible: set[str] | None = None
) -> Comparison:
    """What changed from ``old`` to ``new``: activities added, removed, and for each one
    in both, the fields whose value differs (old → new). ``visible``: the codes the reader
    may see (None: all)."""
    before, after = old.snapshot, new.snapshot

    def shown(code: str) -> bool:
        return visible is None or code in visible

    def title(state: dict[str, Any]) -> str:
        return str(state.get("title_fr", ""))

    added = [Change(c, title(after[c])) for c in sorted(after.keys() - before.keys()) if shown(c)]
    removed = [
        Change(c, title(before[c])) for c in sorted(before.keys() - after.keys()) if shown(c)
    ]
    changed = []
    for code in sorted(before.keys() & after.keys()):
        if not shown(code):
            continue
        a, b = before[code], after[code]
        fields = [
            (k, a.get(k), b.get(k)) for k in sorted(a.keys() | b.keys()) if a.get(k) != b.get(k)
        ]
        if fields:
            changed.append(Change(code, title(b), fields))
    return Comparison(added=added, removed=removed, changed=changed)


def comparison_display(comparison: Comparison) -> None:
    """Replace, in place, the ids and codes the snapshots keep by what a reader reads: the
    project's code, the output's number and title, the person's name, the budget line,
    the status's label (one query per kind of reference that appears)."""
    from pilotage.accounts.models import User
    from pilotage.cooperation.models import BudgetLine, Project

    models_by_field: dict[str, Any] = {
        "project": (Project, lambda o: o.code),
        "output": (ResultNode, lambda o: f"{o.code} {o.title}"),
        "responsible": (User, lambda o: o.get_full_name() or o.get_username()),
        "budget_line": (BudgetLine, lambda o: f"{o.code} {o.label}"),
    }
    wanted: dict[str, set[int]] = defaultdict(set)
    for change in comparison.changed:
        for name, old, new in change.fields:
            if name in models_by_field:
                wanted[name].update(int(v) for v in (old, new) if v not in (None, ""))
    names: dict[str, dict[str, str]] = {}
    for name, ids in wanted.items():
        model, label = models_by_field[name]
        names[name] = {str(o.pk): label(o) for o in model.objects.filter(pk__in=ids)}
    statuses = dict(WorkStatus.choices)
    for change in comparison.changed:
        shown = []
        for name, old, new in change.fields:
            if name in names:
                old = names[name].get(str(old), old) if old is not None else None
                new = names[name].get(str(new), new) if new is not None else None
            elif name == "status":
                old, new = statuses.get(old, old), statuses.get(new, new)
            shown.append((name, old, new))
        change.fields = shown


def activities_cashflow(activities: list[Activity]) -> dict[int, list[tuple[str, Decimal]]]:
    """For each activity, the planned amounts (per currency) of the disbursements linked
    to it that belong to the latest revision of their project's cash-flow plan (one
    query): earlier revisions are history, not the plan."""
    latest = (
        PlanRevision.objects.filter(project=OuterRef("disbursement__revision__project"))
        .order_by("-number")
        .values("pk")[:1]
    )
    rows = (
        ActivityDisbursement.objects.filter(activity__in=[a.pk for a in activities])
        .filter(disbursement__revision=Subquery(latest))
        .values("activity_id", "disbursement__currency")
        .annotate(total=Sum("disbursement__amount"))
        .order_by("activity_id", "disbursement__currency")
    )
    out: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    for row in rows:
        out[row["activity_id"]].append((row["disbursement__currency"], row["total"]))
    return dict(out)


# --- Gantt ----------------------------------------------------------------------------

LABEL_WIDTH = 260
MONTH_WIDTH = 44
ROW_HEIGHT = 26
HEADER_HEIGHT = 36
MAX_MONTHS = 72


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _add_months(day: dt.date, n: int) -> dt.date:
    months = day.year * 12 + day.month - 1 + n
    return dt.date(months // 12, months % 12 + 1, 1)


def _days_in_month(day: dt.date) -> int:
    return (_add_months(day, 1) - _month_start(day)).days


@dataclass
class GanttBar:
    activity: Activity
    y: int
    x: float
    width: float
    label_x: float


@dataclass
class Gantt:
    months: list[dict[str, Any]]
    bars: list[GanttBar]
    width: int
    height: int
    today_x: float | None
    rtl: bool
    label_width: int = LABEL_WIDTH
    month_width: int = MONTH_WIDTH
    row_height: int = ROW_HEIGHT
    header_height: int = HEADER_HEIGHT


def gantt_build(
    activities: list[Activity], *, today: dt.date | None = None, rtl: bool = False
) -> Gantt:
    """The geometry of the Gantt chart (an inline SVG): a column per month from the first
    activity's start to the last one's end, a bar per activity placed to the day, and the
    today line. In a right-to-left page, time runs from right to left."""
    today = today or timezone.localdate()
    if not activities:
        return Gantt([], [], LABEL_WIDTH, HEADER_HEIGHT, None, rtl)
    first = _month_start(min(a.start_date for a in activities))
    last = _month_start(max(a.end_date for a in activities))
    count = min((last.year - first.year) * 12 + last.month - first.month + 1, MAX_MONTHS)
    chart = count * MONTH_WIDTH
    width = LABEL_WIDTH + chart

    def pos(day: dt.date) -> float:
        """The offset of ``day`` in the chart, from its time origin."""
        index = (day.year - first.year) * 12 + day.month - first.month
        index = max(0, min(index, count))
        if index >= count:
            return float(chart)
        fraction = (day.day - 1) / _days_in_month(day)
        return (index + fraction) * MONTH_WIDTH

    def place(offset: float, length: float = 0) -> float:
        """The SVG x of a segment starting at ``offset``: mirrored in RTL, where the labels
        stand on the right."""
        if rtl:
            return chart - offset - length
        return LABEL_WIDTH + offset

    months = []
    for i in range(count):
        month = _add_months(first, i)
        x = place(i * MONTH_WIDTH, MONTH_WIDTH)
        months.append({"date": month, "x": x, "cx": x + MONTH_WIDTH / 2, "first": month.month == 1})
    bars = []
    for row, activity in enumerate(activities):
        start = pos(activity.start_date)
        end = pos(activity.end_date + dt.timedelta(days=1))
        length = max(end - start, 3.0)
        bars.append(
            GanttBar(
                activity=activity,
                y=HEADER_HEIGHT + row * ROW_HEIGHT,
                x=place(start, length),
                width=length,
                label_x=(width - 8) if rtl else 8,
            )
        )
    today_x = None
    if first <= today < _add_months(first, count):
        today_x = place(pos(today))
    return Gantt(
        months=months,
        bars=bars,
        width=width,
        height=HEADER_HEIGHT + len(activities) * ROW_HEIGHT + 4,
        today_x=today_x,
        rtl=rtl,
    )


# --- The monthly report ------------------------------------------------------------------


def activities_for_month(actor: Any, programme: Programme, *, year: int, month: int) -> dict:
    """The work plan's part of the monthly report, for the activities the reader sees:

    - ``done``: done, and updated during the month (the status was set then);
    - ``ongoing``: ongoing and running during the month;
    - ``delayed``: delayed, or not done although their end date is past by the month's end;
    - ``starting_next_month``: planned to start in the following month.
    Each is a list of activities in code order; ``counts`` gives their lengths."""
    first = dt.date(year, month, 1)
    following = _add_months(first, 1)
    after = _add_months(first, 2)
    tz = timezone.get_current_timezone()
    start_dt = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end_dt = dt.datetime.combine(following, dt.time.min, tzinfo=tz)
    rows = list(programme_activities(actor, programme))
    done = [a for a in rows if a.status == WorkStatus.DONE and start_dt <= a.updated_at < end_dt]
    ongoing = [
        a
        for a in rows
        if a.status == WorkStatus.ONGOING and a.start_date < following and a.end_date >= first
    ]
    delayed = [
        a
        for a in rows
        if a.status == WorkStatus.DELAYED
        or (
            a.status in (WorkStatus.PLANNED, WorkStatus.ONGOING)
            and a.end_date < following
            and a.progress < 100
        )
    ]
    late = {a.pk for a in delayed}
    ongoing = [a for a in ongoing if a.pk not in late]
    starting = [
        a for a in rows if a.status == WorkStatus.PLANNED and following <= a.start_date < after
    ]
    result = {
        "done": done,
        "ongoing": ongoing,
        "delayed": delayed,
        "starting_next_month": starting,
    }
    return {**result, "counts": {k: len(v) for k, v in result.items()}}
