"""The tickets part's services: attachments, edit, links, merge, split, canned replies."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from pilotage.contact.models import (
    Attachment,
    CannedReply,
    LinkKind,
    MessageKind,
    Priority,
    Status,
    Ticket,
    TicketLink,
    TicketMessage,
)
from pilotage.contact.services.tickets import (
    attachment_add,
    canned_render,
    canned_reply_save,
    ticket_link_add,
    ticket_merge,
    ticket_message_add,
    ticket_split,
    ticket_status_set,
    ticket_update,
)
from pilotage.contact.tests.factories import make_ticket
from pilotage.core.models import AuditEntry
from pilotage.core.uploads import sniff
from pilotage.core.versioning import Conflict

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def test_files_are_recognised_by_their_content() -> None:
    assert sniff(PDF) == "pdf"
    assert sniff(PNG) == "png"
    assert sniff(b"\xff\xd8\xff\xe0JFIF") == "jpeg"
    assert sniff(DOCX) == "docx"
    assert sniff(_zip({"[Content_Types].xml": b"", "xl/workbook.xml": b""})) == "xlsx"
    odt = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b""})
    assert sniff(odt) == "odt"
    assert sniff("Bonjour, مرحبا".encode()) == "text"
    assert sniff(_zip({"a.txt": b"x"})) is None  # a plain archive
    assert sniff(b"MZ\x90\x00") is None
    assert sniff(b"\x00\x01\x02binary") is None


def test_an_attachment_is_stored_with_its_hash(cc, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    ticket = make_ticket(cc.info, cc.personas.province_a)
    message = ticket.messages.get()
    found = attachment_add(message=message, name="../../récépissé.pdf", data=PDF)
    assert found.name == "récépissé.pdf"
    assert found.content_type == "application/pdf"
    assert found.size == len(PDF)
    assert found.file.read() == PDF
    assert "récépissé" not in found.file.name


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("lettre.docx", b"MZ\x90\x00" + b"\x00" * 50, "exécutables"),
        ("photo.png", _zip({"a.txt": b"x"}), "type de fichier refusé"),
        ("vide.pdf", b"", "vide"),
    ],
)
def test_a_refused_file_writes_nothing(cc, settings, tmp_path, name, data, reason) -> None:
    settings.MEDIA_ROOT = tmp_path
    ticket = make_ticket(cc.info, cc.personas.province_a)
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        ticket_message_add(
            actor=cc.agent,
            ticket=ticket,
            kind=MessageKind.REPLY,
            body="Voici",
            attachments=[("ok.pdf", PDF), (name, data)],
        )
    assert name in str(refused.value) and reason in str(refused.value)
    assert TicketMessage.objects.filter(ticket=ticket).count() == 1
    assert not Attachment.objects.exists()
    assert AuditEntry.objects.count() == audits


def test_the_size_limit_comes_from_the_setting(cc, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.CONTACT_ATTACHMENT_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="limite"):
        make_ticket(cc.info, cc.personas.province_a, attachments=[("gros.txt", b"a" * 101)])
    assert not Ticket.objects.exists()


def test_edit_is_versioned_and_scoped(cc) -> None:
    ticket = make_ticket(cc.complaints, cc.personas.province_b)
    changed = ticket_update(
        actor=cc.agent_fes,
        ticket=ticket,
        version=1,
        changes={"priority": Priority.HIGH, "category": cc.cat_funding},
    )
    assert (changed.priority, changed.version) == (Priority.HIGH, 2)
    with pytest.raises(Conflict):
        ticket_update(actor=cc.agent, ticket=ticket, version=1, changes={"priority": "low"})
    # The regional agent cannot move the ticket to a unit outside their region.
    with pytest.raises(PermissionDenied):
        ticket_update(
            actor=cc.agent_fes,
            ticket=ticket,
            version=2,
            changes={"org_unit": cc.personas.province_a},
        )
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.org_unit, ticket.version) == (
        Priority.HIGH,
        cc.personas.province_b,
        2,
    )


def test_links_are_unique_both_ways(cc) -> None:
    a = make_ticket(cc.info, cc.personas.province_a)
    b = make_ticket(cc.info, cc.personas.province_a)
    ticket_link_add(actor=cc.agent, source=a, target=b, kind=LinkKind.CAUSED_BY)
    with pytest.raises(ValidationError, match="déjà liés"):
        ticket_link_add(actor=cc.agent, source=b, target=a, kind=LinkKind.RELATED)
    with pytest.raises(ValidationError):
        ticket_link_add(actor=cc.agent, source=a, target=a, kind=LinkKind.RELATED)
    assert TicketLink.objects.count() == 1


def test_a_merge_moves_the_messages_and_closes_the_duplicate(cc, mailoutbox) -> None:
    target = make_ticket(cc.info, cc.personas.province_a, requester=cc.citizen)
    duplicate = make_ticket(cc.info, cc.personas.province_a, requester=cc.citizen)
    ticket_message_add(actor=cc.agent, ticket=duplicate, kind=MessageKind.NOTE, body="Note")
    ticket_merge(actor=cc.agent, source=duplicate, target=target)
    duplicate.refresh_from_db()
    assert duplicate.merged_into == target and duplicate.status == Status.CLOSED
    assert target.messages.count() == 3 and not duplicate.messages.exists()
    assert mailoutbox == []
    assert AuditEntry.objects.filter(action="ticket_merge").count() == 2
    with pytest.raises(ValidationError, match="déjà fusionné"):
        ticket_merge(actor=cc.agent, source=duplicate, target=target)


def test_merge_denied_to_an_agent_outside_one_of_the_tickets(cc) -> None:
    fes = make_ticket(cc.complaints, cc.personas.province_b)
    tanger = make_ticket(cc.complaints, cc.personas.province_a)
    audits = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        ticket_merge(actor=cc.agent_fes, source=fes, target=tanger)
    fes.refresh_from_db()
    assert fes.merged_into is None and fes.messages.count() == 1
    assert AuditEntry.objects.count() == audits


def test_a_split_moves_the_chosen_messages(cc) -> None:
    ticket = make_ticket(cc.info, cc.personas.province_a, requester=cc.citizen)
    second = ticket_message_add(
        actor=None, ticket=ticket, kind=MessageKind.INCOMING, body="Autre question"
    )
    new = ticket_split(actor=cc.agent, ticket=ticket, message_ids=[second.pk], subject="Autre")
    assert new.split_from == ticket and new.requester == cc.citizen
    assert list(new.messages.values_list("pk", flat=True)) == [second.pk]
    assert ticket.messages.count() == 1
    with pytest.raises(ValidationError, match="au moins un message"):
        ticket_split(
            actor=cc.agent,
            ticket=ticket,
            message_ids=list(ticket.messages.values_list("pk", flat=True)),
            subject="Tout",
        )


def test_an_unknown_status_is_a_clear_error(cc) -> None:
    ticket = make_ticket(cc.info, cc.personas.province_a)
    with pytest.raises(ValidationError, match="Statut inconnu"):
        ticket_status_set(actor=cc.agent, ticket=ticket, status="nope")


def test_canned_replies_refuse_unknown_placeholders_and_render_safely(cc) -> None:
    with pytest.raises(ValidationError, match="Champ inconnu"):
        canned_reply_save(actor=cc.supervisor, title="T", body_fr="Bonjour {nom}", body_ar="")
    with pytest.raises(ValidationError, match="Champ inconnu"):
        canned_reply_save(
            actor=cc.supervisor, title="T", body_fr="{reference.__class__}", body_ar=""
        )
    reply = canned_reply_save(
        actor=cc.supervisor,
        title="Accusé",
        body_fr="Votre demande {reference} sera traitée.",
        body_ar="طلبكم {reference} قيد المعالجة، {requester}.",
    )
    ticket = make_ticket(cc.info, cc.personas.province_a, requester=cc.citizen, confidential=True)
    text = canned_render(reply, ticket, actor=cc.agent, language="ar")
    assert ticket.reference in text and text.startswith("طلبكم")
    assert "Bennani" not in text and "فاطمة" not in text  # confidential: not for an agent
    fr = canned_render(reply, ticket, actor=cc.agent, language="fr")
    assert fr == f"Votre demande {ticket.reference} sera traitée."
    # The requester's name is written in the reply's language, not the agent's screen's.
    plain = make_ticket(cc.info, cc.personas.province_a, requester=cc.citizen)
    with translation.override("fr"):
        assert "فاطمة" in canned_render(reply, plain, actor=cc.agent, language="ar")


def test_only_supervisors_save_canned_replies(cc) -> None:
    with pytest.raises(PermissionDenied):
        canned_reply_save(actor=cc.agent, title="T", body_fr="x", body_ar="")
    assert not CannedReply.objects.exists()
    assert not AuditEntry.objects.filter(action="canned_reply_save").exists()
