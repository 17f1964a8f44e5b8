from django import forms
from django.utils.translation import gettext_lazy as _

from pilotage.orgunits.models import OrgUnit


class OrgUnitForm(forms.ModelForm):
    class Meta:
        model = OrgUnit
        fields = ["name_fr", "name_ar", "name_en", "is_active"]
        widgets = {"name_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"})}


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Fichier CSV ou XLSX"))
