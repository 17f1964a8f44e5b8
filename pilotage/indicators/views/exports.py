"""Downloads of the indicators pages: the DHIS2 ``dataValueSets`` file."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from pilotage.indicators import dhis2
from pilotage.indicators.engine import IndicatorError
from pilotage.indicators.permissions import can_view_indicators


@require_GET
def dhis2_download(request: HttpRequest) -> HttpResponseBase:
    """``?org_unit=<code>&period=<2025-2026>`` (both optional: the top of the reader's
    scope, the latest year), streamed as a JSON file to import into DHIS2."""
    if not can_view_indicators(request.user):
        raise Http404
    try:
        export = dhis2.export_for(
            request.user, request.GET.get("org_unit") or None, request.GET.get("period") or None
        )
    except IndicatorError as exc:
        return render(request, "indicators/dhis2_error.html", {"message": str(exc)}, status=400)
    response = StreamingHttpResponse(
        dhis2.json_chunks(dhis2.data_values(export)), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


urlpatterns = [path("export/dhis2/", dhis2_download, name="dhis2_export")]
