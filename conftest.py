"""Project-wide test settings. Tests that need PostgreSQL or Chromium skip locally with a
reason, and fail under CI=true, where both must be present."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Callable, Iterator

import pytest

from pilotage.core.tests.support import IN_CI, require  # noqa: F401 - re-exported

# Playwright fixtures (browser, page, page_log) for the browser tests of every app.
pytest_plugins = ["pilotage.core.tests.browser"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    # Argon2 is the production hasher (tested in accounts/tests/test_security.py); the rest
    # of the suite does not need to pay for it on every login.
    settings.PASSWORD_HASHERS = [  # type: ignore[attr-defined]
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]


class Mailbox:
    """Messages received by a real SMTP server listening on localhost."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802 - aiosmtpd's hook name
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@pytest.fixture
def mailbox(settings: pytest.FixtureRequest) -> Iterator[Mailbox]:
    """Django sends through its SMTP backend to an aiosmtpd server on a free local port."""
    from aiosmtpd.controller import Controller

    box = Mailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # type: ignore[attr-defined]
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port  # type: ignore[attr-defined]
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def run_jobs(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Run the real job worker (django-tasks-db's ``db_worker``) over the queue, once.

    The worker calls ``close_old_connections()`` between tasks; inside a test's transaction
    that would close the connection on PostgreSQL (its autocommit differs from the
    settings) and lose the test's data, so only that call is neutralised.
    """
    from django.core.management import call_command

    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )

    def run() -> None:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    return run


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    # A test client request activates the visitor's language in the test's own thread and
    # Django leaves it active afterwards; reset it so no test depends on the one before.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    # Uploads and generated files go to the default storage (MEDIA_ROOT): never the
    # repository's media/ during tests.
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
