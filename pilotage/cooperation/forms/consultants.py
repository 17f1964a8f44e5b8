"""Forms of the consultant pages: submitting a deliverable version or an activity report,
reviewing, and adding deliverables (HTTP only: the services check the files and rules)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from pilotage.cooperation.forms.programmes import DateInput
from pilotage.cooperation.models import ReviewDecision


class VersionForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier (PDF, DOCX, XLSX ou ODT)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.odt"}),
    )
    note = forms.CharField(
        label=_("Note pour l'équipe"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Décision"), choices=ReviewDecision.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Commentaire"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class DeliverableForm(forms.Form):
    title = forms.CharField(label=_("Intitulé"), max_length=300)
    due_date = forms.DateField(label=_("Échéance"), widget=DateInput())


class ReportForm(forms.Form):
    period_start = forms.DateField(label=_("Du"), widget=DateInput())
    period_end = forms.DateField(label=_("Au"), widget=DateInput())
    text = forms.CharField(label=_("Rapport"), widget=forms.Textarea(attrs={"rows": 5}))
    file = forms.FileField(label=_("Pièce jointe (facultative)"), required=False)


class ReportReviewForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Décision"),
        choices=[("1", _("Approuver")), ("0", _("Renvoyer"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Commentaire"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
