"""Sampling frames: the associations registry and the schools under the survey's unit, and
an uploaded list refused whole with row, column and value."""

from __future__ import annotations

import pytest

from pilotage.contact.models import ActionField, Association
from pilotage.core.tabular import ImportRejected
from pilotage.surveys.frames import associations_units, schools_units, uploaded_units
from pilotage.surveys.services.forms import survey_create
from pilotage.surveys.tests.conftest import Surveys


def _associations(sv: Surveys) -> None:
    youth = ActionField.objects.create(code="youth", name_fr="Jeunesse", name_ar="الشباب", order=1)
    women = ActionField.objects.create(code="women", name_fr="Femmes", name_ar="المرأة", order=2)
    a = Association.objects.create(
        name_fr="Association Amal",
        name_ar="جمعية أمل",
        registration_number="TNG-1",
        org_unit=sv.personas.fresh(sv.personas.commune_a),
        email="amal@asso.test",
        language="ar",
        employees=3,
    )
    a.fields.set([women, youth])
    Association.objects.create(
        name_fr="Association Fès",
        registration_number="FES-1",
        org_unit=sv.personas.fresh(sv.personas.commune_b),
    )
    Association.objects.create(
        name_fr="Dissoute",
        registration_number="TNG-2",
        org_unit=sv.personas.fresh(sv.personas.commune_a),
        is_active=False,
    )


def test_the_associations_of_the_surveys_region_only(
    sv: Surveys, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    _associations(sv)
    # associations + their fields (prefetch) + the region and province units: 3 queries.
    with django_assert_max_num_queries(3):
        units = associations_units(sv.survey_a)
    (unit,) = units
    assert unit.label == "Association Amal" and unit.email == "amal@asso.test"
    assert unit.language == "ar" and unit.numbers == {"employees": 3.0}
    # The first field of action in the registry's order is the stratum's.
    assert dict(unit.unit.attributes) == {
        "region": "Tanger-Tétouan-Al Hoceïma",
        "province": "Préfecture de Tanger-Assilah",
        "field": "youth",
        "size": "1-4",
    }
    national = survey_create(actor=sv.manager, org_unit=sv.personas.country, title_fr="Toutes")
    assert len(associations_units(national)) == 2


def test_the_schools_under_the_unit(sv: Surveys) -> None:
    units = schools_units(sv.survey_a)
    assert [u.label for u in units] == [sv.personas.school_a.name_fr]
    assert units[0].unit.attributes["province"] == "Préfecture de Tanger-Assilah"


def test_an_uploaded_list_keeps_its_columns_as_attributes() -> None:
    csv = "id;label;email;milieu;effectif\n1;École A;a@x.test;rural;120\n2;École B;;urbain;80,5\n"
    units, attributes = uploaded_units(csv.encode("utf-8"), "liste.csv")
    assert attributes == ["milieu", "effectif"]
    assert [u.unit.id for u in units] == ["1", "2"]
    assert units[1].numbers == {"effectif": 80.5} and units[1].email == ""


def test_an_uploaded_list_with_missing_and_repeated_ids_is_refused_whole() -> None:
    csv = "id;label\n1;A\n;B\n1;C\n"
    with pytest.raises(ImportRejected) as caught:
        uploaded_units(csv.encode(), "liste.csv")
    problems = [str(p) for p in caught.value.problems]
    assert problems == [
        "ligne 3 · colonne id · valeur «  » : identifiant absent",
        "ligne 4 · colonne id · valeur « 1 » : identifiant déjà vu ligne 2",
    ]
    with pytest.raises(ImportRejected, match="problem"):
        uploaded_units(b"nom;label\nA;B\n", "liste.csv")
