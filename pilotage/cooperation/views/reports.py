"""A programme's monthly reports: the months, the narrative form, the PDF in French or
English."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pilotage.cooperation import permissions as perms
from pilotage.cooperation.models import MonthlyReport
from pilotage.cooperation.reports import (
    LANGUAGES,
    Period,
    ReportError,
    month_text,
    monthly_report_pdf,
)
from pilotage.cooperation.selectors.programmes import programme_get
from pilotage.cooperation.services.reports import NARRATIVE, monthly_report_save
from pilotage.core.forms import form_errors_add


class NarrativeForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = MonthlyReport
        fields = NARRATIVE
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in NARRATIVE}
        help_texts = {"summary_fr": gettext_lazy("Un paragraphe par ligne vide.")}


def _period(year: int, month: int) -> Period:
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise Http404
    return Period(year, month)


def _months(start: Period, end: Period) -> list[Period]:
    months: list[Period] = []
    year, month = end.year, end.month
    while (year, month) >= (start.year, start.month) and len(months) < 120:
        months.append(Period(year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


def reports(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_get(request.user, pk)
    today = timezone.localdate()
    last = min(today, programme.end_date)
    months = _months(
        Period(programme.start_date.year, programme.start_date.month), Period(last.year, last.month)
    )
    written = {
        (r.year, r.month): r
        for r in MonthlyReport.objects.filter(programme=programme).only(
            "year", "month", "updated_at", "programme_id"
        )
    }
    return render(
        request,
        "cooperation/reports/list.html",
        {
            "programme": programme,
            "months": [
                {
                    "period": m,
                    "label": month_text(m, request.LANGUAGE_CODE),
                    "report": written.get((m.year, m.month)),
                }
                for m in months
            ],
            "manages": perms.manages(request.user, programme),
            "languages": LANGUAGES,
        },
    )


def report_edit(request: HttpRequest, pk: int, year: int, month: int) -> HttpResponse:
    programme = programme_get(request.user, pk)
    if not perms.manages(request.user, programme):
        raise Http404
    period = _period(year, month)
    stored = MonthlyReport.objects.filter(programme=programme, year=year, month=month).first()
    form = NarrativeForm(
        request.POST or None,
        instance=stored,
        initial={"version": stored.version if stored else None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            monthly_report_save(
                actor=request.user,
                programme=programme,
                year=year,
                month=month,
                version=form.cleaned_data.get("version"),
                **{name: form.cleaned_data[name] for name in NARRATIVE},
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Rapport enregistré."))
            return redirect("cooperation:reports", programme.pk)
    return render(
        request,
        "cooperation/reports/edit.html",
        {"programme": programme, "form": form, "label": month_text(period, request.LANGUAGE_CODE)},
    )


def report_pdf(request: HttpRequest, pk: int, year: int, month: int, lang: str) -> HttpResponse:
    programme = programme_get(request.user, pk)
    if lang not in LANGUAGES:
        raise Http404
    period = _period(year, month)
    try:
        pdf = monthly_report_pdf(request.user, programme, period, lang)
    except ReportError as exc:
        return render(
            request,
            "cooperation/reports/error.html",
            {"programme": programme, "message": str(exc)},
            status=503,
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"{programme.code}-{year}-{month:02d}-{lang}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


urlpatterns = [
    path("programmes/<int:pk>/reports/", reports, name="reports"),
    path("programmes/<int:pk>/reports/<int:year>-<int:month>/", report_edit, name="report-edit"),
    path(
        "programmes/<int:pk>/reports/<int:year>-<int:month>/<str:lang>.pdf",
        report_pdf,
        name="report-pdf",
    ),
]
