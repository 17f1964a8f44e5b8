"""``target_vs_actual`` on worked examples: only approved updates, percentages as
Σ numerator / Σ denominator across countries, period targets against the updates inside
their period, the end-of-programme target on its own; reach of the reader."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.http import Http404

from pilotage.cooperation.models import IndicatorTarget, ResultUpdate, UpdateStatus
from pilotage.cooperation.selectors.results import (
    catalogue_figures,
    target_vs_actual,
    updates_to_approve,
    updates_to_report,
)
from pilotage.cooperation.tests.results_support import logframe_build

pytestmark = pytest.mark.django_db

Y25 = {"period_start": dt.date(2025, 1, 1), "period_end": dt.date(2025, 12, 31)}
Y26 = {"period_start": dt.date(2026, 1, 1), "period_end": dt.date(2026, 12, 31)}


def _update(indicator, project, status=UpdateStatus.APPROVED, period=Y25, **figures):
    return ResultUpdate.objects.create(
        indicator=indicator, project=project, status=status, **period, **figures
    )


def _rows(rows, code):
    return [r for r in rows if r.indicator_code == code]


def test_percentage_ratio_of_sums_and_only_approved(coop):
    lf = logframe_build(coop)
    # Senegal 30/60 (50 %), Mali 45/50 (90 %) approved; Mali's 2026 submitted 50/50 waits.
    _update(lf.share, coop.project_sn, numerator=D(30), denominator=D(60))
    _update(lf.share, coop.project_ml, numerator=D(45), denominator=D(50))
    _update(
        lf.share,
        coop.project_ml,
        status=UpdateStatus.SUBMITTED,
        period=Y26,
        numerator=D(50),
        denominator=D(50),
    )
    rows = _rows(target_vs_actual(coop.manager, coop.imagine), "1.1.a")
    end = rows[-1]
    assert end.is_end
    # (30 + 45) / (60 + 50) = 75 / 110 = 68.18 % — not the mean of 50 % and 90 %.
    assert (end.numerator, end.denominator) == (D(75), D(110))
    assert round(end.actual, 2) == D("68.18")
    # Against the end target of 60 %: 68.18 / 60 = 113.6 %.
    assert round(end.achievement, 1) == D("113.6")
    assert end.updates_counted == 2


def test_period_targets_and_end_target_apart(coop):
    lf = logframe_build(coop)
    IndicatorTarget.objects.create(indicator=lf.trained, value=D(300), **Y25)
    IndicatorTarget.objects.create(indicator=lf.trained, value=D(200), country=coop.senegal, **Y25)
    IndicatorTarget.objects.create(indicator=lf.trained, value=D(400), **Y26)
    _update(lf.trained, coop.project_sn, value=D(120))
    _update(lf.trained, coop.project_ml, value=D(150))
    _update(lf.trained, coop.project_sn, period=Y26, value=D(100))
    _update(lf.trained, coop.project_ml, status=UpdateStatus.RETURNED, period=Y26, value=D(999))
    rows = _rows(target_vs_actual(coop.manager, coop.imagine), "1.1.1.a")
    by = {(r.country_code, r.period_start): r for r in rows}
    # 2025 programme-wide: 120 + 150 = 270 of 300 (90 %).
    r25 = by[(None, Y25["period_start"])]
    assert (r25.target, r25.actual, r25.achievement) == (D(300), D(270), D(90))
    # 2025 Senegal: 120 of 200.
    assert by[("SN", Y25["period_start"])].actual == D(120)
    # 2026: 100 only (Mali's 999 was returned).
    assert by[(None, Y26["period_start"])].actual == D(100)
    # End of programme: target 1000 entered on its own (not 300 + 400), actual 370.
    end = rows[-1]
    assert (end.target, end.actual) == (D(1000), D(370))
    # Until the end of 2025: 270.
    until = _rows(
        target_vs_actual(coop.manager, coop.imagine, until=dt.date(2025, 12, 31)), "1.1.1.a"
    )
    assert until[-1].actual == D(270)
    assert all(r.period_start != Y26["period_start"] for r in until)


def test_country_filter(coop):
    lf = logframe_build(coop)
    IndicatorTarget.objects.create(indicator=lf.trained, value=D(300), **Y25)
    IndicatorTarget.objects.create(indicator=lf.trained, value=D(200), country=coop.senegal, **Y25)
    _update(lf.trained, coop.project_sn, value=D(120))
    _update(lf.trained, coop.project_ml, value=D(150))
    rows = _rows(target_vs_actual(coop.manager, coop.imagine, country=coop.senegal), "1.1.1.a")
    assert [(r.country_code, r.target, r.actual) for r in rows] == [
        ("SN", D(200), D(120)),
        ("SN", None, D(120)),
    ]


def test_coordinator_sees_only_their_country(coop):
    lf = logframe_build(coop)
    _update(lf.trained, coop.project_sn, value=D(120))
    _update(lf.trained, coop.project_ml, value=D(150))
    end = _rows(target_vs_actual(coop.coordinator_sn, coop.imagine), "1.1.1.a")[-1]
    assert end.actual == D(120)


def test_outsider_gets_404(coop):
    with pytest.raises(Http404):
        target_vs_actual(coop.manager_b, coop.imagine)


def test_qualitative_lists_approved_texts(coop):
    lf = logframe_build(coop)
    _update(lf.quality, coop.project_sn, text="Usage régulier en classe")
    _update(lf.quality, coop.project_ml, status=UpdateStatus.DRAFT, text="brouillon")
    end = _rows(target_vs_actual(coop.manager, coop.imagine), "1.a")[-1]
    assert end.texts == (("SN", "Usage régulier en classe"),)
    assert end.target_text == "Pratiques ancrées"


def test_lists_to_report_and_to_approve(coop):
    lf = logframe_build(coop)
    draft = _update(lf.trained, coop.project_sn, status=UpdateStatus.DRAFT, value=D(1))
    other = _update(lf.trained, coop.project_ml, status=UpdateStatus.RETURNED, value=D(1))
    sub = _update(
        lf.share,
        coop.project_sn,
        status=UpdateStatus.SUBMITTED,
        numerator=D(1),
        denominator=D(2),
        submitted_by=coop.coordinator_sn,
    )
    assert list(updates_to_report(coop.coordinator_sn)) == [draft]
    assert set(updates_to_report(coop.manager)) == {draft, other}
    assert list(updates_to_approve(coop.manager)) == [sub]
    assert list(updates_to_approve(coop.manager_b)) == []
    assert list(updates_to_approve(coop.coordinator_sn)) == []


def test_catalogue_without_school_data_says_so(coop):
    lf = logframe_build(coop)
    lf.trained.catalogue_code = "enrolment"
    figures = catalogue_figures(lf.trained, [coop.senegal], on=dt.date(2025, 12, 31))
    assert [f.available for f in figures] == [False]
    assert catalogue_figures(lf.share, [coop.senegal]) == []
