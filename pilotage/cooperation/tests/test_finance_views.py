"""The finance pages: who opens them (outsiders 404, coordinators read only), the forms
write through the services, the report and its XLSX, list query counts pinned."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from pilotage.cooperation.models import Budget, ExchangeRate, Transaction, TransactionType
from pilotage.cooperation.services.finance import (
    PlannedRow,
    RateRow,
    plan_revision_create,
    planned_disbursements_set,
    rates_save,
    transaction_create,
)
from pilotage.core.models import AuditEntry

pytestmark = pytest.mark.django_db
D = Decimal


def _url(name, *args):
    return reverse(f"cooperation:{name}", args=args)


def test_the_finance_officer_records_a_transaction_and_reads_the_report(client, coop):
    rates_save(actor=coop.finance, rows=[RateRow("MAD", dt.date(2025, 1, 1), D("10.80"), "BAM")])
    client.force_login(coop.finance)
    response = client.post(
        _url("transaction-new", coop.project_sn.pk),
        {
            "type": TransactionType.EXPENDITURE,
            "transaction_date": "2025-03-10",
            "amount": "108000",
            "currency": "mad",
        },
    )
    assert response.status_code == 302
    assert Transaction.objects.get().currency == "MAD"
    page = client.get(_url("programme-finance", coop.imagine.pk), {"currency": "EUR"})
    html = page.content.decode()
    assert "10\u202f000,00" in html or "10 000,00" in html or "10000,00" in html
    assert "Taux utilisés" in html and "BAM" in html
    xlsx = client.get(
        _url("programme-finance", coop.imagine.pk), {"currency": "EUR", "format": "xlsx"}
    )
    book = load_workbook(io.BytesIO(xlsx.content))
    values = list(book.worksheets[0].iter_rows(values_only=True))
    assert any(r[6] == 10000 for r in values[2:])
    assert book.worksheets[1].cell(2, 1).value == "MAD"


def test_a_missing_rate_is_said_on_the_page_not_a_500(client, coop):
    transaction_create(
        actor=coop.finance,
        project=coop.project_sn,
        type=TransactionType.EXPENDITURE,
        transaction_date=dt.date(2025, 3, 10),
        amount=D("10"),
        currency="MAD",
    )
    client.force_login(coop.finance)
    page = client.get(_url("programme-finance", coop.imagine.pk), {"currency": "EUR"})
    assert page.status_code == 200
    assert "Aucun taux de change pour MAD au 01/03/2025" in page.content.decode()


def test_a_budget_form_refuses_more_than_a_year(client, coop):
    client.force_login(coop.finance)
    response = client.post(
        _url("budget-new", coop.project_sn.pk),
        {
            "type": "1",
            "status": "1",
            "period_start": "2025-01-01",
            "period_end": "2026-06-30",
            "amount": "1000",
            "currency": "EUR",
        },
    )
    assert response.status_code == 200
    assert "dépasse un an" in response.content.decode()
    assert not Budget.objects.exists()


@pytest.mark.parametrize("who", ["partner_user", "consultant"])
def test_partners_and_consultants_get_404_everywhere(client, coop, who):
    client.force_login(getattr(coop, who))
    for url in (
        _url("finance"),
        _url("finance-rates"),
        _url("programme-finance", coop.imagine.pk),
        _url("project-finance", coop.project_sn.pk),
        _url("project-plan", coop.project_sn.pk),
    ):
        assert client.get(url).status_code == 404, url


def test_a_coordinator_reads_their_country_and_writes_nothing(client, coop):
    client.force_login(coop.coordinator_sn)
    assert client.get(_url("project-finance", coop.project_sn.pk)).status_code == 200
    assert client.get(_url("project-finance", coop.project_ml.pk)).status_code == 404
    audits = AuditEntry.objects.count()
    response = client.post(
        _url("transaction-new", coop.project_sn.pk),
        {"type": "4", "transaction_date": "2025-03-10", "amount": "1", "currency": "EUR"},
    )
    assert response.status_code == 404
    assert (
        client.post(_url("project-plan", coop.project_sn.pk), {"new_revision": "1"}).status_code
        == 404
    )
    assert (
        client.post(
            _url("finance-rates"),
            {"currency": "MAD", "valid_from": "2025-01-01", "units_per_eur": "10"},
        ).status_code
        == 404
    )
    assert not Transaction.objects.exists() and not ExchangeRate.objects.exists()
    assert AuditEntry.objects.count() == audits


def test_the_rate_form(client, coop):
    client.force_login(coop.finance)
    response = client.post(
        _url("finance-rates"),
        {"currency": "usd", "valid_from": "2025-01-01", "units_per_eur": "1.08", "source": "BCE"},
    )
    assert response.status_code == 302
    bad = client.post(
        _url("finance-rates"), {"currency": "ZZZ", "valid_from": "2025-01-01", "units_per_eur": "1"}
    )
    assert "ISO 4217" in bad.content.decode()
    assert ExchangeRate.objects.count() == 1


def test_the_plan_comparison(client, coop):
    first = plan_revision_create(actor=coop.finance, project=coop.project_sn)
    planned_disbursements_set(
        actor=coop.finance,
        revision=first,
        rows=[PlannedRow(dt.date(2026, 1, 1), dt.date(2026, 3, 31), D("150000"), "MAD")],
    )
    second = plan_revision_create(actor=coop.finance, project=coop.project_sn)
    planned_disbursements_set(
        actor=coop.finance,
        revision=second,
        rows=[PlannedRow(dt.date(2026, 1, 1), dt.date(2026, 3, 31), D("120000"), "MAD")],
    )
    client.force_login(coop.manager)
    html = client.get(
        _url("project-plan-compare", coop.project_sn.pk), {"a": 1, "b": 2}
    ).content.decode()
    assert "150" in html and "120" in html and "-30" in html


def test_transaction_list_query_count_does_not_grow(client, coop, django_assert_max_num_queries):
    client.force_login(coop.finance)
    for i in range(30):
        transaction_create(
            actor=coop.finance,
            project=coop.project_sn,
            type=TransactionType.DISBURSEMENT,
            transaction_date=dt.date(2025, 1, 1) + dt.timedelta(days=i),
            amount=D("1"),
            currency="EUR",
            provider=coop.unesco,
        )
    # session, user, role assignments; the project; programme team checks (manage
    # finance); paginator count; the page of transactions with project, partners and
    # line joined; budgets with their lines (2); revisions; the partners and budget lines
    # of the entry form; the base template's menu and tabs (programme tab checks).
    with django_assert_max_num_queries(22):
        page = client.get(_url("project-finance", coop.project_sn.pk))
    assert page.content.decode().count("<tr>") >= 30
