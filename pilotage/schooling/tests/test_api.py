from __future__ import annotations

import json

import pytest

from pilotage.accounts.services import token_create
from pilotage.core.tests.support import unchanged
from pilotage.schooling.models import Mark, MarkSheet

# Written with marks out of 20 in class A1 (5AP): see conftest.marks_out_of_20.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("marks_out_of_20")]


def bearer(user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(actor=user, name='t')[1]}"}


def put(client, url, body, headers):  # type: ignore[no-untyped-def]
    return client.put(url, data=json.dumps(body), content_type="application/json", **headers)


def test_classes_and_pupils_are_scoped(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    classes = client.get("/api/v1/schooling/classes", **bearer(personas.provincial_b)).json()[
        "items"
    ]
    assert [c["name"] for c in classes] == ["1AC-1"]
    pupils = client.get("/api/v1/schooling/pupils", **bearer(personas.head_a)).json()
    assert pupils["count"] == 5
    code = school_year.pupils_a1[0].code_massar
    assert (
        client.get(f"/api/v1/schooling/pupils/{code}", **bearer(personas.head_b)).status_code == 404
    )
    detail = client.get(f"/api/v1/schooling/pupils/{code}", **bearer(personas.parent_a)).json()
    assert detail["enrolments"][0]["school"] == "04101A"
    roster = client.get(
        f"/api/v1/schooling/classes/{school_year.class_a1.pk}/pupils", **bearer(personas.teacher_a1)
    ).json()
    assert len(roster) == 5
    enrolments = client.get(
        f"/api/v1/schooling/enrolments?school_class={school_year.class_a1.pk}",
        **bearer(personas.head_a),
    ).json()
    assert enrolments["count"] == 5


def test_sheet_get_and_put_with_version(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(personas.teacher_a1)
    url = f"/api/v1/schooling/sheets/{school_year.sheet.pk}"
    sheet = client.get(url, **headers).json()
    assert sheet["version"] == 0 and sheet["columns"] == [
        "activity_1",
        "test_1",
        "test_2",
        "test_3",
    ]
    code = sheet["rows"][0]["code_massar"]
    response = put(
        client,
        url,
        {"version": 0, "marks": [{"code_massar": code, "column": "test_1", "value": "12,5"}]},
        headers,
    )
    assert response.status_code == 200 and response.json() == {"version": 1, "changed": 1}
    # A client still holding version 0 is told, and writes nothing.
    stale = put(
        client,
        url,
        {"version": 0, "marks": [{"code_massar": code, "column": "test_1", "value": "4"}]},
        headers,
    )
    assert stale.status_code == 409 and stale.json()["current_version"] == 1
    assert Mark.objects.get().value == 12.5
    bad = put(
        client,
        url,
        {
            "version": 1,
            "marks": [
                {"code_massar": code, "column": "test_2", "value": "21"},
                {"code_massar": code, "column": "test_3", "value": "-1"},
                {"code_massar": code, "column": "test_1", "value": "15"},
            ],
        },
        headers,
    )
    assert bad.status_code == 400
    assert [(p["column"], p["value"]) for p in bad.json()["problems"]] == [
        ("test_2", "21"),
        ("test_3", "-1"),
    ]
    assert Mark.objects.get().value == 12.5  # nothing half-written
    assert client.get(url, **headers).json()["rows"][0]["marks"]["test_1"] == "12.50"


@pytest.mark.parametrize("persona", ["head_b", "provincial_b", "parent_a", "agent"])
def test_sheet_is_404_for_outsiders(client, personas, school_year, persona) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(getattr(personas, persona))
    url = f"/api/v1/schooling/sheets/{school_year.sheet.pk}"
    assert client.get(url, **headers).status_code == 404
    code = school_year.pupils_a1[0].code_massar
    body = {"version": 0, "marks": [{"code_massar": code, "column": "test_1", "value": "1"}]}
    with unchanged(Mark, MarkSheet):
        assert put(client, url, body, headers).status_code == 404


def test_officers_read_but_do_not_write_marks(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(personas.provincial_a)
    url = f"/api/v1/schooling/sheets/{school_year.sheet.pk}"
    assert client.get(url, **headers).status_code == 200
    code = school_year.pupils_a1[0].code_massar
    body = {"version": 0, "marks": [{"code_massar": code, "column": "test_1", "value": "1"}]}
    with unchanged(Mark, MarkSheet):
        assert put(client, url, body, headers).status_code == 404


def test_bearer_token_writes_without_csrf_and_session_writes_need_it(personas, school_year) -> None:  # type: ignore[no-untyped-def]
    """Django's test client skips CSRF checks unless asked: ask, as a browser or a script
    in the field would meet them."""
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    url = f"/api/v1/schooling/sheets/{school_year.sheet.pk}"
    code = school_year.pupils_a1[0].code_massar
    body = {"version": 0, "marks": [{"code_massar": code, "column": "test_1", "value": "11"}]}
    assert put(strict, url, body, bearer(personas.teacher_a1)).status_code == 200
    strict.force_login(personas.teacher_a1)
    body["version"] = 1
    assert put(strict, url, body, {}).status_code == 403  # a session without its CSRF token
    assert Mark.objects.get().value == 11


@pytest.mark.parametrize("sheet_id", [0, -1, 2**63, 10**30])
def test_sheet_ids_out_of_range_are_not_found(client, personas, school_year, sheet_id) -> None:  # type: ignore[no-untyped-def]
    """Ids no sheet can have, even beyond a 64-bit integer, answer 404, never 500."""
    headers = bearer(personas.head_a)
    url = f"/api/v1/schooling/sheets/{sheet_id}"
    assert client.get(url, **headers).status_code == 404
    body = {"version": 0, "marks": []}
    assert put(client, url, body, headers).status_code == 404


def test_put_follows_the_one_mark_rule(client, personas, school_year) -> None:  # type: ignore[no-untyped-def]
    """The API reads a cell like the grid, the XLSX upload and import_marks
    (services.marks.parse_cell; docs/schooling.md)."""
    from pilotage.core.models import AuditEntry

    headers = bearer(personas.teacher_a1)
    url = f"/api/v1/schooling/sheets/{school_year.sheet.pk}"
    code = school_year.pupils_a1[0].code_massar
    audit = AuditEntry.objects.count()
    tricky = [
        {"code_massar": code, "column": column, "value": value}
        for column, value in [("test_1", "1e1"), ("test_2", "-0"), ("test_3", "+5")]
    ]
    refused = put(client, url, {"version": 0, "marks": tricky}, headers)
    assert refused.status_code == 400
    assert [p["value"] for p in refused.json()["problems"]] == ["1e1", "-0", "+5"]
    assert [p["row"] for p in refused.json()["problems"]] == [1, 2, 3]
    twice = [
        {"code_massar": code, "column": "test_1", "value": "12"},
        {"code_massar": code, "column": "test_1", "value": "13"},
    ]
    duplicate = put(client, url, {"version": 0, "marks": twice}, headers)
    assert duplicate.status_code == 400
    assert duplicate.json()["problems"] == [
        {
            "row": 2,
            "column": "code_massar",
            "value": code,
            "reason": "même élève, même évaluation : déjà à la ligne 1",
        }
    ]
    assert not Mark.objects.exists() and AuditEntry.objects.count() == audit
    arabic = [{"code_massar": code, "column": "test_1", "value": "١٢٫٥"}]
    assert put(client, url, {"version": 0, "marks": arabic}, headers).status_code == 200
    assert Mark.objects.get().value == 12.5
