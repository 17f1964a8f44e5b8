"""The public pages' forms: the web request (with its honeypot and signed start time),
the tracking form, a requester's message, the rating, the appeal, and the staff's record
of a referral to the Médiateur."""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pilotage.contact.models import Category, Language, TicketType
from pilotage.contact.services.satisfaction import COMMENT_MAX, RATINGS
from pilotage.orgunits.models import OrgUnit

# A person needs more than this to fill the form; a script posts at once.
MIN_FILL_SECONDS = 3
# A form left open longer than this is refused (the start stamp is replayed otherwise).
MAX_FILL_SECONDS = 24 * 3600
_SALT = "contact.public.form"
MESSAGE_MAX = 5000


def started_stamp() -> str:
    return signing.dumps(int(time.time()), salt=_SALT)


def fill_seconds(stamp: str) -> float | None:
    """Seconds since the form was shown; None when the stamp is missing or forged."""
    try:
        started = signing.loads(stamp or "", salt=_SALT, max_age=MAX_FILL_SECONDS)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    return time.time() - float(started)


CHOICE_ERRORS = {"invalid_choice": _("« %(value)s » n'est pas un choix possible ici.")}


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return ("— " if obj.depth > 2 else "") + obj.name


class PublicRequestForm(forms.Form):
    type = forms.ChoiceField(label=_("Nature de la demande"), choices=TicketType.choices)
    category = forms.ModelChoiceField(
        label=_("Thème"),
        queryset=Category.objects.none(),
        required=False,
        error_messages=CHOICE_ERRORS,
    )
    subject = forms.CharField(label=pgettext_lazy("contact", "Objet"), max_length=300)
    body = forms.CharField(
        label=_("Votre message"), max_length=MESSAGE_MAX, widget=forms.Textarea(attrs={"rows": 6})
    )
    association_name = forms.CharField(
        label=_("Nom de l'association"), max_length=300, required=False
    )
    registration_number = forms.CharField(
        label=_("Numéro du récépissé de dépôt"), max_length=60, required=False
    )
    name = forms.CharField(label=_("Votre nom"), max_length=120, required=False)
    email = forms.EmailField(label=_("Courriel"), required=False)
    phone = forms.CharField(label=_("Téléphone"), max_length=30, required=False)
    org_unit = UnitChoiceField(
        label=_("Région ou province"),
        queryset=OrgUnit.objects.none(),
        required=False,
        error_messages=CHOICE_ERRORS,
    )
    language = forms.ChoiceField(
        label=_("Langue de la réponse"), choices=Language.choices, initial=Language.FRENCH
    )
    confidential = forms.BooleanField(
        label=_("Demande confidentielle (votre identité n'est vue que des superviseurs)"),
        required=False,
    )
    # The honeypot: hidden from people by the stylesheet, filled by robots.
    website = forms.CharField(label=_("Site web (laissez vide)"), required=False)
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.order_by("order", "code")  # type: ignore[attr-defined]
        # Regions and provinces (depth 2 and 3 of the tree), in tree order.
        self.fields["org_unit"].queryset = OrgUnit.objects.filter(  # type: ignore[attr-defined]
            depth__in=(2, 3), is_active=True
        ).order_by("path")
        if not self.is_bound:
            self.initial["started"] = started_stamp()

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and not all(c.isdigit() or c in " +-.()" for c in phone):
            raise forms.ValidationError(
                _("Le numéro « %(value)s » ne contient pas que des chiffres."),
                params={"value": phone[:30]},
            )
        return phone

    def is_robot(self) -> bool:
        """The honeypot was filled, or the form came back too fast (or unsigned)."""
        if self.data.get("website"):
            return True
        seconds = fill_seconds(str(self.data.get("started", "")))
        return seconds is None or seconds < MIN_FILL_SECONDS


class TrackForm(forms.Form):
    reference = forms.CharField(label=pgettext_lazy("contact", "Référence"), max_length=20)
    code = forms.CharField(label=_("Code de suivi"), max_length=40)


class RequesterMessageForm(forms.Form):
    body = forms.CharField(
        label=_("Votre message"), max_length=MESSAGE_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Votre note"),
        choices=[(n, str(n)) for n in RATINGS],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Commentaire (facultatif)"),
        max_length=COMMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("Pourquoi la réponse ne vous satisfait-elle pas ?"),
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class MediatorForm(forms.Form):
    mediator_referred_on = forms.DateField(
        label=_("Saisine du Médiateur le"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    mediator_reference = forms.CharField(
        label=_("Référence auprès du Médiateur"), max_length=60, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
