"""The builder page: a manager writes a simple form that becomes a version like an uploaded
workbook; wrong rows are listed and nothing is stored; a form with repeats is edited in its
workbook; outsiders get 404."""

from __future__ import annotations

from django.test import Client

from pilotage.core.tests.support import unchanged
from pilotage.surveys.builder import Choice, Question, questions_from_tree
from pilotage.surveys.models import FormVersion
from pilotage.surveys.services.forms import survey_create
from pilotage.surveys.tests.conftest import Surveys


def _row(i: int, kind: str, name: str, fr: str, ar: str = "", **extra: str) -> dict[str, str]:
    data = {f"q-{i}-kind": kind, f"q-{i}-name": name, f"q-{i}-label_fr": fr, f"q-{i}-label_ar": ar}
    data.update({f"q-{i}-{k}": v for k, v in extra.items()})
    return data


def test_a_manager_builds_a_form_that_becomes_a_version(sv: Surveys, client: Client) -> None:
    survey = survey_create(
        actor=sv.manager_a, org_unit=sv.personas.region_a, title_fr="Accueil des parents"
    )
    client.force_login(sv.manager_a)
    url = f"/surveys/{survey.pk}/builder/"
    assert 'name="q-0-kind"' in client.get(url).content.decode()
    post = {
        "count": "3",
        "action": "save",
        **_row(
            0,
            "select_one",
            "satisfied",
            "Satisfait ?",
            "راض؟",
            required="on",
            choices="yes | Oui | نعم\nno | Non | لا",
        ),
        **_row(1, "text", "why", "Pourquoi ?", "لماذا؟", relevant="${satisfied} = 'no'"),
        **_row(2, "text", "", ""),  # the blank row is left out
    }
    response = client.post(url, post)
    assert response.status_code == 302
    version = FormVersion.objects.get(survey=survey)
    assert version.form_id == "accueil_des_parents"
    assert questions_from_tree(version.tree) == [
        Question(
            "select_one",
            "satisfied",
            "Satisfait ?",
            "راض؟",
            required=True,
            choices=[Choice("yes", "Oui", "نعم"), Choice("no", "Non", "لا")],
        ),
        Question("text", "why", "Pourquoi ?", "لماذا؟", relevant="${satisfied} = 'no'"),
    ]
    # The page reads the form back; a second save is version 2 of the same form.
    page = client.get(url).content.decode()
    assert 'value="satisfied"' in page and "yes | Oui | نعم" in page
    post["q-1-label_fr"] = "Pourquoi pas ?"
    assert client.post(url, post).status_code == 302
    assert list(survey.form_versions.values_list("number", "form_id")) == [
        (1, "accueil_des_parents"),
        (2, "accueil_des_parents"),
    ]


def test_wrong_rows_are_listed_and_nothing_is_stored(sv: Surveys, client: Client) -> None:
    client.force_login(sv.manager_a)
    with unchanged(FormVersion):
        response = client.post(
            f"/surveys/{sv.survey_a.pk}/builder/",
            {
                "count": "2",
                "action": "save",
                **_row(0, "text", "1x", "A"),
                **_row(1, "select_one", "s", "S"),
            },
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        "question 1 (1x)" in page
        and "question 2 (s) : une question à choix a au moins un choix" in page
    )


def test_a_form_with_repeats_is_edited_in_its_workbook(sv: Surveys, client: Client) -> None:
    client.force_login(sv.manager_a)
    page = client.get(f"/surveys/{sv.survey_a.pk}/builder/").content.decode()
    assert 'id="not-simple"' in page and 'id="builder-form"' not in page


def test_outsiders_get_404(sv: Surveys, client: Client) -> None:
    for outsider in (sv.manager_b, sv.enumerator_a, sv.personas.teacher_a1):
        client.force_login(outsider)
        with unchanged(FormVersion):
            assert client.get(f"/surveys/{sv.survey_a.pk}/builder/").status_code == 404
            assert (
                client.post(
                    f"/surveys/{sv.survey_a.pk}/builder/",
                    {"count": "1", "action": "save", **_row(0, "text", "a", "A")},
                ).status_code
                == 404
            )
