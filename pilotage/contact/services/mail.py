"""E-mail in and out of the contact centre.

In: a mail read from the IMAP mailbox or a maildir becomes a ticket, or a message on the
ticket it answers (the reference in its subject, or its In-Reply-To/References naming a
message of the ticket). Auto-replies and bounces are logged and never ticketed (nor
answered: that is how mail loops start). Every mail read leaves one ``InboundMail`` row,
keyed by its Message-ID and written in the same transaction as the ticket, so reading the
same mail again changes nothing; the mailbox marks it read only after that commit.

Out: the acknowledgement of a ticket that came by e-mail and each public reply go to the
requester in their language, threaded (``Message-ID`` kept on the message,
``In-Reply-To``/``References`` set, ``[reference]`` in the subject). They leave after the
commit; a failed send is logged and the ``contact.mail_retry`` job sends it later.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import hashlib
import imaplib
import logging
import mailbox as mailboxes
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage as ParsedMessage
from email.policy import default as default_policy
from email.utils import formataddr, getaddresses, parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pilotage.contact.models import (
    Channel,
    InboundMail,
    InboundOutcome,
    Language,
    MessageKind,
    Queue,
    Requester,
    Ticket,
    TicketMessage,
    TicketType,
)
from pilotage.core.mail import base_url

logger = logging.getLogger(__name__)

REFERENCE_RE = re.compile(r"\[(\d{4}-\d{6})\]")
# The Message-IDs this module writes carry the reference: a reply to the acknowledgement
# threads even when the requester's client dropped the subject.
OWN_ID_RE = re.compile(r"contact\.(\d{4}-\d{6})@")
VACATION_RE = re.compile(
    r"^\s*(auto(matic)?[ -]?reply|réponse automatique|absence|out of (the )?office|"
    r"vacation|congés|رد تلقائي)",
    re.IGNORECASE,
)
ARABIC_RE = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
LATIN_RE = re.compile(r"[A-Za-z\u00c0-\u024f]")
BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table"}


def max_bytes() -> int:
    return int(getattr(settings, "CONTACT_MAIL_MAX_BYTES", 25 * 1024 * 1024))


# --- reading a mail -------------------------------------------------------------------


@dataclass
class Parsed:
    message_id: str
    from_name: str
    from_address: str
    subject: str
    body: str
    recipients: list[str]
    in_reply_to: list[str]
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)
    ignored: str = ""  # an InboundOutcome when the mail is not for a ticket


def _ids(value: str | None) -> list[str]:
    return re.findall(r"<[^<>\s]+>", value or "")


def html_to_text(html: str) -> str:
    """The readable text of an HTML part: lxml parses it (no network, no scripts run), the
    text of ``script``/``style``/``head`` is dropped and blocks end their line."""
    import lxml.html

    if not html.strip():
        return ""
    try:
        root = lxml.html.document_fromstring(html)
    except Exception:  # lxml raises several kinds on broken input
        return re.sub(r"<[^>]*>", " ", html)
    for bad in root.xpath("//script|//style|//head"):
        bad.drop_tree()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in BLOCK_TAGS:
            element.tail = "\n" + (element.tail or "")
    text = root.text_content()
    lines = [re.sub(r"[ \t\xa0]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _text_of(part: ParsedMessage) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):
        # An unknown or lying charset: read what can be read.
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
    return content if isinstance(content, str) else ""


def _is_auto_reply(msg: ParsedMessage, subject: str) -> bool:
    auto = str(msg.get("Auto-Submitted", "no")).strip().lower()
    if auto and auto != "no":
        return True
    if msg.get("X-Autoreply") or msg.get("X-Autorespond") or msg.get("X-Auto-Response-Suppress"):
        return True
    if str(msg.get("Precedence", "")).strip().lower() in {"bulk", "junk", "list", "auto_reply"}:
        return True
    return bool(VACATION_RE.match(subject))


def _is_bounce(msg: ParsedMessage, from_address: str) -> bool:
    if msg.get_content_type() == "multipart/report":
        return True
    local = from_address.split("@")[0].lower()
    if local in {"mailer-daemon", "postmaster"}:
        return True
    return_path = msg.get("Return-Path")
    return return_path is not None and str(return_path).strip() in {"", "<>"}


def mail_parse(raw: bytes) -> Parsed:
    msg = email.message_from_bytes(raw, policy=default_policy)
    if not isinstance(msg, ParsedMessage):  # the default policy always gives one
        raise TypeError(type(msg).__name__)
    message_id = (_ids(str(msg.get("Message-ID", ""))) or [""])[0]
    if not message_id:
        message_id = f"<sha256.{hashlib.sha256(raw).hexdigest()}@no-message-id>"
    from_name, from_address = parseaddr(str(msg.get("From", "")))
    subject = re.sub(r"\s+", " ", str(msg.get("Subject", ""))).strip()
    recipients = [
        address.lower()
        for _name, address in getaddresses(
            [
                str(v)
                for h in ("To", "Cc", "Delivered-To", "X-Original-To")
                for v in msg.get_all(h, [])
            ]
        )
        if address
    ]
    parsed = Parsed(
        message_id=message_id[:300],
        from_name=from_name.strip(),
        from_address=from_address.strip().lower(),
        subject=subject,
        body="",
        recipients=recipients,
        in_reply_to=_ids(str(msg.get("In-Reply-To", ""))) + _ids(str(msg.get("References", ""))),
    )
    if _is_bounce(msg, parsed.from_address):
        parsed.ignored = InboundOutcome.BOUNCE
    elif _is_auto_reply(msg, subject):
        parsed.ignored = InboundOutcome.AUTO_REPLY
    if parsed.ignored:
        return parsed
    body = msg.get_body(preferencelist=("plain", "html"))
    if body is not None:
        text = _text_of(body)  # type: ignore[arg-type]
        parsed.body = html_to_text(text) if body.get_content_type() == "text/html" else text
    for part in msg.iter_attachments():
        name = part.get_filename() or ""
        if not name and part.get_content_maintype() in {"text", "multipart"}:
            continue
        data = part.get_payload(decode=True)
        if isinstance(data, bytes):
            parsed.attachments.append((name or "piece-jointe", part.get_content_type(), data))
    parsed.body = parsed.body.strip()
    return parsed


def language_guess(text: str) -> str:
    """Arabic when Arabic letters outnumber Latin ones."""
    arabic = len(ARABIC_RE.findall(text))
    return Language.ARABIC if arabic > len(LATIN_RE.findall(text)) else Language.FRENCH


# --- turning it into a ticket ---------------------------------------------------------


def _thread(parsed: Parsed) -> Ticket | None:
    match = REFERENCE_RE.search(parsed.subject)
    if match:
        # A reference is easy to copy: by subject, only the requester's own address
        # threads (a Message-ID, below, is not guessable).
        found = (
            Ticket.objects.filter(reference=match.group(1))
            .select_related("requester", "association")
            .first()
        )
        if (
            found is not None
            and parsed.from_address
            and parsed.from_address
            in {
                (found.requester.email if found.requester else "").lower(),
                (found.association.email if found.association else "").lower(),
            }
        ):
            return _followed(found)
    if parsed.in_reply_to:
        message = (
            TicketMessage.objects.filter(email_message_id__in=parsed.in_reply_to)
            .select_related("ticket")
            .order_by("-created_at")
            .first()
        )
        if message is not None:
            return _followed(message.ticket)
        for value in parsed.in_reply_to:
            own = OWN_ID_RE.search(value)
            if own:
                found = Ticket.objects.filter(reference=own.group(1)).first()
                if found is not None:
                    return _followed(found)
    return None


def _followed(ticket: Ticket) -> Ticket:
    """A merged ticket's mail goes to the ticket it was merged into."""
    seen = {ticket.pk}
    while ticket.merged_into_id is not None and ticket.merged_into_id not in seen:
        seen.add(ticket.merged_into_id)
        ticket = Ticket.objects.get(pk=ticket.merged_into_id)
    return ticket


def _queue_for(parsed: Parsed) -> Queue:
    queues = list(Queue.objects.filter(is_active=True).exclude(email=""))
    for address in parsed.recipients:
        for queue in queues:
            if queue.email.lower() == address:
                return queue
    code = getattr(settings, "CONTACT_MAIL_QUEUE", "")
    default = Queue.objects.filter(code=code).first() if code else None
    default = default or Queue.objects.filter(is_active=True).order_by("order", "code").first()
    if default is None:
        raise ValidationError(_("Aucune file active ne peut recevoir les courriels."))
    return default


def _requester_for(parsed: Parsed, language: str) -> Requester | None:
    if not parsed.from_address:
        return None
    found = Requester.objects.filter(email__iexact=parsed.from_address).order_by("pk").first()
    if found is not None:
        return found
    name = parsed.from_name
    arabic = bool(ARABIC_RE.search(name))
    first, _sep, last = ("", "", "") if arabic else name.partition(" ")
    requester = Requester(
        first_name=first[:120],
        last_name=last[:120],
        name_ar=name[:240] if arabic else "",
        email=parsed.from_address,
        language=language,
    )
    requester.full_clean(exclude=["org_unit", "association", "user"])
    requester.save()
    return requester


def _own_addresses() -> set[str]:
    own = {a.lower() for a in Queue.objects.exclude(email="").values_list("email", flat=True)}
    own.add(parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower())
    return own


def _log(parsed: Parsed, source: str, outcome: str, **fields: Any) -> InboundMail:
    return InboundMail.objects.create(
        message_id=parsed.message_id,
        source=source[:200],
        from_address=parsed.from_address[:300],
        subject=parsed.subject[:300],
        outcome=outcome,
        **fields,
    )


def mail_receive(*, raw: bytes, source: str = "") -> InboundMail:
    """Files one mail (see the module's docstring); never raises for a bad mail: the
    problem is in the returned row's ``error``. Reading a mail already filed returns its
    row unchanged."""
    return _receive(raw, source)[0]


def _receive(raw: bytes, source: str) -> tuple[InboundMail, bool]:
    """The row, and whether this call wrote it."""
    try:
        parsed = mail_parse(raw)
    except Exception as exc:  # a mail the email package cannot read at all
        logger.exception("unreadable mail from %s", source)
        digest = f"<sha256.{hashlib.sha256(raw).hexdigest()}@unreadable>"
        return InboundMail.objects.get_or_create(
            message_id=digest,
            defaults={"source": source, "outcome": InboundOutcome.ERROR, "error": str(exc)[:1000]},
        )
    known = InboundMail.objects.filter(message_id=parsed.message_id).first()
    if known is not None:
        return known, False
    if len(raw) > max_bytes():
        return _log(
            parsed,
            source,
            InboundOutcome.TOO_LARGE,
            error=_("%(size)s octets, au-delà de la limite de %(limit)s.")
            % {"size": len(raw), "limit": max_bytes()},
        ), True
    if parsed.ignored:
        return _log(parsed, source, parsed.ignored), True
    if parsed.from_address in _own_addresses():
        return _log(parsed, source, InboundOutcome.LOOP), True
    try:
        with transaction.atomic():
            return _file(parsed, source), True
    except IntegrityError:
        # Another reader filed the same mail at the same time.
        known = InboundMail.objects.filter(message_id=parsed.message_id).first()
        if known is not None:
            return known, False
        raise
    except (ValidationError, ValueError) as exc:
        logger.warning("mail %s not filed: %s", parsed.message_id, exc)
        return _log(parsed, source, InboundOutcome.ERROR, error=_error_text(exc)), True


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(str(m) for m in exc.messages)[:1000]
    return str(exc)[:1000]


def _file(parsed: Parsed, source: str) -> InboundMail:
    from pilotage.contact.services.tickets import ticket_create, ticket_message_add

    body = parsed.body or parsed.subject or _("(courriel sans texte)")
    ticket = _thread(parsed)
    if ticket is not None:
        message = ticket_message_add(
            actor=None,
            ticket=ticket,
            kind=MessageKind.INCOMING,
            body=body,
            channel=Channel.EMAIL,
            language=language_guess(f"{parsed.subject} {body}"),
            email_message_id=parsed.message_id,
            email_in_reply_to=parsed.in_reply_to[0] if parsed.in_reply_to else "",
        )
        outcome = InboundOutcome.REPLY
    else:
        from pilotage.orgunits.models import OrgUnit

        language = language_guess(f"{parsed.subject} {body}")
        requester = _requester_for(parsed, language)
        org_unit = None
        if requester is not None:
            org_unit = requester.org_unit or (
                requester.association.org_unit if requester.association else None
            )
        org_unit = org_unit or OrgUnit.objects.get_first_root_node()
        if org_unit is None:
            raise ValidationError(_("Aucune entité n'existe pour y rattacher le ticket."))
        ticket = ticket_create(
            actor=None,
            channel=Channel.EMAIL,
            type=TicketType.INFORMATION,
            subject=(parsed.subject or body.splitlines()[0])[:300],
            body=body,
            queue=_queue_for(parsed),
            org_unit=org_unit,
            requester=requester,
            association=requester.association if requester else None,
            language=language,
            email_message_id=parsed.message_id,
        )
        message = ticket.messages.get()
        code = ticket.secret  # type: ignore[attr-defined]
        pk = ticket.pk
        transaction.on_commit(lambda: acknowledgement_send(ticket_id=pk, code=code))
        outcome = InboundOutcome.CREATED
    refused = []
    for name, _type, data in parsed.attachments:
        try:
            with transaction.atomic():
                # The tickets' rules: size, then type by content (circular import otherwise).
                from pilotage.contact.services.tickets import attachment_add

                attachment_add(message=message, name=name, data=data)
        except ValidationError as exc:
            refused.append(_error_text(exc))
    return _log(parsed, source, outcome, ticket=ticket, error="\n".join(refused)[:1000])


# --- where mails are read from --------------------------------------------------------


@dataclass
class ImapSettings:
    host: str
    port: int
    user: str
    password: str
    ssl: bool
    folder: str
    processed: str

    @classmethod
    def from_env(cls) -> ImapSettings:
        env = os.environ
        ssl = env.get("CONTACT_IMAP_SSL", "true").lower() in {"1", "true", "yes"}
        return cls(
            host=env.get("CONTACT_IMAP_HOST", ""),
            port=int(env.get("CONTACT_IMAP_PORT", "993" if ssl else "143")),
            user=env.get("CONTACT_IMAP_USER", ""),
            password=env.get("CONTACT_IMAP_PASSWORD", ""),
            ssl=ssl,
            folder=env.get("CONTACT_IMAP_FOLDER", "INBOX"),
            processed=env.get("CONTACT_IMAP_PROCESSED_FOLDER", ""),
        )


def _tally(counts: dict[str, int], row: InboundMail, fresh: bool) -> None:
    key = row.outcome if fresh else "already"
    counts[key] = counts.get(key, 0) + 1


def mail_fetch_imap(config: ImapSettings | None = None, progress: Any = None) -> dict[str, int]:
    """Files every unread mail of the folder, then marks each read (or moves it to the
    processed folder) once its ticket is committed."""
    config = config or ImapSettings.from_env()
    if not config.host:
        raise ValueError("CONTACT_IMAP_HOST is not set")
    client_class = imaplib.IMAP4_SSL if config.ssl else imaplib.IMAP4
    counts: dict[str, int] = {}
    client = client_class(config.host, config.port, timeout=60)
    try:
        client.login(config.user, config.password)
        client.select(config.folder)
        _status, data = client.uid("SEARCH", "UNSEEN")
        uids = (data[0] or b"").split() if data else []
        if progress is not None:
            progress.total(len(uids))
        for uid in uids:
            row, fresh = _imap_one(client, uid.decode(), config)
            _tally(counts, row, fresh)
            if config.processed:
                _status, _data = client.uid("MOVE", uid.decode(), config.processed)
            else:
                client.uid("STORE", uid.decode(), "+FLAGS", "(\\Seen)")
            if progress is not None:
                progress.advance()
        if config.processed:
            client.expunge()
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()
    return counts


def _imap_one(client: imaplib.IMAP4, uid: str, config: ImapSettings) -> tuple[InboundMail, bool]:
    source = f"imap:{config.user}@{config.host}/{config.folder}"
    _status, data = client.uid("FETCH", uid, "(RFC822.SIZE)")
    size_match = re.search(rb"RFC822\.SIZE (\d+)", data[0] if data and data[0] else b"")
    if size_match and int(size_match.group(1)) > max_bytes():
        # Only the headers are read: a huge mail is logged, not downloaded.
        _status, data = client.uid("FETCH", uid, "(BODY.PEEK[HEADER])")
        header = data[0][1] if data and isinstance(data[0], tuple) else b""
        parsed = mail_parse(header)
        known = InboundMail.objects.filter(message_id=parsed.message_id).first()
        if known is not None:
            return known, False
        return _log(
            parsed,
            source,
            InboundOutcome.TOO_LARGE,
            error=_("%(size)s octets, au-delà de la limite de %(limit)s.")
            % {"size": int(size_match.group(1)), "limit": max_bytes()},
        ), True
    _status, data = client.uid("FETCH", uid, "(BODY.PEEK[])")
    raw = data[0][1] if data and isinstance(data[0], tuple) else b""
    return _receive(raw, source)


def mail_fetch_maildir(path: str, progress: Any = None) -> dict[str, int]:
    """Files the new mails of a maildir (``new/``), then moves each to ``cur/`` marked
    seen, once committed."""
    box = mailboxes.Maildir(path, factory=None, create=False)
    counts: dict[str, int] = {}
    unread = []
    for key in list(box.iterkeys()):
        message = box.get_message(key)
        if isinstance(message, mailboxes.MaildirMessage) and "S" not in message.get_flags():
            unread.append((key, message))
    if progress is not None:
        progress.total(len(unread))
    for key, message in unread:
        raw = box.get_bytes(key)
        row, fresh = _receive(raw, f"maildir:{os.path.basename(path.rstrip('/'))}")
        _tally(counts, row, fresh)
        message.set_subdir("cur")
        message.add_flag("S")
        box[key] = message
        if progress is not None:
            progress.advance()
    return counts


# --- sending --------------------------------------------------------------------------


def _domain(queue: Queue) -> str:
    address = queue.email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "localhost"


def _sender(queue: Queue, language: str) -> str:
    with translation.override(language):
        name = queue.name
    return formataddr((name, queue.email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))


def _mail_language(ticket: Ticket) -> str:
    # Written replies to an Amazigh speaker go out in Arabic (see Language).
    return Language.ARABIC if ticket.language in (Language.ARABIC, Language.AMAZIGH) else "fr"


def _recipient(ticket: Ticket) -> str:
    if ticket.requester is not None and ticket.requester.email:
        return ticket.requester.email
    if ticket.association is not None and ticket.association.email:
        return ticket.association.email
    return ""


def _build(
    ticket: Ticket,
    template: str,
    subject: str,
    context: dict[str, Any],
    message_id: str,
    thread: list[str],
) -> EmailMultiAlternatives:
    language = _mail_language(ticket)
    with translation.override(language):
        context = {
            **context,
            "ticket": ticket,
            "language": language,
            "direction": "rtl" if language == Language.ARABIC else "ltr",
            "base_url": base_url(),
        }
        text = render_to_string(f"contact/mail/{template}.txt", context)
        html = render_to_string(f"contact/mail/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=f"[{ticket.reference}] {subject}",
        body=text,
        from_email=_sender(ticket.queue, language),
        to=[_recipient(ticket)],
        headers={"Message-ID": message_id, "Content-Language": language},
    )
    if thread:
        message.extra_headers["In-Reply-To"] = thread[-1]
        message.extra_headers["References"] = " ".join(thread[-10:])
    message.attach_alternative(html, "text/html")
    return message


def _thread_ids(ticket: Ticket, before: TicketMessage | None = None) -> list[str]:
    rows = TicketMessage.objects.filter(ticket=ticket).exclude(email_message_id="")
    if before is not None:
        rows = rows.filter(pk__lt=before.pk)
    return list(rows.order_by("created_at", "pk").values_list("email_message_id", flat=True))


ACK_AT_FILING = dt.timedelta(minutes=5)


def acknowledgement_send(*, ticket_id: int, code: str) -> bool:
    """The acknowledgement of a ticket received by e-mail: reference, tracking code and
    the tracking page's address. Marked auto-replied so the requester's robot keeps quiet."""
    ticket = Ticket.objects.select_related("queue", "requester", "association").get(pk=ticket_id)
    if not _recipient(ticket):
        return False
    track = reverse("contact:public-track")
    with translation.override(_mail_language(ticket)):
        subject = _("Votre demande est enregistrée")
    message = _build(
        ticket,
        "acknowledgement",
        subject,
        {"code": code, "track_url": f"{base_url()}{track}"},
        make_msgid(idstring=f"contact.{ticket.reference}", domain=_domain(ticket.queue)),
        _thread_ids(ticket),
    )
    message.extra_headers["Auto-Submitted"] = "auto-replied"
    message.extra_headers["X-Auto-Response-Suppress"] = "All"
    try:
        message.send()
    except OSError:
        logger.exception("acknowledgement of %s not sent", ticket.reference)
        return False
    # Sent by the filing itself (within ACK_AT_FILING of the receipt), the acknowledgement
    # counts as given at receipt: "at once" deadlines are met; a retry's is its own time.
    now = timezone.now()
    given = ticket.created_at if now - ticket.created_at <= ACK_AT_FILING else now
    Ticket.objects.filter(pk=ticket.pk, acknowledged_at__isnull=True).update(acknowledged_at=given)
    return True


def reply_schedule(message: TicketMessage) -> None:
    """Called by ``ticket_message_add`` for a public reply: it goes by e-mail after the
    commit when the requester has an address."""
    if message.kind != MessageKind.REPLY or not _recipient(message.ticket):
        return
    pk = message.pk
    transaction.on_commit(lambda: reply_send(message_id=pk))


def reply_send(*, message_id: int) -> bool:
    """Sends one public reply (once: a reply with ``sent_at`` is left alone). Its
    Message-ID is stored before sending, so a retry after a lost answer threads the same."""
    message = TicketMessage.objects.select_related(
        "ticket__queue", "ticket__requester", "ticket__association", "author"
    ).get(pk=message_id)
    ticket = message.ticket
    if message.sent_at is not None or message.kind != MessageKind.REPLY or not _recipient(ticket):
        return False
    if not message.email_message_id:
        message.email_message_id = make_msgid(
            idstring=f"contact.{ticket.reference}", domain=_domain(ticket.queue)
        )
        thread = _thread_ids(ticket, before=message)
        message.email_in_reply_to = thread[-1] if thread else ""
        TicketMessage.objects.filter(pk=message.pk).update(
            email_message_id=message.email_message_id,
            email_in_reply_to=message.email_in_reply_to,
        )
    thread = _thread_ids(ticket, before=message)
    if message.email_in_reply_to and message.email_in_reply_to in thread:
        # The message answered goes last: it is the In-Reply-To.
        thread = [i for i in thread if i != message.email_in_reply_to]
        thread.append(message.email_in_reply_to)
    outgoing = _build(
        ticket, "reply", ticket.subject, {"message": message}, message.email_message_id, thread
    )
    try:
        outgoing.send()
    except OSError:
        logger.exception(
            "reply %s of %s not sent; the retry job will", message.pk, ticket.reference
        )
        return False
    TicketMessage.objects.filter(pk=message.pk).update(sent_at=timezone.now())
    return True


def replies_unsent(days: int = 7) -> Iterable[int]:
    since = timezone.now() - dt.timedelta(days=days)
    return (
        TicketMessage.objects.filter(
            kind=MessageKind.REPLY, sent_at__isnull=True, created_at__gte=since
        )
        .exclude(ticket__requester__email="", ticket__association__email="")
        .values_list("pk", flat=True)
    )


def mail_retry(days: int = 7) -> dict[str, int]:
    """Sends the public replies of the last ``days`` days whose e-mail failed."""
    sent = failed = 0
    for pk in list(replies_unsent(days)):
        if reply_send(message_id=pk):
            sent += 1
        else:
            failed += 1
    return {"emails": sent, "failed": failed}
