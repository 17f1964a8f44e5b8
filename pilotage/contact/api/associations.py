"""Associations in the API, with the same reach as the registry's pages."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from pilotage.contact.models import Association
from pilotage.contact.selectors.registry import association_get, associations_list
from pilotage.core.apischema import errors
from pilotage.core.pagination import Pages
from pilotage.orgunits.models import OrgUnit

router = Router(tags=["contact"])


class AssociationOut(Schema):
    id: int
    name_fr: str
    name_ar: str
    acronym: str
    registration_number: str | None
    legal_form: str
    unit: str
    fields: list[str]
    employees: int | None
    volunteers: int | None
    email: str
    phone: str
    is_active: bool

    @staticmethod
    def resolve_unit(obj: Association) -> str:
        return obj.org_unit.code

    @staticmethod
    def resolve_fields(obj: Association) -> list[str]:
        return [f.code for f in obj.fields.all()]


@router.get("/associations", response={200: list[AssociationOut], **errors(401)})
@paginate(Pages, page_size=50)
def associations_read(
    request: HttpRequest, q: str = "", province: str = "", field: str = ""
) -> QuerySet[Association]:
    """The associations the caller sees. ``q``: name (French or Arabic), acronym or
    registration number; ``province``: the code of a region, province or commune (its
    subtree); ``field``: the code of a field of action."""
    unit = None
    if province:
        unit = OrgUnit.objects.filter(code=province.strip()).first()
        if unit is None:
            return Association.objects.none()
    return associations_list(request.user, q=q[:100], unit=unit, field=field.strip())


@router.get("/associations/{association_id}", response={200: AssociationOut, **errors(401, 404)})
def association_read(request: HttpRequest, association_id: int) -> Association:
    return association_get(request.user, association_id)
