"""Reads of the org-unit tree, already cut to what the actor may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from pilotage.core.scope import ROOT_PATH, scope_of
from pilotage.orgunits.models import AcademicYear, OrgUnit
from pilotage.orgunits.permissions import tree_viewers


def orgunits_visible(actor: Any) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(scope_of(actor).q("path", tree_viewers())).select_related(
        "level", "school"
    )


def orgunit_tops(actor: Any) -> QuerySet[OrgUnit]:
    """The highest units the actor sees: where browsing starts."""
    paths = scope_of(actor).paths(tree_viewers())
    if ROOT_PATH in paths:  # the whole tree: it starts at its roots
        return orgunits_visible(actor).filter(depth=1).order_by("path")
    return orgunits_visible(actor).filter(path__in=paths).order_by("path")


def orgunit_descendants(unit: OrgUnit, *, include_self: bool = False) -> QuerySet[OrgUnit]:
    """Every unit under ``unit``, whatever the depth: one indexed prefix query."""
    qs = OrgUnit.objects.filter(path__startswith=unit.path)
    return qs if include_self else qs.exclude(pk=unit.pk)


def orgunit_ancestors(unit: OrgUnit) -> QuerySet[OrgUnit]:
    """The chain from the root down to ``unit``'s parent: one primary-key-like lookup."""
    return OrgUnit.objects.filter(path__in=unit.ancestor_paths()).order_by("depth")


def orgunit_children(actor: Any, unit: OrgUnit) -> QuerySet[OrgUnit]:
    return (
        orgunits_visible(actor)
        .filter(path__startswith=unit.path, depth=unit.depth + 1)
        .order_by("name_fr")
    )


def orgunit_breadcrumb(actor: Any, unit: OrgUnit) -> list[OrgUnit]:
    """The ancestors the actor may see, then the unit itself."""
    scope = scope_of(actor)
    visible = [
        a
        for a in orgunit_ancestors(unit).select_related("level")
        if scope.covers(a.path, tree_viewers())
    ]
    return [*visible, unit]


def orgunit_search(actor: Any, query: str, *, limit: int = 20) -> QuerySet[OrgUnit]:
    query = query.strip()
    qs = orgunits_visible(actor)
    if query:
        qs = qs.filter(
            Q(code__istartswith=query)
            | Q(name_fr__icontains=query)
            | Q(name_ar__icontains=query)
            | Q(school__school_code__istartswith=query)
        )
    return qs.order_by("depth", "name_fr")[:limit]


def orgunit_path(code: str) -> str | None:
    """The path of the unit with ``code`` (for the kernel: see core/scope.py)."""
    return OrgUnit.objects.filter(code=code).values_list("path", flat=True).first()


def academic_year_current() -> AcademicYear | None:
    return AcademicYear.objects.filter(is_current=True).first()
