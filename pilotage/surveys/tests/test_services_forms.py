"""Creating surveys and loading their form versions: the permission's denied cases change
nothing, a new version keeps the earlier ones, and a refused workbook stores nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from pilotage.core.models import AuditEntry
from pilotage.surveys.audit import FORM_LOAD
from pilotage.surveys.models import FormVersion, Survey
from pilotage.surveys.services.forms import survey_create, survey_form_load
from pilotage.surveys.tests.conftest import Surveys
from pilotage.surveys.tests.forms import associations_form, workbook
from pilotage.surveys.xlsform import XLSFormRejected


def _counts() -> tuple[int, int, int]:
    return Survey.objects.count(), FormVersion.objects.count(), AuditEntry.objects.count()


def test_a_manager_loads_a_second_version_that_keeps_the_first(sv: Surveys) -> None:
    second = survey_form_load(
        actor=sv.manager_a,
        survey=sv.survey_a,
        data=associations_form(version="2026120702"),
        name="attentes-v2.xlsx",
    )
    assert second.number == 2 and second.form_version == "2026120702"
    assert list(sv.survey_a.form_versions.values_list("number", flat=True)) == [1, 2]
    assert sv.survey_a.current_form == second
    assert second.workbook.read()[:2] == b"PK"
    entry = AuditEntry.objects.filter(action=FORM_LOAD).latest("pk")
    assert entry.changes["number"] == [1, 2]


def test_the_same_file_twice_is_refused_naming_its_version(sv: Surveys) -> None:
    before = _counts()
    with pytest.raises(XLSFormRejected) as caught:
        survey_form_load(
            actor=sv.manager_a, survey=sv.survey_a, data=associations_form(), name="again.xlsx"
        )
    assert "déjà chargé : c'est la version 1" in str(caught.value)
    assert _counts() == before


def test_another_form_id_is_another_form(sv: Surveys) -> None:
    other = workbook(
        [["type", "name", "label"], ["text", "a", "A"]],
        settings=[["form_id", "version"], ["autre_formulaire", "1"]],
    )
    before = _counts()
    with pytest.raises(XLSFormRejected) as caught:
        survey_form_load(actor=sv.manager_a, survey=sv.survey_a, data=other, name="o.xlsx")
    (problem,) = caught.value.problems
    assert (problem.sheet, problem.column, problem.value) == (
        "settings",
        "form_id",
        "autre_formulaire",
    )
    assert _counts() == before


def test_a_refused_workbook_stores_nothing(sv: Surveys) -> None:
    before = _counts()
    with pytest.raises(XLSFormRejected):
        survey_form_load(
            actor=sv.manager_a,
            survey=sv.survey_a,
            data=workbook([["type", "name", "label"], ["intger", "a", "A"]]),
            name="bad.xlsx",
        )
    assert _counts() == before


def test_a_manager_of_another_region_may_not_load_nor_create_there(sv: Surveys) -> None:
    before = _counts()
    with pytest.raises(PermissionDenied):
        survey_form_load(
            actor=sv.manager_b,
            survey=sv.survey_a,
            data=associations_form(version="9"),
            name="x.xlsx",
        )
    with pytest.raises(PermissionDenied):
        survey_create(actor=sv.manager_b, org_unit=sv.personas.region_a, title_fr="Intrus")
    # An enumerator enters answers; designing surveys is not theirs.
    with pytest.raises(PermissionDenied):
        survey_create(actor=sv.enumerator_a, org_unit=sv.personas.region_a, title_fr="Intrus")
    with pytest.raises(PermissionDenied):
        survey_create(actor=sv.personas.teacher_a1, org_unit=sv.personas.school_a, title_fr="x")
    assert _counts() == before


def test_creating_a_survey_is_audited_with_a_random_public_key(sv: Surveys) -> None:
    survey = survey_create(actor=sv.manager, org_unit=sv.personas.country, title_fr=" Recensement ")
    assert survey.title_fr == "Recensement" and len(survey.public_key) >= 24
    assert survey.public_key != sv.survey_a.public_key
    assert AuditEntry.objects.filter(object_id=str(survey.pk), action="create").exists()
