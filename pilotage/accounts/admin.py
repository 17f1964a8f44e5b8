"""The Django admin for accounts. Its writes go through the account services, or are
recorded with ``audit_record`` where no service fits, so they reach the audit log like
the writes made in the application.

The user admin keeps Django's own (its password forms and permission widgets) rather than
:class:`~pilotage.core.admin.ServiceAdmin`: a user's admin save spans the user, their groups
and their role assignments, audited once they are all saved (``save_related``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse

from pilotage.accounts import services
from pilotage.accounts.models import ApiToken, RoleAssignment, User
from pilotage.core.admin import ServiceAdmin
from pilotage.core.audit import CREATE, DELETE, UPDATE, audit_record, diff, snapshot

# What the admin can change on a user that decides what they may do, besides their roles.
ADMIN_USER_FIELDS = (*services.USER_FIELDS, "is_staff", "is_superuser")


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    raw_id_fields = ("org_unit",)
    readonly_fields = ("created_by", "created_at")
    extra = 0


def _user_values(user: User) -> dict[str, Any]:
    values = snapshot(user, ADMIN_USER_FIELDS)
    values["groups"] = sorted(user.groups.values_list("name", flat=True))
    return values


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [RoleAssignmentInline]
    fieldsets = (*BaseUserAdmin.fieldsets, ("Pilotage", {"fields": ("preferred_language",)}))  # type: ignore[misc]

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm, change: bool) -> None:
        stored = User.objects.filter(pk=obj.pk).first() if change else None
        request._pilotage_user_before = _user_values(stored) if stored else {}  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool
    ) -> None:
        """Groups are saved here, after the user: the audit row is written once they are."""
        super().save_related(request, form, formsets, change)
        user = form.instance
        before = getattr(request, "_pilotage_user_before", {})
        changes = diff(before, _user_values(user))
        if changes:
            action = UPDATE if change else CREATE
            audit_record(actor=request.user, action=action, obj=user, changes=changes)

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        """Role assignments go through the services, which audit them; the form has already
        checked them against the unique constraint."""
        if formset.model is not RoleAssignment:
            super().save_formset(request, form, formset, change)
            return
        formset.save(commit=False)  # sorts the forms into deleted, changed and new objects
        actor = request.user
        for assignment in formset.deleted_objects:
            stored = RoleAssignment.objects.select_related("user", "org_unit").get(pk=assignment.pk)
            services.role_revoke(actor=actor, assignment=stored, check=False)
        for assignment, _fields in formset.changed_objects:
            services.role_change(
                actor=actor,
                assignment=assignment,
                role=assignment.role,
                org_unit=assignment.org_unit,
                check=False,
            )
        for assignment in formset.new_objects:
            services.role_assign(
                actor=actor,
                user=form.instance,
                role=assignment.role,
                org_unit=assignment.org_unit,
                check=False,
            )

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """The new password is never logged, only that it was changed and by whom."""
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = User.objects.get(pk=id)
                audit_record(
                    actor=request.user,
                    action="update",
                    obj=user,
                    changes={"password": ["…", "…"]},
                )
        return response

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        self._audit_deletion(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            self._audit_deletion(request, user)
        super().delete_queryset(request, queryset)

    def _audit_deletion(self, request: HttpRequest, user: User) -> None:
        for assignment in user.assignments.select_related("user", "org_unit"):
            services.role_revoke(actor=request.user, assignment=assignment, check=False)
        audit_record(
            actor=request.user, action=DELETE, obj=user, changes=diff(_user_values(user), {})
        )


@admin.register(ApiToken)
class ApiTokenAdmin(ServiceAdmin):
    """A token is created by its owner, who alone sees its value once; the admin revokes."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at")
    delete_service = services.token_revoke
    edit_url = "accounts:tokens"

    def delete_kwargs(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        return {"token": obj}
