"""A private IMAP server for the mail tests: Debian's dovecot on a free localhost port,
with a temporary configuration, a passwd-file user and a maildir under the test's
temporary directory (nothing of the machine's own dovecot configuration is read or
touched). Test mails are delivered with IMAP ``APPEND``, as a mail server would."""

from __future__ import annotations

import contextlib
import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pilotage.contact.services.mail import ImapSettings
from pilotage.core.tests.support import require

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "contact", "imap-test-secret"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
first_valid_uid = 0
default_internal_user = {internal}
default_login_user = {login}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


@dataclass
class Imap:
    settings: ImapSettings
    root: Path

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.settings.port, timeout=10)
        client.login(USER, PASSWORD)
        return client

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        client = self.client()
        try:
            status, data = client.append(folder, None, None, raw)
            assert status == "OK", data
        finally:
            client.logout()

    def flags(self, folder: str = "INBOX") -> list[str]:
        """The flags of each mail of the folder, in order."""
        client = self.client()
        try:
            client.select(folder, readonly=True)
            _status, data = client.uid("FETCH", "1:*", "(FLAGS)")
        finally:
            client.logout()
        return [item.decode() for item in data if isinstance(item, bytes)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _users() -> tuple[str, str, int, int]:
    """Dovecot, started as root, drops to its own users; started by anyone else, it runs
    as that user."""
    if os.geteuid() == 0:
        internal = pwd.getpwnam("dovecot")
        login = pwd.getpwnam("dovenull").pw_name
        return internal.pw_name, login, internal.pw_uid, internal.pw_gid
    me = pwd.getpwuid(os.geteuid())
    return me.pw_name, me.pw_name, me.pw_uid, me.pw_gid


@pytest.fixture(scope="session")
def imap_server() -> Iterator[Imap]:
    require(os.path.exists(DOVECOT), "dovecot is not installed (make test installs it as root)")
    # Not under pytest's temporary directory: that one is private to the user running the
    # tests, and dovecot's own processes (another user when started as root) read here.
    root = Path(tempfile.mkdtemp(prefix="pilotage-dovecot-"))
    root.chmod(0o755)
    for sub in ("run", "state", "mail"):
        (root / sub).mkdir()
    internal, login, uid, gid = _users()
    os.chown(root / "mail", uid, gid)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    port = _free_port()
    conf = root / "dovecot.conf"
    conf.write_text(
        CONFIG.format(root=root, port=port, uid=uid, gid=gid, internal=internal, login=login)
    )
    process = subprocess.Popen(  # noqa: S603 - a fixed program and our own config
        [DOVECOT, "-c", str(conf), "-F"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
                pytest.fail(
                    f"dovecot did not start: {process.stderr.read() if process.stderr else ''}{log}"
                )
            time.sleep(0.05)
        yield Imap(
            settings=ImapSettings(
                host="127.0.0.1",
                port=port,
                user=USER,
                password=PASSWORD,
                ssl=False,
                folder="INBOX",
                processed="",
            ),
            root=root,
        )
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def imap(imap_server: Imap) -> Iterator[Imap]:
    """The server with an empty INBOX for each test."""
    client = imap_server.client()
    try:
        client.select("INBOX")
        _status, data = client.uid("SEARCH", "ALL")
        if data and data[0]:
            client.uid("STORE", b",".join(data[0].split()).decode(), "+FLAGS", "(\\Deleted)")
            client.expunge()
    finally:
        client.logout()
    yield imap_server
