"""The Django admin is an editing surface like any other: it writes through the services
(and so the audit log), or it does not write.

:class:`ServiceAdmin` is the base of every model admin. A subclass names the service
functions that create, update and delete its model; an action without a service is refused
(the model is read-only in the admin) and the change view points to the page or command
that does it. ``core/tests/test_admin_audit.py`` walks every registered model to keep it so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.contrib import admin, messages
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from pilotage.core.models import AuditEntry, Job

Service = Callable[..., Any]


class ServiceAdmin(admin.ModelAdmin):
    """Add, change and delete call ``create_service``, ``update_service`` and
    ``delete_service`` with ``actor=`` the admin user and the keyword arguments built by
    :meth:`create_kwargs`, :meth:`update_kwargs` and :meth:`delete_kwargs`. A service left
    ``None`` turns the action off. ``edit_url`` (a URL name) or ``edit_hint`` (a sentence)
    tells, in the change view, where the model is edited instead."""

    create_service: ClassVar[Service | None] = None
    update_service: ClassVar[Service | None] = None
    delete_service: ClassVar[Service | None] = None
    edit_url: ClassVar[str | None] = None
    edit_hint: ClassVar[str | Promise | None] = None
    # What a service raises to refuse a value the form let through: shown, not a 500.
    service_errors: ClassVar[tuple[type[Exception], ...]] = (ValidationError,)
    change_form_template = "admin/core/service_change_form.html"

    # The form's fields that the service takes; the others (shown read-only) are ignored.
    def create_kwargs(self, request: HttpRequest, form: ModelForm) -> dict[str, Any]:
        return dict(form.cleaned_data)

    def update_kwargs(
        self, request: HttpRequest, stored: models.Model, form: ModelForm
    ) -> dict[str, Any]:
        """``stored`` is the row as it is in the database: the form has already copied
        its values onto the instance it validated, so that one cannot be diffed."""
        return {name: form.cleaned_data[name] for name in form.changed_data}

    def delete_kwargs(self, request: HttpRequest, obj: models.Model) -> dict[str, Any]:
        return {}

    # --- permissions: no service, no action ----------------------------------------------

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return type(self).create_service is not None and super().has_add_permission(request, *args)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return type(self).update_service is not None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return type(self).delete_service is not None and super().has_delete_permission(request, obj)

    # --- writes ---------------------------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        cls = type(self)
        if change:
            assert cls.update_service is not None  # noqa: S101 - has_change_permission
            stored = type(obj)._default_manager.get(pk=obj.pk)
            kwargs = self.update_kwargs(request, stored, form)
            saved = cls.update_service(actor=request.user, **kwargs) if kwargs else stored
        else:
            assert cls.create_service is not None  # noqa: S101 - has_add_permission
            saved = cls.create_service(actor=request.user, **self.create_kwargs(request, form))
        if isinstance(saved, models.Model) and saved is not obj:
            obj.__dict__.update(saved.__dict__)

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool
    ) -> None:
        """Many-to-many fields are the service's business (it got them in the form's data):
        the form does not save them behind its back."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        raise ImproperlyConfigured(
            f"{type(self).__name__} has an inline: its save_formset must call the services"
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        cls = type(self)
        assert cls.delete_service is not None  # noqa: S101 - has_delete_permission
        cls.delete_service(actor=request.user, **self.delete_kwargs(request, obj))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    # --- where else it is edited ------------------------------------------------------------

    def edited_elsewhere(self) -> tuple[str | None, str | Promise | None]:
        url = None
        if self.edit_url:
            try:
                url = reverse(self.edit_url)
            except NoReverseMatch:
                url = None
        return url, self.edit_hint

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        url, hint = self.edited_elsewhere()
        context = {**(extra_context or {}), "edit_elsewhere_url": url, "edit_elsewhere": hint}
        try:
            return super().changeform_view(request, object_id, form_url, context)
        except self.service_errors as exc:
            # A service refused what the form accepted; the view's transaction is rolled
            # back and the admin shown why, on the same page.
            reasons = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            messages.error(request, " ".join(reasons))
            return HttpResponseRedirect(request.get_full_path())


def read_only(
    admin_class: type[admin.ModelAdmin], hint: str | Promise, url: str | None = None
) -> type[ServiceAdmin]:
    """A read-only version of another project's admin (its columns and filters kept)."""
    return type(
        admin_class.__name__,
        (ServiceAdmin, admin_class),
        {"edit_hint": hint, "edit_url": url, "__module__": __name__},
    )


# The admins of Django and of the libraries (registered before this module is imported: they
# come first in INSTALLED_APPS) write without the audit log, so they only show.
_LIBRARY_MODELS: dict[str, tuple[str | Promise, str | None]] = {
    "auth.group": (
        _("Les droits se donnent par les rôles, sur la fiche de chaque personne."),
        "accounts:people",
    ),
    "axes.accessattempt": (
        _("Un compte bloqué se débloque avec « manage.py axes_reset_username »."),
        None,
    ),
}
_LIBRARY_DEFAULT = _("Tenu par la bibliothèque qui l'a créé : consultable, non modifiable.")

for _model, _model_admin in list(admin.site._registry.items()):
    if not isinstance(_model_admin, ServiceAdmin):
        _hint, _url = _LIBRARY_MODELS.get(_model._meta.label_lower, (_LIBRARY_DEFAULT, None))
        admin.site.unregister(_model)
        admin.site.register(_model, read_only(type(_model_admin), _hint, _url))


@admin.register(AuditEntry)
class AuditEntryAdmin(ServiceAdmin):
    """Append-only: nothing edits the audit log, the admin neither."""

    list_display = ("at", "actor", "action", "object_type", "object_id", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "object_repr", "actor__username")
    date_hierarchy = "at"
    edit_url = "core:audit"
    edit_hint = _("Le journal d'audit ne se modifie pas : il se consulte sur sa page.")


@admin.register(Job)
class JobAdmin(ServiceAdmin):
    list_display = ("created_at", "kind_label", "status", "done", "total", "created_by")
    list_filter = ("kind", "status")
    edit_hint = _("Les tâches sont lancées depuis les pages d'import et de bulletins.")
