"""``manage.py survey_load``: prints the form's id and version, or every problem and a
non-zero exit, storing nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pilotage.accounts.tests.factories import UserFactory
from pilotage.conftest import Personas
from pilotage.surveys.models import FormVersion, Survey
from pilotage.surveys.tests.forms import associations_form, workbook


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("survey_load", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_load_creates_a_survey_then_a_second_version(personas: Personas, tmp_path: Path) -> None:
    UserFactory(username="root", is_superuser=True)
    first = tmp_path / "attentes.xlsx"
    first.write_bytes(associations_form())
    out, _err = _run(str(first), "--unit", "MA-01")
    survey = Survey.objects.get()
    assert out.strip() == (
        f"form_id=attentes_associations version=2026120701 survey={survey.pk} form_version_number=1"
    )
    assert survey.org_unit == personas.region_a and survey.title_fr == "Attentes des associations"
    second = tmp_path / "attentes-2.xlsx"
    second.write_bytes(associations_form(version="2026120702"))
    out, _err = _run(str(second), "--survey", str(survey.pk))
    assert out.strip().endswith("form_version_number=2")
    assert FormVersion.objects.filter(survey=survey).count() == 2


def test_check_prints_the_id_and_stores_nothing(personas: Personas, tmp_path: Path) -> None:
    path = tmp_path / "f.xlsx"
    path.write_bytes(associations_form())
    out, _err = _run(str(path), "--check")
    assert out.strip() == "form_id=attentes_associations version=2026120701"
    assert not Survey.objects.exists()


def test_every_problem_is_printed_and_the_exit_is_non_zero(
    personas: Personas, tmp_path: Path
) -> None:
    UserFactory(username="root", is_superuser=True)
    path = tmp_path / "bad.xlsx"
    path.write_bytes(
        workbook(
            [
                ["type", "name", "label", "relevant"],
                ["text", "a", "A", "${a} = = 1"],
                ["text", "b", "B", "(("],
            ]
        )
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 problem"):
        call_command("survey_load", str(path), stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("feuille survey · ligne 2 · colonne relevant")
    assert lines[1].startswith("feuille survey · ligne 3 · colonne relevant")
    assert not Survey.objects.exists() and not FormVersion.objects.exists()


def test_a_missing_file_and_a_missing_user_are_clear_errors(
    personas: Personas, tmp_path: Path
) -> None:
    with pytest.raises(CommandError, match="nope.xlsx"):
        _run(str(tmp_path / "nope.xlsx"))
    path = tmp_path / "f.xlsx"
    path.write_bytes(associations_form())
    with pytest.raises(CommandError, match="no superuser"):
        _run(str(path))
    assert not Survey.objects.exists()
