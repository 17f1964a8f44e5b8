"""The surveys app's audit actions, change labels and links (see core/audit.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from pilotage.core.audit import (
    audit_action,
    audit_change_labels_register,
    audit_links_by_pk,
    audit_links_register,
)

FORM_LOAD = audit_action("survey_form_load", _("Chargement d'un formulaire XLSForm"))
SAMPLE_DRAW = audit_action("survey_sample_draw", _("Tirage d'un échantillon"))
INVITE = audit_action("survey_invite", _("Invitation à répondre envoyée"))
REMIND = audit_action("survey_remind", _("Relance envoyée"))
SUBMIT = audit_action("survey_submit", _("Réponse envoyée"))

audit_change_labels_register(
    {
        "title_fr": _("intitulé (français)"),
        "title_ar": _("intitulé (arabe)"),
        "access": _("accès"),
        "closes_at": _("date de clôture"),
        "form_id": _("identifiant du formulaire"),
        "form_version": _("version du formulaire"),
        "number": _("numéro"),
    }
)

audit_links_register("surveys.survey", audit_links_by_pk("surveys:survey"))
