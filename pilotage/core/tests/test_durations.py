from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from pilotage.core.templatetags.durations import duration


@pytest.mark.parametrize(
    ("value", "fr", "en"),
    [
        (dt.timedelta(minutes=30), "30 minutes", "30 minutes"),
        (dt.timedelta(minutes=1), "1 minute", "1 minute"),
        (dt.timedelta(seconds=90), "2 minutes", "2 minutes"),
        (dt.timedelta(hours=1), "1 heure", "1 hour"),
        (dt.timedelta(hours=36), "36 heures", "36 hours"),
        (3 * 86400, "3 jours", "3 days"),
        (86400.0, "1 jour", "1 day"),
    ],
)
def test_duration_in_the_largest_exact_unit(value, fr: str, en: str) -> None:  # type: ignore[no-untyped-def]
    with translation.override("fr"):
        assert duration(value) == fr
    with translation.override("en"):
        assert duration(value) == en


def test_duration_in_arabic_follows_its_six_plural_forms() -> None:
    with translation.override("ar"):
        assert [duration(n * 86400) for n in (1, 2, 3, 11, 100)] == [
            "يوم واحد",
            "يومان",
            "3 أيام",
            "11 يومًا",
            "100 يوم",
        ]
