"""The programme's IATI page: the IATI Standard rules checked on its activities, and the
download of its IATI 2.03 file when none fails."""

from __future__ import annotations

import io
import tempfile

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import path

from pilotage.cooperation import permissions as perms
from pilotage.cooperation.iati.export import ExportResult, export_programmes
from pilotage.cooperation.models import Programme
from pilotage.cooperation.selectors.programmes import programme_get

SPOOL_BYTES = 4 * 1024 * 1024  # kept in memory up to this, then on disk


def _programme(request: HttpRequest, pk: int) -> Programme:
    found = programme_get(request.user, pk)
    if not perms.can_export_iati(request.user, found):
        raise Http404
    return found


def _page(
    request: HttpRequest, programme: Programme, result: ExportResult, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "cooperation/iati/programme.html",
        {"programme": programme, "result": result},
        status=status,
    )


def programme_iati(request: HttpRequest, pk: int) -> HttpResponse:
    found = _programme(request, pk)
    result = export_programmes(io.BytesIO(), Programme.objects.filter(pk=found.pk))
    return _page(request, found, result)


def programme_iati_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = _programme(request, pk)
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (the response closes it)
    result = export_programmes(out, Programme.objects.filter(pk=found.pk))
    if not result.ok:
        out.close()
        return _page(request, found, result, status=422)
    out.seek(0)
    return FileResponse(
        out,
        as_attachment=True,
        filename=f"iati-{found.code}.xml",
        content_type="application/xml",
    )


urlpatterns = [
    path("programmes/<int:pk>/iati/", programme_iati, name="programme-iati"),
    path(
        "programmes/<int:pk>/iati/download/",
        programme_iati_download,
        name="programme-iati-download",
    ),
]
