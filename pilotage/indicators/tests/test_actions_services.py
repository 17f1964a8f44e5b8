"""Writing the action plans: each service with its permission, its checks, its audit row
and, when refused, nothing changed (rows and audit entries)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from pilotage.core.models import AuditEntry
from pilotage.core.tests.support import unchanged
from pilotage.indicators.models import Action, ActionEvidence, ActionNote, Objective
from pilotage.indicators.services.actions import (
    ActionConflict,
    action_create,
    action_evidence_add,
    action_evidence_remove,
    action_note_add,
    action_update,
    objective_create,
)
from pilotage.indicators.tests.steering import Steering, make_action, set_target, steering_setup


@pytest.fixture
def steering(personas) -> Steering:  # type: ignore[no-untyped-def]
    return steering_setup(personas)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
MODELS = (Objective, Action, ActionNote, ActionEvidence)


def _objective(s, actor=None, **kw) -> Objective:  # type: ignore[no-untyped-def]
    return objective_create(
        actor=actor or s.p.provincial_a,
        title=kw.pop("title", "Réduire le décrochage au primaire"),
        org_unit=kw.pop("org_unit", s.p.province_a),
        start_year=kw.pop("start_year", s.year),
        **kw,
    )


def test_objective_and_action_are_created_and_audited(steering) -> None:  # type: ignore[no-untyped-def]
    s = steering
    target = set_target(s, indicator="pass_rate", unit=s.p.province_a, target="80")
    objective = _objective(s, target=target, end_year=s.year)
    assert objective.indicator == "pass_rate" and objective.end_year == s.year
    action = make_action(s, objective=objective, budget=Decimal("15000.50"))
    assert (action.status, action.progress, action.version, action.currency) == (
        "planned",
        0,
        1,
        "MAD",
    )
    created = AuditEntry.objects.get(action="create", object_type="indicators.action")
    assert created.changes["budget"] == [None, "15000.50"]
    assert created.path == s.p.school_a.path


@pytest.mark.parametrize("who", ["provincial_b", "head_b", "teacher_a1", "agent"])
def test_outsiders_cannot_write_plans(steering, who) -> None:  # type: ignore[no-untyped-def]
    s = steering
    action = make_action(s)
    actor = getattr(s.p, who)
    upload = SimpleUploadedFile("rapport.pdf", PDF)
    with unchanged(*MODELS):
        with pytest.raises(PermissionDenied):
            _objective(s, actor=actor)
        with pytest.raises(PermissionDenied):
            action_create(
                actor=actor,
                title="x",
                owner=s.p.head_a,
                org_unit=s.p.school_a,
                start_date=dt.date(2025, 9, 1),
                due_date=dt.date(2025, 10, 1),
            )
        with pytest.raises(PermissionDenied):
            action_update(actor=actor, action=action, version=1, progress=50)
        with pytest.raises(PermissionDenied):
            action_note_add(actor=actor, action=action, text="Point d'étape")
        with pytest.raises(PermissionDenied):
            action_evidence_add(actor=actor, action=action, upload=upload)


def test_the_owner_must_follow_the_unit(steering) -> None:  # type: ignore[no-untyped-def]
    s = steering
    with unchanged(*MODELS), pytest.raises(ValidationError) as caught:
        make_action(s, owner=s.p.head_b)  # school B's head cannot open school A's actions
    assert "owner" in caught.value.message_dict
    with unchanged(*MODELS), pytest.raises(ValidationError):
        make_action(s, owner=s.p.teacher_a1)
    # an officer above the school may own it
    assert make_action(s, owner=s.p.provincial_a).owner == s.p.provincial_a


def test_dates_and_objective_unit_are_checked(steering) -> None:  # type: ignore[no-untyped-def]
    s = steering
    with unchanged(*MODELS), pytest.raises(ValidationError):
        make_action(s, start=dt.date(2026, 1, 10), due=dt.date(2026, 1, 1))
    objective = _objective(s)
    with unchanged(*MODELS), pytest.raises(ValidationError) as caught:
        make_action(s, unit=s.p.school_b, owner=s.p.head_b, objective=objective)
    assert "org_unit" in caught.value.message_dict
    with unchanged(*MODELS), pytest.raises(ValidationError):
        _objective(s, start_year=s.year, end_year=s.previous)


def test_update_is_versioned(steering) -> None:  # type: ignore[no-untyped-def]
    s = steering
    action = make_action(s)
    updated = action_update(
        actor=s.p.head_a, action=action, version=1, progress=40, status="in_progress"
    )
    assert (updated.version, updated.progress) == (2, 40)
    entry = AuditEntry.objects.get(action="update", object_type="indicators.action")
    assert entry.changes == {"progress": [0, 40], "status": ["planned", "in_progress"]}
    # the provincial officer's form was loaded at version 1: refused, nothing written
    with unchanged(*MODELS), pytest.raises(ActionConflict):
        action_update(actor=s.p.provincial_a, action=action, version=1, progress=10)
    done = action_update(actor=s.p.provincial_a, action=action, version=2, status="done")
    assert (done.progress, done.status) == (100, "done")


def test_update_without_change_writes_nothing(steering) -> None:  # type: ignore[no-untyped-def]
    s = steering
    action = make_action(s)
    with unchanged(*MODELS):
        action_update(actor=s.p.head_a, action=action, version=1, progress=0)


def test_a_note_moves_the_progress(steering) -> None:  # type: ignore[no-untyped-def]
    s = steering
    action = make_action(s)
    note = action_note_add(actor=s.p.head_a, action=action, text="Séances lancées", progress=30)
    action.refresh_from_db()
    assert (note.author, action.progress, action.status, action.version) == (
        s.p.head_a,
        30,
        "in_progress",
        2,
    )
    entry = AuditEntry.objects.get(action="action_note")
    assert entry.changes["note"] == [None, "Séances lancées"]
    with unchanged(*MODELS), pytest.raises(ValidationError):
        action_note_add(actor=s.p.head_a, action=action, text="   ")
    with unchanged(*MODELS), pytest.raises(ValidationError):
        action_note_add(actor=s.p.head_a, action=action, text="x", progress=120)


def test_evidence_is_stored_type_checked_and_size_limited(steering, settings) -> None:  # type: ignore[no-untyped-def]
    s = steering
    action = make_action(s)
    evidence = action_evidence_add(
        actor=s.p.head_a, action=action, upload=SimpleUploadedFile("PV réunion.pdf", PDF)
    )
    assert evidence.content_type == "application/pdf" and evidence.size == len(PDF)
    with evidence.file.open("rb") as stored:
        assert stored.read() == PDF
    assert AuditEntry.objects.filter(action="action_evidence").count() == 1
    for name, content, reason in [
        ("script.exe", b"MZ\x90\x00", "Type de fichier refusé"),
        ("faux.pdf", b"<html>", "ne correspond pas"),
        ("photo.png", PDF, "ne correspond pas"),
    ]:
        with unchanged(*MODELS), pytest.raises(ValidationError, match=reason):
            action_evidence_add(
                actor=s.p.head_a, action=action, upload=SimpleUploadedFile(name, content)
            )
    settings.PILOTAGE_EVIDENCE_MAX_BYTES = 10
    with unchanged(*MODELS), pytest.raises(ValidationError, match="taille maximale"):
        action_evidence_add(
            actor=s.p.head_a, action=action, upload=SimpleUploadedFile("r.pdf", PDF)
        )


def test_evidence_removal(steering, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    s = steering
    action = make_action(s)
    evidence = action_evidence_add(
        actor=s.p.head_a, action=action, upload=SimpleUploadedFile("r.pdf", PDF)
    )
    storage, name = evidence.file.storage, evidence.file.name
    with unchanged(*MODELS), pytest.raises(PermissionDenied):
        action_evidence_remove(actor=s.p.head_b, evidence=evidence)
    with django_capture_on_commit_callbacks(execute=True):
        action_evidence_remove(actor=s.p.head_a, evidence=evidence)
    assert not ActionEvidence.objects.exists() and not storage.exists(name)


def test_a_corrective_action_is_opened_from_a_gap(steering) -> None:  # type: ignore[no-untyped-def]
    s = steering
    gap = set_target(s, indicator="pass_rate", target="90", tolerance="5")  # 75 %: off track
    action = make_action(s, gap_target=gap, title="Remédiation en 5AP")
    assert (action.gap_target, action.gap_value, action.gap_status) == (gap, 75.0, "off_track")
    met = set_target(s, indicator="pass_rate", dims={"sex": "F"}, target="70")  # 75 %: met
    with unchanged(*MODELS), pytest.raises(ValidationError, match="pas d'écart"):
        make_action(s, gap_target=met)
    # the action's unit lies inside the target's
    with unchanged(*MODELS), pytest.raises(ValidationError):
        make_action(s, unit=s.p.school_b, owner=s.p.head_b, gap_target=gap)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_updates_racing_in_parallel_only_one_wins(personas) -> None:  # type: ignore[no-untyped-def]
    """The owner and the provincial officer save the same version at the same instant: the
    row lock makes the second wait, then see the first one's version. PostgreSQL only, as
    the marks' race test (the in-memory SQLite test database does not queue writers)."""
    import threading

    from django.db import connection, connections

    from pilotage.core.tests.support import require

    require(connection.vendor == "postgresql", "needs PostgreSQL")
    s = steering_setup(personas)
    action = make_action(s)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(actor, progress: int) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait(timeout=10)
            action_update(actor=actor, action=action.pk, version=1, progress=progress)
            outcomes.append("saved")
        except ActionConflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=(personas.head_a, 30)),
        threading.Thread(target=save, args=(personas.provincial_a, 60)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "saved"]
    action.refresh_from_db()
    assert action.version == 2
    assert AuditEntry.objects.filter(action="update", object_type="indicators.action").count() == 1


def test_a_due_date_before_the_start_is_refused_naming_the_field_and_both_dates(steering) -> None:  # type: ignore[no-untyped-def]
    s = steering
    with unchanged(*MODELS), pytest.raises(ValidationError) as caught:
        make_action(s, start=dt.date(2025, 10, 1), due=dt.date(2025, 9, 1))
    (message,) = caught.value.message_dict["due_date"]
    assert "1 septembre 2025" in message and "1 octobre 2025" in message
    action = make_action(s)
    with unchanged(*MODELS), pytest.raises(ValidationError) as caught:
        action_update(
            actor=s.p.head_a, action=action, version=action.version, due_date=dt.date(2000, 1, 1)
        )
    assert "due_date" in caught.value.message_dict
