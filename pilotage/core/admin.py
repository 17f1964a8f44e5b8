from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from pilotage.core.models import AuditEntry, Job


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only, in the admin too."""

    list_display = ("at", "actor", "action", "object_type", "object_id", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "object_repr", "actor__username")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind_label", "status", "done", "total", "created_by")
    list_filter = ("kind", "status")
    readonly_fields = [f.name for f in Job._meta.fields]
