"""Importing aggregate data values and population estimates: a good file (CSV, XLSX),
re-imported without change, and each kind of bad row refusing the whole file."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook

from pilotage.core.models import AuditEntry, Job
from pilotage.core.tabular import ImportRejected
from pilotage.core.tests.support import unchanged
from pilotage.indicators.imports import (
    AGGREGATE_COLUMNS,
    POPULATION_COLUMNS,
    aggregates_import,
    population_import,
)
from pilotage.indicators.models import DataApproval, DataValue, PopulationEstimate
from pilotage.indicators.tests.aggregates_support import catalogue_fixture  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def csv_file(columns: list[str], rows: list[list[str]]) -> io.BytesIO:
    lines = [";".join(columns), *(";".join(r) for r in rows)]
    return io.BytesIO(("\n".join(lines) + "\n").encode())


def xlsx_file(columns: list[str], rows: list[list[object]]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(columns)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


GOOD = [
    ["2025-2026", "04101A", "classrooms", "total", "12"],
    ["2025-2026", "04101A", "toilets", "girls", "3"],
    ["2025-2026", "04101A", "toilets", "boys", "4"],
    ["2025-2026", "03201B", "classrooms", "", "8"],
    ["2025-11", "04101A", "meals", "girls", "120"],
    ["2025-2026", "04101A", "attendance", "total", "91,5"],
]


def run(actor, rows, *, xlsx=False):
    stream = (xlsx_file if xlsx else csv_file)(AGGREGATE_COLUMNS, rows)
    return aggregates_import(
        actor=actor, stream=stream, filename="data.xlsx" if xlsx else "data.csv"
    )


def reasons(excinfo) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.reason) for p in excinfo.value.problems]


def test_a_good_file_is_applied_then_reimported_without_change(personas, catalogue) -> None:
    counts = run(personas.national_admin, GOOD)
    assert counts == {"created": 6, "updated": 0, "deleted": 0, "unchanged": 0}
    assert DataValue.objects.get(
        data_element=catalogue.attendance, org_unit=personas.school_a
    ).value == Decimal("91.5")
    assert (
        AuditEntry.objects.filter(object_type="indicators.datavalue", action="import").count() == 6
    )
    with unchanged(DataValue):
        assert run(personas.national_admin, GOOD) == {
            "created": 0,
            "updated": 0,
            "deleted": 0,
            "unchanged": 6,
        }


def test_an_xlsx_file_with_number_cells_is_read(personas, catalogue) -> None:
    counts = run(
        personas.head_a,
        [
            ["2025-2026", "04101A", "classrooms", "total", 12],
            ["2025-11", "04101A", "meals", "boys", 95.0],
        ],
        xlsx=True,
    )
    assert counts["created"] == 2
    assert DataValue.objects.get(data_element=catalogue.meals).value == Decimal(95)


def test_an_empty_value_deletes_the_cell(personas, catalogue) -> None:
    run(personas.head_a, GOOD[:2])
    counts = run(personas.head_a, [["2025-2026", "04101A", "classrooms", "total", ""]])
    assert counts["deleted"] == 1
    assert not DataValue.objects.filter(data_element=catalogue.classrooms).exists()


BAD = [
    (["2030-13", "04101A", "classrooms", "total", "1"], "period", "période inconnue"),
    (["2025-2026", "ZZZ", "classrooms", "total", "1"], "org_unit", "unité inconnue"),
    (["2025-2026", "04101A", "desks", "total", "1"], "data_element", "élément de données inconnu"),
    (["2025-2026", "04101A", "toilets", "unknown", "1"], "category_option", "option inconnue"),
    (
        ["2025-2026", "04101A", "toilets", "total", "1"],
        "category_option",
        "option absente des catégories",
    ),
    (["2025-2026", "03201B", "classrooms", "total", "1"], "org_unit", "hors de votre périmètre"),
    (["2025-2026", "MA-TNG-C001", "classrooms", "total", "1"], "org_unit", "mauvais niveau"),
    (["2025-11", "04101A", "classrooms", "total", "1"], "period", "aucun ensemble de périodicité"),
    (["2025-2026", "04101A", "classrooms", "total", "douze"], "value", "n'est pas un nombre"),
    (["2025-2026", "04101A", "classrooms", "total", "-2"], "value", "positif ou nul"),
    (["2025-2026", "04101A", "attendance", "total", "101"], "value", "de 0 à 100"),
    (
        ["2025-2026", "04101A", "classrooms", "total", "13"],
        "value",
        "cellule en double : déjà à la ligne 2",
    ),
]


@pytest.mark.parametrize(("row", "column", "reason"), BAD, ids=[b[2] for b in BAD])
def test_each_bad_row_refuses_the_whole_file(personas, catalogue, row, column, reason) -> None:
    rows = [GOOD[0], GOOD[1], row]
    with unchanged(DataValue), pytest.raises(ImportRejected) as refused:
        run(personas.provincial_a, rows)
    found = reasons(refused)
    assert len(found) == 1, found
    number, col, text = found[0]
    assert (number, col) == (4, column)
    assert reason in text
    assert refused.value.problems[0].value == row[AGGREGATE_COLUMNS.index(column)]


def test_every_problem_is_listed_at_once(personas, catalogue) -> None:
    with unchanged(DataValue), pytest.raises(ImportRejected) as refused:
        run(personas.head_a, [GOOD[0], *[b[0] for b in BAD[:5]]])
    assert [p.row for p in refused.value.problems] == [3, 4, 5, 6, 7]


def test_approved_data_refuses_its_rows(personas, catalogue) -> None:
    DataApproval.objects.create(
        data_set=catalogue.census,
        org_unit=personas.school_a,
        path=personas.school_a.path,
        period=catalogue.year,
        approved_by=personas.provincial_a,
    )
    with unchanged(DataValue), pytest.raises(ImportRejected) as refused:
        run(personas.national_admin, GOOD)
    found = reasons(refused)
    assert {row for row, _c, _r in found} == {2, 3, 4, 7}
    assert all("approuvées" in r for _n, _c, r in found)


def test_the_command_exits_1_on_a_bad_file_and_0_on_a_good_one(
    personas, catalogue, tmp_path, capsys
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_file(AGGREGATE_COLUMNS, [BAD[0][0]]).getvalue())
    with unchanged(DataValue), pytest.raises(SystemExit) as exit_:
        call_command("import_aggregates", str(bad))
    assert exit_.value.code == 1
    assert "ligne 2 · colonne period" in capsys.readouterr().err
    good = tmp_path / "good.csv"
    good.write_bytes(csv_file(AGGREGATE_COLUMNS, GOOD).getvalue())
    call_command("import_aggregates", str(good), "--user", personas.national_admin.username)
    assert DataValue.objects.count() == 6


def test_the_page_is_refused_to_those_who_enter_no_data(client, personas, catalogue) -> None:
    url = reverse("indicators:import_aggregates")
    client.force_login(personas.teacher_a1)
    assert client.get(url).status_code == 404
    with unchanged(Job):
        upload = csv_file(AGGREGATE_COLUMNS, GOOD)
        upload.name = "data.csv"
        assert client.post(url, {"file": upload}).status_code == 404
    assert client.get(url + "template.xlsx").status_code in (404,)
    client.force_login(personas.head_a)
    assert client.get(url).status_code == 200
    template = client.get(reverse("indicators:import_aggregates_template"))
    assert template.status_code == 200 and template.content.startswith(b"PK")


# --- Population ---------------------------------------------------------------------------------


POPULATION = [
    ["MA-TNG", "2025-2026", "6", "F", "10250"],
    ["MA-TNG", "2025-2026", "6", "M", "10400"],
    ["MA-FES", "2025/2026", "7", "f", "9800"],
]


def run_population(actor, rows, *, xlsx=False):
    stream = (xlsx_file if xlsx else csv_file)(POPULATION_COLUMNS, rows)
    return population_import(actor=actor, stream=stream, filename="p.xlsx" if xlsx else "p.csv")


def test_population_is_imported_then_cells_replaced(personas, catalogue) -> None:
    assert run_population(personas.national_admin, POPULATION) == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
    }
    cell = PopulationEstimate.objects.get(org_unit=personas.province_b)
    assert (cell.path, cell.age, cell.sex, cell.population) == (
        personas.province_b.path,
        7,
        "F",
        9800,
    )
    counts = run_population(
        None,
        [["MA-TNG", "2025-2026", 6, "F", 11000], ["MA-TNG", "2025-2026", 6, "M", 10400]],
        xlsx=True,
    )
    assert counts == {"created": 0, "updated": 1, "unchanged": 1}
    assert PopulationEstimate.objects.get(org_unit=personas.province_a, sex="F").population == 11000
    assert PopulationEstimate.objects.count() == 3  # the cell not in the file is kept
    assert AuditEntry.objects.filter(
        object_type="indicators.populationestimate", changes={"population": [10250, 11000]}
    ).exists()


BAD_POPULATION = [
    (["MA-XXX", "2025-2026", "6", "F", "10"], "province", "unité inconnue"),
    (["04101A", "2025-2026", "6", "F", "10"], "province", "mauvais niveau"),
    (["MA-TNG", "2031-2032", "6", "F", "10"], "year", "année scolaire inconnue"),
    (["MA-TNG", "2025-2026", "121", "F", "10"], "age", "au plus 120"),
    (["MA-TNG", "2025-2026", "6,5", "F", "10"], "age", "entier"),
    (["MA-TNG", "2025-2026", "6", "X", "10"], "sex", "attendu : M ou F"),
    (["MA-TNG", "2025-2026", "6", "F", "-10"], "population", "positif ou nul"),
    (["MA-TNG", "2025-2026", "6", "F", "beaucoup"], "population", "n'est pas un nombre"),
    (
        ["MA-TNG", "2025-2026", "6", "F", "10"],
        "population",
        "cellule en double : déjà à la ligne 2",
    ),
]


@pytest.mark.parametrize(
    ("row", "column", "reason"), BAD_POPULATION, ids=[b[2] for b in BAD_POPULATION]
)
def test_a_bad_population_row_refuses_the_file(personas, catalogue, row, column, reason) -> None:
    with unchanged(PopulationEstimate), pytest.raises(ImportRejected) as refused:
        run_population(personas.national_admin, [POPULATION[0], row])
    found = reasons(refused)
    assert len(found) == 1 and found[0][:2] == (3, column) and reason in found[0][2], found


def test_population_is_refused_to_all_but_the_catalogue_managers(
    client, personas, catalogue, tmp_path
) -> None:
    with unchanged(PopulationEstimate), pytest.raises(ImportRejected):
        run_population(personas.provincial_a, POPULATION)
    url = reverse("indicators:import_population")
    client.force_login(personas.provincial_a)
    assert client.get(url).status_code == 404
    client.force_login(personas.national_admin)
    assert client.get(url).status_code == 200
    good = tmp_path / "p.csv"
    good.write_bytes(csv_file(POPULATION_COLUMNS, POPULATION).getvalue())
    call_command("import_population", str(good))
    assert PopulationEstimate.objects.count() == 3


def test_an_upload_runs_as_a_job_through_the_kernels_pipeline(
    client, personas, catalogue, django_capture_on_commit_callbacks, run_jobs
):
    client.force_login(personas.head_a)
    upload = csv_file(AGGREGATE_COLUMNS, [GOOD[0], GOOD[1]])
    upload.name = "donnees.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("indicators:import_aggregates"), {"file": upload})
    assert response.status_code == 302
    run_jobs()
    job = Job.objects.get()
    assert job.status == "succeeded", job.result
    assert job.result["created"] == 2
    assert DataValue.objects.count() == 2
    # The same file from a school head of the other province: every row out of reach.
    client.force_login(personas.head_b)
    upload = csv_file(AGGREGATE_COLUMNS, [GOOD[0]])
    upload.name = "donnees.csv"
    with unchanged(DataValue):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("indicators:import_aggregates"), {"file": upload})
        run_jobs()
    rejected = Job.objects.exclude(pk=job.pk).get()
    assert rejected.status == "failed" and rejected.result["rejected"]
    assert "hors de votre périmètre" in rejected.result["problems"][0]["reason"]


def test_a_dry_run_checks_everything_and_writes_nothing(personas, catalogue) -> None:
    with unchanged(DataValue, PopulationEstimate):
        counts = aggregates_import(
            actor=personas.head_a,
            stream=csv_file(AGGREGATE_COLUMNS, GOOD[:3]),
            filename="data.csv",
            dry_run=True,
        )
        assert counts == {"rows": 3}
        counts = population_import(
            actor=None,
            stream=csv_file(POPULATION_COLUMNS, POPULATION),
            filename="p.csv",
            dry_run=True,
        )
        assert counts == {"rows": 3}


def test_the_checks_cost_the_same_queries_for_one_school_or_many(personas, catalogue) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pilotage.orgunits.tests.factories import make_school

    codes = ["04101A", *(make_school(personas.commune_a).org_unit.code for _ in range(4))]

    def rows(units: list[str]) -> list[list[str]]:
        return [
            [period, code, element, option, "1"]
            for code in units
            for period, element, option in (
                ("2025-2026", "classrooms", "total"),
                ("2025-2026", "toilets", "girls"),
                ("2025-11", "meals", "boys"),
            )
        ]

    counts = []
    # The first run also reads the importer's grants (then kept for the request).
    for units in (codes[:1], codes[:1], codes):
        with CaptureQueriesContext(connection) as queries:
            aggregates_import(
                actor=personas.national_admin,
                stream=csv_file(AGGREGATE_COLUMNS, rows(units)),
                filename="d.csv",
                dry_run=True,
            )
        counts.append(len(queries))
    assert counts[1] == counts[2]
