"""The public web form and the tracking page, anonymously: what a person gets, and what a
robot, a hurried script, a flood and a guesser get (nothing written)."""

from __future__ import annotations

import time

import pytest
from django.core import signing
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from pilotage.contact.forms.public import _SALT
from pilotage.contact.models import Attachment, MessageKind, Requester, Ticket, TicketMessage
from pilotage.contact.services import public as public_services
from pilotage.contact.services.tickets import ticket_message_add
from pilotage.contact.tests.factories import make_ticket
from pilotage.core.models import AuditEntry

FORM = "/contact/public/"
TRACK = "/contact/public/track/"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # The rate limits live in Django's cache: each test starts with none used.
    cache.clear()


def _stamp(seconds_ago: int = 30) -> str:
    return signing.dumps(int(time.time()) - seconds_ago, salt=_SALT)


def _data(**over: object) -> dict[str, object]:
    data: dict[str, object] = {
        "type": "complaint",
        "subject": "Récépissé jamais reçu",
        "body": "Nous avons déposé notre dossier il y a trois mois.",
        "association_name": "Association Amal",
        "registration_number": "tng-2019-0042 ",
        "name": "Youssef El Idrissi",
        "email": "y.idrissi@asso.test",
        "phone": "06 61 00 00 01",
        "language": "fr",
        "website": "",
        "started": _stamp(),
    }
    data.update(over)
    return data


def test_a_complaint_is_recorded_matched_and_its_code_shown_once_and_mailed(
    client, cc, mailbox, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(FORM, _data(org_unit=cc.personas.province_a.pk))
    assert response.status_code == 302 and response["Location"] == "/contact/public/sent/"
    ticket = Ticket.objects.get()
    assert ticket.channel == "web" and ticket.type == "complaint"
    assert ticket.queue == cc.complaints
    assert ticket.association == cc.assoc_a  # matched exactly (case and spaces aside)
    assert ticket.org_unit == cc.personas.province_a and ticket.created_by is None
    # The page that shows the reference is the acknowledgement: a complaint's "at once".
    assert ticket.acknowledged_at == ticket.created_at == ticket.ack_due_at
    assert ticket.requester is not None and ticket.requester.email == "y.idrissi@asso.test"
    assert ticket.requester.phone_digits == "0661000001"
    sent = client.get("/contact/public/sent/")
    text = sent.content.decode()
    assert ticket.reference in text
    code = text.split('id="sent-code"><bdi dir="ltr">')[1].split("<")[0]
    assert public_services.ticket_for_code(ticket.reference, code) == ticket
    # Shown once: the session forgot it.
    assert code not in client.get("/contact/public/sent/", follow=True).content.decode()
    (mail,) = mailbox.messages
    assert mail["To"] == "y.idrissi@asso.test"
    assert ticket.reference in mail["Subject"] and code in mail.get_content()


def test_an_information_request_goes_to_info_and_anonymous_needs_no_identity(client, cc) -> None:  # type: ignore[no-untyped-def]
    data = _data(
        type="information", association_name="", registration_number="", name="", email="", phone=""
    )
    assert client.post(FORM, data).status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.queue == cc.info and ticket.requester is None and ticket.association is None
    assert ticket.org_unit == cc.personas.country  # nothing more precise was said


def test_an_unregistered_association_is_kept_in_the_message_for_the_agent(client, cc) -> None:  # type: ignore[no-untyped-def]
    client.post(FORM, _data(registration_number="XXX-1", association_name="Nouvelle asso"))
    ticket = Ticket.objects.get()
    assert ticket.association is None
    assert "Nouvelle asso · XXX-1" in ticket.messages.get().body


def _nothing_written() -> None:
    assert Ticket.objects.count() == 0
    assert Requester.objects.filter(email="y.idrissi@asso.test").count() == 0
    assert AuditEntry.objects.filter(action="ticket_create").count() == 0


def test_the_honeypot_filled_writes_nothing(client, cc) -> None:  # type: ignore[no-untyped-def]
    response = client.post(FORM, _data(website="http://spam.test"))
    assert response.status_code == 200
    assert "trop vite ou contient un champ" in response.content.decode()
    _nothing_written()


@pytest.mark.parametrize("stamp", ["fast", "", "forged"])
def test_a_form_sent_too_fast_or_unsigned_writes_nothing(client, cc, stamp: str) -> None:  # type: ignore[no-untyped-def]
    started = {"fast": _stamp(0), "": "", "forged": "1700000000:abc"}[stamp]
    response = client.post(FORM, _data(started=started))
    assert response.status_code == 200 and "trop vite" in response.content.decode()
    _nothing_written()


def test_the_form_is_rate_limited_per_address(client, cc) -> None:  # type: ignore[no-untyped-def]
    count = public_services.FORM_PER_IP[0]
    for i in range(count):
        assert client.post(FORM, _data(email=f"p{i}@x.test")).status_code == 302
    response = client.post(FORM, _data(email="last@x.test"))
    assert response.status_code == 429
    assert "Trop de demandes" in response.content.decode()
    assert Ticket.objects.count() == count


def test_the_form_is_rate_limited_per_email(client, cc) -> None:  # type: ignore[no-untyped-def]
    count = public_services.FORM_PER_EMAIL[0]
    for i in range(count):
        ip = f"10.0.0.{i}"
        assert client.post(FORM, _data(), REMOTE_ADDR=ip).status_code == 302
    assert client.post(FORM, _data(), REMOTE_ADDR="10.0.1.1").status_code == 429
    assert Ticket.objects.count() == count


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("type", "hack", "hack"),
        ("subject", "", "obligatoire"),
        ("body", "x" * 6000, "5000"),
        ("email", "not-an-address", "adresse"),
        ("phone", "call me", "call me"),
        ("org_unit", "999999", "999999"),
        ("category", "abc", "abc"),
        ("language", "xx", "xx"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(client, cc, field, value, words) -> None:  # type: ignore[no-untyped-def]
    response = client.post(FORM, _data(**{field: value}))
    assert response.status_code == 200
    text = response.content.decode()
    assert f'id="id_{field}-errors"' in text
    assert words in text or field in ("subject", "email", "body")
    _nothing_written()


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_files_are_kept_when_their_content_is_accepted(client, cc, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    status = SimpleUploadedFile("statuts.pdf", PDF, content_type="application/octet-stream")
    response = client.post(FORM, {**_data(), "attachments": [status]})
    assert response.status_code == 302
    (attachment,) = Attachment.objects.all()
    assert (attachment.name, attachment.content_type) == ("statuts.pdf", "application/pdf")
    assert attachment.message.ticket == Ticket.objects.get()


@pytest.mark.parametrize(
    ("files", "words"),
    [
        ([("lettre.pdf", b"MZ\x90\x00" + b"\x00" * 60)], "lettre.pdf : les programmes"),
        ([("photo.png", b"x" * 101)], "photo.png : 0.0 Mo"),
        ([(f"f{n}.pdf", PDF) for n in range(11)], "11 fichiers envoyés"),
    ],
)
def test_refused_files_are_named_and_nothing_is_written(  # type: ignore[no-untyped-def]
    client, cc, settings, tmp_path, files, words
) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.CONTACT_ATTACHMENT_MAX_BYTES = 100
    uploads = [SimpleUploadedFile(name, data) for name, data in files]
    response = client.post(FORM, {**_data(), "attachments": uploads})
    assert response.status_code == 200
    assert words in response.content.decode()
    _nothing_written()
    assert not Attachment.objects.exists() and not list(tmp_path.rglob("*.*"))


def test_junk_posts_never_500(client, cc) -> None:  # type: ignore[no-untyped-def]
    for payload in ({}, {"started": "x" * 5000}, {"type": ["a", "b"]}, {"subject": "\x00"}):
        assert client.post(FORM, payload).status_code in (200, 400, 429)
    for url in (
        TRACK,
        "/contact/public/survey/%00/",
        "/contact/public/track/%00/",
        "/contact/public/track/%00/appeal/",
    ):
        assert client.post(url, {"reference": "\x00" * 50, "code": "é" * 500}).status_code in (
            200,
            302,
            400,
            404,
            429,
        )
    assert Ticket.objects.count() == 0


@pytest.fixture
def tracked(cc):  # type: ignore[no-untyped-def]
    ticket = make_ticket(
        cc.complaints,
        cc.personas.province_a,
        type="complaint",
        requester=cc.assoc_contact,
        association=cc.assoc_a,
    )
    cc.agent.first_name, cc.agent.last_name = "Salma", "Berrada"
    cc.agent.save()
    ticket_message_add(
        actor=cc.agent,
        ticket=ticket,
        kind=MessageKind.NOTE,
        body="Dossier incomplet, à vérifier en interne",
    )
    ticket_message_add(
        actor=cc.agent,
        ticket=ticket,
        kind=MessageKind.REPLY,
        body="Nous avons relancé la préfecture.",
    )
    return ticket


def _open(client, ticket) -> object:  # type: ignore[no-untyped-def]
    return client.post(TRACK, {"reference": ticket.reference, "code": ticket.secret.lower()})


def test_the_tracking_page_shows_public_replies_only_and_a_first_name(client, tracked) -> None:  # type: ignore[no-untyped-def]
    response = _open(client, tracked)
    assert response["Location"] == f"/contact/public/track/{tracked.reference}/"
    page = client.get(response["Location"]).content.decode()
    assert "Nous avons relancé la préfecture." in page and "Salma" in page
    assert "Dossier incomplet" not in page and "Berrada" not in page
    assert "Ouvert" in page  # the status


def test_the_requester_adds_a_message_from_the_tracking_page(client, tracked) -> None:  # type: ignore[no-untyped-def]
    _open(client, tracked)
    url = f"/contact/public/track/{tracked.reference}/"
    assert client.post(url, {"body": "Voici le numéro du dossier : 42"}).status_code == 302
    message = tracked.messages.order_by("-pk").first()
    assert message.kind == MessageKind.INCOMING and message.author is None
    assert message.body == "Voici le numéro du dossier : 42"
    assert client.post(url, {"body": "   "}).status_code == 200  # empty: refused
    assert tracked.messages.count() == 4  # first message, note, reply, this one


def test_a_wrong_code_and_an_unknown_reference_get_the_same_answer(client, tracked) -> None:  # type: ignore[no-untyped-def]
    wrong = client.post(TRACK, {"reference": tracked.reference, "code": "AAAAAAAA"})
    unknown = client.post(TRACK, {"reference": "2099-999999", "code": "AAAAAAAA"})
    assert wrong.status_code == unknown.status_code == 200
    message = "Cette référence et ce code ne correspondent à aucune demande."
    assert message in wrong.content.decode() and message in unknown.content.decode()
    # Without the code, the ticket's page sends back to the form and shows nothing.
    page = client.get(f"/contact/public/track/{tracked.reference}/")
    assert page.status_code == 302 and page["Location"].startswith(TRACK)
    before = TicketMessage.objects.count()
    client.post(f"/contact/public/track/{tracked.reference}/", {"body": "intrus"})
    client.post(f"/contact/public/track/{tracked.reference}/appeal/", {"reason": "intrus"})
    assert TicketMessage.objects.count() == before


def test_guessing_codes_is_rate_limited_per_reference_and_per_address(client, tracked) -> None:  # type: ignore[no-untyped-def]
    for i in range(public_services.TRACK_PER_REFERENCE[0]):
        client.post(
            TRACK, {"reference": tracked.reference, "code": "AAAAAAAA"}, REMOTE_ADDR=f"10.1.0.{i}"
        )
    # Even the right code is refused now, from any address.
    response = client.post(
        TRACK, {"reference": tracked.reference, "code": tracked.secret}, REMOTE_ADDR="10.2.0.1"
    )
    assert response.status_code == 429
    cache.clear()
    for i in range(public_services.TRACK_PER_IP[0]):
        client.post(TRACK, {"reference": f"2099-{i:06d}", "code": "AAAAAAAA"})
    assert _open(client, tracked).status_code == 429


def test_the_public_pages_answer_in_arabic_right_to_left(client, cc) -> None:  # type: ignore[no-untyped-def]
    client.post("/i18n/setlang/", {"language": "ar", "next": FORM})
    page = client.get(FORM)
    text = page.content.decode()
    assert page.status_code == 200 and 'dir="rtl"' in text and 'lang="ar"' in text
    assert 'name="website"' in text and 'tabindex="-1"' in text
    assert "https://" not in text.split("<body")[0]  # nothing from another site
