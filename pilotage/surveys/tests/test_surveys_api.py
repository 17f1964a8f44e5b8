"""The surveys API: staff entry of answers as JSON (problems listed, nothing stored; the
same instance twice stored once; a closed survey refused), reading one back, outsiders."""

from __future__ import annotations

import uuid

import pytest

from pilotage.accounts.services import token_create
from pilotage.surveys.models import Channel, RespondentStatus, Submission, SubmissionStatus
from pilotage.surveys.services.forms import survey_status_set
from pilotage.surveys.tests.factories import make_respondent, open_survey

pytestmark = pytest.mark.django_db

ANSWERS = {
    "region": "cs",
    "province": "settat",
    "employees": 12,
    "needs": ["funding"],
    "projects_n": 1,
    "project": [{"project_title": "Bibliothèque", "budget": 4500}],
}


def _url(sv) -> str:
    return f"/api/v1/surveys/{sv.survey_a.pk}/submissions"


def _send(client, sv, body, **extra):
    return client.post(_url(sv), body, content_type="application/json", **extra)


def test_staff_entry_stored_then_replayed(client, sv) -> None:
    open_survey(sv.manager_a, sv.survey_a)
    respondent = make_respondent(sv.survey_a)
    _, raw = token_create(actor=sv.enumerator_a, name="saisie")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    instance = str(uuid.uuid4())
    body = {"instance_id": instance, "answers": ANSWERS, "respondent": respondent.pk}
    first = _send(client, sv, body, **auth)
    assert first.status_code == 201, first.content
    assert first.json()["replayed"] is False
    assert first.json()["data"]["total_budget"] == "4500"
    assert first.json()["data"]["needs"] == "funding"
    again = _send(client, sv, body, **auth)
    assert again.status_code == 200 and again.json()["replayed"] is True
    stored = Submission.objects.get()
    assert stored.channel == Channel.STAFF and stored.status == SubmissionStatus.COMPLETE
    assert stored.entered_by == sv.enumerator_a
    respondent.refresh_from_db()
    assert respondent.status == RespondentStatus.SUBMITTED

    client.force_login(sv.manager_a)
    read = client.get(f"{_url(sv)}/{instance}")
    assert read.status_code == 200 and read.json()["data"]["province"] == "settat"
    # An enumerator enters answers but does not read them back; an outsider sees nothing.
    assert client.get(f"{_url(sv)}/{instance}", **auth).status_code == 404
    client.force_login(sv.manager_b)
    assert client.get(f"{_url(sv)}/{instance}").status_code == 404


def test_wrong_answers_are_listed_and_nothing_stored(client, sv) -> None:
    open_survey(sv.manager_a, sv.survey_a)
    client.force_login(sv.enumerator_a)
    bad = {**ANSWERS, "province": "rabat", "employees": "beaucoup", "projects_n": 9}
    response = _send(client, sv, {"instance_id": str(uuid.uuid4()), "answers": bad})
    assert response.status_code == 400
    problems = {p["field"]: p for p in response.json()["problems"]}
    assert problems["province"]["reason"] == "ce choix ne correspond pas aux réponses précédentes"
    assert problems["employees"] == {
        "field": "employees",
        "label": "Nombre de salariés",
        "value": "beaucoup",
        "reason": "un nombre entier est attendu",
    }
    assert problems["projects_n"]["reason"] == "5 au plus"
    assert not Submission.objects.exists()
    missing = _send(client, sv, {"instance_id": str(uuid.uuid4()), "answers": {"region": "cs"}})
    assert missing.status_code == 400
    assert {p["field"] for p in missing.json()["problems"]} == {"province", "employees"}
    # Saved for later: the required answers are not yet due.
    draft = _send(
        client,
        sv,
        {"instance_id": str(uuid.uuid4()), "answers": {"region": "cs"}, "final": False},
    )
    assert draft.status_code == 201 and draft.json()["status"] == SubmissionStatus.DRAFT


def test_problems_in_arabic(client, sv) -> None:
    open_survey(sv.manager_a, sv.survey_a)
    client.force_login(sv.enumerator_a)
    bad = {**ANSWERS, "employees": 9000}
    response = _send(
        client, sv, {"instance_id": str(uuid.uuid4()), "answers": bad}, HTTP_ACCEPT_LANGUAGE="ar"
    )
    assert response.status_code == 400
    assert response.json()["problems"][0]["reason"] == "بين 0 و 5000"


def test_closed_survey_is_410_and_stores_nothing(client, sv) -> None:
    open_survey(sv.manager_a, sv.survey_a)
    survey_status_set(actor=sv.manager_a, survey=sv.survey_a, status="closed")
    client.force_login(sv.enumerator_a)
    response = _send(client, sv, {"instance_id": str(uuid.uuid4()), "answers": ANSWERS})
    assert response.status_code == 410
    assert "close" in response.json()["detail"]
    assert not Submission.objects.exists()


def test_outsider_and_anonymous_refused_nothing_stored(client, sv) -> None:
    open_survey(sv.manager_a, sv.survey_a)
    body = {"instance_id": str(uuid.uuid4()), "answers": ANSWERS}
    assert _send(client, sv, body).status_code == 401
    client.force_login(sv.manager_b)
    assert _send(client, sv, body).status_code == 404
    client.force_login(sv.personas.teacher_a1)
    assert _send(client, sv, body).status_code == 404
    assert not Submission.objects.exists()


def test_respondent_of_another_survey_and_bad_instance(client, sv) -> None:
    open_survey(sv.manager_a, sv.survey_a)
    client.force_login(sv.enumerator_a)
    response = _send(
        client, sv, {"instance_id": str(uuid.uuid4()), "answers": ANSWERS, "respondent": 999999}
    )
    assert response.status_code == 404
    bad = _send(client, sv, {"instance_id": "not-a-uuid", "answers": ANSWERS})
    assert bad.status_code == 400
    assert bad.json()["problems"][0]["field"] == "instance_id"
    assert not Submission.objects.exists()
