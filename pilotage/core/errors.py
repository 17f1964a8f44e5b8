"""Error pages the kernel answers for every app."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django turns a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` into a plain 400; say
    what happened (413) in the visitor's language, in the site's layout. Every other bad
    request keeps Django's page."""
    if isinstance(exception, RequestDataTooBig):
        return render(request, "413.html", status=413)
    return defaults.bad_request(request, exception)
