"""Transfers through the pages: the destination picked among the country's schools (namesakes
told apart), refusals that keep the form, and the list — answered by the destination's
head, read by the officers of the territory, nothing for the others (issue #9, points 5
and 10)."""

from __future__ import annotations

import pytest

from pilotage.core.tests.support import unchanged
from pilotage.orgunits.tests.factories import make_school
from pilotage.schooling.models import Enrolment, Transfer
from pilotage.schooling.services.enrolments import transfer_request
from pilotage.schooling.tests.factories import enrol, make_class, make_pupil

pytestmark = pytest.mark.django_db


@pytest.fixture
def namesake(personas):  # type: ignore[no-untyped-def]
    """A second 'Collège Al Massira', in province A's commune (school B is the first)."""
    return make_school(
        personas.fresh(personas.commune_a), code="04177X", name_fr="Collège Al Massira"
    ).org_unit


def request_one(personas, school_year, pupil=None, to=None, reason="déménagement"):  # type: ignore[no-untyped-def]
    return transfer_request(
        actor=personas.head_a,
        pupil=pupil or school_year.pupils_a1[4],
        academic_year=school_year.year,
        to_school=to or personas.school_b,
        reason=reason,
    )


# -- the request ----------------------------------------------------------------------------


def test_destination_search_tells_namesakes_apart_and_spans_the_country(
    client, personas, school_year, namesake, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.head_a)
    # session, user, scope (assignments), the schools with their parents' names: one
    # query whatever the number of results.
    with django_assert_max_num_queries(4):
        body = client.get("/schooling/transfers/destinations/?q=Massira").content.decode()
    # school B lies outside head A's tree: still a destination
    assert "<bdi>Commune de Fès-Médina</bdi>" in body and "<bdi>Commune de Gueznaia</bdi>" in body
    assert '<bdi class="code">03201B</bdi>' in body and '<bdi class="code">04177X</bdi>' in body
    assert f'data-pick-id="{personas.school_b.pk}"' in body
    assert "/orgunits/03201B/" not in body  # choices, not links to pages head A cannot open
    communes = client.get("/schooling/transfers/destinations/?q=Commune").content.decode()
    assert "data-pick-id" not in communes  # schools only


@pytest.mark.parametrize("persona", ["provincial_a", "teacher_a1", "parent_a"])
def test_destination_search_is_for_those_who_request(client, personas, persona) -> None:  # type: ignore[no-untyped-def]
    client.force_login(getattr(personas, persona))
    assert client.get("/schooling/transfers/destinations/?q=Massira").status_code == 404


def test_pupil_page_offers_the_picker_not_a_code_field(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.head_a)
    pupil = school_year.pupils_a1[4]
    body = client.get(f"/schooling/pupils/{pupil.code_massar}/").content.decode()
    assert 'name="to_school"' in body and 'data-pick-target="id"' in body
    assert 'hx-get="/schooling/transfers/destinations/"' in body


def test_request_by_unit_id(client, personas, school_year, namesake) -> None:  # type: ignore[no-untyped-def]
    pupil = school_year.pupils_a1[4]
    client.force_login(personas.head_a)
    response = client.post(
        f"/schooling/pupils/{pupil.code_massar}/transfer/",
        {"to_school": str(personas.school_b.pk), "reason": "déménagement"},
    )
    assert response.status_code == 302
    transfer = Transfer.objects.get()
    assert transfer.to_school == personas.school_b and transfer.reason == "déménagement"


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("", "Choisissez l'établissement de destination."),
        ("999999", "Établissement de destination inconnu."),
        ("03201B", "Établissement de destination inconnu."),  # a code is not an id
        ("same", "L'établissement de destination est l'établissement actuel."),
        ("commune", "La destination n'est pas un établissement."),
    ],
)
def test_refused_request_keeps_the_form_and_says_why(
    client, personas, school_year, value: str, why: str
) -> None:  # type: ignore[no-untyped-def]
    value = {"same": str(personas.school_a.pk), "commune": str(personas.commune_b.pk)}.get(
        value, value
    )
    pupil = school_year.pupils_a1[4]
    client.force_login(personas.head_a)
    with unchanged(Transfer, Enrolment):
        response = client.post(
            f"/schooling/pupils/{pupil.code_massar}/transfer/",
            {"to_school": value, "reason": "Rapprochement familial"},
        )
    assert response.status_code == 200
    body = response.content.decode()
    assert why.replace("'", "&#x27;") in body
    assert 'value="Rapprochement familial"' in body  # what was typed is still there
    assert 'id="transfer-form"' in body


def test_refused_request_keeps_the_chosen_destination(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    pupil = school_year.pupils_a1[4]
    request_one(personas, school_year, pupil=pupil)
    client.force_login(personas.head_a)
    with unchanged(Transfer, Enrolment):
        response = client.post(
            f"/schooling/pupils/{pupil.code_massar}/transfer/",
            {"to_school": str(personas.school_b.pk), "reason": ""},
        )
    body = response.content.decode()
    assert "Un transfert est déjà en attente pour cet élève." in body
    assert f'name="to_school" value="{personas.school_b.pk}"' in body
    assert "<bdi>Commune de Fès-Médina</bdi>" in body


@pytest.mark.parametrize("persona", ["head_b", "provincial_a", "teacher_a1"])
def test_only_the_origin_head_requests(client, personas, school_year, persona) -> None:  # type: ignore[no-untyped-def]
    pupil = school_year.pupils_a1[4]
    client.force_login(getattr(personas, persona))
    url = f"/schooling/pupils/{pupil.code_massar}/transfer/"
    with unchanged(Transfer, Enrolment):
        assert client.post(url, {"to_school": str(personas.school_b.pk)}).status_code == 404
    assert client.get(url).status_code == 404


# -- the list -------------------------------------------------------------------------------


def test_head_answers_for_their_school(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    transfer = request_one(personas, school_year)
    client.force_login(personas.head_b)
    body = client.get("/schooling/transfers/").content.decode()
    assert f'action="/schooling/transfers/{transfer.pk}/answer/"' in body
    assert "<bdi>Commune de Gueznaia</bdi>" in body  # the origin, told apart
    client.post(f"/schooling/transfers/{transfer.pk}/answer/", {"accept": "1"})
    transfer.refresh_from_db()
    assert transfer.status == "accepted"


@pytest.mark.parametrize("persona", ["provincial_a", "regional_officer"])
def test_officers_read_their_territory_transfers(client, personas, school_year, persona) -> None:  # type: ignore[no-untyped-def]
    transfer = request_one(personas, school_year)
    client.force_login(getattr(personas, persona))
    response = client.get("/schooling/transfers/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="transfer-{transfer.pk}"' in body and "déménagement" in body
    assert "/answer/" not in body and "data-read-only" in body
    # the menu leads there
    assert 'href="/schooling/transfers/"' in client.get("/").content.decode()


def test_national_admin_sees_every_transfer_and_may_answer(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    """The national administration runs every school (schooling/roles.py: MANAGE_SCHOOL)."""
    transfer = request_one(personas, school_year)
    client.force_login(personas.national_admin)
    body = client.get("/schooling/transfers/").content.decode()
    assert f'action="/schooling/transfers/{transfer.pk}/answer/"' in body


@pytest.mark.parametrize("persona", ["provincial_a", "regional_officer", "head_a"])
def test_answer_by_anyone_but_the_destination_is_404(
    client, personas, school_year, persona
) -> None:  # type: ignore[no-untyped-def]
    transfer = request_one(personas, school_year)
    client.force_login(getattr(personas, persona))
    with unchanged(Transfer, Enrolment):
        response = client.post(f"/schooling/transfers/{transfer.pk}/answer/", {"accept": "1"})
    assert response.status_code == 404


def test_other_province_sees_nothing_of_this_one(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    """A transfer between two schools of province A: invisible to province B."""
    other = make_school(personas.fresh(personas.commune_a), code="04199Z").org_unit
    transfer = request_one(personas, school_year, to=other)
    for persona in ("head_b", "provincial_b"):
        client.force_login(getattr(personas, persona))
        body = client.get("/schooling/transfers/").content.decode()
        assert f'id="transfer-{transfer.pk}"' not in body and "déménagement" not in body
        with unchanged(Transfer, Enrolment):
            answer = client.post(f"/schooling/transfers/{transfer.pk}/answer/", {"accept": "1"})
        assert answer.status_code == 404


@pytest.mark.parametrize("persona", ["teacher_a1", "parent_a", "agent"])
def test_transfers_page_is_404_for_those_without_schools(client, personas, persona) -> None:  # type: ignore[no-untyped-def]
    client.force_login(getattr(personas, persona))
    assert client.get("/schooling/transfers/").status_code == 404


def test_filters_by_direction_status_and_school(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    out_a = request_one(personas, school_year)  # A → B
    pupil_b = school_year.pupils_b1[0]
    in_a = transfer_request(
        actor=personas.head_b,
        pupil=pupil_b,
        academic_year=school_year.year,
        to_school=personas.school_a,
    )  # B → A
    client.force_login(personas.provincial_a)

    def shown(query: str) -> set[int]:
        body = client.get(f"/schooling/transfers/?{query}").content.decode()
        return {t.pk for t in (out_a, in_a) if f'id="transfer-{t.pk}"' in body}

    assert shown("") == {out_a.pk, in_a.pk}
    assert shown("direction=in") == {in_a.pk}
    assert shown("direction=out") == {out_a.pk}
    assert shown("status=accepted") == set()
    assert shown("status=requested&school=04101A") == {out_a.pk, in_a.pk}
    assert shown("school=04101A&direction=in") == {in_a.pk}
    body = client.get("/schooling/transfers/?school=03201B").content.decode()
    assert "Établissement inconnu ou hors de votre périmètre." in body  # B's school: not A's


def test_transfers_page_has_a_fixed_number_of_queries(
    client, personas, school_year, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(personas.provincial_a)
    request_one(personas, school_year)
    # session, user, scope (assignments), count, the page of transfers with pupils, schools
    # and school records, the schools' parents (one query), menu and home checks read the
    # cached scope; savepoints aside.
    with django_assert_max_num_queries(8) as few:
        assert client.get("/schooling/transfers/").status_code == 200
    baseline = len(few.captured_queries)
    year = school_year.year
    for i in range(12):
        school = make_school(personas.fresh(personas.commune_a), code=f"0410{i:02d}Q").org_unit
        pupil = make_pupil()
        enrol(pupil, make_class(school, year, "5AP", f"5AP-{i}"))
        transfer_request(
            actor=personas.national_admin,
            pupil=pupil,
            academic_year=year,
            to_school=personas.school_b,
        )
    with django_assert_max_num_queries(baseline):
        body = client.get("/schooling/transfers/").content.decode()
    assert body.count('<tr id="transfer-') == 13
