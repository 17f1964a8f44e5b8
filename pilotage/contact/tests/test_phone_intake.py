"""The phone intake screen: finding the caller, their recent tickets (with the
confidentiality rule), knowledge-base answers and duplicate warnings, recording the call."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from pilotage.contact.models import (
    ArticleKind,
    ArticleStatus,
    Channel,
    Requester,
    Status,
    Ticket,
    TicketType,
)
from pilotage.contact.selectors.intake import (
    callers_search,
    phone_digits,
    requester_tickets,
    tickets_similar_open,
)
from pilotage.contact.services.intake import call_record, requester_create
from pilotage.contact.services.kb import article_create, article_status_set
from pilotage.contact.tests.factories import make_ticket
from pilotage.core.models import AuditEntry


@pytest.mark.parametrize(
    "raw",
    ["+212 6 12 34 56 78", "06 12 34 56 78", "00212612345678", "0612-34-56-78", "212612345678"],
)
def test_every_way_of_writing_a_moroccan_number_gives_the_national_form(raw) -> None:
    assert phone_digits(raw) == "0612345678"


@pytest.mark.parametrize("q", ["+212 6 12 34", "06 12 34 56", "00212612", "612 345"])
def test_the_caller_is_found_by_a_partial_number(cc, q) -> None:
    found = callers_search(cc.agent, q)
    assert [r.pk for r in found["requesters"]] == [cc.citizen.pk]


def test_the_caller_is_found_by_latin_or_arabic_name_and_by_association(cc) -> None:
    assert cc.citizen in callers_search(cc.agent, "bennani")["requesters"]
    assert cc.citizen in callers_search(cc.agent, "فاطمة")["requesters"]
    by_assoc = callers_search(cc.agent, "Amal")
    assert cc.assoc_contact in by_assoc["requesters"]
    assert cc.assoc_a in by_assoc["associations"]
    assert cc.assoc_a in callers_search(cc.agent, "جمعية أمل")["associations"]
    assert callers_search(cc.agent, "x") == {"requesters": [], "associations": []}


def test_the_regional_agent_finds_no_caller_outside_their_region(cc) -> None:
    found = callers_search(cc.agent_fes, "Amal")
    assert found == {"requesters": [], "associations": []}
    assert callers_search(cc.agent_fes, "0612345678")["requesters"] == []
    assert callers_search(cc.personas.head_a, "bennani")["requesters"] == []


def test_the_search_costs_two_queries(cc, django_assert_max_num_queries) -> None:
    for n in range(20):
        Requester.objects.create(last_name=f"Bennani {n}", phone_digits=f"06000000{n:02d}")
    callers_search(cc.agent, "warm")  # the scope is read once per request
    # the requesters (with their association joined), the associations
    with django_assert_max_num_queries(2):
        found = callers_search(cc.agent, "Bennani")
    assert len(found["requesters"]) == 8


def test_recent_tickets_open_first_and_no_confidential_one_for_an_agent(cc) -> None:
    done = make_ticket(cc.info, cc.personas.province_a, requester=cc.citizen, subject="Ancien")
    Ticket.objects.filter(pk=done.pk).update(status=Status.CLOSED)
    open_ = make_ticket(cc.info, cc.personas.province_a, requester=cc.citizen, subject="Ouvert")
    secret = make_ticket(
        cc.complaints, cc.personas.province_a, requester=cc.citizen, confidential=True
    )
    assert [t.pk for t in requester_tickets(cc.agent, cc.citizen)][:2] == [open_.pk, done.pk]
    assert secret.pk not in [t.pk for t in requester_tickets(cc.agent, cc.citizen)]
    assert secret.pk in [t.pk for t in requester_tickets(cc.supervisor, cc.citizen)]


def test_a_similar_open_ticket_is_a_possible_duplicate(cc) -> None:
    older = make_ticket(
        cc.info, cc.personas.province_a, requester=cc.citizen, subject="Récépissé de dépôt"
    )
    assert tickets_similar_open(cc.agent, cc.citizen, "Où est mon récépissé ?") == [older]
    assert tickets_similar_open(cc.agent, cc.citizen, "Subvention annuelle") == []
    assert tickets_similar_open(cc.agent, cc.assoc_contact, "récépissé") == []


def test_an_answered_call_is_resolved_at_first_contact(cc) -> None:
    ticket = call_record(
        actor=cc.agent,
        type=TicketType.INFORMATION,
        subject="Horaires d'ouverture",
        notes="Donné les horaires.",
        queue=cc.info,
        priority="normal",
        requester=cc.citizen,
        answered=True,
    )
    ticket.refresh_from_db()
    assert ticket.channel == Channel.PHONE
    assert ticket.status == Status.RESOLVED and ticket.first_contact_resolution
    assert ticket.requester == cc.citizen and ticket.org_unit == cc.personas.province_a
    assert ticket.acknowledged_at is not None


def test_an_unanswered_call_stays_open_in_its_queue(cc) -> None:
    ticket = call_record(
        actor=cc.agent_fes,
        type=TicketType.COMPLAINT,
        subject="Dossier bloqué",
        notes="",
        queue=cc.complaints,
        priority="high",
        requester=None,
    )
    assert ticket.status == Status.NEW and not ticket.first_contact_resolution
    # No caller: the widest unit the regional agent handles.
    assert ticket.org_unit == cc.personas.region_b
    assert ticket.messages.get().body == "Dossier bloqué"


def test_someone_who_takes_no_calls_records_nothing(cc) -> None:
    tickets, audit, people = (
        Ticket.objects.count(),
        AuditEntry.objects.count(),
        Requester.objects.count(),
    )
    with pytest.raises(PermissionDenied):
        call_record(
            actor=cc.personas.head_a,
            type=TicketType.INFORMATION,
            subject="x",
            notes="y",
            queue=cc.info,
            priority="normal",
        )
    with pytest.raises(PermissionDenied):
        requester_create(actor=cc.personas.head_a, last_name="Alaoui")
    assert (Ticket.objects.count(), AuditEntry.objects.count(), Requester.objects.count()) == (
        tickets,
        audit,
        people,
    )


# --- Pages ---------------------------------------------------------------------------


def test_the_intake_page_is_for_agents_only(client, cc) -> None:
    client.force_login(cc.personas.head_a)
    assert client.get("/contact/intake/").status_code == 404
    assert client.get("/contact/intake/callers/?q=bennani").status_code == 404
    assert client.get("/contact/intake/ringing/").status_code == 404
    client.force_login(cc.agent)
    page = client.get("/contact/intake/").content.decode()
    assert 'hx-trigger="keyup changed delay:250ms' in page and "autofocus" in page


def test_the_search_partial_lists_callers(client, cc) -> None:
    client.force_login(cc.agent)
    html = client.get("/contact/intake/callers/", {"q": "06 12 34"}).content.decode()
    assert f"?requester={cc.citizen.pk}" in html
    html = client.get("/contact/intake/callers/", {"q": "zzzz"}).content.decode()
    assert "Personne ne correspond" in html


def test_the_selected_caller_shows_recent_tickets(client, cc) -> None:
    ticket = make_ticket(cc.info, cc.personas.province_a, requester=cc.citizen, subject="Agrément")
    secret = make_ticket(
        cc.complaints,
        cc.personas.province_a,
        requester=cc.citizen,
        subject="Secret",
        confidential=True,
    )
    client.force_login(cc.agent)
    html = client.get("/contact/intake/", {"requester": cc.citizen.pk}).content.decode()
    assert ticket.reference in html and secret.reference not in html
    client.force_login(cc.agent_fes)
    assert client.get("/contact/intake/", {"requester": cc.citizen.pk}).status_code == 404


def test_the_subject_brings_kb_answers_and_duplicates(client, cc) -> None:
    # Through the services, which index the article for the search.
    article = article_create(
        actor=cc.agent,
        lang="fr",
        kind=ArticleKind.FAQ,
        title="Obtenir le récépissé de dépôt",
        body="Le récépissé est remis par l'autorité locale.",
    )
    article_status_set(actor=cc.supervisor, article=article, status=ArticleStatus.PUBLIC)
    older = make_ticket(
        cc.info, cc.personas.province_a, requester=cc.assoc_contact, subject="Récépissé en retard"
    )
    client.force_login(cc.agent)
    html = client.get(
        "/contact/intake/suggest/", {"subject": "récépissé", "requester": cc.assoc_contact.pk}
    ).content.decode()
    assert "Obtenir le récépissé de dépôt" in html
    assert older.reference in html and 'id="duplicates"' in html


def test_recording_a_call_from_the_page(client, cc) -> None:
    client.force_login(cc.agent)
    response = client.post(
        "/contact/intake/",
        {
            "requester": cc.assoc_contact.pk,
            "type": "information",
            "category": cc.cat_funding.pk,
            "queue": cc.info.pk,
            "priority": "normal",
            "subject": "Appel à projets 2027",
            "notes": "Demande la date limite.",
            "answered": "on",
        },
    )
    ticket = Ticket.objects.get(subject="Appel à projets 2027")
    assert response.status_code == 302 and response["Location"] == f"/contact/tickets/{ticket.pk}/"
    assert ticket.requester == cc.assoc_contact and ticket.association == cc.assoc_a
    assert ticket.status == Status.RESOLVED and ticket.first_contact_resolution


def test_a_call_without_subject_is_refused_naming_the_field(client, cc) -> None:
    client.force_login(cc.agent)
    count = Ticket.objects.count()
    response = client.post(
        "/contact/intake/", {"type": "information", "priority": "normal", "subject": ""}
    )
    assert response.status_code == 422
    assert Ticket.objects.count() == count
    assert "Objet" in response.content.decode()


def test_a_new_caller_is_recorded_inline(client, cc) -> None:
    client.force_login(cc.agent)
    response = client.post(
        "/contact/intake/callers/new/",
        {
            "first_name": "Karim",
            "last_name": "Tazi",
            "phone": "+212 6 99 88 77 66",
            "language": "fr",
        },
    )
    person = Requester.objects.get(last_name="Tazi")
    assert person.phone_digits == "0699887766"
    assert response["Location"] == f"/contact/intake/?requester={person.pk}"
    assert AuditEntry.objects.filter(action="intake_requester_create").count() == 1
    response = client.post("/contact/intake/callers/new/", {"language": "fr"})
    assert response.status_code == 422 and "Indiquez le nom" in response.content.decode()
