from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from pilotage.accounts.models import ApiToken, RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    raw_id_fields = ("org_unit",)
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [RoleAssignmentInline]
    fieldsets = (*BaseUserAdmin.fieldsets, ("Pilotage", {"fields": ("preferred_language",)}))  # type: ignore[misc]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at")
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")
