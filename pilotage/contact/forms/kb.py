"""The knowledge base's forms: an article (staff), a search, a reader's vote (public)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pilotage.contact.models import ArticleKind, ArticleLang, ArticleStatus, Category
from pilotage.contact.search import QUERY_MAX_CHARS


class ArticleForm(forms.Form):
    lang = forms.ChoiceField(label=_("Langue"), choices=ArticleLang.choices)
    kind = forms.ChoiceField(label=_("Nature"), choices=ArticleKind.choices)
    title = forms.CharField(label=_("Titre"), max_length=300)
    body = forms.CharField(label=_("Texte"), widget=forms.Textarea(attrs={"rows": 16}))
    category = forms.ModelChoiceField(
        label=_("Catégorie"), queryset=Category.objects.all(), required=False
    )
    closes_on = forms.DateField(
        label=_("Date de clôture (appel à projets)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            # An article's language is fixed once written: its translation is its twin.
            self.fields["lang"].disabled = True


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Rechercher"), max_length=QUERY_MAX_CHARS, required=False)
    lang = forms.ChoiceField(
        label=_("Langue"), choices=[("", _("Toutes")), *ArticleLang.choices], required=False
    )


class StaffFilterForm(SearchForm):
    status = forms.ChoiceField(
        label=_("Statut"), choices=[("", _("Tous")), *ArticleStatus.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("Nature"), choices=[("", _("Toutes")), *ArticleKind.choices], required=False
    )


class VoteForm(forms.Form):
    helpful = forms.TypedChoiceField(
        label=_("Cet article vous a-t-il aidé ?"),
        choices=[("yes", _("Oui")), ("no", _("Non"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Commentaire (facultatif)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TwinForm(forms.Form):
    twin = forms.IntegerField(label=_("Numéro de l'article traduit"), required=False, min_value=1)
