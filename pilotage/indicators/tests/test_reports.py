"""The performance report: what the PDF says in French and in Arabic (read back with
poppler's pdftotext, which returns Arabic in logical order), targets and action plans as
the other parts will feed them, the Moroccan date, and the job from the button to the
download, refused to whoever may not see the unit.

Facts: those of test_pivot.py (enrolment 2025-2026 Maroc 74, region A 50, region B 24;
2024-2025 Maroc 50; pass rate 2025-2026 Maroc 52 / 74 = 70.3 %).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import pytest
from django.utils import translation

from pilotage.core.models import Job
from pilotage.core.tests.support import require, unchanged
from pilotage.indicators import reports
from pilotage.indicators.catalogue import builtin
from pilotage.indicators.reports import (
    ReportFontMissing,
    date_text,
    report_document,
    report_pdf,
)
from pilotage.indicators.tests.test_pivot import Facts, build_facts

pytestmark = pytest.mark.django_db

BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")
DAY = dt.date(2026, 12, 3)
URL = "/indicators/reports/"


@pytest.fixture
def facts(personas) -> Facts:  # type: ignore[no-untyped-def]
    return build_facts(personas)


@pytest.fixture(autouse=True)
def _fonts_and_day(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    try:
        reports.report_fonts_check()
    except ReportFontMissing as missing:
        require(False, str(missing))
    monkeypatch.setattr(reports.timezone, "localdate", lambda: DAY)


def pdf_text(pdf: bytes, *, raw: bool = False) -> str:
    """The text, bidi controls dropped and whitespace collapsed: in logical order (what
    the Arabic checks need), or with ``raw`` in the order it was written (a chart's or a
    table's row on one line, for the French checks)."""
    found = shutil.which("pdftotext")
    require(found is not None, "pdftotext is not installed (Debian's poppler-utils)")
    mode = ["-raw"] if raw else []
    out = subprocess.run(
        [str(found), *mode, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return " ".join(BIDI_CONTROLS.sub("", out.stdout.decode()).split())


def test_dates_are_written_the_moroccan_way() -> None:
    assert date_text(DAY, "fr") == "3 décembre 2026"
    assert date_text(DAY, "ar") == "3 دجنبر 2026"
    assert date_text(dt.date(2027, 8, 15), "ar") == "15 غشت 2027"


def test_french_report(facts: Facts, personas) -> None:  # type: ignore[no-untyped-def]
    pdf = report_pdf(personas.national_admin, unit=personas.country, year=facts.y2, language="fr")
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, raw=True)
    assert "Rapport de performance" in text
    assert "Maroc · Année scolaire 2025-2026" in text
    assert "Effectifs scolarisés 74 50 — — —" in text  # value, last year, no target yet
    assert "Taux de réussite 70,3 % — — — —" in text
    assert "Taux brut de scolarisation" in text  # every indicator is listed, "—" if none
    assert "Aucun plan d'action pour cette unité et cette année." in text
    # The charts: the sub-units' bars and the trend, drawn by Typst with their figures.
    assert "Par sous-unité" in text and "Évolution" in text
    assert "Fès-Meknès 24" in text
    assert "Édité le 3 décembre 2026" in text


def test_arabic_report_names_the_unit_in_arabic_with_a_moroccan_date(
    facts: Facts, personas
) -> None:  # type: ignore[no-untyped-def]
    pdf = report_pdf(personas.national_admin, unit=personas.country, year=facts.y2, language="ar")
    text = pdf_text(pdf)
    assert "المغرب" in text
    assert "Maroc" in text  # the other language's name, under it
    # The sub-units' bars (poppler turns a hyphenated Arabic name around: parts checked).
    assert "طنجة تطوان الحسيمة" in text and "فاس" in text and "مكناس" in text
    # The date line "3 دجنبر 2026": poppler lays the digits of a right-to-left line out in
    # visual order, so the month and the figures are checked, and the line as placed.
    assert "دجنبر" in text and "2026" in text
    assert re.search(r"\b3\s*دجنبر|دجنبر\s*3\b", text)
    document = report_document(
        personas.national_admin, unit=personas.country, year=facts.y2, language="ar"
    )
    assert document["date"] == "3 دجنبر 2026" and document["rtl"] is True
    with translation.override("ar"):
        enrolment = str(builtin("enrolment").name)
    assert enrolment != "Effectifs scolarisés"  # the Arabic catalogue's
    assert enrolment in text and "74" in text and "70,3" in text
    # Shaped by the font, not by substituting presentation forms.
    assert not PRESENTATION_FORMS.search(text)


def test_targets_statuses_and_action_plans_are_shown(facts: Facts, personas, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def attach(code, values):  # type: ignore[no-untyped-def]
        for v in values:
            if code == "pass_rate":
                v.target, v.status = 80.0, "at_risk"

    monkeypatch.setattr("pilotage.indicators.selectors.values.attach_targets", attach)
    actions = [
        {
            "title": "Cours de soutien en mathématiques",
            "owner": "DP Tanger-Assilah",
            "due": dt.date(2027, 6, 30),
            "status": "En cours",
            "progress": 40,
        }
    ]
    pdf = report_pdf(
        personas.national_admin,
        unit=personas.country,
        year=facts.y2,
        language="fr",
        indicators=["enrolment", "pass_rate"],
        actions=actions,
    )
    text = pdf_text(pdf, raw=True)
    # 70.27 − 80 = −9.73 points.
    assert "Taux de réussite 70,3 % — 80,0 % −9,7 % À surveiller" in text
    assert "Taux brut de scolarisation" not in text  # only the indicators asked for
    assert "Cours de soutien en mathématiques DP Tanger-Assilah 30 juin 2027 En cours 40 %" in text
    assert "Aucun plan d'action" not in text


def test_an_unknown_language_is_refused(facts: Facts, personas) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="language"):
        report_pdf(personas.national_admin, unit=personas.country, year=facts.y2, language="de")


# --- the page and the job ----------------------------------------------------------------


def test_the_form_starts_at_the_actors_unit(client, facts: Facts, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.head_a)
    html = client.get(URL).content.decode()
    assert 'name="unit" value="04101A"' in html
    assert '<option value="2025-2026">' in html


def test_the_form_opens_at_a_unit_of_the_pivot_table_if_in_scope(
    client, facts: Facts, personas
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.provincial_a)
    html = client.get(URL, {"unit": "MA-TNG-C001"}).content.decode()
    assert 'name="unit" value="MA-TNG-C001"' in html
    assert client.get(URL, {"unit": "MA-FES"}).status_code == 404
    pivot = client.get("/indicators/pivot/", {"unit": "MA-TNG"}).content.decode()
    assert f'href="{URL}?unit=MA-TNG"' in pivot


def test_a_school_report_has_no_sub_unit_bars(facts: Facts, personas) -> None:  # type: ignore[no-untyped-def]
    pdf = report_pdf(
        personas.head_a,
        unit=personas.school_a,
        year=facts.y2,
        language="fr",
        indicators=["enrolment"],
    )
    text = pdf_text(pdf, raw=True)
    assert "École primaire Ibn Battouta" in text and "Effectifs scolarisés 50 50" in text
    assert "Pas de sous-unité avec une valeur." in text


def test_the_job_writes_the_pdf_and_its_creator_downloads_it(
    client, facts: Facts, personas, django_capture_on_commit_callbacks, run_jobs, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    client.force_login(personas.provincial_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"unit": "MA-TNG", "year": "2025-2026", "lang": "ar"})
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.kind == "indicators.report" and job.params["language"] == "ar"
    run_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.result
    assert job.result["file"] == f"indicator-reports/{job.pk}.pdf"
    assert job.done == job.total == len(reports.BUILTIN) + 1
    progress = client.get(f"/jobs/{job.pk}/progress/").content.decode()
    assert "100 %" in progress and job.result["download"] in progress
    response = client.get(job.result["download"])
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="rapport-MA-TNG-2025-2026-ar.pdf"'
    )
    text = pdf_text(b"".join(response.streaming_content))
    assert "عمالة" in text and "جماعة اكزناية" in text and "دجنبر" in text
    for persona in ("provincial_b", "head_a", "regional_officer"):
        client.force_login(getattr(personas, persona))
        assert client.get(job.result["download"]).status_code == 404


def test_htmx_shows_the_progress_bar_in_the_page(client, facts: Facts, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.head_a)
    response = client.post(
        URL, {"unit": "04101A", "year": "2025-2026", "lang": "fr"}, HTTP_HX_REQUEST="true"
    )
    job = Job.objects.get()
    html = response.content.decode()
    assert "<progress" in html and f"/jobs/{job.pk}/progress/" in html


@pytest.mark.parametrize(
    ("persona", "unit"),
    [
        ("provincial_b", "MA-TNG"),
        ("head_a", "MA"),
        ("head_b", "04101A"),
        ("teacher_a1", "04101A"),
        ("parent_a", "04101A"),
        ("agent", "MA"),
        ("national_admin", "NOPE"),
    ],
)
def test_the_job_is_refused_to_an_outsider(client, facts: Facts, personas, persona, unit) -> None:  # type: ignore[no-untyped-def]
    client.force_login(getattr(personas, persona))
    with unchanged(Job):
        response = client.post(URL, {"unit": unit, "year": "2025-2026", "lang": "fr"})
    assert response.status_code == 404


def test_an_unknown_year_creates_no_job(client, facts: Facts, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.national_admin)
    with unchanged(Job):
        response = client.post(URL, {"unit": "MA", "year": "1999-2000"})
    assert response.status_code == 404


def test_a_job_for_a_unit_its_creator_cannot_see_fails_without_a_file(
    facts: Facts, personas, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """Parameters written by hand (or a role withdrawn since): the job runs as its
    creator and refuses."""
    from pilotage.core.jobs import job_execute

    settings.MEDIA_ROOT = tmp_path
    job = Job.objects.create(
        kind="indicators.report",
        created_by=personas.provincial_b,
        params={"unit_id": personas.province_a.pk, "year_id": facts.y2.pk, "language": "fr"},
    )
    job_execute(job)
    assert job.status == Job.Status.FAILED
    assert "introuvable" in job.message
    assert not (tmp_path / "indicator-reports" / f"{job.pk}.pdf").exists()


def test_the_download_of_an_unfinished_or_other_kind_of_job_is_404(
    client, facts: Facts, personas, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    client.force_login(personas.head_a)
    client.post(URL, {"unit": "04101A", "year": "2025-2026"})
    job = Job.objects.get()
    assert client.get(f"/indicators/reports/{job.pk}.pdf").status_code == 404  # queued
    job.status, job.result = Job.Status.SUCCEEDED, {"file": "../db.sqlite3"}
    job.save()
    assert client.get(f"/indicators/reports/{job.pk}.pdf").status_code == 404
    other = Job.objects.create(
        kind="orgunits.import", created_by=personas.head_a, status="succeeded"
    )
    assert client.get(f"/indicators/reports/{other.pk}.pdf").status_code == 404


def test_old_report_files_are_purged(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os
    import time

    settings.MEDIA_ROOT = tmp_path
    settings.REPORT_CARDS_RETENTION_DAYS = 2
    folder = tmp_path / "indicator-reports"
    folder.mkdir()
    old, new = folder / "old.pdf", folder / "new.pdf"
    for f in (old, new):
        f.write_bytes(b"%PDF")
    past = time.time() - 3 * 86400
    os.utime(old, (past, past))
    assert reports.report_files_purge() == 1
    assert not old.exists() and new.exists()


def test_the_job_lists_the_action_plans_of_the_units_subtree_and_year(
    facts: Facts, personas, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """The job reads the action plans (selectors.actions.actions_of_year) as its creator:
    the actions of the province's schools that run during the year, with their owner, due
    date, status label and progress; not those of another year or another province."""
    from pilotage.core.jobs import job_execute
    from pilotage.indicators.models import Action, ActionStatus
    from pilotage.indicators.services.actions import action_create

    settings.MEDIA_ROOT = tmp_path
    personas.head_a.first_name, personas.head_a.last_name = "Amina", "Alaoui"
    personas.head_a.save(update_fields=["first_name", "last_name"])

    def action(title, unit, owner, start, due):  # type: ignore[no-untyped-def]
        return action_create(
            actor=personas.national_admin,
            title=title,
            owner=owner,
            org_unit=unit,
            start_date=start,
            due_date=due,
        )

    ongoing = action(
        "Cours de soutien en 5AP",
        personas.school_a,
        personas.head_a,
        dt.date(2026, 6, 1),
        dt.date(2027, 6, 30),
    )  # begun at the end of the year, due after the report's day (3 December 2026)
    Action.objects.filter(pk=ongoing.pk).update(status=ActionStatus.IN_PROGRESS, progress=40)
    action(
        "Bibliothèque de classe",
        personas.school_a,
        personas.head_a,
        dt.date(2025, 9, 15),
        dt.date(2025, 11, 30),
    )  # planned, due long ago: late
    action(
        "Plan de l'an dernier",
        personas.school_a,
        personas.head_a,
        dt.date(2024, 10, 1),
        dt.date(2025, 6, 30),
    )
    action(
        "Action de l'autre province",
        personas.school_b,
        personas.head_b,
        dt.date(2025, 10, 1),
        dt.date(2026, 6, 30),
    )
    job = Job.objects.create(
        kind="indicators.report",
        created_by=personas.provincial_a,
        params={
            "unit_id": personas.province_a.pk,
            "year_id": facts.y2.pk,
            "language": "fr",
            "indicators": ["enrolment"],
        },
    )
    job_execute(job)
    assert job.status == Job.Status.SUCCEEDED, job.message
    text = pdf_text((tmp_path / job.result["file"]).read_bytes(), raw=True)
    assert "Bibliothèque de classe Amina Alaoui 30 novembre 2025 En retard 0 %" in text
    assert "Cours de soutien en 5AP Amina Alaoui 30 juin 2027 En cours 40 %" in text
    assert "Plan de l'an dernier" not in text
    assert "Action de l'autre province" not in text
    assert "Aucun plan d'action" not in text


def test_the_action_list_is_cut_with_a_line_counting_the_others(
    facts: Facts, personas, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from pilotage.indicators.services.actions import action_create

    monkeypatch.setattr(reports, "MAX_ACTIONS", 2)
    for n in range(3):
        action_create(
            actor=personas.national_admin,
            title=f"Action {n}",
            owner=personas.head_a,
            org_unit=personas.school_a,
            start_date=dt.date(2025, 10, 1),
            due_date=dt.date(2026, 6, 1 + n),
        )
    actions = reports.report_actions(personas.country, facts.y2, actor=personas.national_admin)
    assert [a.get("title") for a in actions[:2]] == ["Action 0", "Action 1"]
    assert actions[2] == {"more": 1}
    pdf = report_pdf(
        personas.national_admin,
        unit=personas.country,
        year=facts.y2,
        language="fr",
        indicators=["enrolment"],
        actions=actions,
    )
    assert "… et 1 autres actions (voir les plans d'action)" in pdf_text(pdf, raw=True)
    # Someone who may not see the school's actions gets none of them.
    assert reports.report_actions(personas.province_b, facts.y2, actor=personas.provincial_b) == []
