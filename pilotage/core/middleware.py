"""Request checks the kernel applies before any view.

:class:`NullCharacterMiddleware` refuses a request that carries a NUL character (``\\0``) in
its path, a query or form parameter, or a JSON body: no text column can hold one on
PostgreSQL (SQLite would store it), so without this check a search box or a filter given
``%00`` answers 500 on one database and not the other. The 400 page (or JSON for the API)
names the parameter; nothing has been read or written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

NUL = "\x00"


def _json_key(body: bytes) -> str | None:
    """The dotted name of the first JSON member holding a NUL (``items.0.name``)."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        name, value = stack.pop()
        if isinstance(value, str):
            if NUL in value:
                return name or None
        elif isinstance(value, dict):
            for key, item in value.items():
                if NUL in key:
                    return key.replace(NUL, "") or None
                stack.append((f"{name}.{key}" if name else key, item))
        elif isinstance(value, list):
            stack.extend((f"{name}.{i}" if name else str(i), v) for i, v in enumerate(value))
    return None


def _offending(request: HttpRequest) -> str | None:
    """The name of the first part of the request holding a NUL, or None."""
    if NUL in request.path:
        return _("l'adresse")
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in v for v in values):
            return key.replace(NUL, "")
    if request.method in ("POST", "PUT", "PATCH"):
        kind = request.content_type or ""
        if kind == "application/json":
            try:
                body = request.body
            except RequestDataTooBig:  # the view says it (413), as without this check
                return None
            if b"\x00" in body or b"\\u0000" in body:
                return _json_key(body) or _("le corps JSON")
        elif kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
            try:
                form = request.POST
            except RequestDataTooBig:
                return None
            for key, values in form.lists():
                if NUL in key or any(NUL in v for v in values):
                    return key.replace(NUL, "")
    return None


class NullCharacterMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = _offending(request)
        if where is None:
            return self.get_response(request)
        message = _("« %(name)s » contient un caractère nul (\\0), que rien ici n'accepte.") % {
            "name": where[:60]
        }
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=400)
        return render(request, "400.html", {"message": message}, status=400)
