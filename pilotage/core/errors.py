"""Error pages the kernel answers for every app.

They are registered in ``pilotage/urls.py`` (``handler400`` … ``handler500``) and, for a
refused CSRF check, in ``CSRF_FAILURE_VIEW``. Each one is the site's layout in the
visitor's language with the way back: the home page and, when the browser says where it
came from on this site, the previous page. Django's technical pages are only ever shown
with ``DJANGO_DEBUG=1`` set by hand (see settings.py).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)


def _back_url(request: HttpRequest) -> str:
    """The page the visitor came from, when it is one of ours and not the failing page
    itself; else "" (the page then offers the home page only). Reads the headers only."""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer:
        return ""
    try:
        host = request.get_host()
    except Exception:  # noqa: BLE001 - a bad Host header must not break an error page
        return ""
    if not url_has_allowed_host_and_scheme(referer, allowed_hosts={host}):
        return ""
    if urlsplit(referer).path == request.path:
        return ""
    return referer


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django turns a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` into a plain 400; say
    what happened (413) in the visitor's language, in the site's layout. Every other bad
    request keeps Django's page."""
    if isinstance(exception, RequestDataTooBig):
        return render(request, "413.html", status=413)
    return defaults.bad_request(request, exception)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", {"back_url": _back_url(request)}, status=403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", {"back_url": _back_url(request)}, status=404)


@requires_csrf_token
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused by the CSRF check: most often a page left open past the session's
    end. Said as such, with the way back, instead of Django's bare page."""
    context = {"back_url": _back_url(request), "csrf": True}
    return render(request, "403.html", context, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """The failure may be the database or the session itself, so the page is rendered
    without the request's context processors (no menu, no user, no query): the layout
    and the way back only, in the language the request was already answered in."""
    try:
        html = loader.get_template("500.html").render({"back_url": _back_url(request)})
    except Exception:  # the error page itself must not fail
        logger.exception("the 500 page could not be rendered")
        html = "<!DOCTYPE html><title>500</title><h1>500</h1><p><a href='/'>Pilotage</a></p>"
    return HttpResponseServerError(html)
