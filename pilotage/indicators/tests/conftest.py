"""Fixtures of the indicators' tests: the Moroccan grade ladder and a school year."""

from __future__ import annotations

import pytest

from pilotage.orgunits.models import AcademicYear
from pilotage.orgunits.services import academic_year_create
from pilotage.schooling.structure import structure_load_morocco


@pytest.fixture
def structure(db: None) -> None:
    structure_load_morocco()


@pytest.fixture
def year(structure: None) -> AcademicYear:
    return academic_year_create(actor=None, first_year=2024)
