"""The Django admin, hidden from everyone who may not use it.

Django's admin answers a visitor who is not staff with a redirect to its own login form,
which tells an outsider that an admin exists and where to try passwords. Here every admin
URL (the apps' own extra ones too, such as treebeard's) answers 404 instead, like a page
that does not exist, and the admin's login form is gone: staff log in through the site's
login page (throttled by django-axes like every login) and then open /admin/.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, URLResolver


class StaffOnlyAdminSite(admin.AdminSite):
    final_catch_all_view = False

    def get_urls(self) -> list[URLPattern | URLResolver]:
        urls = super().get_urls()
        self._hide(urls)
        return urls

    def _hide(self, patterns: list[URLPattern | URLResolver]) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                self._hide(pattern.url_patterns)
            elif pattern.name != "login":
                pattern.callback = self._staff_only(pattern.callback)

    def _staff_only(self, view: Callable[..., Any]) -> Callable[..., Any]:
        # login_not_required: LoginRequiredMiddleware would otherwise send an anonymous
        # visitor to a login page before the 404, and that redirect would tell too.
        @login_not_required
        @wraps(view)
        def staff_only(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not self.has_permission(request):
                raise Http404
            return view(request, *args, **kwargs)

        return staff_only

    @login_not_required
    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        if self.has_permission(request):
            return redirect("admin:index")
        raise Http404


class PilotageAdminConfig(AdminConfig):
    default_site = "pilotage.core.adminsite.StaffOnlyAdminSite"
