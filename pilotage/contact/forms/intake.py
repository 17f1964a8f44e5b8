"""The forms of the phone intake screen and the walk-in reception."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pilotage.contact.models import Association, Category, Language, Priority, Queue, TicketType


class CallForm(forms.Form):
    """What the agent records of a call (or of a visit at the desk)."""

    type = forms.ChoiceField(label=_("Type"), choices=TicketType.choices)
    category = forms.ModelChoiceField(
        label=_("Catégorie"), queryset=Category.objects.all(), required=False
    )
    queue = forms.ModelChoiceField(
        label=_("File"),
        queryset=Queue.objects.filter(is_active=True),
        required=False,
        help_text=_("Vide : la file de la catégorie."),
    )
    priority = forms.ChoiceField(
        label=_("Priorité"), choices=Priority.choices, initial=Priority.NORMAL
    )
    subject = forms.CharField(label=pgettext_lazy("contact", "Objet"), max_length=300)
    notes = forms.CharField(label=_("Notes de l'appel"), widget=forms.Textarea, required=False)
    answered = forms.BooleanField(label=_("Répondu sur le champ"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("queue"):
            category = data.get("category")
            queue = None
            while category is not None and queue is None:
                queue = category.queue if category.queue_id else None
                category = category.parent
            if queue is None:
                queue = Queue.objects.filter(is_active=True).order_by("order", "code").first()
            if queue is None:
                self.add_error("queue", _("Choisissez la file qui traitera la demande."))
            data["queue"] = queue
        return data


class CallerForm(forms.Form):
    """A caller not yet on file."""

    first_name = forms.CharField(label=_("Prénom"), max_length=120, required=False)
    last_name = forms.CharField(label=_("Nom"), max_length=120, required=False)
    name_ar = forms.CharField(label=_("Nom (arabe)"), max_length=240, required=False)
    phone = forms.CharField(label=_("Téléphone"), max_length=30, required=False)
    email = forms.EmailField(label=_("Courriel"), required=False)
    language = forms.ChoiceField(label=_("Langue"), choices=Language.choices)
    association = forms.ModelChoiceField(
        label=_("Association"), queryset=Association.objects.none(), required=False
    )

    def __init__(self, *args: Any, associations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if associations is not None:
            self.fields["association"].queryset = associations  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("first_name") or data.get("last_name") or data.get("name_ar")):
            self.add_error("last_name", _("Indiquez le nom de l'appelant."))
        return data


class VisitForm(forms.Form):
    name = forms.CharField(label=_("Nom du visiteur"), max_length=200)
    phone = forms.CharField(label=_("Téléphone"), max_length=30, required=False)
    association = forms.ModelChoiceField(
        label=_("Association"), queryset=Association.objects.none(), required=False
    )
    reason = forms.CharField(label=_("Motif"), max_length=300)

    def __init__(self, *args: Any, associations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if associations is not None:
            self.fields["association"].queryset = associations  # type: ignore[attr-defined]


class DeskForm(forms.Form):
    desk = forms.CharField(label=_("Guichet"), max_length=20)
