"""The dashboards: each role's landing page, the drill-down, the maps, the menu entry and
the home card, over facts rebuilt from school records made with the schooling factories.

Two years: 2024-2025 (school A: 3 pupils in 4AP) and 2025-2026, the current one (school A:
4 pupils in 5AP, 2 girls and 2 boys, one class, one qualified teacher; school B: 3 pupils
in 1AC, one class, no teacher).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest

from pilotage.accounts.services import role_assign
from pilotage.conftest import Personas
from pilotage.core.models import AuditEntry
from pilotage.core.tests.support import unchanged
from pilotage.indicators import home as indicators_home
from pilotage.indicators.engine import compute
from pilotage.indicators.facts import facts_rebuild
from pilotage.indicators.models import PupilFact
from pilotage.orgunits.models import AcademicYear
from pilotage.orgunits.services import academic_year_create
from pilotage.orgunits.tests.factories import make_school, make_unit
from pilotage.schooling.roles import SCHOOL_HEAD
from pilotage.schooling.structure import structure_load_morocco
from pilotage.schooling.tests.factories import enrol, make_class, make_pupil, make_teacher, teach

pytestmark = pytest.mark.django_db


@dataclass
class Data:
    p: Personas
    previous: AcademicYear
    year: AcademicYear


@pytest.fixture
def data(personas: Personas) -> Data:
    structure_load_morocco()
    previous = academic_year_create(actor=None, first_year=2024)
    year = academic_year_create(actor=None, first_year=2025, current=True)
    old = make_class(personas.school_a, previous, "4AP", "4AP-1")
    for sex in "FFM":
        enrol(make_pupil(sex=sex), old)
    a1 = make_class(personas.school_a, year, "5AP", "5AP-1")
    for sex in "FFMM":
        enrol(make_pupil(sex=sex), a1)
    b1 = make_class(personas.school_b, year, "1AC", "1AC-1")
    for sex in "FMM":
        enrol(make_pupil(sex=sex), b1)
    teach(make_teacher(personas.teacher_a1, personas.school_a), a1, "MATH")
    facts_rebuild()
    return Data(personas, previous, year)


def _html(response: Any) -> str:
    return response.content.decode()


def _json(response: Any, element_id: str) -> Any:
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', _html(response), re.S
    )
    assert match, f"no json_script {element_id}"
    return json.loads(match.group(1))


# -- landing page ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "code", "children"),
    [
        ("national_admin", "MA", {"MA-01", "MA-03"}),
        ("regional_officer", "MA-01", {"MA-TNG"}),
        ("provincial_a", "MA-TNG", {"MA-TNG-C001"}),
        ("provincial_b", "MA-FES", {"MA-FES-C001"}),
        ("head_a", "04101A", set()),
        ("head_b", "03201B", set()),
    ],
)
def test_each_role_lands_on_its_own_scope(client, data, persona, code, children) -> None:  # type: ignore[no-untyped-def]
    client.force_login(getattr(data.p, persona))
    response = client.get("/indicators/")
    assert response.status_code == 200
    assert response.context["unit"].code == code
    assert response.context["year"] == data.year
    page = _html(response)
    # The sub-units' links reach the drill-down of the children, and only of them.
    assert f"<bdi>{response.context['unit'].name}</bdi>" in page
    assert {c.code for c in response.context["overview"].children} == children
    linked = set(re.findall(r'href="/indicators/unit/([^/"]+)/\?', page)) - {code}
    assert linked == children


def test_key_indicators_show_value_previous_year_and_no_target(client, data) -> None:  # type: ignore[no-untyped-def]
    client.force_login(data.p.provincial_a)
    response = client.get("/indicators/")
    lines = {line["indicator"].code: line for line in response.context["lines"]}
    # Province A holds school A only: 4 pupils this year, 3 the year before.
    assert lines["enrolment"]["value"].value == 4
    assert lines["enrolment"]["previous"].value == 3
    assert lines["pupils_per_class"]["value"].value == 4
    assert lines["ptr"]["value"].value == 4
    assert lines["qualified_teachers_pct"]["value"].value == 100
    # No population: the enrolment ratios have no value and are left out.
    assert "ger" not in lines and "ner" not in lines
    page = _html(response)
    assert "Aucune cible n'est encore fixée" in page
    # Sex split of the focused indicator (enrolment): 2 girls, 2 boys, parity 1.
    split = response.context["split"]
    assert [(r["cells"], r["value"].value) for r in split["rows"]] == [
        (["Fille"], 2),
        (["Garçon"], 2),
    ]
    assert split["parity"][0]["gpia"] == 1
    trend = _json(response, "chart-trend")
    assert trend["categories"] == ["2024-2025", "2025-2026"]
    assert trend["series"][0]["data"] == [3, 4]
    assert trend["rtl"] is False


def test_several_tops_get_a_switcher(client, data) -> None:  # type: ignore[no-untyped-def]
    role_assign(actor=None, user=data.p.head_a, role=SCHOOL_HEAD, org_unit=data.p.school_b)
    client.force_login(data.p.head_a)
    response = client.get("/indicators/")
    assert response.context["unit"].code == "04101A"  # the first by path
    assert 'name="unit"' in _html(response)
    switched = client.get("/indicators/?unit=03201B")
    assert switched.context["unit"].code == "03201B"
    assert switched.context["lines"][0]["value"].value == 3


def test_the_bar_chart_is_sorted_and_links_to_the_drill_down(client, data) -> None:  # type: ignore[no-untyped-def]
    client.force_login(data.p.national_admin)
    bars = _json(client.get("/indicators/?indicator=enrolment"), "chart-bars")
    assert bars["series"][0]["data"] == [4, 3]  # region A (4 pupils), region B (3)
    assert bars["links"][0] == "/indicators/unit/MA-01/?year=2025-2026&indicator=enrolment"


def test_worst_gaps_first_with_targets(client, data, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The targets module is a stub on this branch: stand in for it."""

    def attach(code, values):  # type: ignore[no-untyped-def]
        for v in values:
            if code == "enrolment" and v.period == "2025-2026" and not v.dims:
                v.target = 10.0
                v.status = "off_track" if v.value < 10 else "on_track"
            if code == "pupils_per_class" and v.period == "2025-2026" and not v.dims:
                v.target = 3.5
                v.status = "at_risk"

    monkeypatch.setattr("pilotage.indicators.selectors.values.attach_targets", attach)
    client.force_login(data.p.national_admin)
    response = client.get("/indicators/")
    gaps = [(g["unit"].code, g["indicator"].code) for g in response.context["gaps"]]
    # Off track first, the furthest from its target first (3 of 10 before 4 of 10), then
    # at risk.
    assert gaps[:3] == [("MA-03", "enrolment"), ("MA-01", "enrolment"), ("MA", "enrolment")]
    assert gaps[3][1] == "pupils_per_class"
    page = _html(response)
    assert "Hors trajectoire" in page and "Aucune cible n'est encore fixée" not in page


def test_overdue_actions_are_rendered_when_the_view_provides_them(data) -> None:  # type: ignore[no-untyped-def]
    """The action plans put ``overdue_actions`` in the context; without it, no block."""
    import datetime as dt
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    action = SimpleNamespace(
        title="Former les enseignants", org_unit=data.p.school_a, due_date=dt.date(2026, 3, 9)
    )
    base = {"unit": data.p.country, "tops": [data.p.country], "breadcrumb": [data.p.country]}
    without = render_to_string("indicators/dashboard.html", base)
    assert "overdue-actions" not in without
    with_list = render_to_string("indicators/dashboard.html", {**base, "overdue_actions": [action]})
    assert "overdue-actions" in with_list
    assert "<bdi>Former les enseignants</bdi>" in with_list
    assert "09/03/2026" in with_list  # day first
    empty = render_to_string("indicators/dashboard.html", {**base, "overdue_actions": []})
    assert "Aucune action en retard." in empty


def test_the_dashboard_lists_the_readers_overdue_actions_of_its_unit(client, data) -> None:  # type: ignore[no-untyped-def]
    """selectors.actions.overdue_for, limited to the dashboard unit's subtree: what the
    reader owns or supervises there, late (due date passed, neither done nor cancelled)."""
    import datetime as dt

    from django.utils import timezone

    from pilotage.indicators.models import Action, ActionStatus
    from pilotage.indicators.services.actions import action_create

    def action(title, unit, owner, due, status=ActionStatus.PLANNED):  # type: ignore[no-untyped-def]
        made = action_create(
            actor=data.p.national_admin,
            title=title,
            owner=owner,
            org_unit=unit,
            start_date=dt.date(2025, 9, 15),
            due_date=due,
        )
        Action.objects.filter(pk=made.pk).update(status=status)
        return made

    late_a = action("Former les enseignants", data.p.school_a, data.p.head_a, dt.date(2026, 3, 9))
    late_b = action("Réparer les toilettes", data.p.school_b, data.p.head_b, dt.date(2026, 2, 1))
    action("Achevée", data.p.school_a, data.p.head_a, dt.date(2026, 1, 5), ActionStatus.DONE)
    action("À venir", data.p.school_a, data.p.head_a, timezone.localdate() + dt.timedelta(days=30))

    def listed(user, unit=None):  # type: ignore[no-untyped-def]
        client.force_login(user)
        response = client.get("/indicators/", {"unit": unit} if unit else {})
        assert response.status_code == 200
        return response, [a.pk for a in response.context["overdue_actions"]]

    response, pks = listed(data.p.national_admin)
    assert pks == [late_b.pk, late_a.pk]  # the most overdue first
    page = _html(response)
    assert (
        f'<a href="/indicators/actions/{late_a.pk}/"><bdi>Former les enseignants</bdi></a>' in page
    )
    assert "2 actions en retard" in page and "Achevée" not in page and "À venir" not in page
    assert listed(data.p.national_admin, "MA-TNG")[1] == [late_a.pk]
    assert listed(data.p.provincial_a)[1] == [late_a.pk]  # supervises school A only
    assert listed(data.p.head_b)[1] == [late_b.pk]  # owns it
    response, pks = listed(data.p.head_a)
    assert pks == [late_a.pk] and response.context["overdue_total"] == 1


@pytest.mark.parametrize("persona", ["teacher_a1", "parent_a", "agent"])
def test_no_dashboard_without_indicators(client, data, persona) -> None:  # type: ignore[no-untyped-def]
    client.force_login(getattr(data.p, persona))
    assert client.get("/indicators/").status_code == 404
    assert client.get("/indicators/unit/04101A/").status_code == 404
    home = _html(client.get("/"))
    assert 'href="/indicators/"' not in home


def test_dashboard_query_count(client, data, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    client.force_login(data.p.national_admin)
    client.get("/")  # session and scope settle
    # 3 request (session, user, the actor's grants; the menu reuses the cached scope)
    # + the grade ladder and the cycle ages, read once for the page (2)
    # + 1 tops + 1 years + 1 children (the country has no ancestor: no breadcrumb query)
    # + engine, one call per key indicator (10), each part one GROUP BY per depth (unit,
    #   children: 2): enrolment 1 part, ger 2, ner 2, repetition 1, dropout 1, ptr 2,
    #   pupils per class 2, qualified 1, absence 1, pass 1 → 2 × 14 = 28
    # + the targets of each call that has values (9: no marks, so no pass rate) → 9
    # + the sex split of the focused indicator: one GROUP BY and its targets → 2
    # + the overdue actions the reader owns or supervises in the unit's subtree: their
    #   count and the ten most overdue (selectors.actions.overdue_for) → 2.
    with django_assert_num_queries(3 + 2 + 3 + 28 + 9 + 2 + 2):
        response = client.get("/indicators/")
    assert response.status_code == 200


# -- drill-down -------------------------------------------------------------------------


def test_drill_down_keeps_year_indicator_and_split_to_the_school(client, data) -> None:  # type: ignore[no-untyped-def]
    client.force_login(data.p.national_admin)
    query = "?year=2025-2026&indicator=enrolment&by=sex"
    chain = ["MA", "MA-01", "MA-TNG", "MA-TNG-C001", "04101A"]
    for parent, child in zip(chain, chain[1:], strict=False):
        response = client.get(f"/indicators/unit/{parent}/{query}")
        assert response.status_code == 200
        page = _html(response).replace("&amp;", "&")
        assert f'href="/indicators/unit/{child}/{query}"' in page
        # and the other region is listed too, under the country only
        assert ("/indicators/unit/MA-03/" in page) == (parent == "MA")
    school = client.get(f"/indicators/unit/04101A/{query}")
    page = _html(school).replace("&amp;", "&")
    # breadcrumbs back up, keeping the parameters
    for ancestor in chain[:-1]:
        assert f'href="/indicators/unit/{ancestor}/{query}"' in page
    assert "Cette unité n'a pas de sous-unité." in page


def test_drill_down_split_shows_value_numerator_denominator_and_parity(client, data) -> None:  # type: ignore[no-untyped-def]
    client.force_login(data.p.regional_officer)
    response = client.get("/indicators/unit/MA-01/?indicator=pupils_per_class&by=grade")
    assert response.status_code == 200
    rows = response.context["split"]["rows"]
    assert [(r["cells"], r["value"].numerator, r["value"].denominator) for r in rows] == [
        (["5AP"], 4, 1)
    ]
    assert response.context["split"]["parity"] == []
    crossed = client.get("/indicators/unit/MA-01/?indicator=enrolment&by=sex,grade")
    cells = [(r["cells"], r["value"].value) for r in crossed.context["split"]["rows"]]
    assert cells == [(["Fille", "5AP"], 2), (["Garçon", "5AP"], 2)]
    parity = crossed.context["split"]["parity"]
    assert [(p["cells"], p["gpi"], p["gpia"]) for p in parity] == [("5AP", 1, 1)]
    assert "IPSA" in _html(crossed)
    # the split also comes as the checkboxes' repeated parameter
    same = client.get("/indicators/unit/MA-01/?indicator=enrolment&by=sex&by=grade")
    assert same.context["by"] == ("sex", "grade")


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("head_b", "/indicators/unit/04101A/"),  # head of school B opening school A
        ("head_a", "/indicators/unit/MA-TNG-C001/"),  # the commune above their school
        ("provincial_a", "/indicators/unit/MA-FES/"),  # another province
        ("provincial_a", "/indicators/unit/MA-01/map/"),  # the region above
        ("regional_officer", "/indicators/unit/MA-03/map/"),  # another region
        ("regional_officer", "/indicators/unit/NOPE/"),  # unknown: same answer
        ("provincial_a", "/indicators/?unit=MA-FES"),
    ],
)
def test_outsiders_get_404(client, data, persona, url) -> None:  # type: ignore[no-untyped-def]
    client.force_login(getattr(data.p, persona))
    with unchanged(PupilFact, AuditEntry):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/indicators/unit/MA/?by=bogus", "Unknown disaggregation"),
        ("/indicators/unit/MA/?indicator=ptr&by=sex", "cannot be split by"),
        ("/indicators/unit/MA/?indicator=nope", "Unknown indicator"),
        ("/indicators/unit/MA/?year=1999-2000", "Unknown academic year"),
        ("/indicators/?year=x", "Unknown academic year"),
        ("/indicators/?indicator=x", "Unknown indicator"),
        ("/indicators/unit/MA/map/?indicator=x", "Unknown indicator"),
        ("/indicators/unit/MA/map/?level=commune", "Pas de carte"),
        ("/indicators/unit/MA/map/?year=2030-2031", "Unknown academic year"),
    ],
)
def test_bad_parameters_show_the_message(client, data, url, message) -> None:  # type: ignore[no-untyped-def]
    client.force_login(data.p.national_admin)
    response = client.get(url)
    assert response.status_code == 400
    page = _html(response)
    assert message in page
    assert 'class="msg msg-error"' in page


def test_drill_down_query_count(client, data, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    client.force_login(data.p.national_admin)
    client.get("/")
    # 3 request (session, user, grants) + 1 unit + 1 its ancestors (breadcrumb) + 1 years
    # + 1 children
    # + ladder and ages, once for the page (2)
    # + engine for the unit and its children, every year: enrolment's one part for the
    #   unit and for the children (2), its targets (1)
    # + the split by sex: one GROUP BY, its targets (2).
    with django_assert_num_queries(3 + 4 + 2 + 3 + 2):
        response = client.get("/indicators/unit/MA-01/?indicator=enrolment&by=sex")
    assert response.status_code == 200


def test_drill_down_query_count_does_not_grow_with_the_tree(
    client, data, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(data.p.national_admin)
    client.get("/")
    url = "/indicators/unit/MA/?indicator=pupils_per_class"
    # 3 request + 1 unit + 1 years + 1 children; engine: ladder, ages, then pupils and
    # classes, each one GROUP BY for the country and one for all its regions → 6; the
    # values' targets → 1.
    with django_assert_num_queries(3 + 3 + 6 + 1) as before:
        client.get(url)
    # three more regions, each with a school that has a class and pupils
    for n in range(3):
        region = make_unit(data.p.country, code=f"MA-9{n}")
        commune = make_unit(make_unit(region, code=f"MA-P9{n}"), code=f"MA-P9{n}-C1")
        school = make_school(commune, code=f"99{n}00Z").org_unit
        enrol(make_pupil(), make_class(school, data.year, "1AP", f"1AP-{n}"))
    facts_rebuild()
    with django_assert_num_queries(len(before.captured_queries)):
        response = client.get(url)
    assert len(response.context["child_rows"]["rows"]) == 5


# -- maps ---------------------------------------------------------------------------------


def test_region_map_has_attribution_and_data_for_each_region(client, data) -> None:  # type: ignore[no-untyped-def]
    client.force_login(data.p.national_admin)
    response = client.get("/indicators/unit/MA/map/?indicator=enrolment")
    assert response.status_code == 200
    page = _html(response)
    assert "© OpenStreetMap contributors / morocco-map, ODbL" in page
    spec = _json(response, "map-data")
    assert spec["topology"].endswith("vendor/morocco-map/regions.json")
    assert spec["only"] is None
    units = {u["code"]: u for u in spec["units"]}
    assert set(units) == {"MA-01", "MA-03"}
    assert units["MA-01"]["value"] == 4 and units["MA-03"]["value"] == 3
    assert units["MA-01"]["url"] == "/indicators/unit/MA-01/?year=2025-2026&indicator=enrolment"


def test_province_map_of_a_region_keeps_its_provinces(client, data) -> None:  # type: ignore[no-untyped-def]
    client.force_login(data.p.regional_officer)
    response = client.get("/indicators/unit/MA-01/map/?indicator=qualified_teachers_pct")
    assert response.status_code == 200
    assert "© OpenStreetMap contributors / morocco-map, ODbL" in _html(response)
    spec = _json(response, "map-data")
    assert spec["topology"].endswith("vendor/morocco-map/provinces.json")
    assert spec["only"] == ["MA-TNG"]
    assert [(u["code"], u["value"]) for u in spec["units"]] == [("MA-TNG", 100)]
    assert spec["unit"] == "%"


def test_units_without_data_are_listed_with_no_value(client, data) -> None:  # type: ignore[no-untyped-def]
    client.force_login(data.p.national_admin)
    response = client.get(
        "/indicators/unit/MA/map/?level=province&indicator=qualified_teachers_pct"
    )
    units = {u["code"]: u["value"] for u in _json(response, "map-data")["units"]}
    assert units == {"MA-TNG": 100, "MA-FES": None}  # school B has no teacher
    assert "pas de données" in _html(response)


def test_map_query_count(client, data, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    client.force_login(data.p.national_admin)
    client.get("/")
    # 3 request (session, user, grants) + 1 unit + 1 years + 1 the provinces (the country
    # has no ancestor: no breadcrumb query) + engine: ladder, ages, one GROUP BY for every
    # province at once → 3; the values' targets → 1.
    with django_assert_num_queries(3 + 3 + 3 + 1):
        response = client.get("/indicators/unit/MA/map/?level=province")
    assert len(_json(response, "map-data")["units"]) == 2


def test_a_province_has_its_own_outline_and_nothing_has_a_map_below(client, data) -> None:  # type: ignore[no-untyped-def]
    """The geometries stop at the provinces: a provincial officer's map is their province
    (coloured by its own value); a commune or a school has none."""
    client.force_login(data.p.provincial_a)
    response = client.get("/indicators/unit/MA-TNG/map/")
    assert response.status_code == 200
    assert [u["code"] for u in _json(response, "map-data")["units"]] == ["MA-TNG"]
    assert client.get(f"/indicators/unit/{data.p.commune_a.code}/map/").status_code == 404


# -- languages ------------------------------------------------------------------------------


def test_arabic_pages_are_right_to_left_and_charts_mirrored(client, data) -> None:  # type: ignore[no-untyped-def]
    client.force_login(data.p.national_admin)
    client.cookies["django_language"] = "ar"
    response = client.get("/indicators/")
    page = _html(response)
    assert 'dir="rtl"' in page
    assert _json(response, "chart-trend")["rtl"] is True
    assert _json(response, "chart-trend")["locale"] == "ar-MA"
    assert "<bdi>" in page
    spec = _json(client.get("/indicators/unit/MA/map/"), "map-data")
    assert spec["rtl"] is True


def test_numbers_follow_the_locale(client, data) -> None:  # type: ignore[no-untyped-def]
    client.force_login(data.p.national_admin)
    # 7 pupils in 2 classes: 3.5 pupils per class, a decimal comma in French
    french = _html(client.get("/indicators/"))
    assert '<bdi dir="ltr">3,5</bdi>' in french
    client.cookies["django_language"] = "en"
    assert '<bdi dir="ltr">3.5</bdi>' in _html(client.get("/indicators/"))
    # no marks: no value, shown as a dash
    page = _html(client.get("/indicators/unit/MA-01/?indicator=mean_mark"))
    assert "<dd>—" in page


# -- menu and home card ----------------------------------------------------------------


def test_menu_entry_for_indicator_viewers(client, data) -> None:  # type: ignore[no-untyped-def]
    client.force_login(data.p.head_a)
    assert 'href="/indicators/"' in _html(client.get("/"))


def test_home_card_figures_match_the_engine(data, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    user = data.p.regional_officer
    # grants, tops, years, then one GROUP BY per fact table (pupils, classes, teachers)
    with django_assert_num_queries(6):
        card = indicators_home._key_figures(user)
    assert card is not None
    figures = card["figures"]
    region = data.p.region_a
    year = data.year

    def engine(code: str) -> float | None:
        (value,) = compute(code, units=[region], years=[year])
        return value.value

    assert figures.pupils == engine("enrolment") == 4
    assert figures.girls_pct == 50
    assert figures.pupils_per_class == engine("pupils_per_class")
    assert figures.pupils_per_teacher == engine("ptr")
    assert figures.qualified_pct == engine("qualified_teachers_pct")


def test_home_card_is_shown_to_viewers_only(client, data) -> None:  # type: ignore[no-untyped-def]
    assert indicators_home._key_figures(data.p.teacher_a1) is None
    client.force_login(data.p.provincial_a)
    page = _html(client.get("/"))
    assert "Ouvrir le tableau de bord" in page


def test_a_unit_page_leads_to_its_targets_and_to_setting_one(client, data) -> None:  # type: ignore[no-untyped-def]
    client.force_login(data.p.provincial_a)
    body = _html(client.get(f"/indicators/unit/{data.p.school_a.code}/?year={data.year.code}"))
    query = f"?unit={data.p.school_a.code}&amp;year={data.year.code}"
    assert f'href="/indicators/targets/{query}"' in body
    assert f'href="/indicators/targets/new/{query}"' in body
    client.force_login(data.p.head_a)  # sees the school's targets, does not set them
    body = _html(client.get(f"/indicators/unit/{data.p.school_a.code}/?year={data.year.code}"))
    assert f'href="/indicators/targets/{query}"' in body
    assert "/indicators/targets/new/" not in body
