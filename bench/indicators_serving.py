"""Indicators while they are served: dashboard and values API latency under 50 concurrent
clients, freshness of a saved enrolment or mark in the API while they run, and what the
fact maintenance adds to a marks-sheet save.

The claims (issue "Performance steering", benchmarks): at the ``region`` scale, dashboard
page p95 ≤ 100 ms and values API p95 ≤ 30 ms with 50 concurrent clients; a committed
enrolment or mark shows in the API within 5 s (p95 over 200 writes, dashboards under
load); the maintenance adds ≤ 10 % to a marks-sheet save.

What it builds, in a throwaway PostgreSQL database: ``seed_demo --scale <scale>`` (two
school years, population; its last step fills the fact tables), one national
administrator with a bearer token (API) and a session (pages). Not timed.

What it runs: gunicorn as docs/deployment.md does (``--workers``), and the job worker
(``manage.py db_worker --interval <poll>``) that refreshes the facts.

1. **Load** for ``--duration`` s: ``--clients`` threads, each in a loop, half the time the
   dashboard of a random unit (``GET /indicators/unit/<code>/``) and half the time a
   values request (``GET /api/v1/indicators/<code>/values?org_unit=…&period=…``) for a
   random indicator and unit (country, regions, provinces, communes); latency of each
   request, by kind. Baseline in the same run: ``GET /healthz`` by the same clients (the
   floor of the server).
2. **Freshness**, while the load goes on: ``--writes`` writes from this process (through
   the real services: half pupils enrolled in a class, half marks sheets saved with new
   marks), each followed by polling the values API every 20 ms until the school's value
   (enrolment, or mean mark) changes; time from the commit to the first changed answer.
3. **Write path**, without load: ``--saves`` saves of the same sheets in this process,
   alternately with and without the indicators' handler of ``schooling.records_changed``
   (the dirty mark and the queued refresh); the overhead is the ratio of the medians.

    .venv/bin/python bench/indicators_serving.py                       # region, recorded
    .venv/bin/python bench/indicators_serving.py --scale small --duration 20 --writes 20 --no-record
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import shlex
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import common

GOALS = {"page_p95_ms": 100.0, "api_p95_ms": 30.0, "fresh_p95_s": 5.0, "overhead": 0.10}
INDICATORS = ("enrolment", "ger", "repetition_rate", "ptr", "pupils_per_class", "pass_rate")


@dataclass
class World:
    token: str
    session: str
    units: list[str]
    year: str
    classes: list[int]
    sheets: list[int]
    built_s: float
    pupils: int


def build(scale: str) -> World:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", scale=scale, verbosity=0)
    from importlib import import_module

    from pilotage.accounts.models import User
    from pilotage.accounts.roles import NATIONAL_ADMIN
    from pilotage.accounts.services import role_assign, token_create
    from pilotage.orgunits.models import AcademicYear, OrgUnit
    from pilotage.schooling.models import Enrolment, MarkSheet, SchoolClass

    user = User.objects.create(username="bench.national", password="!")  # noqa: S106
    country = OrgUnit.objects.get(depth=1)
    role_assign(actor=None, user=user, role=NATIONAL_ADMIN, org_unit=country)
    _token, raw = token_create(actor=user, name="bench")
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    year = AcademicYear.objects.get(is_current=True)
    # Units down to the communes that have schools with pupils this year.
    with_pupils = set(
        Enrolment.objects.filter(academic_year=year).values_list("school__path", flat=True)
    )
    prefixes = {p[: d * OrgUnit.steplen] for p in with_pupils for d in range(1, 5)}
    units = list(
        OrgUnit.objects.filter(depth__lte=4, path__in=prefixes).values_list("code", flat=True)
    )
    classes = list(
        SchoolClass.objects.filter(academic_year=year)
        .order_by("?")
        .values_list("pk", flat=True)[:200]
    )
    sheets = list(
        MarkSheet.objects.filter(school_class__academic_year=year, assessments__marks__isnull=False)
        .distinct()
        .order_by("?")
        .values_list("pk", flat=True)[:200]
    )
    return World(
        token=raw,
        session=store.session_key or "",
        units=units,
        year=year.code,
        classes=classes,
        sheets=sheets,
        built_s=time.perf_counter() - started,
        pupils=Enrolment.objects.filter(academic_year=year).count(),
    )


@dataclass
class Samples:
    page: list[float] = field(default_factory=list)
    api: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Client(threading.Thread):
    def __init__(
        self,
        index: int,
        port: int,
        world: World,
        stop: threading.Event,
        floor: bool,
        think: float = 0.0,
    ):
        super().__init__(daemon=True)
        self.think = think
        self.rng = random.Random(index)
        self.port, self.world, self.stop, self.floor = port, world, stop, floor
        self.samples = Samples()
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get(self, path: str, headers: dict[str, str]) -> tuple[int, bytes, float]:
        started = time.perf_counter()
        self.conn.request("GET", path, headers={"Host": "127.0.0.1", **headers})
        response = self.conn.getresponse()
        body = response.read()
        return response.status, body, time.perf_counter() - started

    def run(self) -> None:
        w = self.world
        while not self.stop.is_set():
            try:
                if self.floor:
                    status, body, seconds = self.get("/healthz", {})
                    kind = self.samples.floor
                elif self.rng.random() < 0.5:
                    unit = self.rng.choice(w.units)
                    path = f"/indicators/unit/{unit}/?{urlencode({'year': w.year})}"
                    status, body, seconds = self.get(path, {"Cookie": f"sessionid={w.session}"})
                    kind = self.samples.page
                else:
                    code, unit = self.rng.choice(INDICATORS), self.rng.choice(w.units)
                    query = urlencode({"org_unit": unit, "period": w.year})
                    status, body, seconds = self.get(
                        f"/api/v1/indicators/{code}/values?{query}",
                        {"Authorization": f"Bearer {w.token}"},
                    )
                    kind = self.samples.api
                if status == 200:
                    kind.append(seconds)
                else:
                    self.samples.errors.append(f"{status} {body[:120]!r}")
            except (OSError, http.client.HTTPException) as exc:
                self.samples.errors.append(repr(exc))
                self.conn.close()
                time.sleep(0.05)
            if self.think:
                # A person reads the page before the next click: exponential, mean `think`.
                self.stop.wait(self.rng.expovariate(1 / self.think))


def run_clients(
    port: int, world: World, clients: int, seconds: float, floor: bool, think: float = 0.0
) -> Samples:
    stop = threading.Event()
    threads = [Client(i, port, world, stop, floor, think) for i in range(clients)]
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join(timeout=70)
    out = Samples()
    for t in threads:
        out.page += t.samples.page
        out.api += t.samples.api
        out.floor += t.samples.floor
        out.errors += t.samples.errors
    return out


def ms(samples: list[float]) -> dict[str, float]:
    values = sorted(samples)
    if not values:
        return {"n": 0, "p50": float("nan"), "p95": float("nan"), "p99": float("nan")}
    return {
        "n": len(values),
        "p50": 1000 * common.percentile(values, 50),
        "p95": 1000 * common.percentile(values, 95),
        "p99": 1000 * common.percentile(values, 99),
    }


def api_value(conn: http.client.HTTPConnection, token: str, code: str, unit: str, year: str) -> Any:
    query = urlencode({"org_unit": unit, "period": year})
    conn.request(
        "GET",
        f"/api/v1/indicators/{code}/values?{query}",
        headers={"Host": "127.0.0.1", "Authorization": f"Bearer {token}"},
    )
    response = conn.getresponse()
    import json

    payload = json.loads(response.read() or b"{}")
    results = payload.get("results") or [{}]
    return results[0].get("value")


def save_sheet(sheet: Any, actor: Any, rng: random.Random) -> None:
    from pilotage.schooling.models import ACTIVE_STATUSES, Assessment, Enrolment
    from pilotage.schooling.services.marks import Cell, marks_save_sheet

    columns = [f"{a.kind}_{a.number}" for a in Assessment.objects.filter(sheet=sheet)]
    codes = Enrolment.objects.filter(
        school_class_id=sheet.school_class_id, status__in=ACTIVE_STATUSES
    ).values_list("pupil__code_massar", flat=True)
    cells = [
        Cell(code, column, str(Decimal(rng.randint(0, 80)) / 4).replace(".", ","))
        for code in codes
        for column in columns
    ]
    sheet.refresh_from_db(fields=["version"])
    marks_save_sheet(actor=actor, sheet=sheet, version=sheet.version, cells=cells)


def freshness(port: int, world: World, writes: int) -> tuple[list[float], list[str]]:
    rng = random.Random(7)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    delays, problems = [], []
    for i in range(writes):
        # The value before the write, read from the API as a client would.
        if i % 2 == 0:
            from pilotage.schooling.models import SchoolClass

            unit = SchoolClass.objects.get(pk=world.classes[i % len(world.classes)]).school.code
            indicator = "enrolment"
        else:
            from pilotage.schooling.models import MarkSheet

            unit = MarkSheet.objects.get(
                pk=world.sheets[i % len(world.sheets)]
            ).school_class.school.code
            indicator = "mean_mark"
        before = api_value(conn, world.token, indicator, unit, world.year)
        written = _write_at(rng, world, i)
        committed = time.perf_counter()
        while True:
            now = api_value(conn, world.token, indicator, unit, world.year)
            if now != before:
                delays.append(time.perf_counter() - committed)
                break
            if time.perf_counter() - committed > 60:
                problems.append(f"write {i} ({written}) not visible after 60 s")
                break
            time.sleep(0.02)
    return delays, problems


def _write_at(rng: random.Random, world: World, i: int) -> str:
    """Write i: enrol a new pupil in class i (even), or save sheet i (odd)."""
    from pilotage.accounts.models import User
    from pilotage.schooling.models import MarkSheet, Pupil, SchoolClass
    from pilotage.schooling.services.enrolments import pupil_enrol

    actor = User.objects.get(username="bench.national")
    if i % 2 == 0:
        school_class = SchoolClass.objects.select_related(
            "school", "academic_year", "grade_level"
        ).get(pk=world.classes[i % len(world.classes)])
        pupil = Pupil.objects.create(
            code_massar=f"B{900_000_000 + i:09d}",
            last_name="Banc",
            first_name="Essai",
            sex=rng.choice("FM"),
            birth_date=school_class.academic_year.start.replace(year=2012),
        )
        pupil_enrol(
            actor=actor,
            pupil=pupil,
            school=school_class.school,
            academic_year=school_class.academic_year,
            grade_level=school_class.grade_level,
            school_class=school_class,
        )
        return "enrolment"
    save_sheet(MarkSheet.objects.get(pk=world.sheets[i % len(world.sheets)]), actor, rng)
    return "marks"


def write_path(world: World, saves: int) -> dict[str, float]:
    """Median seconds of a marks-sheet save with and without the indicators' handler."""
    from django.db import transaction

    from pilotage.accounts.models import User
    from pilotage.core import events
    from pilotage.indicators import events as indicator_events
    from pilotage.schooling.models import MarkSheet

    actor = User.objects.get(username="bench.national")
    rng = random.Random(11)
    handlers = indicator_events.HANDLERS
    original = handlers["schooling.records_changed"]
    timings: dict[bool, list[float]] = {True: [], False: []}
    sheets = list(MarkSheet.objects.filter(pk__in=world.sheets[:20]))
    for i in range(saves):
        on = i % 2 == 0
        handlers["schooling.records_changed"] = original if on else ()
        events.handlers.cache_clear()
        sheet = sheets[i % len(sheets)]
        started = time.perf_counter()
        with transaction.atomic():
            save_sheet(sheet, actor, rng)
        timings[on].append(time.perf_counter() - started)
    handlers["schooling.records_changed"] = original
    events.handlers.cache_clear()
    on, off = statistics.median(timings[True]), statistics.median(timings[False])
    return {"on_ms": 1000 * on, "off_ms": 1000 * off, "overhead": on / off - 1, "n": saves}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", default="region", choices=["small", "region", "national"])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--saves", type=int, default=400)
    parser.add_argument("--poll", default="0.2", help="the worker's --interval (s)")
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="mean seconds a client waits between two requests in the users' runs (0: closed loop)",
    )
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    info = common.machine()
    with common.temp_database("bench_serving") as url:
        common.django_setup(url)
        world = build(args.scale)
        print(f"built {args.scale} in {world.built_s:.0f} s: {len(world.units)} units", flush=True)
        env = common.production_env(url)
        # The session made here is signed with this process's key: the server must share it.
        from django.conf import settings

        env["SECRET_KEY"] = settings.SECRET_KEY
        # The pages name their static files through the production manifest.
        subprocess.run(
            [str(common.VENV_BIN / "python"), "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=common.ROOT,
            env=env,
            check=True,
        )
        worker_log = open("/tmp/bench-indicators-worker.log", "wb")  # noqa: S108, SIM115
        worker = subprocess.Popen(
            [
                str(common.VENV_BIN / "python"),
                "manage.py",
                "db_worker",
                "--no-reload",
                "--interval",
                args.poll,
            ],
            cwd=common.ROOT,
            env=env,
            stdout=worker_log,
            stderr=subprocess.STDOUT,
        )
        try:
            with common.gunicorn(env, workers=args.workers) as server:
                floor = run_clients(server.port, world, args.clients, min(20, args.duration), True)
                print(f"floor: {ms(floor.floor)}", flush=True)
                load = run_clients(server.port, world, args.clients, args.duration, False)
                print(f"saturation: page {ms(load.page)}, api {ms(load.api)}", flush=True)
                users = run_clients(
                    server.port, world, args.clients, args.duration, False, args.think
                )
                print(f"users: page {ms(users.page)}, api {ms(users.api)}", flush=True)
                # Freshness while the same load goes on.
                stopper = threading.Event()
                load_threads = [
                    Client(i, server.port, world, stopper, False, args.think)
                    for i in range(args.clients)
                ]
                for t in load_threads:
                    t.start()
                delays, problems = freshness(server.port, world, args.writes)
                stopper.set()
                for t in load_threads:
                    t.join(timeout=70)
                under = Samples()
                for t in load_threads:
                    under.page += t.samples.page
                    under.api += t.samples.api
                    under.errors += t.samples.errors
            path = write_path(world, args.saves)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
            worker_log.close()
    fresh = sorted(delays)
    fresh_p50 = common.percentile(fresh, 50) if fresh else float("nan")
    fresh_p95 = common.percentile(fresh, 95) if fresh else float("nan")
    fresh_max = max(fresh) if fresh else float("nan")
    page, api, flo = ms(load.page), ms(load.api), ms(floor.floor)
    upage, uapi = ms(users.page), ms(users.api)
    rate = (upage["n"] + uapi["n"]) / args.duration
    command = f"`.venv/bin/python bench/indicators_serving.py {shlex.join(sys.argv[1:])}`"
    info["load average at the end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: {command}",
        "",
        "Machine:",
        "",
        common.machine_text(info),
        "",
        f"Data: `seed_demo --scale {args.scale}` ({world.pupils:,} enrolments this year; built in"
        f" {world.built_s:.0f} s, not timed). gunicorn {args.workers} workers, the job worker"
        f" polling every {args.poll} s; {args.clients} client threads in this process;"
        f" {len(world.units)} units (country to communes) drawn at random.",
        "",
        f"**Saturation** ({args.duration:g} s, closed loop: each client sends its next request"
        " as soon as the last is answered; half pages, half API):",
        "",
        "| request | n | p50 ms | p95 ms | p99 ms | goal p95 |",
        "|---|---:|---:|---:|---:|---:|",
        f"| `GET /indicators/unit/<code>/` | {page['n']} | {page['p50']:.1f} | {page['p95']:.1f}"
        f" | {page['p99']:.1f} | ≤ {GOALS['page_p95_ms']:g} |",
        f"| `GET /api/v1/indicators/<code>/values` | {api['n']} | {api['p50']:.1f}"
        f" | {api['p95']:.1f} | {api['p99']:.1f} | ≤ {GOALS['api_p95_ms']:g} |",
        f"| baseline: `GET /healthz`, same clients | {flo['n']} | {flo['p50']:.1f}"
        f" | {flo['p95']:.1f} | {flo['p99']:.1f} | |",
        "",
        f"Ratios of p95 to the floor's: page {page['p95'] / flo['p95']:.1f}×, API"
        f" {api['p95'] / flo['p95']:.1f}×. Errors: {len(load.errors)}"
        + (f" (first: {load.errors[0]})" if load.errors else "")
        + ". In a closed loop every client waits for the others' requests: the latency is"
        " the queue of the saturated server (clients / throughput), whatever one request costs.",
        "",
        f"**Users** ({args.clients} clients, each waiting {args.think:g} s on average between"
        f" two requests, as a person reading a page does; {rate:.0f} requests/s offered):",
        "",
        "| request | n | p50 ms | p95 ms | p99 ms | goal p95 |",
        "|---|---:|---:|---:|---:|---:|",
        f"| `GET /indicators/unit/<code>/` | {upage['n']} | {upage['p50']:.1f}"
        f" | {upage['p95']:.1f} | {upage['p99']:.1f} | ≤ {GOALS['page_p95_ms']:g} |",
        f"| `GET /api/v1/indicators/<code>/values` | {uapi['n']} | {uapi['p50']:.1f}"
        f" | {uapi['p95']:.1f} | {uapi['p99']:.1f} | ≤ {GOALS['api_p95_ms']:g} |",
        "",
        f"Errors: {len(users.errors)}.",
        "",
        f"**Freshness** ({len(fresh)} writes, half enrolments, half marks sheets, while the"
        f" same load runs): commit → changed value in the API, p50"
        f" {fresh_p50:.2f} s, p95 {fresh_p95:.2f} s, max {fresh_max:.2f} s"
        f" (goal p95 ≤ {GOALS['fresh_p95_s']:g} s)."
        f" Not visible within 60 s: {len(problems)}.",
        "",
        f"**Write path** ({path['n']} marks-sheet saves in process, alternating): median"
        f" {path['on_ms']:.2f} ms with the fact maintenance, {path['off_ms']:.2f} ms without:"
        f" +{100 * path['overhead']:.1f} % (goal ≤ {100 * GOALS['overhead']:g} %).",
    ]
    body = "\n".join(lines)
    print(body)
    if not args.no_record:
        common.record_section(f"Indicators: serving and freshness ({args.scale})", body)


if __name__ == "__main__":
    main()
