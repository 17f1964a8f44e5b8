"""Teachers: an account (the PPR is the username), a teacher record and the teacher role
on the school. The file is read twice: validated whole, then written."""

from __future__ import annotations

from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from pilotage.accounts.models import User
from pilotage.core.imports import Column, column_names
from pilotage.core.jobs import Progress
from pilotage.core.tabular import Problems, cell_text, open_table
from pilotage.schooling.imports.common import (
    PPR,
    UNCHANGED_LINE,
    USER_NAME_MAX,
    Duplicates,
    Lookups,
    Touched,
    check_name,
    check_not_empty,
    conflicting_write,
    count_lines,
    report_validating,
    summarized,
    valid_rows,
)
from pilotage.schooling.models import Teacher
from pilotage.schooling.permissions import can_import_teachers
from pilotage.schooling.services.bulk import BATCH_SIZE, TeacherRow, batched, teachers_bulk_apply

# The columns as the importer reads them and as its page and template explain them.
TEACHER_COLUMN_HELP = (
    Column(
        "ppr",
        gettext_lazy(
            "Le matricule (PPR) de l'enseignant ; il devient son identifiant de connexion."
        ),
        "1234567",
        format=gettext_lazy("de 5 à 12 chiffres"),
    ),
    Column(
        "nom",
        gettext_lazy("Nom de famille."),
        "El Fassi",
        format=gettext_lazy("150 caractères au plus"),
    ),
    Column(
        "prenom", gettext_lazy("Prénom."), "Nadia", format=gettext_lazy("150 caractères au plus")
    ),
    Column(
        "email",
        gettext_lazy(
            "Adresse e-mail : l'enseignant y reçoit le lien pour choisir son mot de passe "
            "(« mot de passe oublié »)."
        ),
        "nadia.elfassi@example.ma",
        required=False,
    ),
    Column(
        "code_etablissement",
        gettext_lazy(
            "Le code de l'établissement où il enseigne ; il doit être dans votre périmètre."
        ),
        "04101A",
    ),
    Column(
        "qualifie",
        gettext_lazy("L'enseignant a-t-il la qualification pédagogique requise ?"),
        "oui",
        allowed=gettext_lazy("oui ou non (o/n, 1/0 aussi)"),
    ),
    Column(
        "specialite",
        gettext_lazy("La matière enseignée ; vide pour un enseignant du primaire."),
        "MATH",
        required=False,
        format=gettext_lazy("un code de matière : MATH, FR, AR…"),
    ),
)
TEACHER_COLUMNS = column_names(TEACHER_COLUMN_HELP)
YES = {"oui", "o", "1", "true", "vrai", "yes"}
NO = {"non", "n", "0", "false", "faux", "no"}


def _teacher(
    number: int, values: dict[str, Any], look: Lookups, problems: Problems
) -> TeacherRow | None:
    bad = problems.total
    ppr = cell_text(values["ppr"])
    if not PPR.fullmatch(ppr):
        problems.add(number, "ppr", ppr, _("matricule PPR mal formé : de 5 à 12 chiffres"))
    last = check_name(number, "nom", values["nom"], problems, required=True, limit=USER_NAME_MAX)
    first = check_name(
        number, "prenom", values["prenom"], problems, required=True, limit=USER_NAME_MAX
    )
    email = cell_text(values["email"])
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.add(number, "email", email, _("adresse e-mail invalide"))
    school = look.school(number, values["code_etablissement"], problems)
    qualified = cell_text(values["qualifie"]).lower()
    if qualified not in YES | NO:
        problems.add(number, "qualifie", qualified, _("attendu : oui ou non"))
    specialty = look.subject(number, "specialite", values["specialite"], problems, required=False)
    if problems.total > bad or school is None:
        return None
    return TeacherRow(
        number, ppr, last, first, email, school.org_unit_id, qualified in YES, specialty
    )


def _check_teacher_batch(rows: list[TeacherRow], problems: Problems) -> None:
    pprs = {r.ppr for r in rows}
    by_email = {r.email.lower(): r for r in rows if r.email}
    teacher_user = dict(Teacher.objects.filter(ppr__in=pprs).values_list("ppr", "user_id"))
    accounts = dict(User.objects.filter(username__in=pprs).values_list("username", "id"))
    for username, other_ppr in Teacher.objects.filter(user__username__in=pprs).values_list(
        "user__username", "ppr"
    ):
        if username not in teacher_user and other_ppr != username:
            row = next(r for r in rows if r.ppr == username)
            problems.add(
                row.number,
                "ppr",
                row.ppr,
                _("le compte %(user)s est déjà l'enseignant de matricule %(ppr)s")
                % {"user": username, "ppr": other_ppr},
            )
    for email, user_id, username in (
        User.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=list(by_email))
        .values_list("email_lower", "id", "username")
    ):
        row = by_email[email]
        own = teacher_user.get(row.ppr, accounts.get(row.ppr))
        if user_id != own:
            problems.add(
                row.number,
                "email",
                row.email,
                _("adresse déjà utilisée par le compte %(user)s") % {"user": username},
            )


def _validate_teachers(
    stream: IO[bytes],
    filename: str,
    look: Lookups,
    progress: Progress | None,
    touched: Touched,
) -> int:
    table = open_table(stream, filename=filename, required=TEACHER_COLUMNS)
    problems = Problems(TEACHER_COLUMNS)
    pprs = Duplicates()
    # Teachers' files are small (a country has a few hundred thousand teachers): the
    # e-mails seen are kept as they are, to name the duplicate.
    emails: dict[str, int] = {}
    batch: list[TeacherRow] = []
    for number, values in problems.readable(table.rows):
        row = _teacher(number, values, look, problems)
        if row is None:
            continue
        # A leading 1 keeps the PPR's leading zeros apart: 0012345 is not 12345.
        pprs.add(int("1" + row.ppr), number)
        touched.add(row.school_id)
        if row.email:
            first = emails.setdefault(row.email.lower(), number)
            if first != number:
                problems.add(
                    number,
                    "email",
                    row.email,
                    _("adresse e-mail en double : déjà à la ligne %(row)s") % {"row": first},
                )
        batch.append(row)
        if len(batch) >= BATCH_SIZE:
            _check_teacher_batch(batch, problems)
            batch = []
            report_validating(progress, problems.rows_read)
    _check_teacher_batch(batch, problems)
    for key, number, first in pprs.found():
        problems.add(
            number,
            "ppr",
            str(key)[1:],
            _("matricule en double : déjà à la ligne %(row)s") % {"row": first},
        )
    rows = problems.rows_read
    check_not_empty(rows, filename, problems)
    problems.raise_if_any()
    return rows


def teachers_import(
    *,
    actor: Any,
    stream: IO[bytes],
    filename: str,
    dry_run: bool = False,
    progress: Progress | None = None,
    source: str = "",
) -> dict[str, Any]:
    """Validate then apply a teachers file (see docs/imports.md). Raises ImportRejected."""
    look = Lookups(actor, can_import_teachers)
    touched = Touched()
    rows = _validate_teachers(stream, filename, look, progress, touched)
    if progress:
        progress.total(rows)
    if dry_run:
        return {"rows": rows}
    try:
        counts = teachers_bulk_apply(
            actor=actor,
            batches=batched(valid_rows(stream, filename, TEACHER_COLUMNS, _teacher, look)),
            source=source or filename,
            progress=progress,
        )
    except IntegrityError as exc:
        raise conflicting_write(exc) from exc
    lines = count_lines(
        [
            (
                counts["rows"],
                ngettext_lazy("%(n)s enseignant importé", "%(n)s enseignants importés", "n"),
            ),
            (
                counts["teachers_created"],
                ngettext_lazy("%(n)s nouvel enseignant", "%(n)s nouveaux enseignants", "n"),
            ),
            (
                counts["teachers_updated"],
                ngettext_lazy("%(n)s enseignant mis à jour", "%(n)s enseignants mis à jour", "n"),
            ),
            (
                counts["users_created"],
                ngettext_lazy(
                    "%(n)s compte créé (sans mot de passe : l'enseignant le choisit par « mot "
                    "de passe oublié »)",
                    "%(n)s comptes créés (sans mot de passe : chaque enseignant le choisit par "
                    "« mot de passe oublié »)",
                    "n",
                ),
            ),
            (
                counts["roles_granted"],
                ngettext_lazy(
                    "%(n)s enseignant rattaché à un établissement",
                    "%(n)s enseignants rattachés à un établissement",
                    "n",
                ),
            ),
            (
                counts["roles_revoked"],
                ngettext_lazy(
                    "%(n)s rattachement à un ancien établissement retiré",
                    "%(n)s rattachements à un ancien établissement retirés",
                    "n",
                ),
            ),
            (counts["unchanged"], UNCHANGED_LINE),
        ]
    )
    return summarized(counts, lines, touched)
