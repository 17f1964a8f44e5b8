"""The pivot table: layout (rows, columns, filters, nested axes), scoping, the cell cap, the
CSV and XLSX files read back, and the page's query count.

Facts (written directly; the engine's own tests cover how they are computed from records):

    unit                         2024-2025        2025-2026
    school A (region A, 5AP)     F 25  M 25       F 30  M 20     pass: 40 of 50 assessed (2025)
    school B (region B, 1AC)     —                F 10  M 14     pass: 12 of 24 assessed (2025)

So enrolment 2025-2026: Maroc 74 (F 40, M 34), region A 50, region B 24; 2024-2025:
Maroc 50, region A 50, region B none. Pass rate 2025-2026: Maroc 52 / 74 = 70.3 %.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pytest
from openpyxl import load_workbook

from pilotage.indicators import pivot as pivot_module
from pilotage.indicators.models import PupilFact
from pilotage.indicators.pivot import MAX_CELLS, PivotQuery, cell_estimate, dimension_members
from pilotage.orgunits.models import AcademicYear, OrgUnit
from pilotage.orgunits.services import academic_year_create
from pilotage.orgunits.tests.factories import make_school, make_unit
from pilotage.schooling.models import GradeLevel
from pilotage.schooling.structure import structure_load_morocco

pytestmark = pytest.mark.django_db

URL = "/indicators/pivot/"


@dataclass
class Facts:
    y1: AcademicYear
    y2: AcademicYear


def fact(school: OrgUnit, year: AcademicYear, grade: str, sex: str, n: int, **kw: int) -> None:
    level = GradeLevel.objects.get(code=grade)
    PupilFact.objects.create(
        school=school,
        path=school.path,
        academic_year=year,
        milieu="urbain",
        sector="public",
        cycle=level.cycle,
        grade_level=level,
        sex=sex,
        enrolled=n,
        **kw,
    )


def build_facts(personas) -> Facts:  # type: ignore[no-untyped-def]
    """The facts of the module docstring (test_reports.py uses them too)."""
    structure_load_morocco()
    y1 = academic_year_create(actor=None, first_year=2024)
    y2 = academic_year_create(actor=None, first_year=2025, current=True)
    a, b = personas.school_a, personas.school_b
    fact(a, y1, "5AP", "F", 25)
    fact(a, y1, "5AP", "M", 25)
    fact(a, y2, "5AP", "F", 30, assessed=30, passed=25)
    fact(a, y2, "5AP", "M", 20, assessed=20, passed=15)
    fact(b, y2, "1AC", "F", 10, assessed=10, passed=7)
    fact(b, y2, "1AC", "M", 14, assessed=14, passed=5)
    return Facts(y1, y2)


@pytest.fixture
def facts(personas) -> Facts:  # type: ignore[no-untyped-def]
    return build_facts(personas)


def table(html: str) -> list[list[str]]:
    """The pivot table's cells as text, header row first."""
    import re

    body = html.split('<table class="table pivot">', 1)[1].split("</table>", 1)[0]
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)
        rows.append([re.sub(r"<[^>]+>", "", c).replace("\xa0", " ").strip() for c in cells])
    return rows


def get(client, user, **params):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client.get(URL, params)


BOTH = ["2024-2025", "2025-2026"]


def test_rows_units_columns_years(client, facts, personas) -> None:  # type: ignore[no-untyped-def]
    response = get(client, personas.national_admin, unit="MA", units="children", year=BOTH)
    assert response.status_code == 200
    assert table(response.content.decode()) == [
        ["Unité", "2024-2025", "2025-2026"],
        ["Maroc", "50", "74"],
        ["Fès-Meknès", "—", "24"],
        ["Tanger-Tétouan-Al Hoceïma", "50", "50"],
    ]


def test_filter_by_sex_and_indicator_caption(client, facts, personas) -> None:  # type: ignore[no-untyped-def]
    response = get(client, personas.national_admin, unit="MA", units="children", year=BOTH, sex="F")
    html = response.content.decode()
    assert table(html)[1] == ["Maroc", "25", "40"]
    filters = html.split('class="pivot-filters"')[1].split("</dl>")[0]
    assert "Effectifs scolarisés" in filters and "Fille" in filters


def test_columns_by_sex_rows_by_indicator_and_nested_units(client, facts, personas) -> None:  # type: ignore[no-untyped-def]
    response = get(
        client,
        personas.national_admin,
        unit="MA",
        units="children",
        year="2025-2026",
        ind=["enrolment", "pass_rate"],
        rows="indicator",
        cols="sex",
    )
    rows = table(response.content.decode())
    # The units axis has three members: it is nested in the rows, after the indicators.
    assert rows[0] == ["Indicateur", "Unité", "Garçon", "Fille"]
    assert rows[1] == ["Effectifs scolarisés", "Maroc", "34", "40"]
    assert rows[2] == ["", "Fès-Meknès", "14", "10"]  # the group's label is not repeated
    assert rows[4] == ["Taux de réussite", "Maroc", "58,8 %", "80,0 %"]
    assert len(rows) == 7


def test_cells_carry_numerator_and_denominator(client, facts, personas) -> None:  # type: ignore[no-untyped-def]
    response = get(
        client,
        personas.national_admin,
        unit="MA",
        units="self",
        year="2025-2026",
        ind="pass_rate",
        detail="1",
    )
    html = response.content.decode()
    assert table(html)[1][1].startswith("70,3 %")
    assert "Numérateur : 52 · dénominateur : 74" in html
    assert "52 / 74" in html  # shown under the value on demand (phones have no tooltips)


def test_a_provincial_officer_drills_into_their_province(client, facts, personas) -> None:  # type: ignore[no-untyped-def]
    response = get(client, personas.provincial_a, year="2025-2026")
    rows = table(response.content.decode())
    assert rows[1] == ["Préfecture de Tanger-Assilah", "50"]
    assert rows[2] == ["Commune de Gueznaia", "50"]
    assert "unit=MA-TNG-C001&amp;units=children" in response.content.decode()


def test_htmx_gets_the_table_alone(client, facts, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.national_admin)
    response = client.get(URL, {"unit": "MA", "year": "2025-2026"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and '<table class="table pivot">' in html
    assert "/indicators/pivot/export.xlsx?unit=MA&amp;year=2025-2026" in html


@pytest.mark.parametrize(
    ("persona", "unit"),
    [
        ("provincial_b", "MA-TNG"),
        ("head_a", "MA"),
        ("head_a", "03201B"),
        ("regional_officer", "MA-03"),
        ("national_admin", "NOPE"),
    ],
)
def test_out_of_scope_unit_is_404(client, facts, personas, persona, unit) -> None:  # type: ignore[no-untyped-def]
    user = getattr(personas, persona)
    assert get(client, user, unit=unit).status_code == 404
    for export in ("export.csv", "export.xlsx"):
        assert client.get(URL + export, {"unit": unit}).status_code == 404


@pytest.mark.parametrize("persona", ["teacher_a1", "parent_a", "agent"])
def test_who_sees_no_indicators_gets_404(client, facts, personas, persona) -> None:  # type: ignore[no-untyped-def]
    assert get(client, getattr(personas, persona)).status_code == 404


def test_anonymous_is_sent_to_login(client, facts) -> None:  # type: ignore[no-untyped-def]
    assert client.get(URL).status_code == 302


def test_too_many_cells_are_refused_before_computing(client, facts, personas, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def boom(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("values computed for a refused table")

    monkeypatch.setattr(pivot_module, "values_for", boom)
    monkeypatch.setattr(pivot_module, "MAX_CELLS", 10)
    # 2 indicators × 3 units × 2 years × 2 sexes = 24 cells > 10.
    response = get(
        client,
        personas.national_admin,
        unit="MA",
        units="children",
        year=BOTH,
        ind=["enrolment", "pass_rate"],
        sex="*",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "jusqu&#x27;à 24 cellules" in html and "plus que les 10 permises" in html
    assert '<table class="table pivot">' not in html


def test_the_real_cap_counts_every_split(facts, personas) -> None:  # type: ignore[no-untyped-def]
    members = dimension_members()
    grades = len(members["grade"])
    years = tuple(AcademicYear.objects.all())
    query = PivotQuery(
        indicators=("ger",),  # per cycle: ×3 unless the cycle is split or filtered
        units=(personas.country, personas.region_a, personas.region_b),
        years=years,
        split=("sex", "grade"),
    )
    assert cell_estimate(query, members) == 3 * 2 * 2 * grades * 3
    units = tuple(OrgUnit.objects.all()) * 200  # 1 800 "units"
    big = PivotQuery(indicators=("enrolment",), units=units, years=years, split=("sex", "grade"))
    assert cell_estimate(big, members) > MAX_CELLS


def test_a_split_the_indicator_does_not_allow_is_explained(client, facts, personas) -> None:  # type: ignore[no-untyped-def]
    response = get(client, personas.national_admin, unit="MA", ind="ptr", sex="*")
    html = response.content.decode()
    assert "Élèves par enseignant" in html and "ne se ventile pas par sexe" in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"rows": "period", "cols": "period"}, "deux axes différents"),
        ({"year": "1999-2000"}, "valeur inconnue « 1999-2000 »"),
        ({"ind": "nope"}, "valeur inconnue « nope »"),
        ({"sex": "X"}, "valeur inconnue « X »"),
        ({"units": "level", "level": "pays"}, "un niveau situé sous"),
    ],
)
def test_bad_choices_get_a_message(client, facts, personas, params, message) -> None:  # type: ignore[no-untyped-def]
    response = get(client, personas.national_admin, unit="MA", **params)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert client.get(URL + "export.csv", {"unit": "MA", **params}).status_code == 400


def test_descendants_of_one_level(client, facts, personas) -> None:  # type: ignore[no-untyped-def]
    response = get(
        client,
        personas.national_admin,
        unit="MA",
        units="level",
        level="etablissement",
        year="2025-2026",
    )
    assert table(response.content.decode())[1:] == [
        ["Maroc", "74"],
        ["Collège Al Massira", "24"],
        ["École primaire Ibn Battouta", "50"],
    ]


EXPORT = {
    "unit": "MA",
    "units": "children",
    "year": BOTH,
    "sex": "F",
}


def test_csv_export_reads_back(client, facts, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.national_admin)
    response = client.get(URL + "export.csv", {**EXPORT, "ind": "pass_rate", "year": "2025-2026"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="tableau-MA-2025-2026.csv"'
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Indicateur", "Sexe", "Unité", "2025-2026"]
    assert rows[1] == ["Taux de réussite", "Fille", "Maroc", "80"]
    assert rows[2] == ["Taux de réussite", "Fille", "Fès-Meknès", "70"]
    assert rows[3] == ["Taux de réussite", "Fille", "Tanger-Tétouan-Al Hoceïma", "83,3333"]


def test_xlsx_export_reads_back(client, facts, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.national_admin)
    response = client.get(URL + "export.xlsx", EXPORT)
    assert response.status_code == 200
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="tableau-MA-2024-2025_2025-2026.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows == [
        ["Indicateur", "Sexe", "Unité", "2024-2025", "2025-2026"],
        ["Effectifs scolarisés", "Fille", "Maroc", 25, 40],
        ["Effectifs scolarisés", "Fille", "Fès-Meknès", None, 10],
        ["Effectifs scolarisés", "Fille", "Tanger-Tétouan-Al Hoceïma", 25, 30],
    ]


def test_a_label_is_never_a_formula(client, facts, personas) -> None:  # type: ignore[no-untyped-def]
    region = personas.fresh(personas.region_b)
    region.name_fr = "=HYPERLINK(1)"
    region.save(update_fields=["name_fr"])
    client.force_login(personas.national_admin)
    params = {"unit": "MA", "units": "children", "year": "2025-2026"}
    sheet = load_workbook(io.BytesIO(client.get(URL + "export.xlsx", params).content)).active
    cell = sheet["B3"] if sheet["B3"].value == "=HYPERLINK(1)" else sheet["A3"]
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s"
    text = client.get(URL + "export.csv", params).content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text


def test_arabic_page_is_right_to_left(client, facts, personas) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.national_admin)
    client.cookies["django_language"] = "ar"
    html = client.get(URL, {"unit": "MA", "year": "2025-2026"}).content.decode()
    assert 'dir="rtl"' in html
    assert "<bdi>المغرب</bdi>" in html


def test_page_query_count_is_fixed(client, facts, personas, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.national_admin)
    params = {"unit": "MA", "units": "children", "year": BOTH, "ind": ["enrolment", "pass_rate"]}
    client.get(URL, params)  # warm the per-process caches (menu, grades of the catalogue)
    # session, user, role assignments (scope); the unit; the years; the grades (the
    # disaggregations' members); its children; per indicator: grades and cycle ages for
    # the engine, then one GROUP BY per unit depth (the unit, its children) = 4 × 2; then
    # the form: the top unit, its children, the years, the levels.
    with django_assert_num_queries(19):
        response = client.get(URL, params)
    assert response.status_code == 200
    # Another region with a school and its facts: the same number of queries.
    region = make_unit(personas.country, code="MA-05", name_fr="Béni Mellal-Khénifra")
    province = make_unit(region, code="MA-BEM")
    school = make_school(make_unit(province), code="05101C").org_unit
    fact(school, facts.y2, "5AP", "F", 7)
    with django_assert_num_queries(19):
        response = client.get(URL, params)
    assert ["Béni Mellal-Khénifra", "Effectifs scolarisés", "—", "7"] in table(
        response.content.decode()
    )


def test_too_many_sub_units_are_refused_before_they_are_read(
    client, facts, personas, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(pivot_module, "MAX_CELLS", 1)
    response = get(client, personas.national_admin, unit="MA", units="level", level="etablissement")
    assert "plus que les 1 permises" in response.content.decode()


def test_a_filter_without_values_is_still_named(client, facts, personas) -> None:  # type: ignore[no-untyped-def]
    response = get(client, personas.national_admin, unit="MA", year="2025-2026", milieu="rural")
    html = response.content.decode()
    filters = html.split('class="pivot-filters"')[1].split("</dl>")[0]
    assert "Rural" in filters
    assert table(html)[1] == ["Maroc", "—"]
