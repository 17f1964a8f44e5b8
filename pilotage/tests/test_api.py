"""The API as a whole (pilotage/api.py): limits, errors and authentication that every
operation shares."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from pilotage.accounts.services import token_create

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/orgunits",
    "/api/v1/schooling/pupils",
    "/api/v1/schooling/enrolments",
    "/api/v1/schooling/classes",
    "/api/v1/audit",
]


def bearer(user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(actor=user, name='t')[1]}"}


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("page", ["144115188075855872", "1000001", "0", "-1", "x", "1.5"])
def test_a_page_out_of_range_is_refused_not_a_server_error(client, personas, url, page) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"{url}?page={page}", **bearer(personas.national_admin))
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"][-1] == "page"


@pytest.mark.parametrize("url", LISTS)
def test_a_page_past_the_end_is_empty(client, personas, url) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"{url}?page=1000000&page_size=100", **bearer(personas.national_admin))
    assert response.status_code == 200
    assert response.json()["items"] == []


def test_absurd_page_size_is_capped(client, personas) -> None:  # type: ignore[no-untyped-def]
    response = client.get(
        "/api/v1/orgunits?page=999999&page_size=1000000", **bearer(personas.national_admin)
    )
    assert response.status_code == 200
    assert response.json()["items"] == []
    too_big = client.get(
        "/api/v1/orgunits?page_size=144115188075855872", **bearer(personas.national_admin)
    )
    assert too_big.status_code == 422


def test_a_body_over_the_limit_is_413_in_json(client, personas, settings) -> None:  # type: ignore[no-untyped-def]
    body = json.dumps({"version": 0, "marks": [{"code_massar": "x" * 3_000_000, "column": "c"}]})
    assert len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = client.put(
        "/api/v1/schooling/sheets/1",
        data=body,
        content_type="application/json",
        **bearer(personas.teacher_a1),
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "request body too large"}


@pytest.mark.parametrize("headers", [{}, {"HTTP_AUTHORIZATION": "Bearer plt_not-a-token"}])
def test_an_unsafe_call_without_credentials_is_401_not_a_csrf_failure(personas, headers) -> None:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    response = client.put(
        "/api/v1/schooling/sheets/1",
        data=json.dumps({"version": 0, "marks": []}),
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_a_session_write_still_needs_the_csrf_token(personas) -> None:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.teacher_a1)
    response = client.put(
        "/api/v1/schooling/sheets/1",
        data=json.dumps({"version": 0, "marks": []}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    # a read with the session needs no token
    assert client.get("/api/v1/me").status_code == 200


def test_every_error_the_api_answers_is_in_its_schema(client) -> None:  # type: ignore[no-untyped-def]
    schema = client.get("/api/v1/openapi.json").json()
    declared = {
        (method, path): set(operation["responses"])
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    }
    public = {
        (method, path)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if not operation.get("security")
    }
    # The public knowledge base only (core/tests/test_routes.py: PUBLIC_API).
    assert public == {("get", "/api/v1/kb/search"), ("get", "/api/v1/kb/articles/{article_id}")}
    assert len(declared) >= 12
    for (method, path), codes in declared.items():
        # 200, or 201 for an operation that creates; 401 unless the operation is public.
        assert codes & {"200", "201"}, (method, path, codes)
        assert "401" in codes or (method, path) in public, (method, path, codes)
        if "{" in path:
            assert {"404", "422"} <= codes, (method, path, codes)
        if method == "put":
            assert {"400", "403", "409", "413", "422", "423"} <= codes, (method, path, codes)
    assert "422" in declared[("get", "/api/v1/orgunits")]
    assert schema["components"]["schemas"]["ErrorOut"]["required"] == ["detail"]
