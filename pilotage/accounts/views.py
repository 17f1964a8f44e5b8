from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from pilotage.accounts import services
from pilotage.accounts.forms import LoginForm, PersonForm, RoleAssignForm, TokenForm
from pilotage.accounts.permissions import can_view_people, grantable_roles_anywhere
from pilotage.accounts.selectors import assignments_visible, people_visible, tokens_of
from pilotage.core.roles import role_choices
from pilotage.orgunits.selectors import orgunits_visible


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        chosen = self.request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if chosen in dict(settings.LANGUAGES):
            # A language picked on the login page is a choice: remember it.
            services.user_set_language(actor=user, user=user, language=chosen, audited=False)
        else:
            # Otherwise the interface speaks the user's language from the first page on.
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                user.preferred_language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]
            )
        return response


@method_decorator(login_not_required, name="dispatch")
class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    """Says how long the link lasts, from the setting that decides it."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["link_validity"] = dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
        return context


@login_not_required
def language_switch(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language``, which also remembers the choice of a logged-in user."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if (
        request.method == "POST"
        and request.user.is_authenticated
        and language in dict(settings.LANGUAGES)
    ):
        services.user_set_language(actor=request.user, user=request.user, language=language)
    return response


def people(request: HttpRequest) -> HttpResponse:
    if not can_view_people(request.user):
        raise Http404
    query = request.GET.get("q", "")
    role = request.GET.get("role", "")
    page = Paginator(people_visible(request.user, query=query, role=role), 50).get_page(
        request.GET.get("page")
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "accounts/people.html",
        {
            "page_obj": page,
            "q": query,
            "role": role,
            "roles": role_choices(),
            "querystring_base": (params.urlencode() + "&") if params else "",
        },
    )


def person_new(request: HttpRequest) -> HttpResponse:
    grantable = grantable_roles_anywhere(request.user)
    if not grantable:
        raise Http404
    form = PersonForm(
        request.POST or None, roles=[(v, label) for v, label in role_choices() if v in grantable]
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = orgunits_visible(request.user).filter(code=data["org_unit"]).first()
        if unit is None:
            form.add_error("org_unit", _("Unité inconnue ou hors de votre périmètre."))
        else:
            try:
                user = services.person_create(
                    actor=request.user,
                    username=data["username"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    role=data["role"],
                    org_unit=unit,
                )
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Compte créé."))
                return redirect("accounts:person", pk=user.pk)
    return render(request, "accounts/person_new.html", {"form": form})


def person(request: HttpRequest, pk: int) -> HttpResponse:
    if not can_view_people(request.user):
        raise Http404
    user = get_object_or_404(people_visible(request.user), pk=pk)
    grantable = grantable_roles_anywhere(request.user)
    choices = [(v, label) for v, label in role_choices() if v in grantable]
    form = RoleAssignForm(request.POST or None, roles=choices)
    if request.method == "POST" and grantable and form.is_valid():
        unit = orgunits_visible(request.user).filter(code=form.cleaned_data["org_unit"]).first()
        if unit is None:
            form.add_error("org_unit", _("Unité inconnue ou hors de votre périmètre."))
        else:
            try:
                services.role_assign(
                    actor=request.user, user=user, role=form.cleaned_data["role"], org_unit=unit
                )
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                form.add_error(None, exc.messages[0])
            else:
                messages.success(request, _("Rôle attribué."))
                return redirect("accounts:person", pk=user.pk)
    return render(
        request,
        "accounts/person.html",
        {"person": user, "form": form, "can_grant": bool(grantable)},
    )


@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(assignments_visible(request.user).select_related("user"), pk=pk)
    try:
        services.role_revoke(actor=request.user, assignment=assignment)
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(request, _("Rôle retiré."))
    return redirect("accounts:person", pk=assignment.user_id)


def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        _token, raw = services.token_create(actor=request.user, name=form.cleaned_data["name"])  # type: ignore[arg-type]
        form = TokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {"tokens": tokens_of(request.user), "form": form, "raw": raw},  # type: ignore[arg-type]
    )


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(tokens_of(request.user), pk=pk)  # type: ignore[arg-type]
    services.token_revoke(actor=request.user, token=token)  # type: ignore[arg-type]
    messages.success(request, _("Jeton révoqué."))
    return redirect("accounts:tokens")
