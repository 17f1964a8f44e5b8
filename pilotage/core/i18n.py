"""Names stored in several languages, one column each.

Three fixed columns (French, Arabic, English) keep queries plain and indexable; the
English one may be empty and falls back to French.
"""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class MultilingualName(models.Model):
    name_fr = models.CharField(_("nom (français)"), max_length=200)
    name_ar = models.CharField(_("nom (arabe)"), max_length=200, blank=True)
    name_en = models.CharField(_("nom (anglais)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        lang = (get_language() or "fr")[:2]
        return getattr(self, f"name_{lang}", "") or self.name_fr
