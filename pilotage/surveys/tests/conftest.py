"""The surveys personas, on top of the project-wide ones (``pilotage/conftest.py``).

Maroc (MA)                     ← manager (survey manager of the whole country)
├── Tanger-Tétouan-Al Hoceïma  ← manager_a, enumerator_a; the survey ``survey_a``
└── Fès-Meknès                 ← manager_b (sees nothing of region A)

personas.agent (a contact-centre agent of the country) enters answers for phone interviews.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from pilotage.accounts.models import User
from pilotage.conftest import Personas, _person
from pilotage.surveys.models import FormVersion, Survey
from pilotage.surveys.roles import ENUMERATOR, SURVEY_MANAGER
from pilotage.surveys.services.forms import survey_create, survey_form_load
from pilotage.surveys.tests.forms import associations_form


@dataclass
class Surveys:
    personas: Personas
    manager: User
    manager_a: User
    manager_b: User
    enumerator_a: User
    survey_a: Survey
    form_a: FormVersion


@pytest.fixture
def sv(personas: Personas) -> Surveys:
    manager = _person("survey.manager", SURVEY_MANAGER, personas.country)
    manager_a = _person("survey.manager.a", SURVEY_MANAGER, personas.region_a)
    manager_b = _person("survey.manager.b", SURVEY_MANAGER, personas.region_b)
    enumerator_a = _person("enumerator.a", ENUMERATOR, personas.region_a)
    survey_a = survey_create(
        actor=manager_a,
        org_unit=personas.region_a,
        title_fr="Attentes des associations",
        title_ar="انتظارات الجمعيات",
    )
    form_a = survey_form_load(
        actor=manager_a, survey=survey_a, data=associations_form(), name="attentes.xlsx"
    )
    return Surveys(personas, manager, manager_a, manager_b, enumerator_a, survey_a, form_a)
