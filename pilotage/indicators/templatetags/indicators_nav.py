"""``{% indicators_nav %}``: the tabs of the indicators app (see ``navigation.py``)."""

from __future__ import annotations

from typing import Any

from django import template

from pilotage.indicators.navigation import sections_for

register = template.Library()


@register.inclusion_tag("indicators/_nav.html", takes_context=True)
def indicators_nav(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    if request is None:  # a template rendered outside a request (a test, an e-mail)
        return {"tabs": []}
    return {"tabs": sections_for(request.user, request.path)}
