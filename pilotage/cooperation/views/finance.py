"""The finance pages: the portfolio dashboard, the rate table, a programme's financial
report (and its XLSX), a project's budgets, transactions and cash-flow plan."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from pilotage.cooperation import permissions as perms
from pilotage.cooperation.forms.finance import (
    BudgetForm,
    BudgetLineForm,
    PlanForm,
    RateForm,
    ReportForm,
    TransactionForm,
)
from pilotage.cooperation.models import Budget, PlanRevision, TransactionType
from pilotage.cooperation.money import MissingRate
from pilotage.cooperation.selectors.finance import (
    Report,
    finance_project_get,
    finance_report,
    portfolio_dashboard,
    project_budgets,
    project_revisions,
    rates_list,
    revisions_compare,
    transactions_list,
)
from pilotage.cooperation.selectors.programmes import programme_get, programme_projects
from pilotage.cooperation.services.finance import (
    RateRow,
    budget_create,
    budget_line_save,
    budget_update,
    plan_revision_create,
    planned_disbursements_set,
    rates_save,
    transaction_create,
)
from pilotage.core.forms import form_errors_add
from pilotage.core.imports import XLSX_TYPE, import_urls

PAGE_SIZE = 50


def dashboard(request: HttpRequest) -> HttpResponse:
    if not perms.reads_portfolio_finance(request.user):
        raise Http404
    form = ReportForm(request.GET or None)
    currency = form.values()["currency"]
    error = None
    data = None
    try:
        data = portfolio_dashboard(request.user, currency=currency)
    except MissingRate as exc:
        error = exc.messages[0]
    chart = None
    if data is not None:
        chart = {
            "years": data.years,
            "series": [
                {"name": str(label), "values": [str(data.per_year[y][kind]) for y in data.years]}
                for kind, label in (
                    ("budget", _("Budget")),
                    (TransactionType.DISBURSEMENT.value, _("Décaissements")),
                    (TransactionType.EXPENDITURE.value, _("Dépenses")),
                )
            ],
        }
    return render(
        request,
        "cooperation/finance/dashboard.html",
        {
            "form": form,
            "data": data,
            "error": error,
            "chart": chart,
            "currency": currency,
            "can_manage_rates": perms.can_manage_rates(request.user),
        },
    )


def rates(request: HttpRequest) -> HttpResponse:
    if not perms.can_manage_rates(request.user):
        raise Http404
    form = RateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rates_save(
                actor=request.user,
                rows=[
                    RateRow(
                        data["currency"], data["valid_from"], data["units_per_eur"], data["source"]
                    )
                ],
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Taux enregistré."))
            return redirect("cooperation:finance-rates")
    page = Paginator(rates_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cooperation/finance/rates.html", {"form": form, "page_obj": page})


def _report_xlsx(report: Report, title: str) -> HttpResponse:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(_("Rapport"))[:31])
    sheet.append([title, report.currency])
    sheet.append(
        [
            str(_("Regroupement")),
            str(_("Budget")),
            str(_("Engagement reçu")),
            str(_("Fonds reçus")),
            str(_("Engagement")),
            str(_("Décaissement")),
            str(_("Dépense")),
            str(_("Taux d'exécution (%)")),
            str(_("Dépense mensuelle")),
            str(_("Prévision à la fin")),
        ]
    )
    for row in [*report.rows, report.total]:
        sheet.append(
            [
                row.label or str(_("Total")),
                row.budget,
                row.incoming_commitment,
                row.incoming_funds,
                row.commitment,
                row.disbursement,
                row.expenditure,
                row.burn_rate,
                row.monthly_burn,
                row.forecast,
            ]
        )
    rates_sheet = book.create_sheet(str(_("Taux utilisés"))[:31])
    rates_sheet.append(
        [str(_("Devise")), str(_("Valable à partir du")), str(_("Unités pour 1 EUR")), "Source"]
    )
    for r in report.rates_used:
        rates_sheet.append([r.currency, r.valid_from, r.units_per_eur, r.source])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="finances-{report.currency}.xlsx"'
    return response


def programme_finance(request: HttpRequest, pk: int) -> HttpResponse:
    found = programme_get(request.user, pk)
    if not perms.can_view_finance(request.user, found):
        raise Http404
    form = ReportForm(request.GET or None)
    values = form.values()
    error = None
    report = None
    try:
        report = finance_report(
            request.user,
            currency=values["currency"],
            group_by=values["group_by"],
            programme=found,
            year=values["year"],
        )
    except MissingRate as exc:
        error = exc.messages[0]
    if report is not None and request.GET.get("format") == "xlsx":
        return _report_xlsx(report, found.code)
    return render(
        request,
        "cooperation/finance/programme.html",
        {
            "programme": found,
            "form": form,
            "report": report,
            "error": error,
            "projects": programme_projects(request.user, found),
            "manages_finance": perms.can_manage_finance(request.user, found),
            "xlsx_query": request.GET.urlencode(),
        },
    )


def project_finance(request: HttpRequest, pk: int) -> HttpResponse:
    project = finance_project_get(request.user, pk)
    manages = perms.can_manage_finance(request.user, project.programme)
    filters = {
        "type": request.GET.get("type", ""),
        "currency": request.GET.get("currency", "").upper()[:3],
    }
    year = request.GET.get("year", "")
    txs = transactions_list(
        request.user,
        project=project,
        type=filters["type"] if filters["type"] in TransactionType.values else "",
        currency=filters["currency"],
        year=int(year) if year.isdigit() else None,
    )
    page = Paginator(txs, PAGE_SIZE).get_page(request.GET.get("page"))
    tx_form = TransactionForm(project=project) if manages else None
    budget_form = BudgetForm(initial={"currency": project.default_currency}) if manages else None
    return render(
        request,
        "cooperation/finance/project.html",
        {
            "project": project,
            "programme": project.programme,
            "budgets": project_budgets(project),
            "revisions": project_revisions(project),
            "page_obj": page,
            "manages": manages,
            "tx_form": tx_form,
            "budget_form": budget_form,
            "types": TransactionType.choices,
            "filters": filters,
            "year": year,
        },
    )


def _managed_project(request: HttpRequest, pk: int) -> Any:
    project = finance_project_get(request.user, pk)
    if not perms.can_manage_finance(request.user, project.programme):
        raise Http404
    return project


def transaction_new(request: HttpRequest, pk: int) -> HttpResponse:
    project = _managed_project(request, pk)
    form = TransactionForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        if not fields.get("value_date"):
            fields["value_date"] = fields["transaction_date"]
        try:
            transaction_create(actor=request.user, project=project, **fields)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Transaction enregistrée."))
            return redirect("cooperation:project-finance", project.pk)
    return render(
        request,
        "cooperation/finance/form.html",
        {
            "form": form,
            "project": project,
            "programme": project.programme,
            "title": _("Nouvelle transaction"),
        },
    )


def budget_new(request: HttpRequest, pk: int) -> HttpResponse:
    project = _managed_project(request, pk)
    form = BudgetForm(request.POST or None, initial={"currency": project.default_currency})
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            budget = budget_create(actor=request.user, project=project, **fields)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Budget enregistré."))
            return redirect("cooperation:budget", budget.pk)
    return render(
        request,
        "cooperation/finance/form.html",
        {
            "form": form,
            "project": project,
            "programme": project.programme,
            "title": _("Nouveau budget"),
        },
    )


def budget(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Budget.objects.select_related("project__programme"), pk=pk)
    project = finance_project_get(request.user, found.project_id)
    manages = perms.can_manage_finance(request.user, project.programme)
    form = BudgetForm.for_budget(found)
    line_form = BudgetLineForm()
    if request.method == "POST":
        if not manages:
            raise Http404
        if "code" in request.POST:
            line_form = BudgetLineForm(request.POST)
            if line_form.is_valid():
                try:
                    budget_line_save(actor=request.user, budget=found, **line_form.cleaned_data)
                except ValidationError as exc:
                    form_errors_add(line_form, exc)
                else:
                    messages.success(request, _("Ligne enregistrée."))
                    return redirect("cooperation:budget", found.pk)
        else:
            form = BudgetForm.for_budget(found, request.POST)
            if form.is_valid():
                data = form.cleaned_data
                changes = {k: data[k] for k in form.changed_data if k != "version"}
                try:
                    budget_update(
                        actor=request.user, budget=found, version=data.get("version"), **changes
                    )
                except ValidationError as exc:
                    form_errors_add(form, exc)
                else:
                    messages.success(request, _("Budget enregistré."))
                    return redirect("cooperation:budget", found.pk)
    return render(
        request,
        "cooperation/finance/budget.html",
        {
            "budget": found,
            "lines": found.lines.all(),
            "project": project,
            "programme": project.programme,
            "form": form,
            "line_form": line_form,
            "manages": manages,
        },
    )


def plan(request: HttpRequest, pk: int) -> HttpResponse:
    """The cash-flow plan: the revisions, the latest editable, a new one as its copy."""
    project = finance_project_get(request.user, pk)
    manages = perms.can_manage_finance(request.user, project.programme)
    revisions = list(project_revisions(project))
    latest = revisions[0] if revisions else None
    number = request.GET.get("revision")
    shown = next((r for r in revisions if str(r.number) == number), latest)
    initial = ""
    if latest is not None:
        initial = "\n".join(
            f"{d.period_start:%d/%m/%Y};{d.period_end:%d/%m/%Y};{d.amount};{d.currency}"
            for d in latest.disbursements.all()
        )
    form = PlanForm(initial={"rows": initial})
    if request.method == "POST":
        if not manages:
            raise Http404
        if "new_revision" in request.POST:
            revision = plan_revision_create(
                actor=request.user, project=project, note=request.POST.get("note", "")[:500]
            )
            messages.success(request, _("Révision %(number)s créée.") % {"number": revision.number})
            return redirect("cooperation:project-plan", project.pk)
        form = PlanForm(request.POST)
        if form.is_valid() and latest is not None:
            try:
                planned_disbursements_set(
                    actor=request.user, revision=latest, rows=form.cleaned_data["rows"]
                )
            except ValidationError as exc:
                form_errors_add(form, exc)
            else:
                messages.success(request, _("Plan enregistré."))
                return redirect("cooperation:project-plan", project.pk)
    return render(
        request,
        "cooperation/finance/plan.html",
        {
            "project": project,
            "programme": project.programme,
            "revisions": revisions,
            "latest": latest,
            "shown": shown,
            "disbursements": shown.disbursements.all() if shown else [],
            "form": form,
            "manages": manages,
        },
    )


def plan_compare(request: HttpRequest, pk: int) -> HttpResponse:
    project = finance_project_get(request.user, pk)
    revisions = {r.number: r for r in PlanRevision.objects.filter(project=project)}
    try:
        a = revisions[int(request.GET.get("a", ""))]
        b = revisions[int(request.GET.get("b", ""))]
    except (KeyError, ValueError):
        raise Http404 from None
    return render(
        request,
        "cooperation/finance/compare.html",
        {
            "project": project,
            "programme": project.programme,
            "before": a,
            "after": b,
            "rows": revisions_compare(a, b),
        },
    )


urlpatterns = [
    path("finance/", dashboard, name="finance"),
    path("finance/rates/", rates, name="finance-rates"),
    *import_urls("finance/rates/import/", "cooperation.import_rates", "finance-rates-import"),
    *import_urls(
        "finance/transactions/import/",
        "cooperation.import_transactions",
        "finance-transactions-import",
    ),
    path("programmes/<int:pk>/finance/", programme_finance, name="programme-finance"),
    path("projects/<int:pk>/finance/", project_finance, name="project-finance"),
    path("projects/<int:pk>/finance/transaction/", transaction_new, name="transaction-new"),
    path("projects/<int:pk>/finance/budget/", budget_new, name="budget-new"),
    path("budgets/<int:pk>/", budget, name="budget"),
    path("projects/<int:pk>/plan/", plan, name="project-plan"),
    path("projects/<int:pk>/plan/compare/", plan_compare, name="project-plan-compare"),
]
