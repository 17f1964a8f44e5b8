"""Reads of the org-unit tree, already cut to what the actor may see."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Substr

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


TREE_CHILDREN_LIMIT = 500


def orgunit_tree(actor: Any) -> list[OrgUnit]:
    """Where the actor's tree starts, opened one level: the top units of the scope (the
    country, or every root for a superuser; a region for its officer; a school for its
    head), each with its visible children in ``tree_children``. Two queries."""
    tops = list(orgunit_tops(actor))
    if not tops:
        return []
    below = reduce(or_, (Q(path__startswith=t.path, depth=t.depth + 1) for t in tops))
    children: dict[str, list[OrgUnit]] = defaultdict(list)
    for child in (
        orgunits_visible(actor).filter(below).order_by("name_fr")[: TREE_CHILDREN_LIMIT * len(tops)]
    ):
        children[child.path[: -child.steplen]].append(child)
    for top in tops:
        top.tree_children = children[top.path][:TREE_CHILDREN_LIMIT]
    return tops


def _parent(field: str) -> Subquery:
    parent = OrgUnit.objects.filter(
        path=Substr(OuterRef("path"), 1, (OuterRef("depth") - 1) * OrgUnit.steplen)
    )
    return Subquery(parent.values(field)[:1])


def with_parent_names(qs: QuerySet[OrgUnit]) -> QuerySet[OrgUnit]:
    """The parent's names in the same query, for ``OrgUnit.parent_name`` and
    ``label_with_context`` (a school's commune tells two schools of one name apart)."""
    return qs.annotate(
        parent_name_fr=_parent("name_fr"),
        parent_name_ar=_parent("name_ar"),
        parent_name_en=_parent("name_en"),
    )


def parents_attach(units: Iterable[OrgUnit | None]) -> None:
    """The same for units reached through a foreign key (a page of classes' schools, of
    transfers' origins and destinations): one query for all their parents."""
    pending = [u for u in units if u is not None and not hasattr(u, "parent_name_fr")]
    paths = {u.path[: -u.steplen] for u in pending if u.depth > 1}
    names = (
        {
            p: (fr, ar, en)
            for p, fr, ar, en in OrgUnit.objects.filter(path__in=paths).values_list(
                "path", "name_fr", "name_ar", "name_en"
            )
        }
        if paths
        else {}
    )
    for unit in pending:
        fr, ar, en = names.get(unit.path[: -unit.steplen], ("", "", ""))
        unit.parent_name_fr, unit.parent_name_ar, unit.parent_name_en = fr, ar, en


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


def _matching(qs: QuerySet[OrgUnit], query: str) -> QuerySet[OrgUnit]:
    query = query.strip()
    if not query:
        return qs
    return qs.filter(
        Q(code__istartswith=query)
        | Q(name_fr__icontains=query)
        | Q(name_ar__icontains=query)
        | Q(school__school_code__istartswith=query)
    )


def orgunit_search(
    actor: Any, query: str, *, limit: int = 20, schools_only: bool = False
) -> QuerySet[OrgUnit]:
    """The picker's search within the actor's scope, each unit with its parent's name:
    one query whatever the number of results."""
    qs = _matching(orgunits_visible(actor), query)
    if schools_only:
        qs = qs.filter(school__isnull=False)
    return with_parent_names(qs).order_by("depth", "name_fr", "code")[:limit]


def school_directory_search(query: str, *, limit: int = 20) -> QuerySet[OrgUnit]:
    """Any open school of the country, by name or code, with its commune: the directory a
    school picks a transfer destination from (the caller decides who may search it).
    One query."""
    qs = OrgUnit.objects.filter(school__isnull=False, is_active=True).select_related(
        "level", "school"
    )
    return with_parent_names(_matching(qs, query)).order_by("name_fr", "code")[:limit]


def orgunit_path(code: str) -> str | None:
    """The path of the unit with ``code`` (for the kernel: see core/scope.py)."""
    return OrgUnit.objects.filter(code=code).values_list("path", flat=True).first()


def academic_year_current() -> AcademicYear | None:
    return AcademicYear.objects.filter(is_current=True).first()
