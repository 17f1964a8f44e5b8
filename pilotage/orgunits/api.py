from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from pilotage.core.apischema import errors
from pilotage.core.pagination import Pages
from pilotage.orgunits.models import OrgUnit
from pilotage.orgunits.selectors import orgunit_children, orgunits_visible, with_parent_names

router = Router(tags=["org units"])


class SchoolOut(Schema):
    school_code: str
    cycles: list[str]
    sector: str
    milieu: str


class OrgUnitOut(Schema):
    code: str
    name_fr: str
    name_ar: str
    name_en: str
    level: str
    depth: int
    parent_code: str | None
    parent_name: str
    label: str
    is_active: bool
    children: int
    school: SchoolOut | None

    @staticmethod
    def resolve_level(obj: OrgUnit) -> str:
        return obj.level.code

    @staticmethod
    def resolve_children(obj: OrgUnit) -> int:
        return obj.numchild

    @staticmethod
    def resolve_parent_code(obj: OrgUnit) -> str | None:
        return getattr(obj, "parent_code", None)

    @staticmethod
    def resolve_label(obj: OrgUnit) -> str:
        """Name · parent · code, in the caller's language: what tells namesakes apart."""
        return obj.label_with_context

    @staticmethod
    def resolve_school(obj: OrgUnit) -> SchoolOut | None:
        school = getattr(obj, "school", None) if hasattr(obj, "school") else None
        if school is None:
            return None
        return SchoolOut(
            school_code=school.school_code,
            cycles=school.cycles,
            sector=school.sector,
            milieu=school.milieu,
        )


def _with_parent_code(qs):
    from django.db.models import OuterRef, Subquery
    from django.db.models.functions import Substr

    parent = OrgUnit.objects.filter(
        path=Substr(OuterRef("path"), 1, (OuterRef("depth") - 1) * OrgUnit.steplen)
    )
    return with_parent_names(qs.annotate(parent_code=Subquery(parent.values("code")[:1])))


@router.get("", response={200: list[OrgUnitOut], **errors(404)})
@paginate(Pages, page_size=100)
def list_orgunits(request: HttpRequest, parent: str = "", level: str = "", q: str = ""):
    """Org units the caller may see; ``parent`` gives one unit's children."""
    if parent:
        unit = get_object_or_404(orgunits_visible(request.user), code=parent)
        qs = orgunit_children(request.user, unit)
    else:
        qs = orgunits_visible(request.user).order_by("path")
    if level:
        qs = qs.filter(level__code=level)
    if q:
        qs = qs.filter(name_fr__icontains=q) | qs.filter(code__istartswith=q)
    return _with_parent_code(qs)


@router.get("/{code}", response={200: OrgUnitOut, **errors(404)})
def get_orgunit(request: HttpRequest, code: str):
    return get_object_or_404(_with_parent_code(orgunits_visible(request.user)), code=code)
