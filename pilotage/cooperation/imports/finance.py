"""The finance imports of the cooperation app, for the kernel's pipeline
(``pilotage.core.imports``, registered in ``cooperation/tasks.py``): exchange rates and
transactions. Each validates the whole file (every problem as row · column · value ·
reason), then applies it in one transaction; the same file twice changes nothing."""

from __future__ import annotations

from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from pilotage.cooperation.models import Partner, Project, TransactionType
from pilotage.cooperation.money import FIXED, currency_check
from pilotage.cooperation.permissions import can_manage_finance, can_manage_rates, is_finance
from pilotage.cooperation.selectors.finance import finance_projects
from pilotage.cooperation.services.finance import (
    RateRow,
    TransactionRow,
    rates_save,
    transactions_import_apply,
)
from pilotage.core.audit import IMPORT
from pilotage.core.imports import Column, ImportKind, column_examples, column_names
from pilotage.core.jobs import Progress
from pilotage.core.tabular import (
    ImportRejected,
    Problem,
    Problems,
    cell_text,
    open_table,
    parse_date,
    parse_decimal,
)

RATE_COLUMNS_DESCRIBED = [
    Column("currency", _lazy("code ISO 4217 de la devise"), "MAD", format="MAD, USD, GBP…"),
    Column(
        "valid_from",
        _lazy("premier jour de validité du taux"),
        "2025-01-01",
        format=_lazy("AAAA-MM-JJ, JJ/MM/AAAA ou date du tableur"),
    ),
    Column(
        "units_per_eur",
        _lazy("unités de la devise pour 1 EUR"),
        "10,85",
        format=_lazy("nombre > 0, virgule ou point"),
    ),
    Column("source", _lazy("d'où vient le taux"), "Bank Al-Maghrib", required=False),
]
RATE_COLUMNS = column_names(RATE_COLUMNS_DESCRIBED)


def _currency(number: int, column: str, raw: Any, problems: Problems) -> str | None:
    try:
        return currency_check(cell_text(raw))
    except ValidationError as exc:
        problems.add(number, column, raw, exc.messages[0])
        return None


def rates_import(
    *,
    actor: Any,
    stream: IO[bytes],
    filename: str,
    dry_run: bool = False,
    progress: Progress | None = None,
    source: str = "",
) -> dict[str, int]:
    if actor is not None and not can_manage_rates(actor):
        raise ImportRejected(
            [Problem(1, "", filename, _("seuls les responsables financiers importent des taux"))]
        )
    table = open_table(stream, filename=filename, required=RATE_COLUMNS)
    problems = Problems(RATE_COLUMNS)
    rows: list[RateRow] = []
    seen: dict[tuple[str, Any], int] = {}
    for number, values in problems.readable(table.rows):
        bad = problems.total
        currency = _currency(number, "currency", values["currency"], problems)
        if currency in FIXED:
            problems.add(number, "currency", currency, _("taux fixe intégré : pas de ligne"))
        try:
            valid_from = parse_date(values["valid_from"])
        except ValueError as exc:
            problems.add(number, "valid_from", values["valid_from"], str(exc))
        try:
            units = parse_decimal(values["units_per_eur"])
            if units <= 0:
                problems.add(number, "units_per_eur", values["units_per_eur"], _("doit être > 0"))
            elif units.as_tuple().exponent < -8 or units >= 10**12:  # type: ignore[operator]
                problems.add(
                    number, "units_per_eur", values["units_per_eur"], _("8 décimales au plus")
                )
        except ValueError as exc:
            problems.add(number, "units_per_eur", values["units_per_eur"], str(exc))
        text = cell_text(values["source"])
        if len(text) > 100:
            problems.add(number, "source", text, _("100 caractères au plus"))
        if problems.total > bad:
            continue
        assert currency is not None  # noqa: S101
        first = seen.setdefault((currency, valid_from), number)
        if first != number:
            problems.add(
                number,
                "valid_from",
                values["valid_from"],
                _("taux en double : déjà à la ligne %(row)s") % {"row": first},
            )
            continue
        rows.append(RateRow(currency, valid_from, units, text))
    if not problems.rows_read:
        problems.add(1, "", filename, _("aucune ligne de données sous l'en-tête"))
    problems.raise_if_any()
    if dry_run:
        return {"rows": len(rows)}
    return rates_save(actor=actor, rows=rows, action=IMPORT)


TX_TYPES = {t.value: t.value for t in TransactionType} | {
    "incoming_funds": TransactionType.INCOMING_FUNDS.value,
    "incoming_commitment": TransactionType.INCOMING_COMMITMENT.value,
    "commitment": TransactionType.OUTGOING_COMMITMENT.value,
    "disbursement": TransactionType.DISBURSEMENT.value,
    "expenditure": TransactionType.EXPENDITURE.value,
}
TX_COLUMNS_DESCRIBED = [
    Column("project", _lazy("code du projet"), "imagine-sn"),
    Column(
        "reference",
        _lazy("référence comptable, unique par projet (clé des réimports)"),
        "FAC-2025-0012",
    ),
    Column(
        "type",
        _lazy("nature de la transaction"),
        "expenditure",
        allowed="incoming_funds, incoming_commitment, commitment, disbursement, expenditure "
        "(IATI 1, 11, 2, 3, 4)",
    ),
    Column("transaction_date", _lazy("date de la transaction"), "15/03/2025"),
    Column("value_date", _lazy("date de valeur (vide : la date)"), "", required=False),
    Column("amount", _lazy("montant, positif"), "125000,50"),
    Column("currency", _lazy("code ISO 4217"), "XOF"),
    Column("provider", _lazy("code du partenaire qui verse"), "", required=False),
    Column("receiver", _lazy("code du partenaire qui reçoit"), "", required=False),
    Column("description", _lazy("libellé"), "", required=False),
]
TX_COLUMNS = column_names(TX_COLUMNS_DESCRIBED)


def transactions_import(
    *,
    actor: Any,
    stream: IO[bytes],
    filename: str,
    dry_run: bool = False,
    progress: Progress | None = None,
    source: str = "",
) -> dict[str, int]:
    table = open_table(stream, filename=filename, required=TX_COLUMNS)
    problems = Problems(TX_COLUMNS)
    reach = finance_projects(actor) if actor is not None else Project.objects.all()
    projects: dict[str, Project | None] = {}
    partners: dict[str, Partner | None] = {}
    allowed: dict[int, bool] = {}
    rows: list[TransactionRow] = []
    seen: dict[tuple[str, str], int] = {}
    for number, values in problems.readable(table.rows):
        bad = problems.total
        code = cell_text(values["project"])
        if code not in projects:
            projects[code] = reach.select_related("programme").filter(code=code).first()
        project = projects[code]
        if project is None:
            problems.add(number, "project", code, _("projet inconnu ou hors de votre périmètre"))
        elif actor is not None:
            if project.programme_id not in allowed:
                allowed[project.programme_id] = can_manage_finance(actor, project.programme)
            if not allowed[project.programme_id]:
                problems.add(
                    number, "project", code, _("vous ne gérez pas les finances de ce projet")
                )
        reference = cell_text(values["reference"])
        if not reference:
            problems.add(number, "reference", "", _("valeur obligatoire"))
        elif len(reference) > 100:
            problems.add(number, "reference", reference, _("100 caractères au plus"))
        kind = TX_TYPES.get(cell_text(values["type"]).lower())
        if kind is None:
            problems.add(number, "type", values["type"], _("nature inconnue"))
        try:
            tx_date = parse_date(values["transaction_date"])
        except ValueError as exc:
            problems.add(number, "transaction_date", values["transaction_date"], str(exc))
        value_date = None
        if cell_text(values["value_date"]):
            try:
                value_date = parse_date(values["value_date"])
            except ValueError as exc:
                problems.add(number, "value_date", values["value_date"], str(exc))
        try:
            amount = parse_decimal(values["amount"])
            if amount < 0:
                problems.add(number, "amount", values["amount"], _("doit être positif"))
            elif amount.as_tuple().exponent < -2 or amount >= 10**16:  # type: ignore[operator]
                problems.add(number, "amount", values["amount"], _("2 décimales au plus"))
        except ValueError as exc:
            problems.add(number, "amount", values["amount"], str(exc))
        currency = _currency(number, "currency", values["currency"], problems)
        found: dict[str, Partner | None] = {}
        for column in ("provider", "receiver"):
            pcode = cell_text(values[column])
            if not pcode:
                found[column] = None
                continue
            if pcode not in partners:
                partners[pcode] = Partner.objects.filter(code=pcode).first()
            if partners[pcode] is None:
                problems.add(number, column, pcode, _("partenaire inconnu"))
            found[column] = partners[pcode]
        description = cell_text(values["description"])
        if len(description) > 300:
            problems.add(number, "description", description, _("300 caractères au plus"))
        if problems.total > bad:
            continue
        assert project is not None and kind and currency  # noqa: S101
        first = seen.setdefault((code, reference), number)
        if first != number:
            problems.add(
                number,
                "reference",
                reference,
                _("référence en double : déjà à la ligne %(row)s") % {"row": first},
            )
            continue
        rows.append(
            TransactionRow(
                project=project,
                reference=reference,
                type=kind,
                transaction_date=tx_date,
                value_date=value_date or tx_date,
                amount=amount,
                currency=currency,
                description=description,
                provider=found["provider"],
                receiver=found["receiver"],
            )
        )
    if not problems.rows_read:
        problems.add(1, "", filename, _("aucune ligne de données sous l'en-tête"))
    problems.raise_if_any()
    if dry_run:
        return {"rows": len(rows)}
    return transactions_import_apply(actor=actor, rows=rows, source=source or filename)


def _may_import_transactions(actor: Any) -> bool:
    from pilotage.cooperation.models import ProgrammeMember

    return (
        is_finance(actor)
        or ProgrammeMember.objects.filter(user=actor, role__in=("manager", "finance")).exists()
    )


RATES = ImportKind(
    name="cooperation.import_rates",
    label=_lazy("Import de taux de change"),
    title=_lazy("Importer des taux de change"),
    columns=RATE_COLUMNS,
    example=column_examples(RATE_COLUMNS_DESCRIBED),
    described=RATE_COLUMNS_DESCRIBED,
    run=rates_import,
    may_open=can_manage_rates,
    help=(
        _lazy(
            "Un taux dit combien d'unités de la devise vaut un euro à partir de sa date ; "
            "l'euro, le franc CFA BCEAO (XOF) et le franc CFA BEAC (XAF) ont leur parité "
            "fixe intégrée (655,957 pour 1 EUR). Une ligne identique à un taux enregistré "
            "ne change rien."
        ),
    ),
)
TRANSACTIONS = ImportKind(
    name="cooperation.import_transactions",
    label=_lazy("Import de transactions"),
    title=_lazy("Importer des transactions"),
    columns=list(TX_COLUMNS),
    example=column_examples(TX_COLUMNS_DESCRIBED),
    described=TX_COLUMNS_DESCRIBED,
    run=transactions_import,
    may_open=_may_import_transactions,
    help=(
        _lazy(
            "Une ligne par transaction ; la référence est unique par projet : une ligne dont "
            "la référence est déjà enregistrée pour ce projet est laissée telle quelle."
        ),
    ),
)
