"""Importing partner actions from a CSV or XLSX file through the kernel's pipeline
(``pilotage.core.imports``), and the export of the table in the same columns, so an
exported file edited and imported back updates the actions it lists.

Every row is checked first; one problem anywhere and nothing is written. A row matches
the stored action of the same partner and ``external_ref``, or, without a reference, of
the same partner, title, country and start: importing the same file again changes
nothing. An external partner's account imports for its own organisation only (an empty
``partner`` is theirs; a row naming another partner is refused); a coordinator imports
for the countries of their assignment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from pilotage.cooperation.models import (
    ActionStatus,
    ActionTopic,
    BeneficiaryType,
    Partner,
    PartnerAction,
    Programme,
)
from pilotage.cooperation.permissions import can_import_actions, can_write_action, partner_of
from pilotage.cooperation.services.actions import ActionRow, actions_import_apply
from pilotage.core.imports import Column, ImportKind, column_examples, column_names
from pilotage.core.jobs import Progress, job_summary
from pilotage.core.tabular import Problems, cell_text, open_table, parse_date, parse_decimal
from pilotage.orgunits.models import OrgUnit

KIND_NAME = "cooperation.import_actions"


COLUMN_HELP = [
    Column(
        "external_ref",
        gettext_lazy("Votre référence de l'action ; clé de mise à jour si elle est donnée"),
        "UNESCO-SN-2026-01",
        required=False,
        format=gettext_lazy("60 caractères au plus"),
    ),
    Column(
        "partner",
        gettext_lazy("Code du partenaire ; vide pour un compte partenaire (son organisation)"),
        "unesco",
        required=False,
    ),
    Column("country", gettext_lazy("Pays : code ISO 3166-1 alpha-2"), "SN"),
    Column(
        "subdivisions",
        gettext_lazy(
            "Régions du pays (codes ISO 3166-2) séparées par des virgules ; vide : tout le pays"
        ),
        "SN-DK,SN-TH",
        required=False,
    ),
    Column("title", gettext_lazy("Intitulé de l'action"), "Formation des directeurs d'école"),
    Column("description", gettext_lazy("Description"), "", required=False),
    Column(
        "topic",
        gettext_lazy("Thème"),
        ActionTopic.TEACHER_TRAINING.value,
        allowed=", ".join(ActionTopic.values),
    ),
    Column(
        "keywords",
        gettext_lazy("Mots-clés libres, séparés par des virgules"),
        "directeurs, pilotage",
        required=False,
    ),
    Column(
        "beneficiary_type",
        gettext_lazy("Type de bénéficiaires"),
        BeneficiaryType.TEACHERS.value,
        allowed=", ".join(BeneficiaryType.values),
    ),
    Column("planned", gettext_lazy("Bénéficiaires prévus"), 400, required=False),
    Column("planned_female", gettext_lazy("Dont filles / femmes (prévu)"), 180, required=False),
    Column("reached", gettext_lazy("Bénéficiaires atteints"), 120, required=False),
    Column("reached_female", gettext_lazy("Dont filles / femmes (atteint)"), 60, required=False),
    Column(
        "start_date",
        gettext_lazy("Début"),
        "2026-01-15",
        format=gettext_lazy("AAAA-MM-JJ ou JJ/MM/AAAA"),
    ),
    Column(
        "end_date",
        gettext_lazy("Fin"),
        "2026-12-31",
        required=False,
        format=gettext_lazy("AAAA-MM-JJ ou JJ/MM/AAAA"),
    ),
    Column(
        "status",
        gettext_lazy("Statut"),
        ActionStatus.ONGOING.value,
        allowed=", ".join(ActionStatus.values),
    ),
    Column("budget_amount", gettext_lazy("Budget"), "25000,00", required=False),
    Column(
        "budget_currency",
        gettext_lazy("Devise du budget (ISO 4217) ; obligatoire avec un budget"),
        "EUR",
        required=False,
    ),
    Column("programme", gettext_lazy("Code du programme, s'il y en a un"), "", required=False),
    Column("contact_name", gettext_lazy("Personne à contacter"), "Awa Diop", required=False),
    Column("contact_email", gettext_lazy("Son e-mail"), "a.diop@example.org", required=False),
]
COLUMNS = column_names(COLUMN_HELP)
_INT_COLUMNS = ("planned", "planned_female", "reached", "reached_female")
_PLAIN = ("external_ref", "title", "description", "keywords", "contact_name", "contact_email")


def _choice(number: int, column: str, raw: Any, choices: Any, problems: Problems) -> str:
    text = cell_text(raw).lower()
    if text not in choices.values:
        problems.add(
            number,
            column,
            raw,
            _("valeur inconnue (attendues : %(codes)s)") % {"codes": ", ".join(choices.values)},
        )
        return ""
    return text


def _integer(number: int, column: str, raw: Any, problems: Problems) -> int | None:
    text = cell_text(raw)
    if not text:
        return None
    try:
        value = parse_decimal(raw)
    except ValueError as exc:
        problems.add(number, column, text, str(exc))
        return None
    if value != value.to_integral_value() or value < 0:
        problems.add(number, column, text, _("nombre entier positif ou nul attendu"))
        return None
    return int(value)


class _Lookups:
    def __init__(self) -> None:
        self.partners = {p.code: p for p in Partner.objects.all()}
        self.countries = {u.code: u for u in OrgUnit.objects.filter(depth=1)}
        self.regions = {u.code: u for u in OrgUnit.objects.filter(depth=2)}
        self.programmes = {p.code: p for p in Programme.objects.all()}


def _row(
    number: int,
    values: dict[str, Any],
    actor: Any,
    own: Partner | None,
    look: _Lookups,
    problems: Problems,
) -> ActionRow | None:
    bad = problems.total
    fields: dict[str, Any] = {}
    partner_code = cell_text(values["partner"])
    partner: Partner | None
    if own is not None:
        partner = own
        if partner_code and partner_code != own.code:
            problems.add(
                number,
                "partner",
                partner_code,
                _("vous n'importez que les actions de votre organisation (%(code)s)")
                % {"code": own.code},
            )
    elif not partner_code:
        partner = None
        problems.add(number, "partner", partner_code, _("valeur obligatoire"))
    else:
        partner = look.partners.get(partner_code)
        if partner is None:
            problems.add(number, "partner", partner_code, _("partenaire inconnu"))
    country_code = cell_text(values["country"]).upper()
    country = look.countries.get(country_code)
    if country is None:
        problems.add(
            number,
            "country",
            country_code,
            _("pays inconnu (connus : %(codes)s)") % {"codes": ", ".join(sorted(look.countries))},
        )
    elif (
        partner is not None and actor is not None and not can_write_action(actor, partner, country)
    ):
        problems.add(number, "country", country_code, _("pays hors de votre périmètre"))
    regions = []
    for code in [
        c.strip().upper() for c in cell_text(values["subdivisions"]).replace(";", ",").split(",")
    ]:
        if not code:
            continue
        region = look.regions.get(code)
        if region is None or country is None or not country.covers(region):
            problems.add(
                number,
                "subdivisions",
                code,
                _("%(code)s n'est pas une région de %(country)s")
                % {"code": code, "country": country_code},
            )
        elif region not in regions:
            regions.append(region)
    programme_code = cell_text(values["programme"])
    programme = None
    if programme_code:
        programme = look.programmes.get(programme_code)
        if programme is None:
            problems.add(number, "programme", programme_code, _("programme inconnu"))
    for column in _PLAIN:
        fields[column] = cell_text(values[column])
    fields["topic"] = _choice(number, "topic", values["topic"], ActionTopic, problems)
    fields["beneficiary_type"] = _choice(
        number, "beneficiary_type", values["beneficiary_type"], BeneficiaryType, problems
    )
    fields["status"] = _choice(number, "status", values["status"], ActionStatus, problems)
    for column in _INT_COLUMNS:
        fields[column] = _integer(number, column, values[column], problems)
    for column in ("start_date", "end_date"):
        raw = values[column]
        fields[column] = None
        if not cell_text(raw):
            if column == "start_date":
                problems.add(number, column, raw, _("valeur obligatoire"))
            continue
        try:
            fields[column] = parse_date(raw)
        except ValueError as exc:
            problems.add(number, column, raw, str(exc))
    fields["budget_amount"] = None
    if cell_text(values["budget_amount"]):
        try:
            fields["budget_amount"] = parse_decimal(values["budget_amount"]).quantize(
                Decimal("0.01")
            )
        except ValueError as exc:
            problems.add(number, "budget_amount", values["budget_amount"], str(exc))
    fields["budget_currency"] = cell_text(values["budget_currency"]).upper()
    if problems.total > bad:
        return None
    assert partner is not None and country is not None  # noqa: S101
    fields.update(partner=partner, country=country, programme=programme)
    candidate = PartnerAction(**fields, updated_at=dt.datetime.now(dt.UTC))
    try:
        candidate.full_clean(
            exclude=["updated_at"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            column = name if name in values else ""
            for message in messages:
                problems.add(number, column, values.get(column, ""), message)
        return None
    return ActionRow(fields=fields, subdivisions=regions)


def _key(row: ActionRow) -> tuple[Any, ...]:
    f = row.fields
    if f["external_ref"]:
        return ("ref", f["partner"].pk, f["external_ref"])
    return ("key", f["partner"].pk, f["title"], f["country"].pk, f["start_date"])


def actions_import(
    *,
    actor: Any,
    stream: IO[bytes],
    filename: str,
    dry_run: bool = False,
    progress: Progress | None = None,
    source: str = "",
) -> dict[str, Any]:
    table = open_table(stream, filename=filename, required=COLUMNS)
    problems = Problems(COLUMNS)
    own = partner_of(actor) if actor is not None else None
    look = _Lookups()
    seen: dict[tuple[Any, ...], int] = {}
    rows: list[ActionRow] = []
    for number, values in problems.readable(table.rows):
        row = _row(number, values, actor, own, look, problems)
        if row is None:
            continue
        key = _key(row)
        first = seen.setdefault(key, number)
        if first != number:
            column = "external_ref" if key[0] == "ref" else "title"
            problems.add(
                number,
                column,
                values[column],
                _("même action : déjà à la ligne %(row)s") % {"row": first},
            )
            continue
        rows.append(row)
    if not problems.rows_read:
        problems.add(1, "", filename, _("aucune ligne de données sous l'en-tête"))
    _match(rows, actor, problems)
    problems.raise_if_any()
    if dry_run:
        return {"rows": problems.rows_read}
    counts = actions_import_apply(actor=actor, rows=rows)
    lines = [
        ngettext("%(n)s action créée", "%(n)s actions créées", counts["created"])
        % {"n": counts["created"]},
        ngettext("%(n)s action mise à jour", "%(n)s actions mises à jour", counts["updated"])
        % {"n": counts["updated"]},
        ngettext("%(n)s action inchangée", "%(n)s actions inchangées", counts["unchanged"])
        % {"n": counts["unchanged"]},
    ]
    return {"rows": problems.rows_read, **counts, "summary": job_summary(lines)}


def _match(rows: list[ActionRow], actor: Any, problems: Problems) -> None:
    """Each row's stored action, by reference or by partner + title + country + start (one
    query per partner of the file)."""
    by_partner: dict[int, list[ActionRow]] = {}
    for row in rows:
        by_partner.setdefault(row.fields["partner"].pk, []).append(row)
    for partner_pk, group in by_partner.items():
        stored = list(
            PartnerAction.objects.filter(partner_id=partner_pk).select_related("partner", "country")
        )
        refs = {a.external_ref: a for a in stored if a.external_ref}
        keys = {(a.title, a.country_id, a.start_date): a for a in stored}
        for row in group:
            f = row.fields
            if f["external_ref"]:
                row.existing = refs.get(f["external_ref"])
            else:
                row.existing = keys.get((f["title"], f["country"].pk, f["start_date"]))


def export_row(action: PartnerAction) -> list[Any]:
    """An action in the import's columns (the table's export)."""
    values = {
        "external_ref": action.external_ref,
        "partner": action.partner.code,
        "country": action.country.code,
        "subdivisions": ",".join(u.code for u in action.subdivisions.all()),
        "title": action.title,
        "description": action.description,
        "topic": action.topic,
        "keywords": action.keywords,
        "beneficiary_type": action.beneficiary_type,
        "planned": action.planned,
        "planned_female": action.planned_female,
        "reached": action.reached,
        "reached_female": action.reached_female,
        "start_date": action.start_date,
        "end_date": action.end_date,
        "status": action.status,
        "budget_amount": action.budget_amount,
        "budget_currency": action.budget_currency,
        "programme": action.programme.code if action.programme else "",
        "contact_name": action.contact_name,
        "contact_email": action.contact_email,
    }
    return [values[c] for c in COLUMNS]


ACTIONS = ImportKind(
    name=KIND_NAME,
    label=gettext_lazy("Import d'actions des partenaires"),
    title=gettext_lazy("Importer des actions des partenaires"),
    columns=COLUMNS,
    example=column_examples(COLUMN_HELP),
    described=COLUMN_HELP,
    run=actions_import,
    may_open=can_import_actions,
    help=(
        gettext_lazy(
            "Une ligne par action. Une ligne qui reprend la référence (ou, sans référence, "
            "le partenaire, l'intitulé, le pays et le début) d'une action existante la met à "
            "jour ; réimporter le même fichier ne change rien. Un export du tableau se "
            "réimporte tel quel."
        ),
        gettext_lazy(
            "Un compte partenaire n'importe que les actions de son organisation ; un "
            "coordinateur pays, celles de ses pays."
        ),
    ),
)
