"""Forms of the finance pages (HTTP only: the services validate)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from pilotage.cooperation.forms.programmes import DateInput
from pilotage.cooperation.models import (
    Budget,
    BudgetLine,
    BudgetStatus,
    BudgetType,
    Partner,
    Project,
    TransactionType,
)
from pilotage.cooperation.money import currency_check
from pilotage.cooperation.selectors.finance import GROUP_BY
from pilotage.cooperation.services.finance import PlannedRow
from pilotage.core.tabular import parse_date, parse_decimal


class CurrencyField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("label", _("Devise"))
        super().__init__(**kwargs)
        self.widget.attrs.update({"size": 4, "autocapitalize": "characters", "dir": "ltr"})

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        return currency_check(text) if text else text


class RateForm(forms.Form):
    currency = CurrencyField()
    valid_from = forms.DateField(label=_("Valable à partir du"), widget=DateInput())
    units_per_eur = forms.DecimalField(
        label=_("Unités pour 1 EUR"), max_digits=20, decimal_places=8, min_value=Decimal("0")
    )
    source = forms.CharField(label=_("Source"), max_length=100, required=False)


class BudgetForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    type = forms.ChoiceField(label=_("Type"), choices=BudgetType.choices)
    status = forms.ChoiceField(label=_("Statut"), choices=BudgetStatus.choices)
    period_start = forms.DateField(label=_("Début de période"), widget=DateInput())
    period_end = forms.DateField(label=_("Fin de période"), widget=DateInput())
    amount = forms.DecimalField(label=_("Montant"), max_digits=18, decimal_places=2)
    currency = CurrencyField()

    @classmethod
    def for_budget(cls, budget: Budget, data: Any = None) -> BudgetForm:
        return cls(
            data,
            initial={
                "version": budget.version,
                "type": budget.type,
                "status": budget.status,
                "period_start": budget.period_start,
                "period_end": budget.period_end,
                "amount": budget.amount,
                "currency": budget.currency,
            },
        )


class BudgetLineForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    label = forms.CharField(label=_("Libellé"), max_length=200)
    amount = forms.DecimalField(label=_("Montant"), max_digits=18, decimal_places=2)


class TransactionForm(forms.Form):
    type = forms.ChoiceField(label=_("Nature"), choices=TransactionType.choices)
    transaction_date = forms.DateField(label=_("Date"), widget=DateInput())
    value_date = forms.DateField(
        label=_("Date de valeur"),
        widget=DateInput(),
        required=False,
        help_text=_("Vide : la date de la transaction. Le taux appliqué est celui de cette date."),
    )
    amount = forms.DecimalField(
        label=_("Montant"), max_digits=18, decimal_places=2, min_value=Decimal("0")
    )
    currency = CurrencyField()
    provider = forms.ModelChoiceField(
        label=_("Organisation qui verse"), queryset=Partner.objects.order_by("code"), required=False
    )
    receiver = forms.ModelChoiceField(
        label=_("Organisation qui reçoit"),
        queryset=Partner.objects.order_by("code"),
        required=False,
    )
    budget_line = forms.ModelChoiceField(
        label=_("Ligne budgétaire"), queryset=BudgetLine.objects.none(), required=False
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    reference = forms.CharField(label=_("Référence"), max_length=100, required=False)

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        line_field = self.fields["budget_line"]
        assert isinstance(line_field, forms.ModelChoiceField)  # noqa: S101
        line_field.queryset = BudgetLine.objects.filter(budget__project=project).select_related(
            "budget"
        )
        self.fields["currency"].initial = project.default_currency


class ReportForm(forms.Form):
    currency = CurrencyField(initial="EUR", required=False)
    group_by = forms.ChoiceField(
        label=_("Regrouper par"),
        required=False,
        choices=[
            ("project", _("projet")),
            ("partner", _("partenaire")),
            ("country", _("pays")),
            ("year", _("année")),
        ],
    )
    year = forms.IntegerField(label=_("Année"), required=False, min_value=1990, max_value=2100)

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        group = data.get("group_by") or "project"
        return {
            "currency": data.get("currency") or "EUR",
            "group_by": group if group in GROUP_BY else "project",
            "year": data.get("year"),
        }


class PlanForm(forms.Form):
    """The latest revision's planned disbursements, a line each:
    ``start;end;amount;currency`` (dates as AAAA-MM-JJ or JJ/MM/AAAA)."""

    rows = forms.CharField(
        label=_("Décaissements prévus"),
        widget=forms.Textarea(attrs={"rows": 12, "dir": "ltr"}),
        required=False,
        help_text=_(
            "Une ligne par période : début;fin;montant;devise "
            "(ex. 01/01/2026;31/03/2026;150000;MAD)"
        ),
    )

    def clean_rows(self) -> list[PlannedRow]:
        out: list[PlannedRow] = []
        errors: list[str] = []
        for i, line in enumerate(self.cleaned_data["rows"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(";")]
            if len(parts) != 4:
                errors.append(
                    _gettext("Ligne %(row)s : quatre valeurs attendues (début;fin;montant;devise).")
                    % {"row": i}
                )
                continue
            try:
                start: dt.date = parse_date(parts[0])
                end: dt.date = parse_date(parts[1])
                amount = parse_decimal(parts[2])
                currency = currency_check(parts[3])
            except (ValueError, InvalidOperation, ValidationError) as exc:
                reason = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
                errors.append(
                    _gettext("Ligne %(row)s « %(value)s » : %(reason)s")
                    % {"row": i, "value": line[:80], "reason": reason}
                )
                continue
            if end < start or amount < 0:
                errors.append(
                    _gettext("Ligne %(row)s : période inversée ou montant négatif.") % {"row": i}
                )
                continue
            out.append(PlannedRow(start, end, amount, currency))
        if errors:
            raise forms.ValidationError(errors)
        return out
