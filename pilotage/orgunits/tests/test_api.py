from __future__ import annotations

import pytest

from pilotage.accounts.services import token_create
from pilotage.orgunits.tests.factories import make_school

pytestmark = pytest.mark.django_db


def bearer(user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    _token, raw = token_create(actor=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_list_is_scoped_for_token_and_session(client, personas) -> None:  # type: ignore[no-untyped-def]
    data = client.get("/api/v1/orgunits", **bearer(personas.provincial_b)).json()
    assert {u["code"] for u in data["items"]} == {"MA-FES", "MA-FES-C001", "03201B"}
    client.force_login(personas.head_a)
    data = client.get("/api/v1/orgunits").json()
    assert data["count"] == 1
    item = data["items"][0]
    assert item["code"] == "04101A" and item["parent_code"] == "MA-TNG-C001"
    assert item["school"] == {
        "school_code": "04101A",
        "cycles": ["primaire"],
        "sector": "public",
        "milieu": "urbain",
    }


def test_children_of_a_unit(client, personas) -> None:  # type: ignore[no-untyped-def]
    data = client.get("/api/v1/orgunits?parent=MA", **bearer(personas.national_admin)).json()
    assert [u["code"] for u in data["items"]] == ["MA-03", "MA-01"]  # by French name
    assert (
        client.get("/api/v1/orgunits?parent=MA", **bearer(personas.provincial_a)).status_code == 404
    )


def test_parent_cannot_list_units(client, personas) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/v1/orgunits", **bearer(personas.parent_a)).json()["count"] == 0


def test_me(client, personas) -> None:  # type: ignore[no-untyped-def]
    data = client.get("/api/v1/me", **bearer(personas.provincial_a)).json()
    assert data["username"] == "dp.a"
    assert data["roles"] == [{"role": "provincial_officer", "org_unit": "MA-TNG"}]


def test_list_query_count_is_fixed(client, personas, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(personas.national_admin)
    # token lookup, token touch, scope, count, page (parent code as a subquery).
    with django_assert_max_num_queries(6) as first:
        client.get("/api/v1/orgunits", **headers)
    commune = personas.fresh(personas.commune_a)
    for _ in range(25):
        make_school(personas.fresh(commune))
    with django_assert_max_num_queries(len(first.captured_queries)):
        data = client.get("/api/v1/orgunits", **headers).json()
    assert data["count"] == 34


def test_openapi_schema_lists_the_operations(client) -> None:  # type: ignore[no-untyped-def]
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/orgunits", "/api/v1/orgunits/{code}", "/api/v1/me", "/api/v1/audit"} <= set(
        schema["paths"]
    )
    assert {"SessionAuth", "TokenAuth"} <= set(schema["components"]["securitySchemes"])
