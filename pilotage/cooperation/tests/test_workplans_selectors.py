"""The Gantt chart's geometry and the month's figures for the monthly report."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pilotage.cooperation.models import Activity, WorkStatus
from pilotage.cooperation.selectors.workplans import (
    LABEL_WIDTH,
    MONTH_WIDTH,
    activities_for_month,
    gantt_build,
    programme_activities,
)
from pilotage.cooperation.tests.workplans_support import plan_build

pytestmark = pytest.mark.django_db


def test_gantt_bars_are_placed_to_the_day_and_mirrored_in_rtl(coop):
    plan = plan_build(coop)
    rows = list(programme_activities(coop.manager, coop.imagine))
    chart = gantt_build(rows, today=dt.date(2026, 2, 15))
    # January to June 2026: six month columns after the labels.
    assert [m["date"].month for m in chart.months] == [1, 2, 3, 4, 5, 6]
    assert chart.width == LABEL_WIDTH + 6 * MONTH_WIDTH
    a1 = next(b for b in chart.bars if b.activity == plan.sn)  # 1 Jan – 31 Mar
    assert (a1.x, a1.width) == (LABEL_WIDTH, 3 * MONTH_WIDTH)
    a3 = next(b for b in chart.bars if b.activity == plan.regional)  # 1 Apr – 30 Jun
    assert a3.x == LABEL_WIDTH + 3 * MONTH_WIDTH
    # 15 February: one month and 14/28 of the second.
    assert chart.today_x == LABEL_WIDTH + MONTH_WIDTH * 1.5
    rtl = gantt_build(rows, today=dt.date(2026, 2, 15), rtl=True)
    a1_rtl = next(b for b in rtl.bars if b.activity == plan.sn)
    # Time runs leftwards from the labels on the right: January ends the chart's right side.
    assert a1_rtl.x == 6 * MONTH_WIDTH - 3 * MONTH_WIDTH
    assert rtl.today_x == 6 * MONTH_WIDTH - MONTH_WIDTH * 1.5
    assert gantt_build(rows, today=dt.date(2030, 1, 1)).today_x is None


def test_activities_for_month(coop):
    """Worked example for March 2026: A1 (Jan–Mar) done on 10 March; A2 (Jan–Mar) still
    ongoing at 60 % so delayed by the month's end; A3 (Apr–Jun) starts next month; B1 runs
    Mar–May and is ongoing; C1 is marked delayed."""
    plan = plan_build(coop)
    tz = timezone.get_current_timezone()
    Activity.objects.filter(pk=plan.sn.pk).update(
        status=WorkStatus.DONE,
        progress=100,
        updated_at=dt.datetime(2026, 3, 10, 12, tzinfo=tz),
    )
    Activity.objects.filter(pk=plan.ml.pk).update(status=WorkStatus.ONGOING, progress=60)
    b1 = Activity.objects.create(
        programme=coop.imagine,
        output=plan.output_1,
        code="B1",
        title_fr="B1",
        start_date=dt.date(2026, 3, 1),
        end_date=dt.date(2026, 5, 31),
        status=WorkStatus.ONGOING,
    )
    c1 = Activity.objects.create(
        programme=coop.imagine,
        output=plan.output_1,
        code="C1",
        title_fr="C1",
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
        status=WorkStatus.DELAYED,
    )
    month = activities_for_month(coop.manager, coop.imagine, year=2026, month=3)
    assert month["done"] == [plan.sn]
    assert month["ongoing"] == [b1]
    assert month["delayed"] == [plan.ml, c1]
    assert month["starting_next_month"] == [plan.regional]
    assert month["counts"] == {"done": 1, "ongoing": 1, "delayed": 2, "starting_next_month": 1}
    # The coordinator of Mali sees only Mali's project's activity.
    ml = activities_for_month(coop.coordinator_ml, coop.imagine, year=2026, month=3)
    assert ml["counts"] == {"done": 0, "ongoing": 0, "delayed": 1, "starting_next_month": 0}


def test_reach_of_the_activity_list(coop):
    plan = plan_build(coop)
    assert set(programme_activities(coop.head, coop.imagine)) == {plan.sn, plan.ml, plan.regional}
    assert set(programme_activities(coop.coordinator_sn, coop.imagine)) == {plan.sn}
    assert set(programme_activities(coop.consultant, coop.imagine)) == {plan.sn}
    assert not programme_activities(coop.manager_b, coop.imagine).exists()
    assert not programme_activities(coop.partner_user, coop.imagine).exists()
