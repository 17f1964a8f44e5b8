"""Contact centre against django-helpdesk 2.6.1: ticket creation throughput and the staff
ticket list with 100 000 tickets, on PostgreSQL, same machine, same run.

The claims (issue "Contact centre", Performance): creation ≥ 5 × django-helpdesk's
throughput; the staff list's query count constant in the number of tickets and its p95
≥ 10 × faster.

django-helpdesk is installed by this script in its own virtual environment
(``bench/results/helpdesk-venv``, with Django as that release requires), with a minimal
project written here (``bench/results/helpdesk-project``); it runs in its own process on
its own database. Both sides are driven the same way: Django's test client in one process,
logged in as a staff member who sees every ticket, so the figures compare the
applications (URL routing, middleware, views, ORM, templates) without a web server.

- **Creation**: N tickets one after the other through each one's API: ours
  ``POST /api/v1/contact/tickets`` (reference, tracking code, deadlines on the calendar,
  assignment, first message, audit row), theirs ``POST /api/tickets/`` (django-rest-
  framework; ticket, follow-up, e-mail notifications to the in-memory backend). Tickets/s.
- **Staff list**: the first page of the open tickets, newest first, with 100 000 tickets
  in the database (written with bulk inserts on both sides). Ours: ``/contact/?status=open``
  (the server-rendered page with its rows). Theirs: the ticket list page and the JSON its
  table loads (``datatables_ticket_list``), which is what a person waits for. p95 over R
  requests after a warm-up. The query count of ours is measured at 1 000 and at 100 000
  tickets.

    .venv/bin/python bench/contact_helpdesk.py
    .venv/bin/python bench/contact_helpdesk.py --tickets 10000 --create 200 --no-record
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

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
    "USER": "postgres", "HOST": "127.0.0.1", "PORT": "5432",
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

# Runs inside the django-helpdesk environment; prints one JSON line of results.
HD_RUNNER = r"""
import json, os, sys, time, random, datetime as dt
sys.path.insert(0, os.path.dirname(__file__))
os.environ["DJANGO_SETTINGS_MODULE"] = "hdproject.settings"
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.contrib.auth import get_user_model
from helpdesk.models import Queue, Ticket

create_n, tickets_n, repeats = (int(a) for a in sys.argv[1:4])
call_command("migrate", verbosity=0)
User = get_user_model()
staff = User.objects.create_superuser("staff", "staff@bench.test", "pw-bench")
queue = Queue.objects.create(title="Information", slug="info", email_address="info@bench.test")
client = Client()
client.force_login(staff)

# Creation through the API, one after the other.
t0 = time.perf_counter()
for i in range(create_n):
    response = client.post("/helpdesk/api/tickets/", {
        "queue": queue.pk, "title": f"Demande de récépissé {i}",
        "description": "Bonjour, où en est notre dossier ?",
        "submitter_email": f"citoyen{i}@bench.test", "priority": 3,
    })
    assert response.status_code == 201, (response.status_code, response.content[:300])
create_seconds = time.perf_counter() - t0

# The list with many tickets (bulk insert).
missing = tickets_n - Ticket.objects.count()
now = timezone.now()
rng = random.Random(7)
batch = []
for i in range(missing):
    created = now - dt.timedelta(minutes=rng.randint(0, 525600))
    batch.append(Ticket(
        title=f"Objet {i}", queue=queue, created=created, modified=created,
        submitter_email=f"c{i}@bench.test", status=rng.choice([1, 1, 1, 2, 3, 4]),
        description="Texte", priority=rng.randint(1, 5), secret_key=f"{i:012d}",
    ))
    if len(batch) == 5000:
        Ticket.objects.bulk_create(batch)
        batch = []
Ticket.objects.bulk_create(batch)
with connection.cursor() as cur:
    cur.execute("ANALYZE")

import re
DATA_URL = re.compile(r'"url": "(/helpdesk/datatables_ticket_list/[^"]+)"')

def fetch():
    # The page, then the rows its table asks for (the URL is in the page), as a browser.
    page = client.get("/helpdesk/tickets/", {"sort": "created", "sortreverse": "on"})
    assert page.status_code == 200, page.status_code
    url = DATA_URL.search(page.content.decode()).group(1)
    data = client.get(url, {"draw": "1", "start": "0", "length": "25"})
    assert data.status_code == 200, (data.status_code, data.content[:300])
    assert len(json.loads(data.content)["data"]) > 0

for _ in range(3):
    fetch()
times = []
with CaptureQueriesContext(connection) as ctx:
    fetch()
queries = len(ctx.captured_queries)
for _ in range(repeats):
    t = time.perf_counter()
    fetch()
    times.append(time.perf_counter() - t)
times.sort()
print(json.dumps({
    "create_seconds": create_seconds, "create_n": create_n,
    "list_times": times, "list_queries": queries, "tickets": Ticket.objects.count(),
}))
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


def run_helpdesk(url: str, create_n: int, tickets: int, repeats: int) -> dict:
    python = helpdesk_env()
    name = url.rsplit("/", 1)[1]
    out = subprocess.run(
        [str(python), str(HD_PROJECT / "runner.py"), str(create_n), str(tickets), str(repeats)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "HD_DB_NAME": name, "PYTHONPATH": str(HD_PROJECT)},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


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
    """Tickets written with the ORM's bulk insert, as django-helpdesk's are."""
    import datetime as dt
    import random

    from django.db import connection
    from django.utils import timezone

    from pilotage.contact.models import Channel, Priority, Status, Ticket, TicketType

    rng = random.Random(7)
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
        cur.execute("ANALYZE")


def ours_create(base: dict, n: int) -> float:
    from django.test import Client

    client = Client()
    client.force_login(base["staff"])
    t0 = time.perf_counter()
    for i in range(n):
        response = client.post(
            "/api/v1/contact/tickets",
            data=json.dumps(
                {
                    "channel": "web",
                    "type": "information",
                    "subject": f"Demande de récépissé {i}",
                    "body": "Bonjour, où en est notre dossier ?",
                    "queue": "info",
                    "org_unit": "MA-01",
                    "priority": "normal",
                }
            ),
            content_type="application/json",
        )
        if response.status_code not in (200, 201):
            raise RuntimeError(f"create: {response.status_code} {response.content[:300]!r}")
    return time.perf_counter() - t0


def ours_list(base: dict, repeats: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(base["staff"])

    def fetch() -> None:
        response = client.get("/contact/", {"status": "open"})
        if response.status_code != 200:
            raise RuntimeError(f"list: {response.status_code}")

    for _ in range(3):
        fetch()
    with CaptureQueriesContext(connection) as ctx:
        fetch()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fetch()
        times.append(time.perf_counter() - t)
    return sorted(times), len(ctx.captured_queries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--create", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    info = common.machine()

    with common.temp_database("bench_hd") as theirs_url:
        print(f"django-helpdesk {HELPDESK_VERSION}: creating, seeding, listing…", flush=True)
        theirs = run_helpdesk(theirs_url, args.create, args.tickets, args.repeats)

    with common.temp_database("bench_contact") as ours_url:
        common.django_setup(ours_url, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
        from django.core.management import call_command
        from django.test.utils import setup_test_environment

        setup_test_environment()
        call_command("migrate", verbosity=0)
        base = ours_setup()
        print("Pilotage: creating…", flush=True)
        create_seconds = ours_create(base, args.create)
        ours_bulk_tickets(base, 1000)
        _times, queries_small = ours_list(base, 5)
        print(f"Pilotage: seeding {args.tickets} tickets, listing…", flush=True)
        ours_bulk_tickets(base, args.tickets)
        list_times, queries_large = ours_list(base, args.repeats)

    ours_rate = args.create / create_seconds
    theirs_rate = theirs["create_n"] / theirs["create_seconds"]
    ours_p95 = common.percentile(list_times, 0.95) * 1000
    theirs_p95 = common.percentile(theirs["list_times"], 0.95) * 1000
    create_ratio = ours_rate / theirs_rate
    list_ratio = theirs_p95 / ours_p95
    lines = [
        f"Ticket creation, {args.create} tickets one after the other through each API:",
        f"- Pilotage: {ours_rate:.1f} tickets/s",
        f"- django-helpdesk {HELPDESK_VERSION}: {theirs_rate:.1f} tickets/s",
        f"- ratio: {create_ratio:.2f} × (goal ≥ {GOAL_CREATE_RATIO:g} ×)",
        "",
        f"Staff ticket list, {args.tickets} tickets, first page of the open ones, "
        f"{args.repeats} requests:",
        f"- Pilotage: p95 {ours_p95:.1f} ms, {queries_large} queries "
        f"({queries_small} at 1 000 tickets)",
        f"- django-helpdesk {HELPDESK_VERSION} (page + table data): p95 {theirs_p95:.1f} ms, "
        f"{theirs['list_queries']} queries",
        f"- ratio: {list_ratio:.2f} × faster (goal ≥ {GOAL_LIST_RATIO:g} ×)",
    ]
    print("\n".join(lines))
    if not args.no_record:
        body = "\n".join(
            [
                f"`.venv/bin/python bench/contact_helpdesk.py` — {time.strftime('%Y-%m-%d')}",
                "",
                common.machine_text(info),
                "",
                *lines,
            ]
        )
        common.record_section("Contact centre against django-helpdesk", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
