"""Our date and number formats (``pilotage/formats/``) against the CLDR data Babel ships:
Arabic as written in Morocco (``ar_MA``), French as written in Morocco (``fr_MA``), and
English in the day-first order of ``en_GB``. The expected values come from Babel, not from
this file, so the data is cited rather than typed twice.

Source: Unicode CLDR (https://cldr.unicode.org), through Babel's locale data."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol
from django import forms
from django.template import Context, Template
from django.utils import formats, translation

CLDR = {"ar": "ar_MA", "fr": "fr_MA", "en": "en_GB"}
# 3 December 2026, 20:38: the day, the month and the hour cannot be confused.
MOMENT = datetime.datetime(2026, 12, 3, 20, 38)  # noqa: DTZ001
BIDI_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u061c"))


def ours(lang: str, fmt: str, value=MOMENT) -> str:
    with translation.override(lang):
        return formats.date_format(value, fmt)


@pytest.mark.parametrize("lang", sorted(CLDR))
def test_month_names_are_cldr_wide_names(lang):
    cldr = Locale.parse(CLDR[lang]).months["format"]["wide"]
    for month in range(1, 13):
        day = datetime.date(2026, month, 1)
        # "F" is the month of a date ("3 دجنبر 2026"), "E" the alternative form Django
        # offers for languages that decline the month: Morocco writes both the same way.
        assert ours(lang, "F", day).lower() == cldr[month].lower()
        assert ours(lang, "E", day).lower() == cldr[month].lower()


def test_arabic_abbreviated_months_are_the_moroccan_names():
    cldr = Locale.parse("ar_MA").months["format"]["abbreviated"]
    for month in range(1, 13):
        day = datetime.date(2026, month, 1)
        for fmt in ("M", "b", "N"):
            assert ours("ar", fmt, day) == cldr[month]


def test_the_issue_example_reads_as_morocco_writes_it():
    """Issue #9: "3 دجنبر 2026", not "ديسمبر 3, 2026" nor "12/03/2026 8:38 ص"."""
    with translation.override("ar"):
        page = Template('{{ d|date:"DATE_FORMAT" }}|{{ d|date:"SHORT_DATETIME_FORMAT" }}').render(
            Context({"d": MOMENT})
        )
    assert page == "3 دجنبر 2026|03/12/2026 20:38"


@pytest.mark.parametrize("lang", sorted(CLDR))
def test_long_date_is_cldr_long_date(lang):
    assert ours(lang, "DATE_FORMAT") == format_date(MOMENT, "long", locale=CLDR[lang])


@pytest.mark.parametrize("lang", sorted(CLDR))
def test_short_date_is_day_month_year(lang):
    """CLDR ar_MA puts a right-to-left mark after each number of the short date; ours keeps
    plain slashes (see pilotage/formats/ar/formats.py), in the same order."""
    cldr = format_date(MOMENT, "short", locale=CLDR[lang]).translate(BIDI_MARKS)
    mine = ours(lang, "SHORT_DATE_FORMAT")
    assert [int(part) for part in mine.split("/")] == [int(p) for p in cldr.split("/")]
    assert [int(part) for part in mine.split("/")] == [3, 12, 2026]


@pytest.mark.parametrize("lang", sorted(CLDR))
def test_times_are_24_hour(lang):
    cldr = format_time(MOMENT, "short", locale=CLDR[lang])
    assert ours(lang, "TIME_FORMAT") == cldr == "20:38"
    assert ours(lang, "SHORT_DATETIME_FORMAT") == f"{ours(lang, 'SHORT_DATE_FORMAT')} {cldr}"
    assert ours(lang, "DATETIME_FORMAT") == f"{ours(lang, 'DATE_FORMAT')} {cldr}"


@pytest.mark.parametrize("lang", sorted(CLDR))
def test_week_starts_on_cldr_first_day(lang):
    # Babel counts Monday as 0, Django as 1 (Sunday is 0).
    with translation.override(lang):
        assert (
            formats.get_format("FIRST_DAY_OF_WEEK")
            == (Locale.parse(CLDR[lang]).first_week_day + 1) % 7
        )


@pytest.mark.parametrize("lang", sorted(CLDR))
def test_number_separators_are_cldr(lang):
    locale = CLDR[lang]
    with translation.override(lang):
        assert formats.get_format("DECIMAL_SEPARATOR") == get_decimal_symbol(locale)
        assert formats.get_format("THOUSAND_SEPARATOR") == get_group_symbol(locale)
        assert (
            formats.get_format("NUMBER_GROUPING")
            == (Locale.parse(locale).decimal_formats[None].grouping[0])
        )
        assert formats.number_format(
            Decimal("1234567.5"), 1, force_grouping=True
        ) == format_decimal(Decimal("1234567.5"), locale=locale)


@pytest.mark.parametrize("lang", sorted(CLDR))
def test_typed_dates_are_read_day_first(lang):
    class Form(forms.Form):
        day = forms.DateField()

    with translation.override(lang):
        form = Form({"day": "03/12/2026"})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == datetime.date(2026, 12, 3)


@pytest.mark.django_db
def test_audit_log_shows_stored_dates_in_the_reader_format():
    """The audit log keeps dates as ISO 8601 text (core/audit.py); the page shows them as
    the reader writes them, in local time."""
    from pilotage.core.audit import audit_rows
    from pilotage.core.models import AuditEntry

    entries = [
        AuditEntry(
            object_type="accounts.user",
            object_id="1",
            action="update",
            changes={"last_login": [None, "2026-12-03T19:38:00+00:00"]},
        ),
        AuditEntry(
            object_type="orgunits.semester",
            object_id="1",
            action="update",
            changes={"start": ["2026-09-01", "2026-09-08"]},
        ),
    ]
    with translation.override("ar"):
        login, semester = (row.changes[0] for row in audit_rows(entries))
    assert login.new == "03/12/2026 20:38"  # Africa/Casablanca, UTC+1
    assert (semester.old, semester.new) == ("01/09/2026", "08/09/2026")
