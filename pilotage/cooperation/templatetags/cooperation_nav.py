"""``{% cooperation_nav %}`` and ``{% programme_nav programme %}``: the app's tabs and a
programme's tabs (see ``navigation.py``)."""

from __future__ import annotations

from typing import Any

from django import template

from pilotage.cooperation.navigation import programme_tabs, sections_for

register = template.Library()


@register.inclusion_tag("cooperation/_nav.html", takes_context=True)
def cooperation_nav(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    if request is None:
        return {"tabs": []}
    return {"tabs": sections_for(request.user, request.path), "label": "app"}


@register.inclusion_tag("cooperation/_nav.html", takes_context=True)
def programme_nav(context: dict[str, Any], programme: Any) -> dict[str, Any]:
    request = context.get("request")
    if request is None:
        return {"tabs": []}
    return {"tabs": programme_tabs(request.user, programme, request.path), "label": "programme"}
