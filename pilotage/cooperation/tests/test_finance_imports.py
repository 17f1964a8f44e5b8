"""The rates and transactions imports: decimal commas, day-first and Excel serial dates,
every problem named, all or nothing, re-import changes nothing."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from pilotage.cooperation.imports.finance import rates_import, transactions_import
from pilotage.cooperation.models import ExchangeRate, FinanceFact, Transaction
from pilotage.core.models import AuditEntry
from pilotage.core.tabular import ImportRejected

pytestmark = pytest.mark.django_db


def _csv(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8"))


RATES_CSV = (
    "currency;valid_from;units_per_eur;source\n"
    "MAD;01/01/2025;10,80;Bank Al-Maghrib\n"
    "USD;45658;1,08;BCE\n"  # 45658 = 2025-01-01 as an Excel serial
    "MAD;2025-07-01;10.95;Bank Al-Maghrib\n"
)


def test_rates_import_reads_what_ministries_send_and_reimport_changes_nothing(coop):
    result = rates_import(actor=coop.finance, stream=_csv(RATES_CSV), filename="taux.csv")
    assert result == {"created": 3, "updated": 0, "unchanged": 0}
    assert set(ExchangeRate.objects.values_list("currency", "valid_from", "units_per_eur")) == {
        ("MAD", dt.date(2025, 1, 1), Decimal("10.80")),
        ("USD", dt.date(2025, 1, 1), Decimal("1.08")),
        ("MAD", dt.date(2025, 7, 1), Decimal("10.95")),
    }
    audits = AuditEntry.objects.count()
    again = rates_import(actor=coop.finance, stream=_csv(RATES_CSV), filename="taux.csv")
    assert again == {"created": 0, "updated": 0, "unchanged": 3}
    assert AuditEntry.objects.count() == audits


def test_rates_import_xlsx(coop):
    book = Workbook()
    sheet = book.active
    sheet.append(["currency", "valid_from", "units_per_eur", "source"])
    sheet.append(["GBP", dt.date(2025, 1, 1), 0.84, "BCE"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    assert rates_import(actor=coop.finance, stream=buffer, filename="taux.xlsx")["created"] == 1


def test_a_bad_rates_file_lists_every_problem_and_writes_nothing(coop):
    bad = (
        "currency;valid_from;units_per_eur;source\n"
        "MAD;01/01/2025;10,80;\n"
        "ABC;01/01/2025;1;\n"
        "USD;31/02/2025;1,08;\n"
        "GBP;01/01/2025;-1;\n"
        "XOF;01/01/2025;655,957;\n"
        "MAD;2025-01-01;10,8;\n"
    )
    with pytest.raises(ImportRejected) as exc:
        rates_import(actor=coop.finance, stream=_csv(bad), filename="taux.csv")
    found = [(p.row, p.column) for p in exc.value.problems]
    assert found == [
        (3, "currency"),
        (4, "valid_from"),
        (5, "units_per_eur"),
        (6, "currency"),
        (7, "valid_from"),
    ]
    assert "ISO 4217" in exc.value.problems[0].reason
    assert "ligne 2" in exc.value.problems[-1].reason
    assert not ExchangeRate.objects.exists()


def test_only_finance_imports_rates(coop):
    with pytest.raises(ImportRejected):
        rates_import(actor=coop.manager, stream=_csv(RATES_CSV), filename="taux.csv")
    assert not ExchangeRate.objects.exists()


def _tx_csv(coop, *lines):
    head = (
        "project;reference;type;transaction_date;value_date;amount;currency;provider;receiver;"
        "description\n"
    )
    return _csv(head + "".join(line + "\n" for line in lines))


def test_transactions_import_is_all_or_nothing_and_idempotent(coop):
    good = [
        f"{coop.project_sn.code};F-1;expenditure;15/03/2025;;125000,50;XOF;;unesco;Formation",
        f"{coop.project_sn.code};F-2;disbursement;2025-03-20;2025-03-21;1000;MAD;unesco;;",
    ]
    result = transactions_import(actor=coop.finance, stream=_tx_csv(coop, *good), filename="tx.csv")
    assert result == {"created": 2, "updated": 0, "unchanged": 0}
    assert FinanceFact.objects.filter(currency="XOF").get().amount == Decimal("125000.50")
    facts = list(FinanceFact.objects.values_list("kind", "currency", "amount"))
    audits = AuditEntry.objects.count()
    again = transactions_import(actor=coop.finance, stream=_tx_csv(coop, *good), filename="tx.csv")
    assert again == {"created": 0, "updated": 0, "unchanged": 2}
    assert list(FinanceFact.objects.values_list("kind", "currency", "amount")) == facts
    assert AuditEntry.objects.count() == audits
    bad = [
        f"{coop.project_sn.code};F-3;expenditure;15/03/2025;;10;EUR;;;",
        "nope;F-4;expenditure;15/03/2025;;10;EUR;;;",
        f"{coop.project_sn.code};F-5;gift;15/03/2025;;10;EUR;;;",
        f"{coop.project_sn.code};F-6;expenditure;15/03/2025;;10;EUR;who;;",
    ]
    with pytest.raises(ImportRejected) as exc:
        transactions_import(actor=coop.finance, stream=_tx_csv(coop, *bad), filename="tx.csv")
    assert [(p.row, p.column) for p in exc.value.problems] == [
        (3, "project"),
        (4, "type"),
        (5, "provider"),
    ]
    assert Transaction.objects.count() == 2


def test_a_coordinator_cannot_import_transactions(coop):
    line = f"{coop.project_sn.code};F-1;expenditure;15/03/2025;;10;EUR;;;"
    with pytest.raises(ImportRejected) as exc:
        transactions_import(
            actor=coop.coordinator_sn, stream=_tx_csv(coop, line), filename="tx.csv"
        )
    assert "finances" in exc.value.problems[0].reason
    assert not Transaction.objects.exists()
