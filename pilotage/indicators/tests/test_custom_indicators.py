"""Custom indicator values (Σ numerator / Σ denominator over each unit's subtree) and the
page that lists, creates and edits them."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.urls import reverse

from pilotage.core.models import AuditEntry
from pilotage.core.tests.support import unchanged
from pilotage.indicators import custom
from pilotage.indicators.custom import custom_values
from pilotage.indicators.models import CustomIndicator
from pilotage.indicators.services.aggregates import data_values_save
from pilotage.indicators.services.custom import custom_indicator_save
from pilotage.indicators.tests.aggregates_support import catalogue_fixture  # noqa: F401 - fixture
from pilotage.orgunits.tests.factories import make_school

pytestmark = pytest.mark.django_db


def enter(catalogue, unit, values, period=None, data_set=None):
    data_values_save(
        actor=None,
        data_set=data_set or catalogue.census,
        org_unit=unit,
        period=period or catalogue.year,
        values=values,
    )


def indicator(**kw: object) -> CustomIndicator:
    code = str(kw.pop("code", "ind"))
    fields = {"name_fr": "Indicateur", "numerator": "#{toilets.girls}", "denominator": "", **kw}
    return custom_indicator_save(actor=None, code=code, **fields)  # type: ignore[arg-type]


def test_the_parent_is_the_ratio_of_sums_not_the_mean_of_ratios(personas, catalogue) -> None:
    """Two schools of one commune at 1/2 and 30/40: the commune is 31/42, not the mean of
    0.5 and 0.75 (the aggregation rule of UIS ratios, Σ numerator / Σ denominator)."""
    second = make_school(personas.commune_a, code="04102B").org_unit
    enter(catalogue, personas.school_a, {("toilets", "girls"): "1", ("classrooms", "total"): "2"})
    enter(catalogue, second, {("toilets", "girls"): "30", ("classrooms", "total"): "40"})
    enter(catalogue, personas.school_b, {("toilets", "girls"): "500", ("classrooms", "total"): "1"})
    ratio = indicator(denominator="#{classrooms}")
    values = custom_values(
        ratio, units=[personas.school_a, second, personas.commune_a], years_or_periods=["2025-2026"]
    )
    assert [(v.unit, v.numerator, v.denominator) for v in values] == [
        ("04101A", Decimal(1), Decimal(2)),
        ("04102B", Decimal(30), Decimal(40)),
        ("MA-TNG-C001", Decimal(31), Decimal(42)),
    ]
    assert values[2].value == Decimal(31) / Decimal(42)
    assert values[2].value != (Decimal("0.5") + Decimal("0.75")) / 2


def test_options_factor_and_monthly_values_summed_into_the_year(personas, catalogue) -> None:
    enter(catalogue, personas.school_a, {("toilets", "girls"): "3", ("toilets", "boys"): "1"})
    for month, figure in (("2025-10", "100"), ("2025-11", "120")):
        enter(
            catalogue,
            personas.school_a,
            {("meals", "girls"): figure},
            period=type(catalogue.month).objects.get(code=month),
            data_set=catalogue.monthly,
        )
    share = indicator(
        numerator="#{toilets.girls}", denominator="#{toilets}", factor=Decimal(100), unit="%"
    )
    meals = indicator(code="meals", numerator="#{meals}")
    [value] = custom_values(share, units=[personas.country], years_or_periods=["2025-2026"])
    assert value.value == Decimal(75)
    results = custom_values(
        meals, units=[personas.province_a], years_or_periods=["2025-2026", "2025Q4", "2025-11"]
    )
    assert [(v.period, v.value) for v in results] == [
        ("2025-2026", Decimal(220)),
        ("2025Q4", Decimal(220)),
        ("2025-11", Decimal(120)),
    ]
    [empty] = custom_values(share, units=[personas.province_b], years_or_periods=["2025-2026"])
    assert empty.value is None  # 0 / 0: no value, not an error


@dataclass
class FakeValue:
    unit: str
    period: str
    numerator: int | None
    denominator: int | None
    value: float | None = None


def test_builtin_parts_come_from_the_engine_summed_over_cycles(
    personas, catalogue, monkeypatch
) -> None:
    calls = []

    def compute(code, *, units, years, by=()):
        calls.append((code, [u.code for u in units], [y.code for y in years], by))
        return [FakeValue(u.code, y.code, 100, 80) for u in units for y in years] + [
            FakeValue(u.code, y.code, 20, 10) for u in units for y in years
        ]  # a second cycle

    fake = types.ModuleType("pilotage.indicators.engine")
    fake.compute = compute  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pilotage.indicators.engine", fake)
    monkeypatch.setattr("pilotage.indicators.engine", fake, raising=False)
    enter(catalogue, personas.school_a, {("classrooms", "total"): "4"})
    per_classroom = indicator(numerator="ger.numerator", denominator="#{classrooms}")
    [value] = custom_values(
        per_classroom, units=[personas.province_a], years_or_periods=["2025-2026"]
    )
    assert calls == [("ger", ["MA-TNG"], ["2025-2026"], ())]
    assert (value.numerator, value.denominator, value.value) == (
        Decimal(120),
        Decimal(4),
        Decimal(30),
    )
    # A month has no built-in value: no value, and the engine is not asked.
    calls.clear()
    [monthly] = custom_values(
        per_classroom, units=[personas.province_a], years_or_periods=["2025-11"]
    )
    assert monthly.value is None and calls == []
    assert custom  # the module under test


# --- The page -----------------------------------------------------------------------------------


URL = reverse("indicators:custom_create")


def form(**kw: str) -> dict[str, str]:
    return {
        "code": "girls_share",
        "name_fr": "Part des toilettes pour filles",
        "name_ar": "",
        "name_en": "",
        "numerator": "#{toilets.girls}",
        "denominator": "#{toilets}",
        "factor": "100",
        "unit": "%",
        "higher_is_better": "on",
        "description": "",
        **kw,
    }


def test_the_national_admin_creates_and_edits_an_indicator(client, personas, catalogue) -> None:
    client.force_login(personas.national_admin)
    blank = client.get(URL).content.decode()
    # The codes a formula may use are listed under the form.
    assert '<code dir="ltr">ger</code>' in blank and '<code dir="ltr">toilets</code>' in blank
    response = client.post(URL, form())
    assert response.status_code == 302
    created = CustomIndicator.objects.get(code="girls_share")
    assert created.created_by == personas.national_admin and created.factor == 100
    assert AuditEntry.objects.filter(
        object_type="indicators.customindicator", action="create"
    ).exists()
    page = client.get(reverse("indicators:custom_list")).content.decode()
    assert "girls_share" in page and "#{toilets.girls}" in page
    edit = reverse("indicators:custom_edit", args=["girls_share"])
    assert client.post(edit, form(numerator="#{toilets.boys}", code="other")).status_code == 302
    created.refresh_from_db()
    assert created.numerator == "#{toilets.boys}" and created.code == "girls_share"
    entry = AuditEntry.objects.get(object_type="indicators.customindicator", action="update")
    assert entry.changes == {"numerator": ["#{toilets.girls}", "#{toilets.boys}"]}


@pytest.mark.parametrize(
    ("field", "text", "reason"),
    [
        ("numerator", "#{desks}", "élément de données inconnu"),
        ("numerator", "#{toilets.girls} +", "formule mal formée"),
        ("denominator", "__import__(&#x27;os&#x27;)", "appel de fonction interdit"),
        ("denominator", "#{toilets} / 0", "division par zéro"),
    ],
)
def test_the_form_shows_the_formula_problem_and_saves_nothing(
    client, personas, catalogue, field, text, reason
) -> None:
    client.force_login(personas.national_admin)
    with unchanged(CustomIndicator):
        response = client.post(URL, form(**{field: text.replace("&#x27;", "'")}))
    page = response.content.decode()
    assert response.status_code == 200
    assert reason in page
    assert text in page  # the typed formula is kept


@pytest.mark.parametrize(
    "who", ["provincial_a", "regional_officer", "head_a", "teacher_a1", "agent"]
)
def test_others_get_404_and_write_nothing(client, personas, catalogue, who) -> None:
    indicator(code="existing")
    client.force_login(getattr(personas, who))
    assert client.get(reverse("indicators:custom_list")).status_code == 404
    with unchanged(CustomIndicator):
        assert client.post(URL, form()).status_code == 404
        edit = reverse("indicators:custom_edit", args=["existing"])
        assert client.post(edit, form(numerator="#{classrooms}")).status_code == 404


def test_the_list_costs_a_fixed_number_of_queries(
    client, personas, catalogue, django_assert_num_queries
) -> None:
    for n in range(5):
        indicator(code=f"ind{n}")
    client.force_login(personas.national_admin)
    client.get(reverse("indicators:custom_list"))
    # session, user, the user's grants, the indicators.
    with django_assert_num_queries(4):
        assert client.get(reverse("indicators:custom_list")).status_code == 200


def test_an_indicator_is_deleted_by_the_national_admin_only(client, personas, catalogue) -> None:
    indicator(code="old")
    url = reverse("indicators:custom_delete", args=["old"])
    client.force_login(personas.provincial_a)
    with unchanged(CustomIndicator):
        assert client.post(url).status_code == 404
    client.force_login(personas.national_admin)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not CustomIndicator.objects.filter(code="old").exists()
    assert AuditEntry.objects.filter(
        object_type="indicators.customindicator", action="delete"
    ).exists()
