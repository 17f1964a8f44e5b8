"""Create a token for the telephony server's webhook and print it (shown only once)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from pilotage.contact.services.intake import telephony_token_create


class Command(BaseCommand):
    help = "Create a token for the telephony server (POST /api/v1/contact/calls/incoming)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="what uses it, e.g. 'asterisk-rabat'")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            token, secret = telephony_token_create(actor=None, name=options["name"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stderr.write(f"Token {token.name!r} created; it will not be shown again.")
        self.stdout.write(secret)
