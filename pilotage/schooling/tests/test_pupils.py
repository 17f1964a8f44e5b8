"""The pupil search (/schooling/pupils/): by code Massar, by name in either script (Latin
accents and case aside, Arabic as typed), narrowed to a class or a school, among the pupils
the reader sees; the same selector answers the API."""

from __future__ import annotations

import re

import pytest

from pilotage.accounts.tests.factories import UserFactory
from pilotage.schooling.selectors import fold_latin, pupils_search
from pilotage.schooling.tests.factories import enrol, make_class, make_pupil
from pilotage.schooling.tests.test_api import bearer

pytestmark = pytest.mark.django_db


def codes(body: str) -> set[str]:
    return set(re.findall(r'href="/schooling/pupils/([A-Z][0-9]{9})/"', body))


@pytest.fixture
def named(personas, school_year):  # type: ignore[no-untyped-def]
    """Two pupils of class A1 with accented names, one of class B1 with the same name."""
    benani = make_pupil(
        last_name="Bénani", first_name="Zoé", last_name_ar="الفاسي", first_name_ar="زينب"
    )
    cherkaoui = make_pupil(
        last_name="CHERKAOUI", first_name="Anaïs", last_name_ar="الشرقاوي", first_name_ar="أنس"
    )
    enrol(benani, school_year.class_a1)
    enrol(cherkaoui, school_year.class_a1)
    other = make_pupil(last_name="Benani", first_name="Zoe", last_name_ar="الفاسي")
    enrol(other, school_year.class_b1)
    return benani, cherkaoui, other


def test_fold_latin_strips_accents_and_case() -> None:
    assert fold_latin("ÉLÈVE Anaïs Œuvre") == "eleve anais oeuvre"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("benani", {"benani"}),  # no accent typed, one in the name
        ("BÉNANI", {"benani"}),  # capitals and accent typed
        ("zoe benani", {"benani"}),  # first and last names, in either order
        ("cherkaoui anais", {"cherkaoui"}),
        ("الفاسي", {"benani"}),  # Arabic as typed
        ("أنس", {"cherkaoui"}),
        ("énan", {"benani"}),  # a part of the name
        ("benani tazi", set()),  # every word must match
    ],
)
def test_search_by_name_in_either_script(personas, named, query: str, expected: set[str]) -> None:  # type: ignore[no-untyped-def]
    benani, cherkaoui, _other = named
    found = set(pupils_search(personas.head_a, query).values_list("code_massar", flat=True))
    by_key = {"benani": benani.code_massar, "cherkaoui": cherkaoui.code_massar}
    assert found == {by_key[k] for k in expected}


def test_search_by_code_massar_start_in_any_case(personas, named) -> None:  # type: ignore[no-untyped-def]
    benani = named[0]
    start = benani.code_massar[:8].lower()
    found = list(pupils_search(personas.head_a, start).values_list("code_massar", flat=True))
    assert benani.code_massar in found
    assert list(pupils_search(personas.head_a, benani.code_massar)) == [benani]


def test_search_is_scoped_to_the_reader(client, personas, school_year, named) -> None:  # type: ignore[no-untyped-def]
    benani, _cherkaoui, other = named
    client.force_login(personas.head_a)
    body = client.get("/schooling/pupils/", {"q": "benani"}).content.decode()
    assert codes(body) == {benani.code_massar}  # not the namesake of school B
    client.force_login(personas.head_b)
    assert codes(client.get("/schooling/pupils/", {"q": "benani"}).content.decode()) == {
        other.code_massar
    }
    client.force_login(personas.regional_officer)  # region A: school A only
    assert codes(client.get("/schooling/pupils/", {"q": "benani"}).content.decode()) == {
        benani.code_massar
    }
    client.force_login(personas.national_admin)
    assert codes(client.get("/schooling/pupils/", {"q": "benani"}).content.decode()) == {
        benani.code_massar,
        other.code_massar,
    }


def test_teacher_finds_the_pupils_they_teach_only(client, personas, school_year, named) -> None:  # type: ignore[no-untyped-def]
    untaught = make_class(personas.school_a, school_year.year, "6AP", "6AP-1")
    stranger = make_pupil(last_name="Bénani", first_name="Adam")
    enrol(stranger, untaught)
    client.force_login(personas.teacher_a1)
    body = client.get("/schooling/pupils/", {"q": "benani"}).content.decode()
    assert codes(body) == {named[0].code_massar}


@pytest.mark.parametrize("persona", ["parent_a", "agent"])
def test_who_sees_no_school_gets_404(client, personas, school_year, persona: str) -> None:  # type: ignore[no-untyped-def]
    client.force_login(getattr(personas, persona))
    assert client.get("/schooling/pupils/").status_code == 404
    assert client.get("/schooling/pupils/", {"q": "J"}).status_code == 404


def test_class_and_school_filters(client, personas, school_year, named) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.national_admin)
    a1 = {p.code_massar for p in school_year.pupils_a1} | {p.code_massar for p in named[:2]}
    body = client.get("/schooling/pupils/", {"classe": school_year.class_a1.pk}).content.decode()
    assert codes(body) == a1
    body = client.get("/schooling/pupils/", {"ecole": "03201B"}).content.decode()
    assert codes(body) == {p.code_massar for p in school_year.pupils_b1} | {named[2].code_massar}
    body = client.get("/schooling/pupils/", {"ecole": "03201B", "q": "benani"}).content.decode()
    assert codes(body) == {named[2].code_massar}
    # A school outside the reader's reach is a 404, not an empty list.
    client.force_login(personas.head_a)
    assert client.get("/schooling/pupils/", {"ecole": "03201B"}).status_code == 404
    assert client.get("/schooling/pupils/", {"ecole": "NOPE"}).status_code == 404
    # Another school's class only narrows what the reader sees: nothing.
    body = client.get("/schooling/pupils/", {"classe": school_year.class_b1.pk}).content.decode()
    assert codes(body) == set()


def test_results_show_name_code_class_and_school(client, personas, school_year, named) -> None:  # type: ignore[no-untyped-def]
    benani = named[0]
    client.force_login(personas.head_a)
    body = client.get("/schooling/pupils/", {"q": benani.code_massar}).content.decode()
    assert f"<bdi>{benani.code_massar}</bdi>" in body
    assert "<bdi>5AP-1</bdi>" in body
    assert "École primaire Ibn Battouta" in body
    assert '<bdi lang="fr">Bénani Zoé</bdi>' in body
    body = client.get(
        "/schooling/pupils/", {"q": benani.code_massar}, HTTP_ACCEPT_LANGUAGE="ar"
    ).content.decode()
    # The reader's script first: in Arabic, the Arabic name leads.
    assert 'dir="rtl"' in body
    assert body.index('<bdi lang="ar">الفاسي زينب</bdi>') < body.index(
        '<bdi lang="fr">Bénani Zoé</bdi>'
    )


def test_htmx_request_gets_the_results_only(client, personas, school_year, named) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.head_a)
    body = client.get("/schooling/pupils/", {"q": "benani"}, HTTP_HX_REQUEST="true")
    html = body.content.decode()
    assert "<html" not in html and 'class="table pupil-results"' in html
    assert codes(html) == {named[0].code_massar}
    page = client.get("/schooling/pupils/").content.decode()
    assert 'hx-get="/schooling/pupils/"' in page and 'hx-target="#pupil-results"' in page


def test_list_is_paginated_with_a_fixed_number_of_queries(
    client, personas, school_year, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.head_a)
    # session, user, scope (assignments), current year, classes of the filter, count,
    # page of pupils, their latest enrolments (with school and class), menu: none per row.
    with django_assert_max_num_queries(10) as first:
        assert client.get("/schooling/pupils/", {"q": "a"}).status_code == 200
    for _ in range(60):
        enrol(make_pupil(), school_year.class_a1)
    with django_assert_max_num_queries(len(first.captured_queries)):
        body = client.get("/schooling/pupils/", {"q": "a"}).content.decode()
    assert len(codes(body)) == 50  # a page
    assert 'rel="next"' in body and "q=a&amp;page=2" in body


def test_the_api_uses_the_same_search(client, personas, school_year, named) -> None:  # type: ignore[no-untyped-def]
    benani = named[0]
    auth = bearer(personas.head_a)
    data = client.get("/api/v1/schooling/pupils", {"q": "zoe BENANI"}, **auth).json()
    assert [p["code_massar"] for p in data["items"]] == [benani.code_massar]
    data = client.get("/api/v1/schooling/pupils", {"q": "الفاسي"}, **auth).json()
    assert [p["code_massar"] for p in data["items"]] == [benani.code_massar]


def test_no_role_no_menu_entry_needed(client, school_year) -> None:  # type: ignore[no-untyped-def]
    client.force_login(UserFactory())
    assert client.get("/schooling/pupils/").status_code == 404
