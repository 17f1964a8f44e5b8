"""Importing targets through the kernel's pipeline: a good file applied and re-imported
unchanged, a bad one rejected whole with every problem as row · column · value · reason,
the page refused to those who may not set targets, the command's exit status."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from pilotage.core.models import Job
from pilotage.core.tabular import ImportRejected
from pilotage.core.tests.support import unchanged
from pilotage.indicators.models import Target
from pilotage.indicators.targets_import import TARGET_COLUMNS, targets_import
from pilotage.indicators.tests.steering import Steering, steering_setup


@pytest.fixture
def steering(personas) -> Steering:  # type: ignore[no-untyped-def]
    return steering_setup(personas)


HEADER = ";".join(TARGET_COLUMNS)
GOOD = [
    "pass_rate;04101A;2025-2026;;70;2024-2025;80;5;",
    "pass_rate;04101A;2025/2026;sex=F;;;82,5;2;higher",
    "ner;MA-TNG;2025-2026;cycle=primaire,sex=F;;;95;1;",
    "dropout_rate;MA-TNG;2025-2026;;;;3;0,5;lower",
]


def _file(rows: list[str]) -> io.BytesIO:
    return io.BytesIO("\n".join([HEADER, *rows]).encode("utf-8-sig"))


def _run(actor, rows: list[str], **kw):  # type: ignore[no-untyped-def]
    return targets_import(actor=actor, stream=_file(rows), filename="cibles.csv", **kw)


def test_a_good_file_is_applied_then_reimported_unchanged(steering) -> None:  # type: ignore[no-untyped-def]
    s = steering
    assert _run(s.p.regional_officer, GOOD) == {
        "rows": 4,
        "created": 4,
        "updated": 0,
        "unchanged": 0,
    }
    girls = Target.objects.get(indicator="pass_rate", dims_key="sex=F")
    assert (girls.target, girls.tolerance, girls.direction) == (
        Decimal("82.5"),
        Decimal(2),
        "higher",
    )
    total = Target.objects.get(indicator="pass_rate", dims_key="")
    assert (total.baseline, total.baseline_year) == (Decimal(70), s.previous)
    ner = Target.objects.get(indicator="ner")
    assert ner.disaggregation == {"sex": "F", "cycle": "primaire"}
    assert Target.objects.get(indicator="dropout_rate").direction == "lower"
    with unchanged(Target):
        assert _run(s.p.regional_officer, GOOD)["unchanged"] == 4


def test_a_changed_row_updates_its_target(steering) -> None:  # type: ignore[no-untyped-def]
    s = steering
    _run(s.p.national_admin, GOOD)
    rows = [GOOD[0].replace(";80;", ";85;"), *GOOD[1:]]
    assert _run(s.p.national_admin, rows)["updated"] == 1
    assert Target.objects.get(indicator="pass_rate", dims_key="").target == Decimal(85)


def test_a_dry_run_writes_nothing(steering) -> None:  # type: ignore[no-untyped-def]
    with unchanged(Target):
        assert _run(steering.p.national_admin, GOOD, dry_run=True) == {"rows": 4}


def test_a_bad_file_lists_every_problem_and_writes_nothing(steering) -> None:  # type: ignore[no-untyped-def]
    s = steering
    bad = [
        GOOD[0],
        "nope;04101A;2025-2026;;;;80;;",
        "pass_rate;ZZZ;2025-2026;;;;80;;",
        "pass_rate;03201B;2025-2026;;;;80;;",  # Fès: outside the Tanger region
        "pass_rate;04101A;2031-2032;;;;80;;",
        "pass_rate;04101A;2025-2026;sex=X;;;80;;",
        "pass_rate;04101A;2025-2026;genre;;;80;;",
        "pass_rate;04101A;2025-2026;sex=M;;;quatre-vingts;-1;",
        "pass_rate;04101A;2025-2026;milieu=rural;;;80;;sideways",
        "pass_rate;04101A;2025-2026;milieu=urbain;70;;80;;",
        "ner;MA-TNG;2025-2026;sex=F;;;95;;",
        GOOD[0],
    ]
    with unchanged(Target), pytest.raises(ImportRejected) as rejected:
        _run(s.p.regional_officer, bad)
    found = [(p.row, p.column, p.reason) for p in rejected.value.problems]
    assert found == [
        (3, "indicator", "indicateur inconnu"),
        (4, "org_unit", "unité inconnue"),
        (5, "org_unit", "unité hors de votre périmètre"),
        (6, "period", "année scolaire inconnue (connues : 2024-2025, 2025-2026)"),
        (7, "disaggregation", "valeur inconnue pour sex : X (connues : F, M)"),
        (8, "disaggregation", "attendu : dimension=valeur, par ex. sex=F"),
        (9, "target", "n'est pas un nombre"),
        (9, "tolerance", "la tolérance ne peut pas être négative"),
        (10, "direction", "attendu : higher ou lower (ou vide)"),
        (11, "baseline_period", "précisez l'année de la valeur de référence"),
        (12, "disaggregation", "l'indicateur ner se calcule par cycle : précisez cycle=…"),
        (13, "indicator", "même indicateur, unité, année et ventilation : déjà à la ligne 2"),
    ]
    assert rejected.value.problems[0].value == "nope"


def test_the_page_is_for_those_who_set_targets(client, steering) -> None:  # type: ignore[no-untyped-def]
    s = steering
    client.force_login(s.p.head_a)
    assert client.get("/indicators/targets/import/").status_code == 404
    file = _file(GOOD)
    file.name = "cibles.csv"
    with unchanged(Target, Job):
        assert client.post("/indicators/targets/import/", {"file": file}).status_code == 404
    client.force_login(s.p.provincial_a)
    page = client.get("/indicators/targets/import/")
    assert page.status_code == 200 and "baseline_period" in page.content.decode()


def test_the_page_runs_the_import_as_a_job(
    client, steering, django_capture_on_commit_callbacks, run_jobs
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(steering.p.national_admin)
    file = _file(GOOD)
    file.name = "cibles.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/indicators/targets/import/", {"file": file})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    run_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.result
    assert job.result["created"] == 4 and Target.objects.count() == 4


def test_the_command_exits_1_on_a_bad_file(steering, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "cibles.csv"
    path.write_bytes(_file(["nope;04101A;2025-2026;;;;80;;"]).getvalue())
    with unchanged(Target), pytest.raises(SystemExit) as exited:
        call_command("import_targets", str(path))
    assert exited.value.code == 1
    assert "indicateur inconnu" in capsys.readouterr().err
    path.write_bytes(_file(GOOD).getvalue())
    call_command("import_targets", str(path))
    assert Target.objects.count() == 4


def test_columns_are_documented_and_the_template_downloads(client, steering) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    from django.conf import settings

    doc = (Path(settings.BASE_DIR) / "docs" / "imports.md").read_text(encoding="utf-8")
    assert ", ".join(f"`{c}`" for c in TARGET_COLUMNS) in doc
    client.force_login(steering.p.provincial_a)
    response = client.get("/indicators/targets/import/template.xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"
