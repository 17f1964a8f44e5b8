"""A training session's participants list (CSV or XLSX): one row a person, matched to
the participants already recorded (docs/imports.md, "What every import does": all or
nothing, every problem as row · column · value · reason, re-importing changes nothing).

A session's list is a few hundred rows at most, so it runs in the request rather than as
a background job; the file is read with the kernel's reader (``core.tabular``) and its
limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pilotage.cooperation.audit import PARTICIPANTS_IMPORT
from pilotage.cooperation.models import Attendance, TrainingSession
from pilotage.cooperation.permissions import can_record_training
from pilotage.cooperation.services.trainings import (
    Person,
    identity_key,
    name_key,
    participant_get_or_create,
)
from pilotage.core.audit import audit_record
from pilotage.core.imports import Column, column_names
from pilotage.core.tabular import ImportRejected, Problem, Problems, cell_text, open_table
from pilotage.schooling.selectors import teachers_by_ppr

YES = {"1", "oui", "o", "x", "yes", "y", "true", "vrai", "نعم"}
NO = {"", "0", "non", "n", "no", "false", "faux", "لا"}
SEXES = {"f": "F", "femme": "F", "m": "M", "h": "M", "homme": "M", "أنثى": "F", "ذكر": "M"}

COLUMNS = (
    Column("nom_complet", gettext_lazy("Prénom et nom du participant."), "Awa Ndiaye"),
    Column(
        "sexe",
        gettext_lazy("Sexe."),
        "F",
        allowed=gettext_lazy("F (femme) ou M (homme)"),
    ),
    Column("fonction", gettext_lazy("Fonction."), "Enseignante", required=False),
    Column("email", gettext_lazy("Adresse e-mail."), "awa.ndiaye@example.org", required=False),
    Column("telephone", gettext_lazy("Téléphone."), "+221 77 000 00 00", required=False),
    Column(
        "identifiant_national",
        gettext_lazy("Numéro de la carte d'identité nationale."),
        "",
        required=False,
    ),
    Column(
        "ppr",
        gettext_lazy(
            "Matricule (PPR) de l'enseignant : la personne est reliée à sa fiche "
            "d'enseignant si vous voyez son établissement."
        ),
        "",
        required=False,
    ),
    Column(
        "present",
        gettext_lazy("A assisté à la session."),
        "oui",
        required=False,
        allowed=gettext_lazy("oui / non (1 / 0)"),
    ),
    Column(
        "acheve",
        gettext_lazy("A achevé la formation."),
        "oui",
        required=False,
        allowed=gettext_lazy("oui / non (1 / 0)"),
    ),
)
REQUIRED = ["nom_complet", "sexe"]
OPTIONAL = [c for c in column_names(COLUMNS) if c not in REQUIRED]


@dataclass
class Row:
    number: int
    person: Person
    attended: bool
    completed: bool
    ppr: str


def _bool(number: int, column: str, values: dict[str, Any], problems: Problems) -> bool:
    text = cell_text(values.get(column)).strip().lower()
    if text in YES:
        return True
    if text not in NO:
        problems.add(number, column, text, _("répondez oui ou non (1 ou 0)"))
    return False


def _row(number: int, values: dict[str, Any], teachers: dict[str, Any], problems: Problems):
    name = " ".join(cell_text(values.get("nom_complet")).split())
    if not name:
        problems.add(number, "nom_complet", "", _("le nom est obligatoire"))
    elif len(name) > 200:
        problems.add(number, "nom_complet", name, _("200 caractères au plus"))
    raw_sex = cell_text(values.get("sexe")).strip()
    sex = SEXES.get(raw_sex.lower())
    if sex is None:
        problems.add(number, "sexe", raw_sex, _("F (femme) ou M (homme)"))
    email = cell_text(values.get("email")).strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.add(number, "email", email, _("adresse e-mail mal formée"))
    phone = cell_text(values.get("telephone")).strip()
    if len(phone) > 30:
        problems.add(number, "telephone", phone, _("30 caractères au plus"))
    national_id = cell_text(values.get("identifiant_national")).strip()
    if len(national_id) > 40:
        problems.add(number, "identifiant_national", national_id, _("40 caractères au plus"))
    role = cell_text(values.get("fonction")).strip()
    if len(role) > 100:
        problems.add(number, "fonction", role, _("100 caractères au plus"))
    attended = _bool(number, "present", values, problems)
    completed = _bool(number, "acheve", values, problems)
    if completed and not attended and cell_text(values.get("present")).strip():
        problems.add(
            number,
            "acheve",
            cell_text(values.get("acheve")),
            _("un participant absent ne peut pas avoir achevé la formation"),
        )
    ppr = cell_text(values.get("ppr")).strip()
    return Row(
        number,
        Person(
            full_name=name,
            sex=sex or "",
            role=role,
            email=email,
            phone=phone,
            national_id=national_id,
            teacher=teachers.get(ppr) if ppr else None,
        ),
        attended or completed,
        completed,
        ppr,
    )


def _visible_teachers(actor: Any, pprs: set[str]) -> dict[str, Any]:
    """The teachers of ``pprs`` whose school the importer sees (one query); the others
    are not linked, and the file is not told whether they exist."""
    return teachers_by_ppr(actor, pprs)


def participants_import(
    *,
    actor: Any,
    session: TrainingSession,
    stream: IO[bytes],
    filename: str,
    dry_run: bool = False,
) -> dict[str, Any]:
    """Validate the whole list, then apply it in one transaction. Raises ImportRejected
    with every problem; returns the counts."""
    if not can_record_training(actor, session.project):
        raise PermissionDenied
    country = session.project.country
    table = open_table(stream, filename=filename, required=REQUIRED, optional=OPTIONAL)
    problems = Problems(column_names(COLUMNS))
    raw = list(problems.readable(table.rows))
    teachers = _visible_teachers(actor, {cell_text(v.get("ppr")).strip() for _n, v in raw} - {""})
    rows: list[Row] = []
    seen: dict[str, int] = {}
    for number, values in raw:
        row = _row(number, values, teachers, problems)
        if country is not None and row.person.full_name:
            key = identity_key(row.person, country) or f"name:{name_key(row.person.full_name)}"
            first = seen.setdefault(key, number)
            if first != number:
                problems.add(
                    number,
                    "nom_complet",
                    row.person.full_name,
                    _("la même personne figure déjà à la ligne %(row)s") % {"row": first},
                )
        rows.append(row)
    if not raw and not problems.total:
        problems.add(1, "", filename, _("le fichier ne contient aucune ligne"))
    problems.raise_if_any()
    counts = {
        "rows": len(rows),
        "participants_created": 0,
        "participants_matched": 0,
        "possible_duplicates": 0,
        "attendances_created": 0,
        "attendances_updated": 0,
        "unchanged": 0,
        "teachers_linked": sum(1 for r in rows if r.person.teacher is not None),
        "ppr_not_linked": sum(1 for r in rows if r.ppr and r.person.teacher is None),
    }
    if dry_run or country is None:
        return counts
    try:
        with transaction.atomic():
            _apply(actor, session, country, rows, counts)
            if any(
                counts[k]
                for k in ("participants_created", "attendances_created", "attendances_updated")
            ):
                audit_record(
                    actor=actor,
                    action=PARTICIPANTS_IMPORT,
                    obj=session,
                    changes={
                        "file": [None, filename],
                        **{k: [None, v] for k, v in counts.items() if v},
                    },
                )
    except IntegrityError as exc:
        raise ImportRejected(
            [Problem(1, "", filename, _("écriture concurrente : réessayez l'import"))]
        ) from exc
    return counts


def _apply(
    actor: Any, session: TrainingSession, country: Any, rows: list[Row], counts: dict[str, int]
) -> None:
    existing = {a.participant_id: a for a in session.attendances.all()}
    for row in rows:
        participant, created = participant_get_or_create(
            actor=actor, person=row.person, country=country, session=session
        )
        if created:
            counts["participants_created"] += 1
            if participant.possible_duplicate_of_id:
                counts["possible_duplicates"] += 1
        else:
            counts["participants_matched"] += 1
        attendance = existing.get(participant.pk)
        if attendance is None:
            attendance = Attendance.objects.create(
                session=session,
                participant=participant,
                attended=row.attended,
                completed=row.completed,
            )
            existing[participant.pk] = attendance
            counts["attendances_created"] += 1
        elif (attendance.attended, attendance.completed) != (row.attended, row.completed):
            attendance.attended, attendance.completed = row.attended, row.completed
            attendance.save(update_fields=["attended", "completed"])
            counts["attendances_updated"] += 1
        else:
            counts["unchanged"] += 1
