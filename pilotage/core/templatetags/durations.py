"""``{{ value|duration }}``: a length of time in words, in the page's language, so a text
that states a delay says what the settings really are."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def duration(value: dt.timedelta | int | float) -> str:
    """In the largest unit that divides it exactly: « 3 jours », « 30 minutes »."""
    seconds = int(value.total_seconds() if isinstance(value, dt.timedelta) else value)
    days, rest = divmod(seconds, 86400)
    if days and not rest:
        return ngettext("%(count)d jour", "%(count)d jours", days) % {"count": days}
    hours, rest = divmod(seconds, 3600)
    if hours and not rest:
        return ngettext("%(count)d heure", "%(count)d heures", hours) % {"count": hours}
    minutes = max(1, -(-seconds // 60))  # a part of a minute counts as a whole one
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
