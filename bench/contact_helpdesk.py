"""Contact centre against django-helpdesk 2.6.1: ticket creation throughput and the staff
ticket list with 100 000 tickets, on PostgreSQL, same machine, same run.

The claims (issue "Contact centre", Performance): creation ≥ 5 × django-helpdesk's
throughput; the staff list's query count constant in the number of tickets and its p95
≥ 10 × faster.

django-helpdesk is installed by this script in its own virtual environment
(``bench/results/helpdesk-venv``, git-ignored, with the Django its release resolves), with
a minimal project written here (``bench/results/helpdesk-project``: its documented apps
and settings, mail to memory, DEBUG off); it runs in its own process on its own database
of the same server, answering this script's commands one a line. Both sides are driven
the same way: Django's test client in one process each, logged in as a staff member who
sees every ticket, so the figures compare the applications (URL routing, middleware,
views, ORM, templates) without a web server; and they take turns (``--turn`` creations,
five list requests), so that a change of the shared machine's load falls on both.

- **Creation**: N tickets one after the other, a JSON POST each through each one's API,
  on an empty table: ours ``POST /api/v1/contact/tickets`` (the body of ``TicketIn``: a
  letter recorded by staff; reference, tracking code, deadlines on the queue's calendar,
  assignment, first message, audit row), theirs ``POST /helpdesk/api/tickets/``
  (django-rest-framework, then its ``TicketForm``: ticket, first follow-up,
  notifications). No requester on either side. Tickets/s, and the queries of one.
- **Staff list**: each side's default list, with the same page size (ours shows 50; theirs
  is the user's setting, set to 50), first at ``--small`` tickets then at ``--tickets``,
  both bulk-inserted (one queue, statuses two thirds open, created over the last year),
  then ``VACUUM ANALYZE`` (a table in service has been vacuumed; and autovacuum does not
  start in the middle of a measurement). Ours: ``/contact/`` (every ticket the reader
  sees, newest first, rows rendered by the server); also ``/contact/?status=open``.
  Theirs: ``/helpdesk/tickets/`` (open and reopened) and the JSON its table loads
  (``datatables_ticket_list``, URL and page length read from the page): what a person
  waits for. Query count at both sizes on both sides; p50/p95 over ``--repeats``
  requests after a warm-up at the large size.

The report gives ours' query log of a list page and, for a goal missed, the cProfile of
ours (one creation or one list page).

    .venv/bin/python bench/contact_helpdesk.py
    .venv/bin/python bench/contact_helpdesk.py --tickets 10000 --create 50 --no-record
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import textwrap
import time
import urllib.parse
from pathlib import Path
from typing import Any

import common

HELPDESK_VERSION = "2.6.1"
RESULTS = common.ROOT / "bench" / "results"
HD_VENV = RESULTS / "helpdesk-venv"
HD_PROJECT = RESULTS / "helpdesk-project"
GOAL_CREATE_RATIO = 5.0
GOAL_LIST_RATIO = 10.0

# The minimal django-helpdesk project: its documented apps and settings, PostgreSQL, mail
# to memory, no debug.
HD_SETTINGS = """
import os
SECRET_KEY = "bench-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True
TIME_ZONE = "Africa/Casablanca"
SITE_ID = 1
INSTALLED_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles",
    "django.contrib.sites", "django.contrib.humanize", "rest_framework", "helpdesk",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "hdproject.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [], "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
DATABASES = {"default": {
    "ENGINE": "django.db.backends.postgresql", "NAME": os.environ["HD_DB_NAME"],
    "USER": os.environ["HD_DB_USER"], "PASSWORD": os.environ["HD_DB_PASSWORD"],
    "HOST": os.environ["HD_DB_HOST"], "PORT": os.environ["HD_DB_PORT"],
}}
STATIC_URL = "/static/"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
HELPDESK_TEAMS_MODE_ENABLED = False
HELPDESK_ACTIVATE_API_ENDPOINT = True
HELPDESK_KANBAN_ENABLED = False
LOGIN_URL = "/login/"
"""

HD_URLS = """
from django.urls import include, path
urlpatterns = [path("helpdesk/", include("helpdesk.urls", namespace="helpdesk"))]
"""

# Runs inside the django-helpdesk environment and answers the commands of this script, one
# a line on stdin, with one JSON line on stdout each, so that the two sides can take turns
# (a change of the shared machine's load then falls on both). Argument: the page size.
HD_RUNNER = r"""
import datetime as dt
import json
import os
import random
import re
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
os.environ["DJANGO_SETTINGS_MODULE"] = "hdproject.settings"
import django

django.setup()
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from helpdesk.models import FollowUp, Queue, Ticket, UserSettings

page_size = int(sys.argv[1])
call_command("migrate", verbosity=0)
User = get_user_model()
staff = User.objects.create_superuser("staff", "staff@bench.test", "pw-bench")
# The list's page size is a user setting (10, 25, 50 or 100): the same as ours.
settings_row, _ = UserSettings.objects.get_or_create(user=staff)
settings_row.tickets_per_page = page_size
settings_row.save()
queue = Queue.objects.create(title="Information", slug="info", email_address="info@bench.test")
client = Client()
client.force_login(staff)
created_n = 0


def create_one():
    # Through the API (django-rest-framework, then TicketForm.save: the ticket, its first
    # follow-up, the notifications), JSON as ours.
    global created_n
    response = client.post(
        "/helpdesk/api/tickets/",
        json.dumps({
            "queue": queue.pk, "title": f"Demande de récépissé {created_n}",
            "description": "Bonjour, où en est notre dossier ?", "priority": 3,
        }),
        content_type="application/json",
    )
    created_n += 1
    assert response.status_code == 201, (response.status_code, response.content[:300])


def seed(n):
    # Bulk inserts up to n tickets, then VACUUM ANALYZE (as ours).
    missing = n - Ticket.objects.count()
    now = timezone.now()
    rng = random.Random(7 + n)
    batch = []
    for i in range(max(0, missing)):
        at = now - dt.timedelta(minutes=rng.randint(0, 525600))
        batch.append(Ticket(
            title=f"Objet {n}-{i}", queue=queue, created=at, modified=at,
            submitter_email=f"c{i}@bench.test", status=rng.choice([1, 1, 1, 2, 3, 4]),
            description="Texte", priority=rng.randint(1, 5), secret_key=f"{n:07d}{i:07d}",
        ))
        if len(batch) == 5000:
            Ticket.objects.bulk_create(batch)
            batch = []
    Ticket.objects.bulk_create(batch)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")


DATA_URL = re.compile(r'"url": "(/helpdesk/datatables_ticket_list/[^"]+)"')
PAGE_LENGTH = re.compile(r"data-page-length='(\d+)'")


def fetch():
    # The default list page (no filter: open and reopened tickets), then the rows its
    # table asks for (the URL and the page length are in the page), as a browser does.
    page = client.get("/helpdesk/tickets/")
    assert page.status_code == 200, page.status_code
    html = page.content.decode()
    url = DATA_URL.search(html).group(1)
    length = PAGE_LENGTH.search(html).group(1)
    data = client.get(url, {"draw": "1", "start": "0", "length": length, "search[value]": ""})
    assert data.status_code == 200, (data.status_code, data.content[:300])
    return int(length), len(json.loads(data.content)["data"])


def answer(**values):
    print(json.dumps(values), flush=True)


answer(ready=True)
for line in sys.stdin:
    command, *rest = line.split()
    arg = int(rest[0]) if rest else 0
    if command == "create":
        start = time.perf_counter()
        for _ in range(arg):
            create_one()
        answer(seconds=time.perf_counter() - start)
    elif command == "create_queries":
        with CaptureQueriesContext(connection) as ctx:
            create_one()
        answer(queries=len(ctx.captured_queries))
    elif command == "counts":
        answer(
            tickets=Ticket.objects.count(), followups=FollowUp.objects.count(),
            django=django.get_version(),
        )
    elif command == "seed":
        seed(arg)
        answer(tickets=Ticket.objects.count())
    elif command == "queries":
        for _ in range(3):
            fetch()
        with CaptureQueriesContext(connection) as ctx:
            length, rows = fetch()
        answer(queries=len(ctx.captured_queries), length=length, rows=rows)
    elif command == "time":
        times = []
        for _ in range(arg):
            start = time.perf_counter()
            fetch()
            times.append(time.perf_counter() - start)
        answer(times=times)
    elif command == "quit":
        break
"""


def helpdesk_env() -> Path:
    """The virtual environment with django-helpdesk, made once and reused."""
    python = HD_VENV / "bin" / "python"
    marker = HD_VENV / f".helpdesk-{HELPDESK_VERSION}"
    if not marker.exists():
        RESULTS.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(HD_VENV)], check=True)
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                f"django-helpdesk=={HELPDESK_VERSION}",
                "psycopg[binary]>=3.2,<4",
            ],
            check=True,
        )
        marker.touch()
    package = HD_PROJECT / "hdproject"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("")
    (package / "settings.py").write_text(textwrap.dedent(HD_SETTINGS))
    (package / "urls.py").write_text(textwrap.dedent(HD_URLS))
    (HD_PROJECT / "runner.py").write_text(HD_RUNNER)
    return python


class Helpdesk:
    """The django-helpdesk process: one command, one JSON answer."""

    def __init__(self, url: str, page_size: int) -> None:
        python = helpdesk_env()
        parts = urllib.parse.urlsplit(url)
        env = {
            **os.environ,
            "HD_DB_NAME": parts.path.lstrip("/"),
            "HD_DB_USER": urllib.parse.unquote(parts.username or "postgres"),
            "HD_DB_PASSWORD": urllib.parse.unquote(parts.password or ""),
            "HD_DB_HOST": parts.hostname or "127.0.0.1",
            "HD_DB_PORT": str(parts.port or 5432),
            "PYTHONPATH": str(HD_PROJECT),
        }
        self.log = RESULTS / "helpdesk-runner.log"
        self._err = self.log.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - our own runner in our own venv
            [str(python), str(HD_PROJECT / "runner.py"), str(page_size)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._err,
            text=True,
            env=env,
        )
        if self.process.stdin is None or self.process.stdout is None:
            raise RuntimeError("no pipe to the django-helpdesk runner")
        self.stdin, self.stdout = self.process.stdin, self.process.stdout
        self._read()  # migrated, staff member and queue made

    def _read(self) -> dict[str, Any]:
        line = self.stdout.readline()
        if not line:
            self.process.wait()
            tail = self.log.read_text()[-4000:]
            raise RuntimeError(f"the django-helpdesk runner stopped:\n{tail}")
        return dict(json.loads(line))

    def ask(self, command: str, arg: int = 0) -> dict[str, Any]:
        self.stdin.write(f"{command} {arg}\n")
        self.stdin.flush()
        return self._read()

    def close(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(OSError, ValueError):
                self.stdin.write("quit\n")
                self.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._err.close()


# --- Ours --------------------------------------------------------------------------------


def ours_setup() -> dict:
    from pilotage.accounts.models import User
    from pilotage.accounts.services import role_assign
    from pilotage.contact.models import BusinessCalendar, Queue
    from pilotage.contact.roles import CONTACT_SUPERVISOR
    from pilotage.orgunits.tests.factories import make_unit

    country = make_unit(None, code="MA", name_fr="Maroc")
    region = make_unit(country, code="MA-01", name_fr="Tanger-Tétouan-Al Hoceïma")
    calendar = BusinessCalendar.objects.create(code="administration", name="Administration")
    queue = Queue.objects.create(code="info", name_fr="Information", calendar=calendar)
    staff = User.objects.create_user(username="staff")
    country.refresh_from_db()
    role_assign(actor=None, user=staff, role=CONTACT_SUPERVISOR, org_unit=country)
    region.refresh_from_db()
    return {"country": country, "region": region, "queue": queue, "staff": staff}


def ours_bulk_tickets(base: dict, n: int) -> None:
    """Tickets written with the ORM's bulk insert up to ``n``, then VACUUM ANALYZE, as
    django-helpdesk's are."""
    import datetime as dt
    import random

    from django.db import connection
    from django.utils import timezone

    from pilotage.contact.models import Channel, Priority, Status, Ticket, TicketType

    rng = random.Random(7 + n)  # noqa: S311 - bench data
    now = timezone.now()
    statuses = [Status.OPEN, Status.OPEN, Status.OPEN, Status.NEW, Status.RESOLVED, Status.CLOSED]
    start = Ticket.objects.count()
    batch: list[Ticket] = []
    for i in range(start, n):
        created = now - dt.timedelta(minutes=rng.randint(0, 525600))
        batch.append(
            Ticket(
                reference=f"B{i:09d}",
                secret_hash="0" * 64,
                channel=rng.choice(Channel.values),
                type=rng.choice(TicketType.values),
                priority=rng.choice(Priority.values),
                org_unit=base["region"],
                queue=base["queue"],
                status=rng.choice(statuses),
                subject=f"Objet {i}",
                created_at=created,
                resolution_due_at=created + dt.timedelta(days=20),
            )
        )
        if len(batch) == 5000:
            Ticket.objects.bulk_create(batch)
            batch = []
    Ticket.objects.bulk_create(batch)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")


def _client(base: dict) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(base["staff"])
    return client


def ours_create_one(client: Any, i: int) -> None:
    # The body of TicketIn (pilotage/contact/api/tickets.py): a letter recorded by staff.
    response = client.post(
        "/api/v1/contact/tickets",
        data=json.dumps(
            {
                "channel": "letter",
                "type": "information",
                "subject": f"Demande de récépissé {i}",
                "body": "Bonjour, où en est notre dossier ?",
                "queue": "info",
                "org_unit": "MA-01",
                "priority": "normal",
                "language": "fr",
            }
        ),
        content_type="application/json",
    )
    if response.status_code != 201 or not json.loads(response.content).get("reference"):
        raise RuntimeError(f"create: {response.status_code} {response.content[:300]!r}")


def ours_create(client: Any, start: int, n: int) -> float:
    """Seconds to create ``n`` tickets one after the other."""
    t0 = time.perf_counter()
    for i in range(start, start + n):
        ours_create_one(client, i)
    return time.perf_counter() - t0


def ours_fetch(client: Any, params: dict[str, str]) -> int:
    response = client.get("/contact/", params)
    if response.status_code != 200:
        raise RuntimeError(f"list: {response.status_code}")
    return response.content.decode().count('<tr id="ticket-')


def ours_queries(client: Any, params: dict[str, str]) -> tuple[int, int, list[dict[str, str]]]:
    """Queries of one list page after a warm-up, its rows, and the query log."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        ours_fetch(client, params)
    with CaptureQueriesContext(connection) as ctx:
        rows = ours_fetch(client, params)
    return len(ctx.captured_queries), rows, list(ctx.captured_queries)


def ours_times(client: Any, params: dict[str, str], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        ours_fetch(client, params)
        times.append(time.perf_counter() - t)
    return times


def profile(call: Any) -> list[str]:
    """cProfile of one call: our functions by cumulative time, then the 12 functions that
    spend the most time themselves; paths relative to the repository."""
    import cProfile
    import io
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    call()
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("cumulative").print_stats(r"pilotage/", 20)
    stats.sort_stats("tottime").print_stats(12)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    return [
        line.replace(str(common.ROOT) + "/", "").replace(str(Path(sys.prefix)) + "/", "")
        for line in lines
    ]


def query_log(captured: list[dict[str, str]], width: int = 150) -> list[str]:
    return [
        f"{float(q.get('time') or 0) * 1000:4.0f} ms  {' '.join(q['sql'].split())[:width]}"
        for q in captured
    ]


# --- Report ------------------------------------------------------------------------------


def verdict(met: bool) -> str:
    return "**met**" if met else "**missed**"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets in the list")
    parser.add_argument("--small", type=int, default=1_000, help="the smaller list size")
    parser.add_argument("--create", type=int, default=300, help="tickets created by API")
    parser.add_argument("--repeats", type=int, default=40, help="list requests timed")
    parser.add_argument("--turn", type=int, default=50, help="creations a side per turn")
    parser.add_argument("--page-size", type=int, default=50, choices=[10, 25, 50, 100])
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    info = common.machine()

    with (
        common.temp_database("bench_hd") as theirs_url,
        common.temp_database("bench_contact") as ours_url,
    ):
        common.django_setup(ours_url)
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from pilotage.contact.models import Ticket, TicketMessage
        from pilotage.contact.views.tickets import PAGE_SIZE

        if args.page_size != PAGE_SIZE:
            raise SystemExit(f"our list shows {PAGE_SIZE} a page: use --page-size {PAGE_SIZE}")
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        print(f"django-helpdesk {HELPDESK_VERSION} and Pilotage: migrating…", flush=True)
        theirs = Helpdesk(theirs_url, args.page_size)
        try:
            call_command("migrate", verbosity=0)
            base = ours_setup()
            client = _client(base)

            print(f"creating {args.create} tickets a side, in turns…", flush=True)
            theirs.ask("create", 1)  # each side's first request, not counted
            ours_create(client, 0, 1)
            theirs_seconds = ours_seconds = 0.0
            done = 0
            while done < args.create:
                n = min(args.turn, args.create - done)
                theirs_seconds += theirs.ask("create", n)["seconds"]
                ours_seconds += ours_create(client, 1 + done, n)
                done += n
            theirs_created = theirs.ask("counts")
            theirs_created["queries"] = theirs.ask("create_queries")["queries"]
            ours_created = {
                "tickets": Ticket.objects.count(),
                "messages": TicketMessage.objects.count(),
            }
            with CaptureQueriesContext(connection) as ctx:
                ours_create_one(client, args.create + 1)
            ours_created["queries"] = len(ctx.captured_queries)
            create_log = list(ctx.captured_queries)
            create_profile = profile(lambda: ours_create_one(client, args.create + 2))

            print(f"seeding {args.small} tickets a side, counting queries…", flush=True)
            default: dict[str, str] = {}
            filtered = {"status": "open"}
            theirs.ask("seed", args.small)
            ours_bulk_tickets(base, args.small)
            theirs_small = theirs.ask("queries")
            queries_small, _rows, _log = ours_queries(client, default)
            queries_small_open, _rows, _log = ours_queries(client, filtered)

            print(f"seeding {args.tickets} tickets a side, listing in turns…", flush=True)
            theirs.ask("seed", args.tickets)
            ours_bulk_tickets(base, args.tickets)
            theirs_large = theirs.ask("queries")  # with its warm-up
            queries_large, rows, log = ours_queries(client, default)
            queries_large_open, rows_open, _log = ours_queries(client, filtered)
            theirs_times: list[float] = []
            list_times: list[float] = []
            open_times: list[float] = []
            while len(theirs_times) < args.repeats:
                n = min(5, args.repeats - len(theirs_times))
                theirs_times += theirs.ask("time", n)["times"]
                list_times += ours_times(client, default, n)
                open_times += ours_times(client, filtered, n)
            list_profile = profile(lambda: ours_fetch(client, default))
        finally:
            theirs.close()
    info["load average at the end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    total = time.perf_counter() - started
    theirs_times.sort()
    list_times.sort()
    open_times.sort()

    p = common.percentile
    ours_rate = args.create / ours_seconds
    theirs_rate = args.create / theirs_seconds
    create_ratio = ours_rate / theirs_rate
    ours_p95 = p(list_times, 95) * 1000
    theirs_p95 = p(theirs_times, 95) * 1000
    list_ratio = theirs_p95 / ours_p95
    constant = queries_small == queries_large
    create_met = create_ratio >= GOAL_CREATE_RATIO
    list_met = list_ratio >= GOAL_LIST_RATIO and constant
    small, large = f"{args.small:,}".replace(",", " "), f"{args.tickets:,}".replace(",", " ")

    lines = [
        f"Command: `.venv/bin/python bench/contact_helpdesk.py --tickets {args.tickets} "
        f"--small {args.small} --create {args.create} --repeats {args.repeats}` "
        f"({time.strftime('%Y-%m-%d %H:%M')}, {total / 60:.0f} min in all)",
        "",
        "Machine (shared with other work during the run: see the load average):",
        "",
        common.machine_text(info),
        "",
        "Each side in its own process on its own PostgreSQL database of the same server, "
        "driven by Django's test client, logged in as a staff member who sees every ticket "
        "(ours: a contact-centre supervisor at the country's unit; theirs: a superuser). "
        f"django-helpdesk {HELPDESK_VERSION} in its own virtual environment (Django "
        f"{theirs_created['django']}), its documented settings, mail to memory. The two "
        "sides take turns (creations by "
        f"{args.turn}, list requests by 5), so a change of the machine's load falls on both.",
        "",
        f"### Ticket creation ({args.create} tickets a side, one after the other, JSON POST)",
        "",
        "Ours: `POST /api/v1/contact/tickets` (a letter recorded by staff: reference, tracking "
        "code, deadlines on the queue's calendar, assignment, first message, audit row). "
        "Theirs: `POST /helpdesk/api/tickets/` (django-rest-framework, then its `TicketForm`: "
        "ticket, first follow-up, notifications). Neither names a requester to write to. "
        "Empty tables; each side's first request is not counted.",
        "",
        "| | tickets/s | ms a ticket | queries a ticket | rows at the end |",
        "|---|---:|---:|---:|---|",
        f"| Pilotage | {ours_rate:.1f} | {1000 / ours_rate:.1f} | {ours_created['queries']} | "
        f"{ours_created['tickets']} tickets, {ours_created['messages']} messages |",
        f"| django-helpdesk {HELPDESK_VERSION} | {theirs_rate:.1f} | {1000 / theirs_rate:.1f} | "
        f"{theirs_created['queries']} | {theirs_created['tickets']} tickets, "
        f"{theirs_created['followups']} follow-ups |",
        "",
        f"**Ratio: {create_ratio:.1f} ×** (goal ≥ {GOAL_CREATE_RATIO:g} ×: {verdict(create_met)}).",
        "",
        f"### Staff ticket list ({large} tickets, {args.page_size} a page, "
        f"{args.repeats} requests a side after a warm-up)",
        "",
        "Each side's default list as a staff member opens it, tickets bulk-inserted on both "
        "sides (one queue; statuses two thirds open, the rest resolved or closed; created "
        "over the last year), then `VACUUM ANALYZE` on both. Ours: `/contact/` (every "
        "ticket the reader sees, newest first, server-rendered rows). Theirs: "
        "`/helpdesk/tickets/` (open and reopened, oldest first) and the JSON its table "
        "then loads (`datatables_ticket_list`, the page length being the user's setting, "
        "set to the same size): what a person waits for.",
        "",
        f"| | p50 | p95 | queries at {small} tickets | queries at {large} | rows shown |",
        "|---|---:|---:|---:|---:|---:|",
        f"| Pilotage `/contact/` | {p(list_times, 50) * 1000:.1f} ms | {ours_p95:.1f} ms | "
        f"{queries_small} | {queries_large} | {rows} |",
        f"| Pilotage `/contact/?status=open` | {p(open_times, 50) * 1000:.1f} ms | "
        f"{p(open_times, 95) * 1000:.1f} ms | {queries_small_open} | {queries_large_open} | "
        f"{rows_open} |",
        f"| django-helpdesk {HELPDESK_VERSION} (page + table data) | "
        f"{p(theirs_times, 50) * 1000:.1f} ms | {theirs_p95:.1f} ms | "
        f"{theirs_small['queries']} | {theirs_large['queries']} | {theirs_large['rows']} |",
        "",
        f"**Ratio (their p95 / ours): {list_ratio:.1f} ×** (goal ≥ {GOAL_LIST_RATIO:g} ×); "
        f"our query count {'constant' if constant else 'NOT constant'} "
        f"({queries_small} → {queries_large}): {verdict(list_met)}.",
        "",
        f"Our list page's queries at {large} tickets (time as measured by the test client):",
        "",
        "```",
        *query_log(log),
        "```",
    ]
    if not create_met:
        lines += [
            "",
            "Our creation's queries (one ticket):",
            "",
            "```",
            *query_log(create_log),
            "```",
            "",
            "Profile of one creation (ours, cumulative):",
            "",
            "```",
            *create_profile,
            "```",
        ]
    if not list_met:
        lines += [
            "",
            f"Profile of one list page at {large} tickets (ours, cumulative):",
            "",
            "```",
            *list_profile,
            "```",
        ]
    body = "\n".join(lines)
    print(body)
    if not args.no_record:
        common.record_section("Contact centre against django-helpdesk", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
