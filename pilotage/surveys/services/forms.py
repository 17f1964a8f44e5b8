"""Creating a survey and loading its form.

A form is loaded from an XLSForm workbook (``xlsform.compile_xlsform``): compiled and
checked whole before anything is written, then stored as the survey's next version with
the workbook itself. The form's identifier (``form_id`` on the settings sheet) is the
survey's for good: a workbook with another one is another form, refused here, since the
answers of every version are analysed together. Loading the same file twice is refused
too, naming the version it already is.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from pilotage.core.audit import CREATE, UPDATE, audit_record
from pilotage.orgunits.models import OrgUnit
from pilotage.surveys import permissions as perms
from pilotage.surveys.audit import FORM_LOAD
from pilotage.surveys.models import FormVersion, Survey, SurveyAccess, SurveyStatus
from pilotage.surveys.xlsform import FormProblem, XLSFormRejected, compile_xlsform


def survey_create(
    *,
    actor: Any,
    org_unit: OrgUnit,
    title_fr: str,
    title_ar: str = "",
    description: str = "",
    access: str = SurveyAccess.INVITED,
) -> Survey:
    if not perms.can_manage_unit(actor, org_unit.path):
        raise PermissionDenied
    with transaction.atomic():
        survey = Survey(
            org_unit=org_unit,
            title_fr=title_fr.strip(),
            title_ar=title_ar.strip(),
            description=description,
            access=access,
            public_key=secrets.token_urlsafe(18),
            created_by=actor,
        )
        survey.full_clean()
        survey.save()
        audit_record(
            actor=actor,
            action=CREATE,
            obj=survey,
            changes={
                "title_fr": [None, survey.title_fr],
                "title_ar": [None, survey.title_ar],
                "access": [None, survey.access],
            },
        )
    return survey


def survey_form_load(*, actor: Any, survey: Survey, data: bytes, name: str) -> FormVersion:
    """The survey's next form version, or :class:`XLSFormRejected` listing every problem
    (nothing stored)."""
    if not perms.can_manage(actor, survey):
        raise PermissionDenied
    compiled = compile_xlsform(data, name=name)
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        Survey.objects.select_for_update().filter(pk=survey.pk).first()
        earlier = survey.form_versions.order_by("-number").first()
        same = survey.form_versions.filter(sha256=digest).first()
        if same is not None:
            raise XLSFormRejected(
                [
                    FormProblem(
                        "",
                        None,
                        "",
                        name,
                        _("ce classeur est déjà chargé : c'est la version %(n)s")
                        % {"n": same.number},
                    )
                ]
            )
        if earlier is not None and earlier.form_id != compiled.form_id:
            raise XLSFormRejected(
                [
                    FormProblem(
                        "settings",
                        2,
                        "form_id",
                        compiled.form_id,
                        _(
                            "le formulaire de cette enquête s'appelle « %(expected)s » : une "
                            "nouvelle version garde le même form_id"
                        )
                        % {"expected": earlier.form_id},
                    )
                ]
            )
        number = (survey.form_versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = FormVersion(
            survey=survey,
            number=number,
            form_id=compiled.form_id,
            form_version=compiled.version,
            title=compiled.title[:300],
            workbook_name=name[:200],
            sha256=digest,
            tree=compiled.tree,
            xform=compiled.xform,
            languages=compiled.languages,
            default_language=compiled.default_language,
            warnings=compiled.warnings,
            created_by=actor,
        )
        version.workbook.save(
            f"{survey.pk}-{number}.{compiled.file_type}", ContentFile(data), save=False
        )
        # The file is written before the row: should the row fail, the file goes too.
        try:
            version.save()
        except Exception:
            version.workbook.storage.delete(version.workbook.name)
            raise
        audit_record(
            actor=actor,
            action=FORM_LOAD,
            obj=version,
            changes={
                "form_id": [None, version.form_id],
                "form_version": [earlier.form_version if earlier else None, version.form_version],
                "number": [earlier.number if earlier else None, number],
            },
        )
    return version


def survey_status_set(*, actor: Any, survey: Survey, status: str) -> Survey:
    """Open a survey (it needs a form) or close it (answers are then refused)."""
    if not perms.can_manage(actor, survey):
        raise PermissionDenied
    if status not in SurveyStatus.values:
        raise ValidationError({"status": _("Statut inconnu : %(s)s") % {"s": status}})
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if status == SurveyStatus.OPEN and not locked.form_versions.exists():
            raise ValidationError(
                {
                    "status": _(
                        "Chargez d'abord le formulaire : une enquête sans formulaire ne "
                        "s'ouvre pas."
                    )
                }
            )
        if locked.status == status:
            return locked
        before = locked.status
        locked.status = status
        locked.version += 1
        locked.save(update_fields=["status", "version"])
        audit_record(actor=actor, action=UPDATE, obj=locked, changes={"status": [before, status]})
    survey.status, survey.version = locked.status, locked.version
    return locked
