"""Every model registered in the Django admin, of every app: each of add, change and delete
is either refused by the admin, or, done through the admin's own views by a superuser,
leaves an audit row. A model whose admin allows an action must have an example below;
a new domain adds its own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib import admin
from django.db import models
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from pilotage.accounts.models import User
from pilotage.accounts.services import role_assign, token_create
from pilotage.accounts.tests.factories import UserFactory
from pilotage.core.models import AuditEntry
from pilotage.indicators.models import CycleSetting, ValidationRule
from pilotage.orgunits.models import OrgUnitGroup, OrgUnitLevel, School
from pilotage.orgunits.services import academic_year_create
from pilotage.orgunits.tests.factories import make_unit
from pilotage.schooling.models import MarkDeadline
from pilotage.schooling.roles import TEACHER
from pilotage.schooling.services.deadlines import deadline_set
from pilotage.schooling.structure import structure_load_morocco

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=lambda m: m._meta.label_lower)
ACTIONS = ("add", "change", "delete")


@dataclass
class World:
    personas: Any
    superuser: User
    objects: dict[str, models.Model]


@pytest.fixture
def world(personas) -> World:  # type: ignore[no-untyped-def]
    structure_load_morocco()
    year = academic_year_create(actor=None, first_year=2025, current=True)
    s1 = year.semesters.get(number=1)
    deadline = deadline_set(
        actor=personas.national_admin,
        semester=s1,
        org_unit=personas.province_a,
        closes_at=timezone.make_aware(dt.datetime(2026, 1, 31, 18)),
    )
    token, _raw = token_create(actor=personas.head_a, name="tableur")
    leaver = UserFactory(username="leaver")
    role_assign(actor=None, user=leaver, role=TEACHER, org_unit=personas.school_a)
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    return World(
        personas,
        superuser,
        {
            "semester": s1,
            "deadline": deadline,
            "token": token,
            "leaver": leaver,
            "bare_unit": make_unit(personas.commune_a, code="MA-TNG-E900", name_fr="Sans fiche"),
            "rule": ValidationRule.objects.create(
                code="r0",
                name_fr="R0",
                left="#{a}",
                operator="==",
                right="#{b}",
                period_type="year",
            ),
        },
    )


NO_ASSIGNMENTS = {
    "assignments-TOTAL_FORMS": "0",
    "assignments-INITIAL_FORMS": "0",
    "assignments-MIN_NUM_FORMS": "0",
    "assignments-MAX_NUM_FORMS": "1000",
}


def _user_form(user: User, **fields: Any) -> dict[str, Any]:
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": f"{user.date_joined:%Y-%m-%d}",
        "date_joined_1": f"{user.date_joined:%H:%M:%S}",
        "preferred_language": user.preferred_language,
        **NO_ASSIGNMENTS,
        **fields,
    }


@dataclass
class Example:
    """What to change: ``target`` picks the row (change, delete), ``data`` builds the POST."""

    target: Callable[[World], models.Model] | None = None
    data: Callable[[World, models.Model | None], dict[str, Any]] | None = None


def _unit_level(depth: int) -> int:
    return OrgUnitLevel.objects.get(depth=depth).pk


EXAMPLES: dict[tuple[str, str], Example] = {
    ("orgunits.orgunit", "add"): Example(
        data=lambda w, _: {
            "parent_code": w.personas.commune_a.code,
            "level": _unit_level(5),
            "code": "MA-TNG-E901",
            "name_fr": "École nouvelle",
            "name_ar": "",
            "name_en": "",
        }
    ),
    ("orgunits.orgunit", "change"): Example(
        target=lambda w: w.personas.commune_a,
        data=lambda w, _: {
            "name_fr": "Commune renommée",
            "name_ar": "",
            "name_en": "",
            "is_active": "on",
        },
    ),
    ("orgunits.school", "add"): Example(
        data=lambda w, _: {
            "org_unit": w.objects["bare_unit"].pk,
            "school_code": "09999Z",
            "has_primaire": "on",
            "sector": "public",
            "milieu": "rural",
        }
    ),
    ("orgunits.school", "change"): Example(
        target=lambda w: w.personas.school_a.school,
        data=lambda w, school: {
            "school_code": school.school_code,  # type: ignore[union-attr]
            "has_primaire": "on",
            "sector": "prive",
            "milieu": "urbain",
        },
    ),
    ("accounts.user", "add"): Example(
        data=lambda w, _: {
            "username": "nouveau",
            "password1": "Un-mot-de-passe-long-42",
            "password2": "Un-mot-de-passe-long-42",
            "usable_password": "true",
            **NO_ASSIGNMENTS,
        }
    ),
    ("accounts.user", "change"): Example(
        target=lambda w: w.objects["leaver"],
        data=lambda w, user: _user_form(user, first_name="Renommé"),  # type: ignore[arg-type]
    ),
    ("accounts.user", "delete"): Example(target=lambda w: w.objects["leaver"]),
    ("accounts.apitoken", "delete"): Example(target=lambda w: w.objects["token"]),
    ("schooling.markdeadline", "add"): Example(
        data=lambda w, _: {
            "semester": w.objects["semester"].pk,
            "org_unit": w.personas.province_b.pk,
            "closes_at_0": "2026-01-30",
            "closes_at_1": "12:00:00",
        }
    ),
    ("schooling.markdeadline", "change"): Example(
        target=lambda w: w.objects["deadline"],
        data=lambda w, _: {"closes_at_0": "2026-02-07", "closes_at_1": "12:00:00"},
    ),
    ("schooling.markdeadline", "delete"): Example(target=lambda w: w.objects["deadline"]),
    ("indicators.cyclesetting", "change"): Example(
        target=lambda w: CycleSetting.objects.get(cycle="college"),
        data=lambda w, _: {"entry_age": "12", "duration": "4"},
    ),
    ("indicators.validationrule", "add"): Example(
        data=lambda w, _: {
            "code": "r1",
            "name_fr": "R1",
            "left": "#{a} + #{b.f}",
            "operator": "<=",
            "right": "#{c}",
            "importance": "high",
            "missing_values": "skip_if_any",
            "period_type": "year",
            "is_active": "on",
        }
    ),
    ("indicators.validationrule", "change"): Example(
        target=lambda w: w.objects["rule"],
        data=lambda w, _: {
            "code": "r0",
            "name_fr": "R0 renommée",
            "left": "#{a}",
            "operator": "==",
            "right": "#{b}",
            "importance": "low",
            "missing_values": "never_skip",
            "period_type": "year",
            "is_active": "on",
        },
    ),
    ("indicators.validationrule", "delete"): Example(target=lambda w: w.objects["rule"]),
}


def _steering_catalogue(w: World) -> dict[str, models.Model]:
    """Performance steering's catalogue (indicators/admin.py), made through its services."""
    from pilotage.indicators.services.aggregates import (
        category_combo_save,
        data_element_save,
        data_set_save,
    )

    if "combo" not in w.objects:
        combo = category_combo_save(
            actor=None, code="sex", name_fr="Sexe", options=[{"code": "girls", "name_fr": "Filles"}]
        )
        element = data_element_save(actor=None, code="toilets", name_fr="Toilettes", combo=combo)
        w.objects["combo"], w.objects["element"] = combo, element
        w.objects["data_set"] = data_set_save(
            actor=None,
            code="census",
            name_fr="Recensement",
            period_type="academic_year",
            level=OrgUnitLevel.objects.get(depth=5),
            elements=[element],
        )
    return w.objects


def _names(name_fr: str) -> dict[str, str]:
    return {"name_fr": name_fr, "name_ar": "", "name_en": ""}


EXAMPLES.update(
    {
        ("indicators.categorycombo", "add"): Example(
            data=lambda w, _: {"code": "total", **_names("Total"), "options": "total | Total"}
        ),
        ("indicators.categorycombo", "change"): Example(
            target=lambda w: _steering_catalogue(w)["combo"],
            data=lambda w, _: {**_names("Sexe"), "options": "girls | Filles\nboys | Garçons"},
        ),
        ("indicators.dataelement", "add"): Example(
            data=lambda w, _: {
                "code": "desks",
                **_names("Tables"),
                "value_type": "integer",
                "combo": _steering_catalogue(w)["combo"].pk,
                "description": "",
            }
        ),
        ("indicators.dataelement", "change"): Example(
            target=lambda w: _steering_catalogue(w)["element"],
            data=lambda w, _: {
                **_names("Toilettes en état"),
                "value_type": "integer",
                "combo": _steering_catalogue(w)["combo"].pk,
                "description": "",
            },
        ),
        ("indicators.dataset", "add"): Example(
            data=lambda w, _: {
                "code": "monthly",
                **_names("Rapport mensuel"),
                "period_type": "month",
                "level": _unit_level(5),
                "elements": [_steering_catalogue(w)["element"].pk],
                "timely_days": "10",
            }
        ),
        ("indicators.dataset", "change"): Example(
            target=lambda w: _steering_catalogue(w)["data_set"],
            data=lambda w, _: {
                **_names("Recensement scolaire"),
                "period_type": "academic_year",
                "level": _unit_level(5),
                "elements": [_steering_catalogue(w)["element"].pk],
                "timely_days": "20",
            },
        ),
    }
)


def _allowed(model_admin: admin.ModelAdmin, action: str, request: Any, obj: Any) -> bool:
    if action == "add":
        return model_admin.has_add_permission(request)
    if action == "change":
        return model_admin.has_change_permission(request, obj)
    return model_admin.has_delete_permission(request, obj)


def _url(model: type[models.Model], action: str, obj: Any) -> str:
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}"
    return reverse(name) if action == "add" else reverse(name, args=[obj.pk])


def _errors(response: Any) -> Any:
    context = response.context or {}
    form = context.get("adminform")
    formsets = context.get("inline_admin_formsets") or []
    return (
        form.form.errors if form else None,
        [(f.formset.errors, f.formset.non_form_errors()) for f in formsets],
        [str(m) for m in context.get("messages", [])],
    )


def _state(model: type[models.Model]) -> tuple[int, int]:
    return model._default_manager.count(), AuditEntry.objects.count()


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label_lower)
def test_no_admin_write_escapes_the_audit_log(client, world, model) -> None:  # type: ignore[no-untyped-def]
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/admin/")
    request.user = world.superuser
    client.force_login(world.superuser)
    for action in ACTIONS:  # in this order: a row is changed before it is deleted
        _check(client, world, model, model_admin, request, action)


def _check(client, world, model, model_admin, request, action) -> None:  # type: ignore[no-untyped-def]
    label = model._meta.label_lower
    example = EXAMPLES.get((label, action))
    obj = None
    if action != "add":
        obj = (
            example.target(world) if example and example.target else model._default_manager.first()
        )

    if not _allowed(model_admin, action, request, obj):
        assert example is None, f"{label} {action}: refused by the admin, drop its example"
        if action == "add" or obj is not None:
            before = _state(model)
            data = {"post": "yes"} if action == "delete" else {}
            assert client.post(_url(model, action, obj), data).status_code == 403, label
            assert _state(model) == before
        return

    assert example is not None, (
        f"{label} {action} is allowed in the admin: route it through a service "
        f"(pilotage.core.admin.ServiceAdmin) and add an example to EXAMPLES"
    )
    audit_before = set(AuditEntry.objects.values_list("pk", flat=True))
    data = {"post": "yes"} if action == "delete" else example.data(world, obj)  # type: ignore[misc]
    response = client.post(_url(model, action, obj), data)
    assert response.status_code == 302, (label, action, _errors(response))
    new_entries = AuditEntry.objects.exclude(pk__in=audit_before)
    assert new_entries.filter(object_type=label).exists(), f"{label} {action} left no audit row"
    if action == "delete":
        assert not model._default_manager.filter(pk=obj.pk).exists()  # type: ignore[union-attr]


def test_a_school_changed_in_the_admin_moves_to_its_new_sector_group(client, world) -> None:  # type: ignore[no-untyped-def]
    school = world.personas.school_a.school
    client.force_login(world.superuser)
    data = EXAMPLES[("orgunits.school", "change")].data(world, school)  # type: ignore[misc]
    assert client.post(_url(School, "change", school), data).status_code == 302
    groups = set(
        OrgUnitGroup.objects.filter(members=world.personas.school_a).values_list("code", flat=True)
    )
    assert groups == {"sector-prive", "milieu-urbain"}


def test_a_read_only_model_points_to_where_it_is_edited(client, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.superuser)
    token = world.objects["token"]
    page = client.get(_url(type(token), "change", token)).content.decode()
    assert f'href="{reverse("accounts:tokens")}"' in page
    level = OrgUnitLevel.objects.first()
    page = client.get(_url(OrgUnitLevel, "change", level)).content.decode()
    assert "load_country" in page


def test_a_password_changed_in_the_admin_is_audited_without_the_password(client, world) -> None:  # type: ignore[no-untyped-def]
    user = world.objects["leaver"]
    client.force_login(world.superuser)
    secret = "Un-autre-mot-de-passe-43"
    response = client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": secret, "password2": secret, "usable_password": "true"},
    )
    assert response.status_code == 302
    entry = (
        AuditEntry.objects.filter(object_type="accounts.user", object_id=str(user.pk))
        .order_by("pk")
        .last()
    )
    assert entry is not None and "password" in entry.changes
    assert secret not in str(entry.changes)
    user.refresh_from_db()
    assert user.check_password(secret)


def test_a_deadline_the_service_refuses_is_shown_not_a_server_error(client, world) -> None:  # type: ignore[no-untyped-def]
    """The deadline already exists for (semester, unit): the form's unique check says so."""
    client.force_login(world.superuser)
    deadline = world.objects["deadline"]
    before = _state(MarkDeadline)
    response = client.post(
        _url(MarkDeadline, "add", None),
        {
            "semester": deadline.semester_id,
            "org_unit": deadline.org_unit_id,
            "closes_at_0": "2026-03-01",
            "closes_at_1": "12:00:00",
        },
    )
    assert response.status_code == 200
    assert _state(MarkDeadline) == before
