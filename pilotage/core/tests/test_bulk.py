"""The kernel's bulk writer, on SQLite (``make test``) and PostgreSQL (``.ci/run``): the
values it stores are the ones the ORM would store, and reserved ids are never handed out
twice, to it or to the ORM."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.sessions.models import Session
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone

from pilotage.accounts.models import User
from pilotage.core.bulk import BulkTable, IdSource, ids_reserve, rows_insert
from pilotage.core.models import AuditEntry
from pilotage.core.tests.support import require
from pilotage.schooling.models import ExamWeighting, GradeLevel, Pupil

pytestmark = pytest.mark.django_db

AWARE = dt.datetime(2025, 10, 1, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))


def _the_writer_stores_what_the_orm_stores() -> None:
    ids = ids_reserve(Pupil, 2)
    written = rows_insert(
        Pupil,
        ["id", "code_massar", "last_name", "first_name", "sex", "birth_date", "created_at"],
        [
            (ids[0], "A100", "Alaoui", "Sara", "F", dt.date(2015, 2, 28), AWARE),
            (ids[1], "A101", "Bennani", "Omar", "M", dt.date(2014, 12, 31), AWARE),
        ],
    )
    assert written == 2
    sara, omar = Pupil.objects.filter(pk__in=ids).order_by("pk")
    assert (sara.code_massar, omar.code_massar) == ("A100", "A101")
    assert sara.birth_date == dt.date(2015, 2, 28)
    assert sara.created_at == AWARE  # the same instant, stored in UTC
    assert sara.last_name_ar == "" and sara.birth_place == ""  # defaults of columns left out
    # The database compares the stored datetime as the ORM does (same text on SQLite).
    later = AWARE + dt.timedelta(seconds=1)
    assert Pupil.objects.filter(pk__in=ids, created_at__lt=later).count() == 2


def _json_booleans_decimals_and_auto_now() -> None:
    before = timezone.now()
    rows_insert(
        AuditEntry,
        ["action", "object_type", "object_id", "changes"],
        [("create", "x.y", "1", {"mark": [None, "12.50"], "when": [None, "2025-10-01"]})],
    )
    entry = AuditEntry.objects.get(object_type="x.y")
    assert entry.changes == {"mark": [None, "12.50"], "when": [None, "2025-10-01"]}
    assert entry.object_repr == ""
    assert entry.at >= before - dt.timedelta(seconds=1)  # auto_now_add filled with now
    table = BulkTable(User, ["username", "password", "is_active", "is_staff"])
    table.add(("bulk.one", "!", False, True))
    assert table.write() == 1 and table.write() == 0 and table.written == 1
    one = User.objects.get(username="bulk.one")
    assert (one.is_active, one.is_staff, one.preferred_language) == (False, True, "fr")
    assert one.date_joined.tzinfo is not None
    level = GradeLevel.objects.create(
        code="T9", cycle="lycee", order=99, entry_age=18, name_fr="Essai"
    )
    rows_insert(
        ExamWeighting,
        ["grade_level_id", "continuous", "national_exam"],
        [(level.pk, Decimal("0.250"), Decimal("0.75"))],
    )
    weighting = ExamWeighting.objects.get(grade_level=level)
    assert (weighting.continuous, weighting.national_exam) == (Decimal("0.250"), Decimal("0.750"))
    assert weighting.local_exam == 0


def _reserved_ids_are_never_given_again() -> None:
    reserved = ids_reserve(User, 3)
    assert len(set(reserved)) == 3
    # The ORM, writing meanwhile, does not take them.
    orm = User.objects.create(username="orm.user")
    assert orm.pk not in reserved
    again = ids_reserve(User, 2)
    assert not set(again) & {*reserved, orm.pk}
    source = IdSource(User, chunk=2)
    taken = [source.take() for _ in range(5)]  # three chunks
    assert len(set(taken)) == 5 and not set(taken) & {*reserved, *again, orm.pk}
    assert ids_reserve(User, 0) == []


def test_the_writer_stores_what_the_orm_stores() -> None:
    _the_writer_stores_what_the_orm_stores()


def test_json_booleans_decimals_and_auto_now() -> None:
    _json_booleans_decimals_and_auto_now()


def test_reserved_ids_are_never_given_again() -> None:
    _reserved_ids_are_never_given_again()


def test_unknown_or_missing_columns_fail_before_writing() -> None:
    with pytest.raises(ValueError, match="no column"):
        BulkTable(User, ["username", "nope"])
    with pytest.raises(ValueError, match="has no default"):
        BulkTable(Pupil, ["code_massar"])  # last_name has no default
    with pytest.raises(ValueError, match="automatic integer key"):
        ids_reserve(Session, 1)
    assert User.objects.count() == 0


@pytest.mark.postgres
def test_on_postgresql_copy_and_sequences_do_the_same() -> None:
    """The tests above run on both databases in CI; this one adds what only PostgreSQL
    has: another connection reserving at the same time gets other ids."""
    # Marked postgres: make test deselects it, .ci/run runs it in its PostgreSQL pass.
    require(connection.vendor == "postgresql", "needs PostgreSQL")
    _the_writer_stores_what_the_orm_stores()
    _json_booleans_decimals_and_auto_now()
    mine = ids_reserve(User, 5)
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        theirs = ids_reserve(User, 5, using=other)
    finally:
        other.close()
    assert not set(mine) & set(theirs)
