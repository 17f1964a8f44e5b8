"""Test mails as mail clients and servers write them."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import make_msgid

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def mail(
    subject: str = "Demande de récépissé",
    body: str = "Bonjour, où en est notre dossier ?",
    *,
    sender: str = "Karim Alaoui <karim@citoyen.test>",
    to: str = "info@contact.test",
    charset: str = "utf-8",
    message_id: str | None = None,
    in_reply_to: str = "",
    headers: dict[str, str] | None = None,
    html: str = "",
    attachments: list[tuple[str, str, bytes]] | None = None,
) -> bytes:
    msg = EmailMessage(policy=default_policy)
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = message_id or make_msgid(domain="citoyen.test")
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    for name, value in (headers or {}).items():
        msg[name] = value
    if html and not body:
        msg.set_content(html, subtype="html", charset=charset)
    else:
        msg.set_content(body, charset=charset)
        if html:
            msg.add_alternative(html, subtype="html", charset=charset)
    for name, ctype, data in attachments or []:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


def arabic_cp1256(message_id: str) -> bytes:
    """An Arabic mail as an old Windows client sends it: windows-1256 body and subject."""
    import base64

    subject = "طلب وصل الإيداع"
    body = "السلام عليكم، نرجو إفادتنا بمآل ملف جمعيتنا.\n"
    encoded = base64.b64encode(subject.encode("windows-1256")).decode()
    return (
        (
            "From: =?windows-1256?b?"
            + base64.b64encode("سعيد الإدريسي".encode("windows-1256")).decode()
            + "?= <said@citoyen.test>\r\n"
            "To: Reclamations <reclamations@contact.test>\r\n"
            f"Subject: =?windows-1256?b?{encoded}?=\r\n"
            f"Message-ID: {message_id}\r\n"
            "MIME-Version: 1.0\r\n"
            'Content-Type: multipart/mixed; boundary="XX"\r\n'
            "\r\n"
            "--XX\r\n"
            "Content-Type: text/plain; charset=windows-1256\r\n"
            "Content-Transfer-Encoding: 8bit\r\n"
            "\r\n"
        ).encode("ascii")
        + body.encode("windows-1256")
        + (
            "\r\n--XX\r\n"
            'Content-Type: application/pdf; name="recu.pdf"\r\n'
            'Content-Disposition: attachment; filename="recu.pdf"\r\n'
            "Content-Transfer-Encoding: base64\r\n"
            "\r\n" + base64.b64encode(PDF).decode() + "\r\n--XX--\r\n"
        ).encode("ascii")
    )
