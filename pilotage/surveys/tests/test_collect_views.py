"""The answer pages: the personal link (tampered, expired, closed), saving for later and
resuming, sending with errors (nothing stored, every problem shown), sending twice, the
public link, staff entry on a respondent's behalf, and the page's queries."""

from __future__ import annotations

import datetime as dt
import html
import json
import uuid

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from pilotage.surveys.models import Channel, RespondentStatus, Submission, SubmissionStatus
from pilotage.surveys.services.forms import survey_status_set
from pilotage.surveys.tests.factories import make_respondent, open_survey, respond_url

pytestmark = pytest.mark.django_db

GOOD = {
    "region": "rsk",
    "province": "rabat",
    "employees": "3",
    "needs": ["training", "legal"],
    "projects_n": "1",
    "project.0.project_title": "Soutien scolaire",
    "project.0.budget": "1200.5",
    "comment": "Merci",
}


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _post(client, url, data, *, action="submit", instance=None, **extra):
    body = {**data, "action": action, "instance_id": str(instance or uuid.uuid4())}
    return client.post(url, body, **extra)


def test_tampered_token_is_a_404_page_with_its_message(client, sv) -> None:
    open_survey(sv.manager_a, sv.survey_a)
    url = respond_url(make_respondent(sv.survey_a))
    tampered = url[:-3] + ("A" if url[-3] != "A" else "B") + url[-2:]
    response = client.get(tampered)
    assert response.status_code == 404
    assert "Ce lien n'est pas valide" in _text(response)


def test_expired_link_is_410(client, sv) -> None:
    open_survey(sv.manager_a, sv.survey_a)
    respondent = make_respondent(sv.survey_a, days=-1)
    response = client.get(respond_url(respondent))
    assert response.status_code == 410
    assert "Ce lien a expiré." in _text(response)


def test_closed_survey_is_410_and_stores_nothing(client, sv) -> None:
    open_survey(sv.manager_a, sv.survey_a)
    respondent = make_respondent(sv.survey_a)
    survey_status_set(actor=sv.manager_a, survey=sv.survey_a, status="closed")
    response = _post(client, respond_url(respondent), GOOD)
    assert response.status_code == 410
    assert "Cette enquête est close" in _text(response)
    assert not Submission.objects.exists()


def test_save_for_later_then_resume_shows_the_saved_answers(client, sv) -> None:
    open_survey(sv.manager_a, sv.survey_a)
    respondent = make_respondent(sv.survey_a)
    url = respond_url(respondent)
    instance = uuid.uuid4()
    # An employees count over the constraint is left out of the draft and reported.
    draft = {"region": "rsk", "employees": "9000", "comment": "À finir"}
    saved = _post(client, url, draft, action="save", instance=instance)
    assert saved.status_code == 200
    assert 'id="saved-notice"' in _text(saved)
    assert "Entre 0 et 5000" in _text(saved)
    stored = Submission.objects.get()
    assert stored.status == SubmissionStatus.DRAFT
    assert stored.data["region"] == "rsk" and stored.data["comment"] == "À finir"
    assert "employees" not in stored.data
    respondent.refresh_from_db()
    assert respondent.status == RespondentStatus.STARTED
    page = _text(client.get(url))
    assert f'value="{instance}"' in page
    assert 'value="rsk" checked' in page
    assert 'value="À finir"' in page


def test_submit_with_errors_stores_nothing_and_shows_every_problem(client, sv) -> None:
    open_survey(sv.manager_a, sv.survey_a)
    url = respond_url(make_respondent(sv.survey_a))
    bad = {**GOOD, "province": "casa", "employees": "x", "project.0.budget": "-4"}
    response = _post(client, url, bad)
    assert response.status_code == 400
    page = _text(response)
    assert "ce choix ne correspond pas aux réponses précédentes" in page
    assert "un nombre entier est attendu" in page
    assert "Positif" in page
    assert not Submission.objects.exists()
    as_json = _post(client, url, bad, HTTP_ACCEPT="application/json")
    fields = {p["field"] for p in as_json.json()["problems"]}
    assert fields == {"province", "employees", "project.0.budget"}
    assert not Submission.objects.exists()


def test_sending_twice_stores_once_and_the_link_then_thanks(client, sv) -> None:
    open_survey(sv.manager_a, sv.survey_a)
    respondent = make_respondent(sv.survey_a)
    url = respond_url(respondent)
    instance = uuid.uuid4()
    first = _post(client, url, GOOD, instance=instance, HTTP_ACCEPT="application/json")
    assert first.status_code == 200 and first.json()["replayed"] is False
    second = _post(client, url, GOOD, instance=instance, HTTP_ACCEPT="application/json")
    assert second.json() == {**first.json(), "replayed": True}
    # Another instance from the same respondent (a page opened again) finds the first.
    third = _post(client, url, GOOD, HTTP_ACCEPT="application/json")
    assert third.json()["instance_id"] == str(instance) and third.json()["replayed"] is True
    stored = Submission.objects.get()
    assert stored.status == SubmissionStatus.COMPLETE and stored.channel == Channel.LINK
    assert stored.data["total_budget"] == "1200.5"
    again = _text(client.get(url))
    assert 'id="thanks"' in again and "déjà été reçues" in again
    # The page's script, once they are sent, asks for the thanks page of its instance.
    just_sent = _text(client.get(f"{url}?sent={instance}"))
    assert 'id="thanks"' in just_sent and "déjà été reçues" not in just_sent


def test_sent_page_only_for_a_sent_instance(client, sv) -> None:
    open_survey(sv.manager_a, sv.survey_a)
    url = respond_url(make_respondent(sv.survey_a))
    assert 'id="thanks"' not in client.get(f"{url}?sent={uuid.uuid4()}").content.decode()
    assert 'id="thanks"' not in client.get(f"{url}?sent=nonsense").content.decode()


def test_public_link_of_an_invited_survey_is_404(client, sv) -> None:
    open_survey(sv.manager_a, sv.survey_a)
    response = client.get(f"/surveys/p/{sv.survey_a.public_key}/")
    assert response.status_code == 404
    assert "Cette enquête n'existe pas." in _text(response)
    response = _post(client, f"/surveys/p/{sv.survey_a.public_key}/", GOOD)
    assert response.status_code == 404
    assert not Submission.objects.exists()


def test_public_link_of_a_public_survey_takes_answers(client, sv) -> None:
    open_survey(sv.manager_a, sv.survey_a)
    sv.survey_a.access = "public"
    sv.survey_a.save(update_fields=["access"])
    url = f"/surveys/p/{sv.survey_a.public_key}/"
    response = _post(client, url, GOOD)
    assert response.status_code == 200 and 'id="thanks"' in _text(response)
    assert Submission.objects.get().channel == Channel.PUBLIC


def test_staff_entry_for_a_respondent_and_outsider_denied(client, sv) -> None:
    open_survey(sv.manager_a, sv.survey_a)
    respondent = make_respondent(sv.survey_a)
    url = f"/surveys/{sv.survey_a.pk}/enter/?respondent={respondent.pk}"
    client.force_login(sv.manager_b)
    assert client.get(url).status_code == 404
    assert _post(client, url, GOOD).status_code == 404
    assert not Submission.objects.exists()
    respondent.refresh_from_db()
    assert respondent.status == RespondentStatus.INVITED
    client.force_login(sv.enumerator_a)
    page = client.get(url)
    assert page.status_code == 200 and 'id="staff-entry"' in _text(page)
    sent = _post(client, url, {**GOOD, "respondent": str(respondent.pk)})
    assert sent.status_code == 200
    stored = Submission.objects.get()
    assert stored.channel == Channel.STAFF and stored.entered_by == sv.enumerator_a
    assert stored.respondent == respondent


def test_answer_page_queries_and_logic(client, sv, django_assert_max_num_queries) -> None:
    open_survey(sv.manager_a, sv.survey_a)
    respondent = make_respondent(sv.survey_a)
    url = respond_url(respondent)
    _post(client, url, {"region": "cs"}, action="save")
    # The respondent with its survey and unit, the survey's current form version, the
    # respondent's latest submission: three queries (no session for an anonymous link).
    with django_assert_max_num_queries(3):
        response = client.get(url)
    page = _text(response)
    logic = json.loads(page.split('id="survey-logic" type="application/json">')[1].split("<")[0])
    assert logic["province"]["choice_filter"]["left"] == {"type": "column", "name": "region"}
    assert 'data-f-region="cs"' in page
    assert 'data-constraint-msg="Entre 0 et 5000"' in page


def test_answer_page_in_arabic(client, sv) -> None:
    open_survey(sv.manager_a, sv.survey_a)
    url = respond_url(make_respondent(sv.survey_a, language="ar"))
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert 'dir="rtl"' in page and "عدد الأجراء" in page
    assert 'data-constraint-msg="بين 0 و 5000"' in page


def test_link_not_open_yet_says_so(client, sv) -> None:
    respondent = make_respondent(sv.survey_a)
    sv.survey_a.closes_at = timezone.now() + dt.timedelta(days=3)
    sv.survey_a.save(update_fields=["closes_at"])
    response = client.get(respond_url(respondent))
    assert response.status_code == 410
    assert "pas encore ouverte" in _text(response)


def test_link_opens_in_the_respondents_language_until_they_choose(client, sv) -> None:
    open_survey(sv.manager_a, sv.survey_a)
    url = respond_url(make_respondent(sv.survey_a, language="ar"))
    page = _text(client.get(url, HTTP_ACCEPT_LANGUAGE="fr"))
    assert '<html lang="ar" dir="rtl">' in page and "عدد الأجراء" in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = _text(client.get(url, HTTP_ACCEPT_LANGUAGE="fr"))
    assert '<html lang="fr" dir="ltr">' in page and "Nombre de salariés" in page
