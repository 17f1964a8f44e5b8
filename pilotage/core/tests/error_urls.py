"""The site's URL configuration with three pages that fail on purpose, for the error
pages' tests (``@pytest.mark.urls``): the handlers are the site's own."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from pilotage.urls import handler400, handler403, handler404, handler500
from pilotage.urls import urlpatterns as site

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


@login_not_required
def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


@login_not_required
def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a view")


urlpatterns = [path("test-forbidden/", forbidden), path("test-boom/", boom), *site]
