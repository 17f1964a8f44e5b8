"""The ticket pages' forms: parsing only; the services validate and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pilotage.contact.models import (
    Category,
    Channel,
    Language,
    LinkKind,
    MessageKind,
    Priority,
    Queue,
    Status,
    TicketType,
)
from pilotage.orgunits.models import OrgUnit


class _Units(forms.ModelChoiceField):
    """An org unit by its code (the tree is too large for a select)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(
            queryset=OrgUnit.objects.all(),
            to_field_name="code",
            widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
            error_messages={"invalid_choice": _("Aucune entité n'a ce code.")},
            **kwargs,  # type: ignore[arg-type]
        )


class ReplyForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Nature"),
        choices=[
            (MessageKind.REPLY, _("Réponse au demandeur")),
            (MessageKind.NOTE, _("Note interne")),
        ],
        initial=MessageKind.REPLY,
        widget=forms.RadioSelect,
    )
    body = forms.CharField(
        label=_("Texte"), widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"})
    )
    status = forms.ChoiceField(
        label=_("Statut après la réponse"),
        choices=[("", _("Ouvert (par défaut)")), *[(s, s.label) for s in Status]],
        required=False,
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Nouveau statut"), choices=Status.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)


class EditForm(forms.Form):
    type = forms.ChoiceField(label=_("Type"), choices=TicketType.choices)
    priority = forms.ChoiceField(label=_("Priorité"), choices=Priority.choices)
    category = forms.ModelChoiceField(
        label=_("Catégorie"), queryset=Category.objects.all(), required=False
    )
    org_unit = _Units(label=_("Entité concernée (code)"))
    version = forms.IntegerField(widget=forms.HiddenInput)


class LinkForm(forms.Form):
    reference = forms.CharField(label=_("Référence de l'autre ticket"), max_length=20)
    kind = forms.ChoiceField(label=_("Lien"), choices=LinkKind.choices)


class MergeForm(forms.Form):
    reference = forms.CharField(label=_("Fusionner dans le ticket (référence)"), max_length=20)


class SplitForm(forms.Form):
    subject = forms.CharField(label=_("Objet du nouveau ticket"), max_length=300)
    messages = forms.TypedMultipleChoiceField(label=_("Messages à déplacer"), coerce=int)

    def __init__(self, *args: object, message_ids: list[int], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["messages"].choices = [(pk, str(pk)) for pk in message_ids]  # type: ignore[attr-defined]


class NewTicketForm(forms.Form):
    channel = forms.ChoiceField(label=_("Canal"), choices=Channel.choices, initial=Channel.LETTER)
    type = forms.ChoiceField(label=_("Type"), choices=TicketType.choices)
    priority = forms.ChoiceField(
        label=_("Priorité"), choices=Priority.choices, initial=Priority.NORMAL
    )
    queue = forms.ModelChoiceField(label=_("File"), queryset=Queue.objects.filter(is_active=True))
    category = forms.ModelChoiceField(
        label=_("Catégorie"), queryset=Category.objects.all(), required=False
    )
    org_unit = _Units(label=_("Entité concernée (code)"))
    requester_contact = forms.CharField(
        label=_("Demandeur (téléphone ou courriel)"), required=False, max_length=120
    )
    association_number = forms.CharField(
        label=_("Association (numéro d'enregistrement)"), required=False, max_length=60
    )
    language = forms.ChoiceField(label=_("Langue du demandeur"), choices=Language.choices)
    subject = forms.CharField(
        label=pgettext_lazy("contact", "Objet"),
        max_length=300,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    body = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"})
    )
    confidential = forms.BooleanField(label=_("Confidentiel"), required=False)
    confirm_duplicate = forms.BooleanField(
        label=_("Ce n'est pas un doublon : enregistrer quand même"), required=False
    )


class CannedForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=200)
    body_fr = forms.CharField(label=_("Texte (français)"), widget=forms.Textarea, required=False)
    body_ar = forms.CharField(
        label=_("Texte (arabe)"), widget=forms.Textarea(attrs={"dir": "rtl"}), required=False
    )
    queue = forms.ModelChoiceField(label=_("File"), queryset=Queue.objects.all(), required=False)
    category = forms.ModelChoiceField(
        label=_("Catégorie"), queryset=Category.objects.all(), required=False
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
