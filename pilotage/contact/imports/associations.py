"""Importing associations from a CSV or XLSX file (the list a province or a ministry
department sends) through the kernel's pipeline (``core/imports.py``).

All or nothing: every row is checked first, and one problem anywhere writes nothing.
A row whose registration number (compared case- and space-insensitively) is that of a
stored association updates it, and so does a row without a number whose normalised name
is exactly that of the one association without a number of the same province. A row
without a known number whose name is close to that of an association of the same
province (``selectors.registry.names_similar``: accents folded, Arabic letters
normalised, « association / جمعية » ignored, difflib ratio at least
``SIMILAR_NAME_RATIO``) is refused, naming that association, so that the person
importing adds its number or corrects the name; two such rows in the file are refused
the same way. Importing the same file again changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from pilotage.contact import permissions as perms
from pilotage.contact.audit import ASSOCIATION_IMPORT
from pilotage.contact.models import ActionField, Association, LegalForm
from pilotage.contact.selectors.registry import name_key, names_similar, registration_key
from pilotage.contact.services.registry import association_create, association_update
from pilotage.core.audit import audit_record
from pilotage.core.imports import Column, ImportKind, column_examples, column_names
from pilotage.core.jobs import Progress, job_summary
from pilotage.core.tabular import (
    ImportRejected,
    Problem,
    Problems,
    cell_text,
    open_table,
    parse_decimal,
)
from pilotage.orgunits.models import OrgUnit

KIND_NAME = "contact.import_associations"
# The depth of provinces in the tree (country 1, region 2): the duplicate check compares
# names within a province.
PROVINCE_DEPTH = 3
SEAT_DEPTHS = (3, 4)

COLUMN_HELP = [
    Column("name_fr", gettext_lazy("Nom de l'association en français"), "Association Amal"),
    Column("name_ar", gettext_lazy("Nom en arabe"), "جمعية أمل", required=False),
    Column(
        "registration_number",
        gettext_lazy(
            "Numéro du récépissé de déclaration ; clé de mise à jour (majuscules et espaces "
            "ignorés)"
        ),
        "TNG-2019-0042",
        required=False,
    ),
    Column(
        "legal_form",
        gettext_lazy("Forme juridique ; vide : association"),
        LegalForm.ASSOCIATION.value,
        required=False,
        allowed=", ".join(LegalForm.values),
    ),
    Column(
        "unit_code",
        gettext_lazy("Code de la commune ou de la province du siège"),
        "MA-TNG-C001",
    ),
    Column(
        "fields",
        gettext_lazy("Domaines d'action : codes ou noms, séparés par des points-virgules"),
        "youth;education",
        required=False,
    ),
    Column("employees", gettext_lazy("Nombre de salariés"), 2, required=False),
    Column("volunteers", gettext_lazy("Nombre de bénévoles"), 15, required=False),
    Column("email", gettext_lazy("Courriel"), "contact@amal.ma", required=False),
    Column("phone", gettext_lazy("Téléphone"), "0539 12 34 56", required=False),
    Column("address", gettext_lazy("Adresse"), "", required=False),
]
COLUMNS = column_names(COLUMN_HELP)
REQUIRED = ["name_fr", "unit_code"]
OPTIONAL = [c for c in COLUMNS if c not in REQUIRED]
_LEGAL_FORMS = {
    **{v: v for v in LegalForm.values},
    **{str(label).lower(): v for v, label in LegalForm.choices},
}


@dataclass
class Row:
    number: int
    values: dict[str, Any]
    fields: list[ActionField]
    province_path: str
    existing: Association | None = None
    raw: dict[str, Any] = field(default_factory=dict)


class _Lookups:
    def __init__(self, raw: list[tuple[int, dict[str, Any]]]) -> None:
        codes = {cell_text(v.get("unit_code")).strip().upper() for _n, v in raw} - {""}
        self.units = {u.code.upper(): u for u in OrgUnit.objects.filter(code__in=codes)}
        missing = codes - set(self.units)
        if missing:
            # Codes written in another case: a second query only then.
            for unit in OrgUnit.objects.annotate(c=Upper("code")).filter(c__in=missing):
                self.units[unit.code.upper()] = unit
        self.fields: dict[str, ActionField] = {}
        for f in ActionField.objects.all():
            for label in (f.code, f.name_fr, f.name_ar):
                if label:
                    self.fields[name_key(label) or label.lower()] = f
            self.fields[f.code.lower()] = f


def _integer(number: int, column: str, raw: Any, problems: Problems) -> int | None:
    text = cell_text(raw)
    if not text:
        return None
    try:
        value = parse_decimal(raw)
    except ValueError as exc:
        problems.add(number, column, text, str(exc))
        return None
    if value != value.to_integral_value() or value < 0 or value > 10**7:
        problems.add(number, column, text, _("nombre entier positif ou nul attendu"))
        return None
    return int(value)


def _text(number: int, column: str, raw: Any, limit: int, problems: Problems) -> str:
    text = " ".join(cell_text(raw).split())
    if len(text) > limit:
        problems.add(number, column, text, _("%(n)s caractères au plus") % {"n": limit})
    return text


def _row(
    number: int, values: dict[str, Any], actor: Any, look: _Lookups, problems: Problems
) -> Row | None:
    bad = problems.total
    out: dict[str, Any] = {}
    out["name_fr"] = _text(number, "name_fr", values.get("name_fr"), 300, problems)
    if not out["name_fr"]:
        problems.add(number, "name_fr", "", _("valeur obligatoire"))
    out["name_ar"] = _text(number, "name_ar", values.get("name_ar"), 300, problems)
    out["registration_number"] = registration_key(cell_text(values.get("registration_number")))
    if len(out["registration_number"]) > 60:
        problems.add(
            number, "registration_number", out["registration_number"], _("60 caractères au plus")
        )
    form_raw = cell_text(values.get("legal_form")).strip()
    out["legal_form"] = _LEGAL_FORMS.get(form_raw.lower(), "") if form_raw else "association"
    if not out["legal_form"]:
        problems.add(
            number,
            "legal_form",
            form_raw,
            _("valeur inconnue (attendues : %(codes)s)") % {"codes": ", ".join(LegalForm.values)},
        )
    code = cell_text(values.get("unit_code")).strip().upper()
    unit = look.units.get(code)
    province_path = ""
    if not code:
        problems.add(number, "unit_code", "", _("valeur obligatoire"))
    elif unit is None:
        problems.add(number, "unit_code", code, _("unité inconnue"))
    elif unit.depth not in SEAT_DEPTHS:
        problems.add(number, "unit_code", code, _("le siège est une commune ou une province"))
    elif actor is not None and not perms.can_record_association_at(actor, unit.path):
        problems.add(number, "unit_code", code, _("unité hors de votre périmètre"))
    else:
        province_path = unit.path[: PROVINCE_DEPTH * unit.steplen]
    out["org_unit"] = unit
    chosen: list[ActionField] = []
    for token in cell_text(values.get("fields")).replace(",", ";").replace("|", ";").split(";"):
        token = token.strip()
        if not token:
            continue
        found = look.fields.get(token.lower()) or look.fields.get(name_key(token))
        if found is None:
            problems.add(number, "fields", token, _("domaine d'action inconnu"))
        elif found not in chosen:
            chosen.append(found)
    out["employees"] = _integer(number, "employees", values.get("employees"), problems)
    out["volunteers"] = _integer(number, "volunteers", values.get("volunteers"), problems)
    out["email"] = cell_text(values.get("email")).strip().lower()
    if out["email"]:
        try:
            validate_email(out["email"])
        except ValidationError:
            problems.add(number, "email", out["email"], _("adresse e-mail mal formée"))
    out["phone"] = _text(number, "phone", values.get("phone"), 30, problems)
    out["address"] = cell_text(values.get("address")).strip()
    if len(out["address"]) > 1000:
        problems.add(number, "address", out["address"], _("1000 caractères au plus"))
    if problems.total > bad:
        return None
    out["registration_number"] = out["registration_number"] or None
    return Row(number, out, chosen, province_path)


def _label(association: Association) -> str:
    number = association.registration_number or _("sans numéro")
    return f"« {association.name} » ({number})"


def _match(rows: list[Row], actor: Any, problems: Problems) -> None:
    """The stored association of each row (by registration number, one query), and the
    similar names in the same province (one query for the file's provinces)."""
    numbers = {r.values["registration_number"] for r in rows if r.values["registration_number"]}
    by_number = {
        registration_key(a.registration_number): a
        for a in Association.objects.annotate(reg=Upper("registration_number"))
        .filter(reg__in=numbers)
        .select_related("org_unit")
    }
    provinces = {r.province_path for r in rows}
    near = Q()
    for p in provinces:
        near |= Q(org_unit__path__startswith=p)
    stored_by_province: dict[str, list[Association]] = {}
    if provinces:
        for a in Association.objects.filter(near).select_related("org_unit"):
            stored_by_province.setdefault(
                a.org_unit.path[: PROVINCE_DEPTH * a.org_unit.steplen], []
            ).append(a)
    for row in rows:
        number = row.values["registration_number"]
        row.existing = by_number.get(number) if number else None
        if row.existing is not None:
            if actor is not None and not perms.can_edit_association(actor, row.existing):
                problems.add(
                    row.number,
                    "registration_number",
                    number,
                    _("ce numéro est celui d'une association hors de votre périmètre"),
                )
            continue
        same = [
            a
            for a in stored_by_province.get(row.province_path, [])
            if not a.registration_number and name_key(a.name_fr) == name_key(row.values["name_fr"])
        ]
        if not number and len(same) == 1:
            # The same name without a number, as an earlier import of the file wrote it.
            row.existing = same[0]
            if actor is not None and not perms.can_edit_association(actor, row.existing):
                problems.add(
                    row.number, "name_fr", row.values["name_fr"], _("unité hors de votre périmètre")
                )
            continue
        for other in stored_by_province.get(row.province_path, []):
            if number and other.registration_number:
                continue  # Two different numbers: two associations, however named.
            if names_similar(row.values["name_fr"], other.name_fr) or (
                row.values["name_ar"]
                and other.name_ar
                and names_similar(row.values["name_ar"], other.name_ar)
            ):
                problems.add(
                    row.number,
                    "name_fr",
                    row.values["name_fr"],
                    _(
                        "nom proche de l'association enregistrée %(other)s dans la même "
                        "province : indiquez son numéro d'enregistrement pour la mettre à jour, "
                        "ou corrigez le nom"
                    )
                    % {"other": _label(other)},
                )
                break


def _in_file_duplicates(rows: list[Row], problems: Problems) -> list[Row]:
    kept: list[Row] = []
    numbers: dict[str, int] = {}
    for row in rows:
        number = row.values["registration_number"]
        if number:
            first = numbers.setdefault(number, row.number)
            if first != row.number:
                problems.add(
                    row.number,
                    "registration_number",
                    number,
                    _("même numéro qu'à la ligne %(row)s") % {"row": first},
                )
                continue
        twin = next(
            (
                k
                for k in kept
                if k.province_path == row.province_path
                and not (number and k.values["registration_number"])
                and (
                    names_similar(row.values["name_fr"], k.values["name_fr"])
                    or (
                        row.values["name_ar"]
                        and k.values["name_ar"]
                        and names_similar(row.values["name_ar"], k.values["name_ar"])
                    )
                )
            ),
            None,
        )
        if twin is not None:
            problems.add(
                row.number,
                "name_fr",
                row.values["name_fr"],
                _("nom proche de celui de la ligne %(row)s, dans la même province")
                % {"row": twin.number},
            )
            continue
        kept.append(row)
    return kept


def associations_import(
    *,
    actor: Any,
    stream: IO[bytes],
    filename: str,
    dry_run: bool = False,
    progress: Progress | None = None,
    source: str = "",
) -> dict[str, Any]:
    table = open_table(stream, filename=filename, required=REQUIRED, optional=OPTIONAL)
    problems = Problems(COLUMNS)
    raw = list(problems.readable(table.rows))
    look = _Lookups(raw)
    rows = [r for n, v in raw if (r := _row(n, v, actor, look, problems)) is not None]
    if not problems.rows_read:
        problems.add(1, "", filename, _("aucune ligne de données sous l'en-tête"))
    rows = _in_file_duplicates(rows, problems)
    _match(rows, actor, problems)
    problems.raise_if_any()
    if dry_run:
        return {"rows": problems.rows_read}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    try:
        with transaction.atomic():
            if progress is not None:
                progress.total(len(rows))
            for row in rows:
                _apply(actor, row, counts)
                if progress is not None:
                    progress.advance()
            if counts["created"] or counts["updated"]:
                audit_record(
                    actor=actor,
                    action=ASSOCIATION_IMPORT,
                    obj=None,
                    object_repr=filename,
                    changes={k: [None, v] for k, v in counts.items() if v},
                )
    except ValidationError as exc:
        # A concurrent edit between the check and the write: nothing was written.
        raise ImportRejected([Problem(1, "", filename, m) for m in exc.messages]) from exc
    lines = [
        ngettext("%(n)s association créée", "%(n)s associations créées", counts["created"])
        % {"n": counts["created"]},
        ngettext(
            "%(n)s association mise à jour", "%(n)s associations mises à jour", counts["updated"]
        )
        % {"n": counts["updated"]},
        ngettext(
            "%(n)s association inchangée", "%(n)s associations inchangées", counts["unchanged"]
        )
        % {"n": counts["unchanged"]},
    ]
    return {"rows": problems.rows_read, **counts, "summary": job_summary(lines)}


def _apply(actor: Any, row: Row, counts: dict[str, int]) -> None:
    if row.existing is None:
        association_create(actor=actor, fields=row.fields, **row.values)
        counts["created"] += 1
        return
    before = row.existing.version
    stored = association_update(
        actor=actor,
        association=row.existing.pk,
        version=None,
        changes=row.values,
        fields=row.fields,
    )
    counts["updated" if stored.version != before else "unchanged"] += 1


ASSOCIATIONS = ImportKind(
    name=KIND_NAME,
    label=gettext_lazy("Import d'associations"),
    title=gettext_lazy("Importer des associations"),
    columns=REQUIRED,
    optional=OPTIONAL,
    example=column_examples(COLUMN_HELP),
    described=COLUMN_HELP,
    run=associations_import,
    may_open=perms.can_import_associations,
    help=(
        gettext_lazy(
            "Une ligne par association. Une ligne qui reprend le numéro d'enregistrement "
            "d'une association enregistrée la met à jour ; réimporter le même fichier ne "
            "change rien."
        ),
        gettext_lazy(
            "Une ligne sans numéro connu dont le nom est proche de celui d'une association "
            "de la même province est refusée : « association » et « جمعية », les accents et "
            "les variantes des lettres arabes ne comptent pas."
        ),
    ),
)
