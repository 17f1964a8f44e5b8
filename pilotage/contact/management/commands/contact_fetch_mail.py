"""``manage.py contact_fetch_mail [--maildir PATH] [--retry]``: file the unread mails of
the contact centre's IMAP mailbox (``CONTACT_IMAP_*`` settings from the environment) or
of a maildir as tickets or replies; ``--retry`` also sends the replies whose e-mail failed.
A mail is marked read only once its ticket is committed, and filing one twice changes
nothing, so a cron may run this every minute."""

from __future__ import annotations

import imaplib
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pilotage.contact.services.mail import mail_fetch_imap, mail_fetch_maildir, mail_retry


class Command(BaseCommand):
    help = "File the unread mails of the contact centre's mailbox as tickets or replies."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--maildir", help="read this maildir instead of the IMAP mailbox")
        parser.add_argument(
            "--retry", action="store_true", help="also send the replies whose e-mail failed"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options.get("maildir")
        try:
            if path:
                if not os.path.isdir(os.path.join(path, "new")):
                    raise CommandError(f"--maildir: {path!r} is not a maildir (no new/ folder)")
                counts = mail_fetch_maildir(path)
            else:
                counts = mail_fetch_imap()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        except (imaplib.IMAP4.error, OSError) as exc:
            raise CommandError(f"IMAP: {exc}") from exc
        summary = ", ".join(f"{key}: {value}" for key, value in sorted(counts.items()))
        self.stdout.write(
            f"{sum(counts.values())} mail(s) read" + (f" ({summary})" if summary else "")
        )
        if options.get("retry"):
            result = mail_retry()
            self.stdout.write(
                f"{result['emails']} reply(ies) sent again, {result['failed']} failure(s)"
            )
