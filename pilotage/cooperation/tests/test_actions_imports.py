"""The partner actions import (kernel pipeline): the happy path, re-import changes nothing,
a partner's import forced to its own organisation, every problem listed row · column ·
value · reason with nothing written, and the page's denied path."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from pilotage.cooperation.imports.actions import COLUMNS, actions_import
from pilotage.cooperation.models import PartnerAction
from pilotage.cooperation.tests.test_actions_services import counts, make, unchanged
from pilotage.core.models import Job
from pilotage.core.tabular import ImportRejected

pytestmark = pytest.mark.django_db

ROW = {
    "external_ref": "",
    "partner": "unesco",
    "country": "SN",
    "subdivisions": "SN-DK",
    "title": "Formation des directeurs",
    "description": "",
    "topic": "teacher_training",
    "keywords": "directeurs",
    "beneficiary_type": "teachers",
    "planned": "400",
    "planned_female": "180",
    "reached": "",
    "reached_female": "",
    "start_date": "15/01/2026",
    "end_date": "2026-12-31",
    "status": "ongoing",
    "budget_amount": "25 000,50".replace(" ", ""),
    "budget_currency": "eur",
    "programme": "imagine",
    "contact_name": "Awa Diop",
    "contact_email": "",
}


def csv_file(*rows: dict[str, str]) -> io.BytesIO:
    lines = [";".join(COLUMNS)] + [";".join(r.get(c, "") for c in COLUMNS) for r in rows]
    return io.BytesIO(("\ufeff" + "\r\n".join(lines) + "\r\n").encode())


def run(actor, *rows, dry_run=False):
    return actions_import(actor=actor, stream=csv_file(*rows), filename="a.csv", dry_run=dry_run)


def test_import_creates_then_reimport_changes_nothing(coop):
    second = {
        **ROW,
        "external_ref": "OIF-1",
        "partner": "oif",
        "country": "ML",
        "subdivisions": "ML-BKO",
        "title": "Cantines",
        "topic": "school_feeding",
        "budget_amount": "",
        "budget_currency": "",
        "programme": "",
    }
    result = run(coop.head, ROW, second)
    assert (result["created"], result["updated"], result["unchanged"]) == (2, 0, 0)
    action = PartnerAction.objects.get(partner=coop.unesco)
    assert str(action.budget_amount) == "25000.50" and action.budget_currency == "EUR"
    assert list(action.subdivisions.all()) == [coop.dakar] and action.programme == coop.imagine
    before = counts()
    again = run(coop.head, ROW, second)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    assert unchanged(before)
    # A changed figure updates the matched action (by reference, or by the natural key).
    third = run(coop.head, {**ROW, "reached": "90"}, {**second, "title": "Cantines scolaires"})
    assert (third["created"], third["updated"]) == (0, 2)
    assert PartnerAction.objects.get(external_ref="OIF-1").title == "Cantines scolaires"


def test_an_export_imports_back_unchanged(client, coop):
    action = make(coop, external_ref="U-1", planned_female=None)
    action.subdivisions.set([coop.dakar])
    make(coop, title="Sans référence", planned_female=None)
    client.force_login(coop.head)
    content = client.get(reverse("cooperation:actions-export")).content
    before = counts()
    result = actions_import(actor=coop.head, stream=io.BytesIO(content), filename="export.xlsx")
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 0, 2)
    assert unchanged(before)


def test_a_partner_imports_for_its_own_organisation_only(coop):
    result = run(coop.partner_user, {**ROW, "partner": ""})
    assert result["created"] == 1
    assert PartnerAction.objects.get().partner == coop.unesco
    before = counts()
    with pytest.raises(ImportRejected) as exc:
        run(coop.partner_user, {**ROW, "title": "Autre"}, {**ROW, "partner": "oif", "title": "X"})
    (problem,) = exc.value.problems
    assert (problem.row, problem.column, problem.value) == (3, "partner", "oif")
    assert "votre organisation (unesco)" in problem.reason
    assert unchanged(before)


def test_a_coordinator_imports_only_in_their_country(coop):
    before = counts()
    with pytest.raises(ImportRejected) as exc:
        run(coop.coordinator_sn, {**ROW, "country": "ML", "subdivisions": ""})
    assert [(p.column, p.reason) for p in exc.value.problems] == [
        ("country", "pays hors de votre périmètre")
    ]
    assert unchanged(before)


def test_every_problem_is_listed_and_nothing_is_written(coop):
    bad = {
        **ROW,
        "partner": "nobody",
        "country": "XX",
        "topic": "sport",
        "beneficiary_type": "",
        "planned": "12,5",
        "start_date": "demain",
        "status": "done",
    }
    region = {**ROW, "subdivisions": "ML-BKO", "planned_female": "900"}
    before = counts()
    with pytest.raises(ImportRejected) as exc:
        run(coop.head, bad, region, ROW, ROW)
    found = {(p.row, p.column) for p in exc.value.problems}
    assert {
        (2, "partner"),
        (2, "country"),
        (2, "topic"),
        (2, "beneficiary_type"),
        (2, "planned"),
        (2, "start_date"),
        (2, "status"),
        (3, "subdivisions"),
        (5, "title"),
    } <= found
    messages = {(p.row, p.column): p for p in exc.value.problems}
    assert messages[(2, "topic")].value == "sport" and "attendues" in messages[(2, "topic")].reason
    assert "déjà à la ligne 4" in messages[(5, "title")].reason
    assert unchanged(before)


def test_model_rules_are_reported_on_their_column(coop):
    before = counts()
    with pytest.raises(ImportRejected) as exc:
        run(
            coop.head,
            {**ROW, "planned_female": "900"},
            {**ROW, "title": "B", "end_date": "2025-01-01"},
        )
    found = {(p.row, p.column) for p in exc.value.problems}
    assert {(2, "planned_female"), (3, "end_date")} <= found
    assert unchanged(before)


def test_dry_run_writes_nothing(coop):
    before = counts()
    assert run(coop.head, ROW, dry_run=True) == {"rows": 1}
    assert unchanged(before)


def test_xlsx_is_read_too(coop):
    book = Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    sheet.append([ROW[c] for c in COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    result = actions_import(actor=coop.head, stream=buffer, filename="a.xlsx")
    assert result["created"] == 1


def test_school_roles_do_not_open_the_import_page(client, coop):
    client.force_login(coop.personas.head_a)
    before = (counts(), Job.objects.count())
    url = reverse("cooperation:actions-import")
    assert client.get(url).status_code == 404
    upload = csv_file(ROW)
    upload.name = "a.csv"
    assert client.post(url, {"file": upload}).status_code == 404
    assert (counts(), Job.objects.count()) == before
    client.force_login(coop.partner_user)
    page = client.get(url).content.decode()
    assert "external_ref" in page and "teacher_training" in page


def test_columns_are_documented():
    from pathlib import Path

    from django.conf import settings

    doc = (Path(settings.BASE_DIR) / "docs" / "imports.md").read_text(encoding="utf-8")
    assert ", ".join(f"`{c}`" for c in COLUMNS) in doc
