"""``{{ value|bdi }}``: a value isolated from the text around it, for the placeholders of a
translated sentence (``{% blocktranslate with code=code|bdi %}``), where a ``<bdi>`` cannot
be written around the placeholder without changing the message to translate."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def bdi(value: Any) -> SafeString:
    return format_html("<bdi>{}</bdi>", value)
