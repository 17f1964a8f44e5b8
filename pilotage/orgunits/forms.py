from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OrgUnitForm(forms.Form):
    """A plain form, not a ModelForm: the service compares the unit before and after, so
    the form must not write into the instance while validating."""

    name_fr = forms.CharField(
        label=pgettext_lazy("name of a thing", "Nom (français)"), max_length=200
    )
    name_ar = forms.CharField(
        label=pgettext_lazy("name of a thing", "Nom (arabe)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
    )
    name_en = forms.CharField(
        label=pgettext_lazy("name of a thing", "Nom (anglais)"), max_length=200, required=False
    )
    is_active = forms.BooleanField(label=_("Active"), required=False)

    FIELDS = ("name_fr", "name_ar", "name_en", "is_active")
