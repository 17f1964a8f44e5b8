"""The staff's ticket pages: scope, confidentiality, query count."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from pilotage.contact.models import Attachment, MessageKind, Status, Ticket, TicketMessage
from pilotage.contact.services.tickets import canned_reply_save, ticket_message_add
from pilotage.contact.tests.factories import make_ticket
from pilotage.core.models import AuditEntry

PDF = b"%PDF-1.4\n%%EOF\n"


def test_an_outsider_gets_404(client, cc) -> None:
    ticket = make_ticket(cc.info, cc.personas.province_a)
    client.force_login(cc.personas.head_a)
    assert client.get("/contact/").status_code == 404
    assert client.get(f"/contact/tickets/{ticket.pk}/").status_code == 404


def test_the_regional_agent_sees_only_their_region(client, cc) -> None:
    tanger = make_ticket(cc.info, cc.personas.province_a, subject="Tanger")
    fes = make_ticket(cc.complaints, cc.personas.province_b, subject="Fès")
    client.force_login(cc.agent_fes)
    page = client.get("/contact/").content.decode()
    assert fes.reference in page and tanger.reference not in page
    assert client.get(f"/contact/tickets/{tanger.pk}/").status_code == 404


def test_the_ticket_page_leads_to_its_routing_and_satisfaction_pages(client, cc) -> None:
    ticket = make_ticket(cc.info, cc.personas.province_a)
    client.force_login(cc.agent)
    page = client.get(f"/contact/tickets/{ticket.pk}/").content.decode()
    for url in (
        f"/contact/tickets/{ticket.pk}/routing/",
        f"/contact/tickets/{ticket.pk}/satisfaction/",
    ):
        assert f'href="{url}"' in page
        assert client.get(url).status_code == 200
    # The national admin supervises without handling tickets: routing only.
    client.force_login(cc.personas.national_admin)
    page = client.get(f"/contact/tickets/{ticket.pk}/").content.decode()
    assert f'href="/contact/tickets/{ticket.pk}/routing/"' in page
    assert "/satisfaction/" not in page


def test_a_confidential_requester_is_shown_to_supervisors_only(client, cc) -> None:
    ticket = make_ticket(
        cc.complaints, cc.personas.province_a, requester=cc.citizen, confidential=True
    )
    client.force_login(cc.agent)
    assert (
        "Fatima Zahra Bennani" not in client.get(f"/contact/tickets/{ticket.pk}/").content.decode()
    )
    assert "Fatima Zahra Bennani" not in client.get("/contact/").content.decode()
    client.force_login(cc.supervisor)
    assert "Fatima Zahra Bennani" in client.get(f"/contact/tickets/{ticket.pk}/").content.decode()


def test_the_list_query_count_does_not_grow(client, cc, django_assert_max_num_queries) -> None:
    for n in range(30):
        make_ticket(cc.info, cc.personas.province_a, requester=cc.citizen, subject=f"Objet {n}")
    client.force_login(cc.agent)
    # session, user, role assignments (scope), count, the page of tickets with their joins,
    # the queues and the categories of the filters; the menu and tabs have no query of
    # their own (the scope is read once).
    with django_assert_max_num_queries(10):
        assert client.get("/contact/?status=open&sort=due").status_code == 200
    for n in range(30):
        make_ticket(cc.info, cc.personas.province_a, requester=cc.citizen, subject=f"Plus {n}")
    with django_assert_max_num_queries(10):
        page = client.get("/contact/?status=open&sort=due")
    assert page.content.decode().count('class="deadline"') == 50


def test_filters_narrow_the_list(client, cc) -> None:
    mine = make_ticket(cc.info, cc.personas.province_a, subject="Récépissé de dépôt")
    other = make_ticket(cc.complaints, cc.personas.province_a, subject="Subvention")
    client.force_login(cc.agent)
    page = client.get("/contact/?queue=complaints").content.decode()
    assert other.reference in page and mine.reference not in page
    page = client.get("/contact/?q=récépissé").content.decode()
    assert mine.reference in page and other.reference not in page
    page = client.get("/contact/?assignee=none&overdue=1").content.decode()
    assert mine.reference not in page  # nothing is overdue yet


def test_the_export_masks_confidential_requesters(client, cc) -> None:
    make_ticket(cc.complaints, cc.personas.province_a, requester=cc.citizen, confidential=True)
    client.force_login(cc.agent)
    response = client.get("/contact/tickets/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "Confidentiel" in values and "Fatima Zahra Bennani" not in values


def test_reply_with_attachment_then_download(client, cc, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    ticket = make_ticket(cc.info, cc.personas.province_a)
    client.force_login(cc.agent)
    with io.BytesIO(PDF) as upload:
        upload.name = "reponse.pdf"
        response = client.post(
            f"/contact/tickets/{ticket.pk}/reply/",
            {
                "kind": "reply",
                "body": "Voici le récépissé",
                "status": "waiting_requester",
                "attachments": upload,
            },
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200
    assert "Voici le récépissé" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING_REQUESTER and ticket.first_response_at
    found = Attachment.objects.get()
    download = client.get(f"/contact/attachments/{found.pk}/")
    assert b"".join(download.streaming_content) == PDF
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment")
    client.force_login(cc.agent_fes)  # a regional agent of another region
    assert client.get(f"/contact/attachments/{found.pk}/").status_code == 404


def test_a_refused_attachment_says_why_and_writes_nothing(client, cc, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    ticket = make_ticket(cc.info, cc.personas.province_a)
    client.force_login(cc.agent)
    with io.BytesIO(b"MZ\x90\x00" * 10) as upload:
        upload.name = "lettre.pdf"
        response = client.post(
            f"/contact/tickets/{ticket.pk}/reply/",
            {"kind": "note", "body": "x", "attachments": upload},
        )
    assert response.status_code == 400
    assert "lettre.pdf" in response.content.decode()
    assert TicketMessage.objects.filter(ticket=ticket).count() == 1


def test_an_outsider_cannot_reply_nor_change_status(client, cc) -> None:
    ticket = make_ticket(cc.info, cc.personas.province_a)
    audits = AuditEntry.objects.filter(object_type="contact.ticket").count()
    client.force_login(cc.agent_fes)
    assert (
        client.post(
            f"/contact/tickets/{ticket.pk}/reply/", {"kind": "reply", "body": "x"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/contact/tickets/{ticket.pk}/status/", {"status": "open", "version": 1}
        ).status_code
        == 404
    )
    assert (
        client.post(f"/contact/tickets/{ticket.pk}/merge/", {"reference": "x"}).status_code == 404
    )
    client.force_login(cc.personas.national_admin)  # sees, does not handle
    assert (
        client.post(
            f"/contact/tickets/{ticket.pk}/status/", {"status": "open", "version": 1}
        ).status_code
        == 403
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW and ticket.messages.count() == 1
    assert AuditEntry.objects.filter(object_type="contact.ticket").count() == audits


def test_status_change_by_htmx_and_a_stale_version(client, cc) -> None:
    ticket = make_ticket(cc.info, cc.personas.province_a)
    client.force_login(cc.agent)
    url = f"/contact/tickets/{ticket.pk}/status/"
    ok = client.post(url, {"status": "open", "version": 1}, HTTP_HX_REQUEST="true")
    assert ok.status_code == 200 and "ticket-status-box" in ok.content.decode()
    stale = client.post(url, {"status": "resolved", "version": 1}, HTTP_HX_REQUEST="true")
    assert stale.status_code == 400 and "Rechargez" in stale.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).status == Status.OPEN


def test_the_ticket_page_shows_notes_apart_and_the_history(client, cc) -> None:
    ticket = make_ticket(cc.info, cc.personas.province_a, requester=cc.citizen, language="ar")
    ticket_message_add(actor=cc.agent, ticket=ticket, kind=MessageKind.NOTE, body="Interne")
    client.force_login(cc.agent)
    page = client.get(f"/contact/tickets/{ticket.pk}/").content.decode()
    assert "Note interne (invisible du demandeur)" in page
    assert "Ticket enregistré" in page  # the history's first entry
    assert "arabe" in page  # the reply goes out in the requester's language


def test_merge_and_split_from_the_page(client, cc) -> None:
    target = make_ticket(cc.info, cc.personas.province_a)
    duplicate = make_ticket(cc.info, cc.personas.province_a)
    client.force_login(cc.agent)
    response = client.post(
        f"/contact/tickets/{duplicate.pk}/merge/", {"reference": target.reference}
    )
    assert response.status_code == 302
    assert Ticket.objects.get(pk=duplicate.pk).merged_into_id == target.pk
    first, second = target.messages.values_list("pk", flat=True)
    response = client.post(
        f"/contact/tickets/{target.pk}/split/", {"subject": "Séparé", "messages": [second]}
    )
    assert response.status_code == 302
    assert Ticket.objects.get(subject="Séparé").split_from_id == target.pk
    missing = client.post(f"/contact/tickets/{target.pk}/merge/", {"reference": "2000-000001"})
    assert missing.status_code == 400 and "2000-000001" in missing.content.decode()


def test_the_new_ticket_page_warns_of_a_duplicate(client, cc) -> None:
    make_ticket(cc.info, cc.personas.province_a, requester=cc.citizen, subject="Récépissé du dépôt")
    client.force_login(cc.agent)
    data = {
        "channel": "letter",
        "type": "information",
        "priority": "normal",
        "queue": cc.info.pk,
        "org_unit": cc.personas.province_a.code,
        "requester_contact": "06 12 34 56 78",
        "language": "ar",
        "subject": "Le récépissé de dépôt",
        "body": "Par courrier",
    }
    warned = client.post("/contact/tickets/new/", data)
    assert warned.status_code == 400 and 'id="duplicates"' in warned.content.decode()
    assert Ticket.objects.count() == 1
    done = client.post("/contact/tickets/new/", {**data, "confirm_duplicate": "on"})
    assert done.status_code == 302 and Ticket.objects.count() == 2
    bad = client.post("/contact/tickets/new/", {**data, "org_unit": "NOPE"})
    assert bad.status_code == 400 and "Aucune entité" in bad.content.decode()


def test_canned_reply_inserted_in_the_requester_language(client, cc) -> None:
    reply = canned_reply_save(
        actor=cc.supervisor,
        title="Accusé",
        body_fr="Dossier {reference}",
        body_ar="ملف {reference}",
    )
    ticket = make_ticket(cc.info, cc.personas.province_a, language="ar")
    client.force_login(cc.agent)
    text = client.get(f"/contact/tickets/{ticket.pk}/canned/{reply.pk}/").content.decode()
    assert f"ملف {ticket.reference}" in text
    assert client.get("/contact/canned/").status_code == 404  # agents do not manage them
    client.force_login(cc.supervisor)
    assert client.get("/contact/canned/").status_code == 200
    refused = client.post("/contact/canned/new/", {"title": "X", "body_fr": "{inconnu}"})
    assert refused.status_code == 400 and "{inconnu}" in refused.content.decode()
