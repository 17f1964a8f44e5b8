"""``{% contact_nav %}``: the app's tabs (see ``navigation.py``)."""

from __future__ import annotations

from typing import Any

from django import template

from pilotage.contact.navigation import sections_for

register = template.Library()


@register.inclusion_tag("contact/_nav.html", takes_context=True)
def contact_nav(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    if request is None:
        return {"tabs": []}
    return {"tabs": sections_for(request.user, request.path)}
