"""Links from the audit page to the org units' pages. The tree uses the kernel's actions."""

from __future__ import annotations

from django.urls import reverse

from pilotage.core.audit import audit_links_register
from pilotage.orgunits.models import OrgUnit


def _unit_pages(ids: list[str]) -> dict[str, str]:
    """A unit's page is addressed by its code: one query for the page's units. A school's
    record shares its unit's id, so it links to the same page."""
    pks = [int(pk) for pk in ids if pk.isdigit()]
    codes = OrgUnit.objects.filter(pk__in=pks).values_list("pk", "code")
    return {str(pk): reverse("orgunits:detail", args=[code]) for pk, code in codes}


audit_links_register("orgunits.orgunit", _unit_pages)
audit_links_register("orgunits.school", _unit_pages)
