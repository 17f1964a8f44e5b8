"""The errors the API answers, declared in its OpenAPI schema.

Most errors follow from what an operation is, and django-ninja answers them itself
without declaring them: 401 for any authenticated operation, 403 (CSRF) for a write made
with the session cookie, 422 for parameters or a body that do not validate, 413 for a body
over DATA_UPLOAD_MAX_MEMORY_SIZE, 400 for a body that is not JSON or a NUL character in
a parameter or the body (core/middleware.py). :func:`declare_errors`
adds those to every operation of the schema from what the schema already says about it,
so a new domain's operations get them without writing anything.

The errors that depend on what an operation does (404 for an outsider or a missing
object, 409, 423...) are declared on the operation itself with :data:`ErrorOut`:
``response={200: ThingOut, **errors(404)}``. The schemathesis run in
pilotage/tests/test_api_schema.py fails on any answer the schema does not declare.
"""

from __future__ import annotations

from typing import Any

from ninja import Schema

UNSAFE_METHODS = {"post", "put", "patch", "delete"}
# A row id beyond the database's 64-bit integer made the driver raise (500): declared
# bounds turn it into a 422 before any query. ``id: int = Path(..., **ROW_ID)``.
ROW_ID: dict[str, int] = {"ge": 1, "le": 2**63 - 1}


class ErrorOut(Schema):
    detail: str


def errors(*codes: int) -> dict[int, type[ErrorOut]]:
    return dict.fromkeys(codes, ErrorOut)


def _ref(name: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}}


_VALIDATION_ERROR = {
    "title": "ValidationErrorOut",
    "type": "object",
    "properties": {
        "detail": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "type": {"type": "string"},
                    "loc": {"type": "array", "items": {"type": ["string", "integer"]}},
                    "msg": {"type": "string"},
                },
                "required": ["type", "loc", "msg"],
            },
        }
    },
    "required": ["detail"],
}
_ERROR = {
    "title": "ErrorOut",
    "type": "object",
    "properties": {"detail": {"title": "Detail", "type": "string"}},
    "required": ["detail"],
}


def _add(responses: dict[Any, Any], code: int, description: str, name: str = "ErrorOut") -> None:
    if code not in responses and str(code) not in responses:
        responses[code] = {"description": description, **_ref(name)}


def declare_errors(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ErrorOut", _ERROR)
    components.setdefault("ValidationErrorOut", _VALIDATION_ERROR)
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            if operation.get("security"):
                _add(responses, 401, "No valid session or bearer token.")
                if method in UNSAFE_METHODS:
                    _add(responses, 403, "Session write without its CSRF token.")
            if operation.get("parameters") or operation.get("requestBody"):
                _add(
                    responses,
                    422,
                    "A parameter or the body does not validate.",
                    "ValidationErrorOut",
                )
                # core/middleware.py refuses a NUL character before any view reads it.
                _add(
                    responses,
                    400,
                    "A parameter or the body holds a NUL character, or the body is not JSON.",
                )
            if operation.get("requestBody"):
                _add(
                    responses, 413, "The body is over the size limit (DATA_UPLOAD_MAX_MEMORY_SIZE)."
                )
    return schema
