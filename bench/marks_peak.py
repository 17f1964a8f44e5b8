"""Marks peak: concurrent teachers saving 40-mark sheets through the API of the production
server setup (gunicorn + PostgreSQL), against a bare psycopg write of the same rows.

The claim (issue "School records", Performance): 100 concurrent clients on loopback,
≥ 300 sheets/s sustained for 5 minutes, p99 ≤ 250 ms, zero errors, zero lost updates.

A "40-mark sheet" save here is one teacher entering one test for a class of 40 pupils:
``PUT /api/v1/schooling/sheets/{id}`` with the sheet's version and 40 cells of one
column, every value different from the stored one (so every save writes 40 marks and
moves the version). Each client is one teacher saving the four sheets they own at
random. Like the grid, a client keeps each sheet as loaded and the version every save
returns, and loads a sheet (GET) only the first time or after a 409. A tenth of the
clients work in pairs on the union of the two teachers' sheets, each request
authenticated as the sheet's teacher, as if they had the grid open on two devices: there
the version check refuses one of two crossing saves (409, counted, retried after a fresh
GET; not an error).

Two kinds of run. Closed loop (the sweep and the full run): each client saves again as
soon as it is answered, which measures how many saves the server sustains; its latency is
then only the queue (100 clients / rate). Open loop (after the full run): each client's
saves fall due on a fixed schedule, so many sheets/s are offered in all, and the latency
is measured from when a save was due; this is where "p99 ≤ 250 ms" is judged, at the
goal's 300 sheets/s when the server sustains it, otherwise at 80 % of what it sustained.

At the end every save the clients saw succeed is read back: the last values saved in
each (sheet, column) must be those in the database, and the versions returned for each
sheet must be exactly start+1 … final (no save lost, none counted twice).

The baseline is psycopg 3 alone, one connection per client thread, per sheet one
transaction: SELECT version … FOR UPDATE, INSERT … ON CONFLICT DO UPDATE of the 40 rows,
UPDATE version; on the same sheets with the same choice of sheets and values, for the
same number of sheets as the full run.

    .venv/bin/python bench/marks_peak.py                 # sweep 2/4/5 workers, 5 min, open loop
    .venv/bin/python bench/marks_peak.py --workers 2 --duration 60 --open-rate 0 --no-record
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import math
import os
import random
import secrets
import shlex
import sys
import threading
import time
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import common
import psycopg

COLUMNS = ("test_1", "test_2", "test_3", "activity_1")
GRADE_LEVEL = "1AC"
FIRST_YEAR = 2025
WINDOW = 10.0  # seconds per throughput window
GOAL_RATE, GOAL_P99_MS = 300.0, 250.0
LAST_NAMES = ("Alaoui", "Bennani", "Chraibi", "El Idrissi", "Fassi", "Naciri", "Tazi", "Zerouali")
FIRST_NAMES = ("Yasmine", "Omar", "Salma", "Youssef", "Imane", "Mehdi", "Hiba", "Anas")


# --- Data set ----------------------------------------------------------------------------


@dataclass
class SheetInfo:
    id: int
    teacher_user_id: int
    token: str
    assessments: dict[str, int]  # column → assessment id
    pupils: list[tuple[int, str]]  # (pupil id, code Massar)


@dataclass
class Dataset:
    sheets: dict[int, SheetInfo]
    teachers: list[list[int]]  # per teacher: their sheet ids
    schools: int
    classes: int
    pupils: int
    built_in: float


def build_dataset(*, teachers: int, classes_per_school: int, pupils_per_class: int) -> Dataset:
    """Structure, tree, year, then schools of ten teachers (one per subject of 1AC) who
    each teach their subject in every class of the school: ``classes_per_school`` sheets
    per teacher. Bulk inserts for the many rows, services for the rest."""
    from pilotage.accounts.models import RoleAssignment, User
    from pilotage.accounts.services import token_create
    from pilotage.orgunits.countries import country_load_morocco
    from pilotage.orgunits.models import OrgUnit, OrgUnitLevel, Semester
    from pilotage.orgunits.services import academic_year_create, orgunit_create, school_save
    from pilotage.schooling.models import (
        Enrolment,
        GradeLevel,
        Pupil,
        SchoolClass,
        Subject,
        Teacher,
        TeachingAssignment,
    )
    from pilotage.schooling.roles import TEACHER
    from pilotage.schooling.services.marks import sheet_ensure
    from pilotage.schooling.structure import structure_load_morocco

    started = time.perf_counter()
    structure_load_morocco()
    country_load_morocco()
    year = academic_year_create(actor=None, first_year=FIRST_YEAR, current=True)
    semester = Semester.objects.get(academic_year=year, number=1)
    level = GradeLevel.objects.get(code=GRADE_LEVEL)
    subjects = list(
        Subject.objects.filter(subjectcoefficient__grade_level=level).order_by("code").distinct()
    )
    province = OrgUnit.objects.filter(depth=3).order_by("code").first()
    assert province is not None  # noqa: S101 - country_load_morocco just made them
    commune = orgunit_create(
        actor=None,
        parent=province,
        level=OrgUnitLevel.objects.get(depth=4),
        code="BENCH-COMMUNE",
        name_fr="Commune du banc d'essai",
    )
    school_level = OrgUnitLevel.objects.get(depth=5)
    n_schools = math.ceil(teachers / len(subjects))
    schools = []
    for s in range(n_schools):
        commune.refresh_from_db(fields=["path", "depth", "numchild"])
        unit = orgunit_create(
            actor=None,
            parent=commune,
            level=school_level,
            code=f"BENCH-{s:03d}",
            name_fr=f"Collège du banc d'essai {s}",
        )
        school_save(
            actor=None,
            org_unit=unit,
            school_code=f"BENCH{s:03d}",
            cycles=["college"],
            sector="public",
            milieu="urbain",
        )
        schools.append(unit)

    classes = SchoolClass.objects.bulk_create(
        SchoolClass(
            school=school, academic_year=year, grade_level=level, name=f"{GRADE_LEVEL}-{c + 1}"
        )
        for school in schools
        for c in range(classes_per_school)
    )
    pupils = Pupil.objects.bulk_create(
        (
            Pupil(
                code_massar=f"B{i:09d}",
                last_name=LAST_NAMES[i % len(LAST_NAMES)],
                first_name=FIRST_NAMES[i // len(LAST_NAMES) % len(FIRST_NAMES)],
                sex="MF"[i % 2],
                birth_date=dt.date(FIRST_YEAR - 12, i % 12 + 1, i % 28 + 1),
            )
            for i in range(len(classes) * pupils_per_class)
        ),
        batch_size=2000,
    )
    Enrolment.objects.bulk_create(
        (
            Enrolment(
                pupil=pupil,
                school_id=classes[i // pupils_per_class].school_id,
                academic_year=year,
                grade_level=level,
                school_class=classes[i // pupils_per_class],
                entered_on=year.start,
            )
            for i, pupil in enumerate(pupils)
        ),
        batch_size=2000,
    )

    users = User.objects.bulk_create(
        User(
            username=f"bench-teacher-{t:03d}",
            first_name=FIRST_NAMES[t % len(FIRST_NAMES)],
            last_name=LAST_NAMES[t % len(LAST_NAMES)],
            password="!",  # noqa: S106 - unusable: they sign in with a token
        )
        for t in range(teachers)
    )
    school_of = [schools[t // len(subjects)] for t in range(teachers)]
    subject_of = [subjects[t % len(subjects)] for t in range(teachers)]
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=user, role=TEACHER, org_unit=school_of[t])
        for t, user in enumerate(users)
    )
    staff = Teacher.objects.bulk_create(
        Teacher(
            user=user,
            ppr=f"BENCH{t:06d}",
            school=school_of[t],
            specialty=subject_of[t],
            is_qualified=True,
        )
        for t, user in enumerate(users)
    )
    by_school: dict[int, list[Any]] = defaultdict(list)
    for school_class in classes:
        by_school[school_class.school_id].append(school_class)
    TeachingAssignment.objects.bulk_create(
        TeachingAssignment(teacher=staff[t], school_class=school_class, subject=subject_of[t])
        for t in range(teachers)
        for school_class in by_school[school_of[t].pk]
    )

    roster: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for i, pupil in enumerate(pupils):
        roster[classes[i // pupils_per_class].pk].append((pupil.pk, pupil.code_massar))
    sheets: dict[int, SheetInfo] = {}
    owned: list[list[int]] = []
    for t, user in enumerate(users):
        _token, raw = token_create(actor=user, name="bench")
        mine = []
        for school_class in by_school[school_of[t].pk]:
            sheet = sheet_ensure(
                school_class=school_class, subject=subject_of[t], semester=semester
            )
            assessments = {a.column: a.pk for a in sheet.assessments.all()}
            sheets[sheet.pk] = SheetInfo(
                sheet.pk, user.pk, raw, assessments, roster[school_class.pk]
            )
            mine.append(sheet.pk)
        owned.append(mine)
    return Dataset(
        sheets=sheets,
        teachers=owned,
        schools=n_schools,
        classes=len(classes),
        pupils=len(pupils),
        built_in=time.perf_counter() - started,
    )


def prefill(dataset: Dataset, seed: int = 0) -> int:
    """A mark in every cell of every sheet, written directly (no version change, no audit
    row), so that every run measures the same thing: saves that overwrite 40 marks. Left
    empty, the first runs would be cheaper (first entry inserts, later saves update)."""
    from pilotage.schooling.models import Mark

    rng = random.Random(seed)
    marks = [
        Mark(
            assessment_id=assessment_id,
            pupil_id=pupil_id,
            value=Decimal(new_value(rng, None)),
            code="",
            updated_by_id=sheet.teacher_user_id,
        )
        for sheet in dataset.sheets.values()
        for assessment_id in sheet.assessments.values()
        for pupil_id, _code in sheet.pupils
    ]
    Mark.objects.bulk_create(marks, batch_size=5000, ignore_conflicts=True)
    return len(marks)


def client_sheets(dataset: Dataset, clients: int, shared_fraction: float) -> list[list[int]]:
    """Client ``i`` is teacher ``i``; the first pairs of clients (``shared_fraction`` of
    them) both work on the union of the pair's sheets."""
    jobs = [list(dataset.teachers[i % len(dataset.teachers)]) for i in range(clients)]
    pairs = int(clients * shared_fraction) // 2
    for p in range(pairs):
        union = jobs[2 * p] + jobs[2 * p + 1]
        jobs[2 * p], jobs[2 * p + 1] = list(union), list(union)
    return jobs


def new_value(rng: random.Random, current: str | None) -> str:
    """A mark on the quarter-point grid that differs from ``current``."""
    hundredths = rng.randrange(0, 81) * 25
    if current is not None and Decimal(current) * 100 == hundredths:
        hundredths = (hundredths + 25) % 2025
    return f"{hundredths // 100}.{hundredths % 100:02d}"


# --- Load generator ----------------------------------------------------------------------


@dataclass
class ClientStats:
    put_ok: list[tuple[float, float]] = field(default_factory=list)  # (finished at, seconds)
    put_answered: list[tuple[float, float]] = field(default_factory=list)  # 200s and 409s
    get: list[tuple[float, float]] = field(default_factory=list)
    conflicts: int = 0
    unchanged: int = 0  # a 200 that changed fewer than 40 marks: should not happen
    errors: list[str] = field(default_factory=list)
    versions: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    last: dict[tuple[int, str], tuple[int, dict[str, str]]] = field(default_factory=dict)
    uncertain: set[int] = field(default_factory=set)  # sheets whose PUT got no answer
    # Open loop: each save timed from when it was due, retries after a 409 included.
    due_to_saved: list[tuple[float, float]] = field(default_factory=list)


class Client(threading.Thread):
    def __init__(
        self,
        index: int,
        port: int,
        jobs: list[int],
        dataset: Dataset,
        stop: threading.Event,
        headers: dict[str, str],
        interval: float | None = None,
        ready: threading.Barrier | None = None,
    ):
        super().__init__(name=f"client-{index}", daemon=True)
        self.port, self.jobs, self.dataset, self.stop = port, jobs, dataset, stop
        self.headers = headers
        self.interval = interval  # open loop: one save due every `interval` seconds
        self.due: float | None = None
        self.ready = ready  # passed once the client has loaded its sheets
        self.rng = random.Random(index)
        self.stats = ClientStats()
        self.grids: dict[int, dict[str, Any]] = {}  # sheet id → the sheet as last known
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def _call(
        self, method: str, sheet_id: int, body: dict[str, Any] | None = None
    ) -> tuple[int, Any, float, float]:
        headers = {"Authorization": f"Bearer {self.dataset.sheets[sheet_id].token}", **self.headers}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        self.conn.request(method, f"/api/v1/schooling/sheets/{sheet_id}", data, headers)
        response = self.conn.getresponse()
        raw = response.read()
        finished = time.perf_counter()
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = raw[:200].decode(errors="replace")
        return response.status, payload, finished - started, finished

    def _get(self, sheet_id: int) -> dict[str, Any] | None:
        status, grid, seconds, finished = self._call("GET", sheet_id)
        if status != 200:
            self.stats.errors.append(f"GET {sheet_id}: {status} {str(grid)[:200]}")
            return None
        self.stats.get.append((finished, seconds))
        return grid

    def _save(self, sheet_id: int, column: str) -> None:
        # Like the grid in a browser, the client keeps the sheet it loaded and the version
        # each save returns, and reloads only when a save is refused as a conflict.
        grid = self.grids.get(sheet_id) or self._get(sheet_id)
        while grid is not None:
            values = {
                row["code_massar"]: new_value(self.rng, row["marks"][column])
                for row in grid["rows"]
            }
            body = {
                "version": grid["version"],
                "marks": [
                    {"code_massar": c, "column": column, "value": v} for c, v in values.items()
                ],
            }
            try:
                status, saved, seconds, finished = self._call("PUT", sheet_id, body)
            except (OSError, http.client.HTTPException):
                self.stats.uncertain.add(sheet_id)
                raise
            if status in (200, 409):
                self.stats.put_answered.append((finished, seconds))
            if status == 200:
                self.stats.put_ok.append((finished, seconds))
                self.stats.versions[sheet_id].append(saved["version"])
                if saved["changed"] != len(values):
                    self.stats.unchanged += 1
                key = (sheet_id, column)
                if key not in self.stats.last or self.stats.last[key][0] < saved["version"]:
                    self.stats.last[key] = (saved["version"], values)
                grid["version"] = saved["version"]
                for row in grid["rows"]:
                    row["marks"][column] = values[row["code_massar"]]
                self.grids[sheet_id] = grid
                if self.due is not None:
                    self.stats.due_to_saved.append((finished, finished - self.due))
                return
            if status == 409:
                self.stats.conflicts += 1
                self.grids.pop(sheet_id, None)
                grid = self._get(sheet_id)
                continue
            self.stats.errors.append(f"PUT {sheet_id}: {status} {str(saved)[:200]}")
            return

    def run(self) -> None:
        # Every client opens its sheets before anyone saves, as teachers open the grid
        # before typing: the runs measure saves, not a crowd of first loads.
        for sheet_id in sorted(set(self.jobs)):
            try:
                if (grid := self._get(sheet_id)) is not None:
                    self.grids[sheet_id] = grid
            except (OSError, http.client.HTTPException) as exc:
                self.stats.errors.append(f"GET {sheet_id}: {exc!r}")
                self.conn.close()
        if self.ready is not None:
            self.ready.wait()
        if self.interval:
            # Saves are due on a fixed schedule from a random phase; a late save does not
            # push the next ones back, so queueing shows in the latency (no coordinated
            # omission).
            self.due = time.perf_counter() + self.rng.random() * self.interval
        while not self.stop.is_set():
            if self.due is not None and self.interval:
                wait = self.due - time.perf_counter()
                if wait > 0 and self.stop.wait(wait):
                    return
            sheet_id = self.rng.choice(self.jobs)
            try:
                self._save(sheet_id, self.rng.choice(COLUMNS))
            except (OSError, http.client.HTTPException) as exc:
                self.stats.errors.append(f"{sheet_id}: {exc!r}")
                self.grids.pop(sheet_id, None)
                self.conn.close()
                time.sleep(0.05)
            if self.due is not None and self.interval:
                self.due += self.interval


@dataclass
class RunResult:
    label: str
    seconds: float
    saves: int
    rate: float
    put_ms: dict[str, float]
    get_ms: dict[str, float]
    windows: list[tuple[float, float, float]]  # (rate, p50 ms, p99 ms) per window
    conflicts: int
    conflicts_unshared: int
    errors: list[str]
    unchanged: int
    lost: list[str]
    saves_checked: int
    cpu_ms_per_sheet: dict[str, float]
    machine_busy: float  # share of all cores busy during the measure
    load_after: str = ""
    offered: float | None = None  # open loop: sheets/s due
    due_ms: dict[str, float] = field(default_factory=dict)  # open loop: due → saved


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def latency_ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {f"p{q}": common.percentile(ordered, q) * 1000 for q in (50, 95, 99)} | {
        "max": (ordered[-1] * 1000 if ordered else float("nan"))
    }


def windows_of(samples: list[tuple[float, float]], start: float, end: float) -> list[Any]:
    buckets: dict[int, list[float]] = defaultdict(list)
    for finished, seconds in samples:
        if start <= finished < end:
            buckets[int((finished - start) // WINDOW)].append(seconds)
    out = []
    for b in range(int((end - start) // WINDOW)):
        ordered = sorted(buckets.get(b, []))
        out.append(
            (
                len(ordered) / WINDOW,
                common.percentile(ordered, 50) * 1000,
                common.percentile(ordered, 99) * 1000,
            )
        )
    return out


def sheet_state(sheet_ids: list[int]) -> tuple[dict[int, int], dict[tuple[int, str, str], str]]:
    """Versions and marks (as text) of the sheets, read back through the ORM."""
    from pilotage.schooling.models import Mark, MarkSheet

    versions = dict(MarkSheet.objects.filter(pk__in=sheet_ids).values_list("pk", "version"))
    marks = {}
    rows = Mark.objects.filter(assessment__sheet_id__in=sheet_ids).values_list(
        "assessment__sheet_id",
        "assessment__kind",
        "assessment__number",
        "pupil__code_massar",
        "value",
    )
    for sheet_id, kind, number, code, value in rows.iterator(chunk_size=5000):
        marks[(sheet_id, f"{kind}_{number}", code)] = str(value)
    return versions, marks


def verify(
    stats: list[ClientStats], start_versions: dict[int, int], sheet_ids: list[int]
) -> tuple[list[str], int]:
    """Every successful save is in the database: versions start+1 … final, each returned
    once, and the last values saved per (sheet, column) are the stored ones."""
    final_versions, marks = sheet_state(sheet_ids)
    returned: dict[int, list[int]] = defaultdict(list)
    last: dict[tuple[int, str], tuple[int, dict[str, str]]] = {}
    uncertain = set().union(*(s.uncertain for s in stats))
    for s in stats:
        for sheet_id, versions in s.versions.items():
            returned[sheet_id].extend(versions)
        for key, (version, values) in s.last.items():
            if key not in last or last[key][0] < version:
                last[key] = (version, values)
    problems = []
    for sheet_id in sheet_ids:
        if sheet_id in uncertain:
            continue
        expected = list(range(start_versions[sheet_id] + 1, final_versions[sheet_id] + 1))
        if sorted(returned[sheet_id]) != expected:
            problems.append(
                f"sheet {sheet_id}: versions returned {sorted(returned[sheet_id])[:10]}…"
                f" ({len(returned[sheet_id])}), stored version {final_versions[sheet_id]}"
                f" from {start_versions[sheet_id]}"
            )
    for (sheet_id, column), (_version, values) in last.items():
        if sheet_id in uncertain:
            continue
        for code, value in values.items():
            stored = marks.get((sheet_id, column, code))
            if stored is None or Decimal(stored) != Decimal(value):
                problems.append(f"sheet {sheet_id} {column} {code}: saved {value}, stored {stored}")
    return problems, sum(len(v) for v in returned.values())


def _backends(conn: psycopg.Connection[Any]) -> list[int]:
    rows = conn.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
    ).fetchall()
    return [int(r[0]) for r in rows]


def _server_samplers(
    server: common.Server, pg: psycopg.Connection[Any]
) -> dict[str, common.CpuSampler]:
    """CPU of gunicorn (master and workers) and of the bench database's backends, except
    the connection ``pg`` that samples them; started."""
    own_pid = pg.info.backend_pid
    samplers = {
        "gunicorn": common.CpuSampler(lambda: [server.pid, *server.worker_pids()]),
        "postgresql": common.CpuSampler(lambda: [p for p in _backends(pg) if p != own_pid]),
    }
    for sampler in samplers.values():
        sampler.start()
    return samplers


def run_http(
    *,
    label: str,
    server: common.Server,
    db_url: str,
    dataset: Dataset,
    jobs: list[list[int]],
    warmup: float,
    duration: float,
    headers: dict[str, str],
    offered: float | None = None,
) -> RunResult:
    """Closed loop (each client saves again as soon as answered) or, with ``offered``
    sheets/s, open loop (each client's saves fall due on a fixed schedule)."""
    sheet_ids = sorted(dataset.sheets)
    start_versions, _marks = sheet_state(sheet_ids)
    stop = threading.Event()
    interval = len(jobs) / offered if offered else None
    ready = threading.Barrier(len(jobs) + 1)
    clients = [
        Client(i, server.port, j, dataset, stop, headers, interval, ready)
        for i, j in enumerate(jobs)
    ]
    for c in clients:
        c.start()
    ready.wait(timeout=600)
    time.sleep(warmup)
    with psycopg.connect(db_url, autocommit=True) as pg:
        samplers = _server_samplers(server, pg)
        own0, busy0 = sum(os.times()[:2]), common.machine_busy_seconds()
        t0 = time.perf_counter()
        try:
            time.sleep(duration)
        finally:
            t1 = time.perf_counter()
            cpu = {k: sampler.stop() for k, sampler in samplers.items()}
            own1, busy1 = sum(os.times()[:2]), common.machine_busy_seconds()
            stop.set()
            for c in clients:
                c.join(timeout=180)
    stats = [c.stats for c in clients]
    puts = [p for s in stats for p in s.put_ok if t0 <= p[0] < t1]
    answered = [p for s in stats for p in s.put_answered if t0 <= p[0] < t1]
    gets = [g for s in stats for g in s.get if t0 <= g[0] < t1]
    due = [d for s in stats for d in s.due_to_saved if t0 <= d[0] < t1]
    lost, checked = verify(stats, start_versions, sheet_ids)
    seconds = t1 - t0
    shared = {i for i, j in enumerate(jobs) if len(j) > len(dataset.teachers[0])}
    cpu["load generator"] = own1 - own0
    cpu["everything else"] = busy1 - busy0 - sum(cpu.values())
    return RunResult(
        label=label,
        seconds=seconds,
        saves=len(puts),
        rate=len(puts) / seconds,
        put_ms=latency_ms([p[1] for p in answered]),
        get_ms=latency_ms([g[1] for g in gets]),
        windows=windows_of(puts, t0, t1),
        conflicts=sum(s.conflicts for s in stats),
        conflicts_unshared=sum(s.conflicts for i, s in enumerate(stats) if i not in shared),
        errors=[e for s in stats for e in s.errors],
        unchanged=sum(s.unchanged for s in stats),
        lost=lost,
        saves_checked=checked,
        cpu_ms_per_sheet={k: v * 1000 / max(len(puts), 1) for k, v in cpu.items()},
        machine_busy=(busy1 - busy0) / seconds / (os.cpu_count() or 1),
        load_after=load_average(),
        offered=offered,
        due_ms=latency_ms([d[1] for d in due]) if offered else {},
    )


# --- Baselines ---------------------------------------------------------------------------


@dataclass
class FloorResult:
    rate: float  # requests/s
    p99_ms: float
    cpu_ms: dict[str, float]  # per request


def run_floor(
    *, server: common.Server, db_url: str, clients: int, warmup: float, duration: float
) -> FloorResult:
    """The cheapest request the same server answers, by the same kind of clients:
    ``GET /healthz`` (every middleware, one ``SELECT 1``), in a closed loop. What gunicorn,
    Django and the load generator cost on this machine before any work is done."""
    stop = threading.Event()
    done: list[list[tuple[float, float]]] = [[] for _ in range(clients)]

    def loop(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        while not stop.is_set():
            started = time.perf_counter()
            try:
                conn.request("GET", "/healthz")
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                continue
            if response.status == 200:
                finished = time.perf_counter()
                done[index].append((finished, finished - started))

    threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(warmup)
    with psycopg.connect(db_url, autocommit=True) as pg:
        samplers = _server_samplers(server, pg)
        own0, t0 = sum(os.times()[:2]), time.perf_counter()
        time.sleep(duration)
        t1 = time.perf_counter()
        cpu = {k: sampler.stop() for k, sampler in samplers.items()}
        cpu["load generator"] = sum(os.times()[:2]) - own0
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    answered = sorted(seconds for per in done for finished, seconds in per if t0 <= finished < t1)
    count = max(len(answered), 1)
    return FloorResult(
        rate=len(answered) / (t1 - t0),
        p99_ms=common.percentile(answered, 99) * 1000,
        cpu_ms={k: v * 1000 / count for k, v in cpu.items()},
    )


def run_baseline(
    *, db_url: str, dataset: Dataset, jobs: list[list[int]], target: int, max_seconds: float
) -> RunResult:
    """Bare psycopg, one connection per thread, until ``target`` sheets are saved."""
    insert = (
        "INSERT INTO schooling_mark (assessment_id, pupil_id, value, code, updated_by_id,"
        " updated_at) VALUES {} ON CONFLICT (assessment_id, pupil_id) DO UPDATE SET"
        " value = EXCLUDED.value, code = EXCLUDED.code,"
        " updated_by_id = EXCLUDED.updated_by_id, updated_at = EXCLUDED.updated_at"
    )
    statements: dict[int, str] = {}
    lock = threading.Lock()
    done = [0]
    stop = threading.Event()
    samples: list[list[tuple[float, float]]] = [[] for _ in jobs]
    errors: list[str] = []

    def worker(index: int, conn: psycopg.Connection[Any]) -> None:
        rng = random.Random(10_000 + index)
        while not stop.is_set():
            sheet = dataset.sheets[rng.choice(jobs[index])]
            column = rng.choice(COLUMNS)
            n = len(sheet.pupils)
            query = statements.setdefault(
                n, insert.format(",".join(["(%s,%s,%s,'',%s,now())"] * n))
            )
            params: list[Any] = []
            for pupil_id, _code in sheet.pupils:
                params += [sheet.assessments[column], pupil_id, new_value(rng, None)]
                params.append(sheet.teacher_user_id)
            started = time.perf_counter()
            try:
                with conn.transaction():
                    conn.execute(
                        "SELECT version FROM schooling_marksheet WHERE id = %s FOR UPDATE",
                        [sheet.id],
                    )
                    conn.execute(query, params)
                    conn.execute(
                        "UPDATE schooling_marksheet SET version = version + 1 WHERE id = %s",
                        [sheet.id],
                    )
            except psycopg.Error as exc:
                errors.append(repr(exc))
                continue
            finished = time.perf_counter()
            samples[index].append((finished, finished - started))
            with lock:
                done[0] += 1
                if done[0] >= target:
                    stop.set()

    conns = [psycopg.connect(db_url, autocommit=True) for _ in jobs]
    threads = [
        threading.Thread(target=worker, args=(i, c), daemon=True) for i, c in enumerate(conns)
    ]
    own0, busy0 = sum(os.times()[:2]), common.machine_busy_seconds()
    pg_pids = common.pg_backend_pids(db_url)
    pg0 = common.cpu_seconds(pg_pids)
    t0 = time.perf_counter()
    try:
        for t in threads:
            t.start()
        stop.wait(max_seconds)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
        t1 = time.perf_counter()
        pg1 = common.cpu_seconds(pg_pids)
        own1, busy1 = sum(os.times()[:2]), common.machine_busy_seconds()
        for c in conns:
            c.close()
    flat = [s for per in samples for s in per]
    seconds = t1 - t0
    return RunResult(
        label=f"psycopg, {len(jobs)} connections",
        seconds=seconds,
        saves=len(flat),
        rate=len(flat) / seconds,
        put_ms=latency_ms([s[1] for s in flat]),
        get_ms={},
        windows=windows_of(flat, t0, t1),
        conflicts=0,
        conflicts_unshared=0,
        errors=errors,
        unchanged=0,
        lost=[],
        saves_checked=0,
        cpu_ms_per_sheet={
            "postgresql": (pg1 - pg0) * 1000 / max(len(flat), 1),
            "client threads": (own1 - own0) * 1000 / max(len(flat), 1),
            "everything else": (busy1 - busy0 - (pg1 - pg0) - (own1 - own0))
            * 1000
            / max(len(flat), 1),
        },
        machine_busy=(busy1 - busy0) / seconds / (os.cpu_count() or 1),
        load_after=load_average(),
    )


# --- Queries per request -----------------------------------------------------------------


def token_writes_work(dataset: Dataset) -> bool:
    """Whether a PUT authenticated by a bearer token alone gets past authentication: with
    CSRF enforced as on a real server, a stale version must answer 409 (nothing written).
    At the time of writing it answers 403 "CSRF check Failed": ``SessionAuth`` runs first
    in pilotage/api.py and django-ninja checks CSRF before looking for the cookie."""
    from django.test import Client as TestClient

    sheet = dataset.sheets[min(dataset.sheets)]
    client = TestClient(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {sheet.token}")
    response = client.put(
        f"/api/v1/schooling/sheets/{sheet.id}",
        {"version": -1, "marks": []},
        content_type="application/json",
    )
    if response.status_code not in (403, 409):
        raise RuntimeError(f"probe PUT answered {response.status_code}: {response.content[:300]!r}")
    return response.status_code == 409


def count_queries(dataset: Dataset, show: bool) -> dict[str, int]:
    """SQL statements one GET and one PUT run, through Django's test client in this
    process (the same code path as under gunicorn, minus the server)."""
    from django.db import connection, reset_queries
    from django.test import Client as TestClient
    from django.test.utils import CaptureQueriesContext

    sheet = dataset.sheets[min(dataset.sheets)]
    client = TestClient(HTTP_AUTHORIZATION=f"Bearer {sheet.token}")
    url = f"/api/v1/schooling/sheets/{sheet.id}"
    counts = {}
    listings: dict[str, list[str]] = {}
    client.get(url)  # the first request sets the token's last_used_at
    reset_queries()
    with CaptureQueriesContext(connection) as get_queries:
        grid = client.get(url).json()
    listings["GET"] = [q["sql"] for q in get_queries]
    rng = random.Random(0)
    body = {
        "version": grid["version"],
        "marks": [
            {"code_massar": r["code_massar"], "column": "test_1", "value": new_value(rng, None)}
            for r in grid["rows"]
        ],
    }
    for label, ctx_body in (("PUT (40 inserts)", body), ("PUT (40 updates)", None)):
        if ctx_body is None:
            grid = client.get(url).json()
            ctx_body = {
                "version": grid["version"],
                "marks": [
                    {
                        "code_massar": r["code_massar"],
                        "column": "test_1",
                        "value": new_value(rng, r["marks"]["test_1"]),
                    }
                    for r in grid["rows"]
                ],
            }
        reset_queries()
        with CaptureQueriesContext(connection) as put_queries:
            response = client.put(url, ctx_body, content_type="application/json")
        if response.status_code != 200:
            raise RuntimeError(f"PUT answered {response.status_code}: {response.content[:300]!r}")
        listings[label] = [q["sql"] for q in put_queries]
    for label, statements in listings.items():
        counts[label] = len(statements)
        if show:
            print(f"-- {label}")
            for statement in statements:
                print("  ", statement[:160])
    return counts


# --- Report ------------------------------------------------------------------------------


def fmt(x: float, digits: int = 0) -> str:
    return "–" if x != x else f"{x:,.{digits}f}"  # NaN → dash


def result_row(r: RunResult) -> str:
    errors = len(r.errors)
    return (
        f"| {r.label} | {fmt(r.rate, 1)} | {fmt(r.put_ms['p50'])} | {fmt(r.put_ms['p95'])}"
        f" | {fmt(r.put_ms['p99'])} | {fmt(r.get_ms.get('p99', float('nan')))}"
        f" | {r.conflicts} | {errors} | {len(r.lost)} | {fmt(100 * r.machine_busy)} %"
        f" | {fmt(r.cpu_ms_per_sheet.get('everything else', float('nan')), 1)} |"
    )


TABLE_HEAD = (
    "| run | sheets/s | PUT p50 ms | p95 | p99 | GET p99 ms | 409s | errors | lost | CPU busy"
    " | other CPU ms/sheet |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def report(
    *,
    args: argparse.Namespace,
    info: dict[str, str],
    dataset: Dataset,
    queries: dict[str, int],
    sweep: list[RunResult],
    full: RunResult,
    baseline: RunResult,
    baseline_connections: int,
    csrf_bug: bool,
    open_run: RunResult | None = None,
    floor: FloorResult | None = None,
) -> str:
    ratio = full.rate / baseline.rate if baseline.rate and full.rate else float("nan")
    rates = [w[0] for w in full.windows]
    p99s = [w[2] for w in full.windows]
    # A run shorter than a window has none.
    lo_rate, hi_rate = min(rates, default=math.nan), max(rates, default=math.nan)
    lo_p99, hi_p99 = min(p99s, default=math.nan), max(p99s, default=math.nan)
    goals = [
        (
            f"≥ {GOAL_RATE:.0f} sheets/s sustained",
            full.rate >= GOAL_RATE and lo_rate >= GOAL_RATE,
        ),
        (
            f"p99 ≤ {GOAL_P99_MS:.0f} ms at {GOAL_RATE:.0f} sheets/s",
            open_run is not None
            and (open_run.offered or 0) >= GOAL_RATE
            and open_run.due_ms["p99"] <= GOAL_P99_MS,
        ),
        ("zero errors", not full.errors),
        ("zero lost updates", not full.lost),
    ]
    cpu = ", ".join(f"{k} {v:.1f}" for k, v in full.cpu_ms_per_sheet.items())
    base_cpu = ", ".join(f"{k} {v:.2f}" for k, v in baseline.cpu_ms_per_sheet.items())
    lines = [
        f"Run on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC with",
        "",
        "```",
        shlex.join([".venv/bin/python", "bench/marks_peak.py", *sys.argv[1:]]),
        "```",
        "",
        "Machine:",
        "",
        common.machine_text(info),
        "",
        f"Data: {dataset.schools} collèges, {dataset.classes} classes of {args.pupils} pupils"
        f" ({dataset.pupils} pupils), {len(dataset.teachers)} teachers with a bearer token,"
        f" {len(dataset.sheets)} sheets of 4 columns (built in {dataset.built_in:.0f} s)."
        " Every cell holds a mark before the first run (written directly), so a save is one"
        " column of a sheet whose 40 marks all change: an update of 40 rows, the same in"
        f" every run. {args.clients} clients in a"
        " closed loop (PUT 40 marks with the version the last save returned, as the grid"
        " does, no think time; a GET only for a sheet not yet loaded or after a 409);"
        f" {int(args.clients * args.shared) // 2 * 2} of them in pairs sharing their sheets"
        " (409 then fresh GET and retry). The load generator (Python threads, http.client)"
        " runs on the same cores as gunicorn and PostgreSQL.",
        "",
        "Queries per request (Django test client): "
        + ", ".join(f"{k} {v}" for k, v in queries.items())
        + ".",
        "",
    ]
    if csrf_bug:
        lines += [
            "**Bug found:** a PUT authenticated by a bearer token alone is refused with 403"
            ' "CSRF check Failed" (pilotage/api.py lists `SessionAuth` before `TokenAuth`, and'
            " django-ninja's cookie auth checks CSRF before it looks for the cookie). The"
            " clients of this run also send a CSRF cookie and header so the rest of the path"
            " can be measured; an API client in the field gets 403 on every write.",
            "",
        ]
    if sweep:
        lines += [
            f"Worker sweep ({args.sweep_duration:.0f} s each after {args.warmup:.0f} s warm-up):",
            "",
            TABLE_HEAD,
            *[result_row(r) for r in sweep],
            "",
        ]
    lines += [
        f"Full run ({full.seconds:.0f} s after {args.warmup:.0f} s warm-up) and baseline"
        f" (same sheets, same number of saves, {baseline_connections} connections):",
        "",
        TABLE_HEAD,
        result_row(full),
        result_row(baseline),
        "",
        f"**Ratio ours / baseline: {ratio:.3f}** ({full.rate:.1f} vs {baseline.rate:.1f}"
        f" sheets/s; the baseline is {1 / ratio if ratio else float('inf'):.1f}× faster).",
        "",
        *(
            [
                f"Floor of the same server ({args.sweep_duration:.0f} s): `GET /healthz` (every"
                " middleware and one `SELECT 1`, no authentication, no work) answers"
                f" {floor.rate:.0f} requests/s in a closed loop of {args.clients} clients"
                f" (p99 {floor.p99_ms:.0f} ms), at "
                + ", ".join(f"{k} {v:.2f}" for k, v in floor.cpu_ms.items())
                + " CPU ms per request. **Ours / floor:"
                f" {full.rate / floor.rate:.2f}**: the saves run at that fraction of the rate"
                " at which this server answers requests that do nothing.",
                "",
            ]
            if floor is not None and floor.rate
            else []
        ),
        f"Per 10 s window, full run: sheets/s min {lo_rate:.1f}, max {hi_rate:.1f};"
        f" PUT p99 min {lo_p99:.0f} ms, max {hi_p99:.0f} ms. Sheets/s per window: "
        + " ".join(f"{r:.0f}" for r in rates)
        + ".",
        "",
        f"CPU ms per saved sheet, full run: {cpu}. Baseline: {base_cpu}."
        ' "Everything else" (the tables\' "other CPU") is the rest of the machine\'s busy'
        " time: other processes, PostgreSQL's background writers, the kernel; more than a"
        " few ms per sheet means the run was disturbed.",
        "",
        f"Load average after the full run: {full.load_after}; after the baseline:"
        f" {baseline.load_after}.",
        "",
        f"Read-back: {full.saves_checked} successful saves checked (all runs verify the same"
        f" way); 409s on clients that share no sheet: {full.conflicts_unshared};"
        f" 200s that changed fewer than 40 marks: {full.unchanged}.",
        "",
    ]
    if open_run is not None:
        lines += [
            "",
            f"Open loop ({open_run.seconds:.0f} s after {args.warmup:.0f} s warm-up): the same"
            f" {args.clients} clients, each save due on a fixed schedule so that"
            f" {open_run.offered:.0f} sheets/s fall due in all; latency from when a save was"
            " due to its 200, waiting and retries after a 409 included (a late save does not"
            " delay the schedule):",
            "",
            "| offered sheets/s | saved sheets/s | due → saved p50 ms | p95 | p99 | max | 409s"
            " | errors | lost |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| {open_run.offered:.0f} | {open_run.rate:.1f} | {fmt(open_run.due_ms['p50'])}"
            f" | {fmt(open_run.due_ms['p95'])} | {fmt(open_run.due_ms['p99'])}"
            f" | {fmt(open_run.due_ms['max'])} | {open_run.conflicts} | {len(open_run.errors)}"
            f" | {len(open_run.lost)} |",
        ]
    lines += [
        "",
        "Goal: " + "; ".join(f"{name}: {'met' if ok else 'NOT met'}" for name, ok in goals) + ".",
    ]
    if full.errors:
        lines += ["", "First errors:", "", *[f"- `{e}`" for e in full.errors[:5]]]
    if full.lost:
        lines += ["", "First lost updates:", "", *[f"- {e}" for e in full.lost[:5]]]
    return "\n".join(lines)


def print_run(r: RunResult) -> None:
    print(
        f"  {r.label}: {r.rate:.1f} sheets/s ({r.saves} in {r.seconds:.0f} s);"
        f" PUT ms p50 {fmt(r.put_ms['p50'])} p95 {fmt(r.put_ms['p95'])}"
        f" p99 {fmt(r.put_ms['p99'])} max {fmt(r.put_ms['max'])};"
        f" 409s {r.conflicts}; errors {len(r.errors)}; lost {len(r.lost)};"
        f" CPU busy {100 * r.machine_busy:.0f} %; load average after {r.load_after}"
    )
    print("   CPU ms/sheet: " + ", ".join(f"{k} {v:.2f}" for k, v in r.cpu_ms_per_sheet.items()))
    print("   per 10 s: " + " ".join(f"{w[0]:.0f}" for w in r.windows))
    if r.offered:
        print(
            f"   open loop, {r.offered:.0f} sheets/s due: due → saved ms"
            f" p50 {fmt(r.due_ms['p50'])} p95 {fmt(r.due_ms['p95'])} p99 {fmt(r.due_ms['p99'])}"
        )
    for e in r.errors[:3]:
        print("   error:", e)
    for e in r.lost[:3]:
        print("   lost:", e)


# --- Main --------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clients", type=int, default=100)
    p.add_argument("--duration", type=float, default=300, help="seconds of the full run")
    p.add_argument("--warmup", type=float, default=10, help="seconds before measuring")
    p.add_argument("--workers", type=int, nargs="+", default=[2, 4, 5])
    p.add_argument("--threads", type=int, nargs="+", default=[1])
    p.add_argument(
        "--sweep-duration",
        type=float,
        default=60,
        help="seconds per configuration when several are given; the best is then run in full",
    )
    p.add_argument(
        "--open-rate",
        type=float,
        default=None,
        help="sheets/s offered in the open-loop run after the full run (default: the goal,"
        " or 80%% of the full run's rate if lower; 0 skips it)",
    )
    p.add_argument("--open-duration", type=float, default=60)
    p.add_argument("--shared", type=float, default=0.1, help="share of clients in pairs")
    p.add_argument("--classes-per-school", type=int, default=4)
    p.add_argument("--pupils", type=int, default=40)
    p.add_argument(
        "--gunicorn-args",
        default="--timeout 60 --max-requests 2000 --max-requests-jitter 200",
        help="the other flags of docs/deployment.md",
    )
    p.add_argument(
        "--app",
        default="pilotage.wsgi",
        help="WSGI module for gunicorn: another one (with --gunicorn-args '--pythonpath DIR')"
        " measures a candidate change without touching the product",
    )
    p.add_argument("--show-queries", action="store_true")
    p.add_argument("--no-record", dest="record", action="store_false")
    return p.parse_args()


def main() -> int:
    args = parse_args()
    # No collectstatic in the throwaway setup; the API serves no static file.
    warnings.filterwarnings("ignore", message="No directory at")
    info = common.machine()
    print("Marks peak —", ", ".join(f"{k}: {v}" for k, v in info.items()))
    with common.temp_database("bench_marks") as db_url:
        common.django_setup(db_url, DJANGO_DEBUG="false")
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0)
        dataset = build_dataset(
            teachers=args.clients,
            classes_per_school=args.classes_per_school,
            pupils_per_class=args.pupils,
        )
        print(
            f"data: {dataset.schools} schools, {dataset.classes} classes, {dataset.pupils}"
            f" pupils, {len(dataset.sheets)} sheets, built in {dataset.built_in:.1f} s"
        )
        queries = count_queries(dataset, args.show_queries)
        print("queries per request:", queries)
        print(f"prefilled {prefill(dataset)} marks")
        csrf_bug = not token_writes_work(dataset)
        headers = {}
        if csrf_bug:
            # What a browser session would send; any well-formed secret passes the check.
            secret = secrets.token_hex(16)
            headers = {"Cookie": f"csrftoken={secret}", "X-CSRFToken": secret}
            print(
                "BUG: a PUT with a bearer token alone is refused (403 CSRF check Failed);"
                " the clients also send a CSRF cookie and header to measure the rest"
            )
        jobs = client_sheets(dataset, args.clients, args.shared)
        configs = [(w, t) for w in args.workers for t in args.threads]
        env = common.production_env(db_url)
        extra = shlex.split(args.gunicorn_args)

        def run(
            workers: int, threads: int, duration: float, offered: float | None = None
        ) -> RunResult:
            label = f"gunicorn {workers} workers × {threads} thread{'s' if threads > 1 else ''}"
            with common.gunicorn(
                env, workers=workers, threads=threads, extra_args=extra, app=args.app
            ) as srv:
                print(f"{label} (pid {srv.pid}, log {srv.log}): {duration:.0f} s …", flush=True)
                result = run_http(
                    label=label,
                    server=srv,
                    db_url=db_url,
                    dataset=dataset,
                    jobs=jobs,
                    warmup=args.warmup,
                    duration=duration,
                    headers=headers,
                    offered=offered,
                )
            connections.close_all()
            print_run(result)
            return result

        sweep: list[RunResult] = []
        if len(configs) > 1:
            sweep = [run(w, t, args.sweep_duration) for w, t in configs]
            best = configs[max(range(len(sweep)), key=lambda i: sweep[i].rate)]
        else:
            best = configs[0]
        full = run(*best, args.duration)
        open_run = None
        if args.open_rate != 0:
            offered = args.open_rate or round(min(GOAL_RATE, 0.8 * full.rate))
            open_run = run(*best, args.open_duration, offered=offered)
        with common.gunicorn(env, workers=best[0], threads=best[1], extra_args=extra) as srv:
            print(f"floor: GET /healthz, {args.clients} clients, {args.sweep_duration:.0f} s …")
            floor = run_floor(
                server=srv,
                db_url=db_url,
                clients=args.clients,
                warmup=args.warmup,
                duration=args.sweep_duration,
            )
        print(f"  {floor.rate:.1f} requests/s, p99 {floor.p99_ms:.0f} ms, CPU ms {floor.cpu_ms}")

        free = common.pg_free_connections(db_url) - 5
        baseline_clients = min(args.clients, free)
        print(f"baseline: psycopg, {baseline_clients} connections, {full.saves} sheets …")
        baseline = run_baseline(
            db_url=db_url,
            dataset=dataset,
            jobs=jobs[:baseline_clients],
            target=full.saves,
            max_seconds=args.duration,
        )
        print_run(baseline)
        connections.close_all()
        text = report(
            args=args,
            info=info,
            dataset=dataset,
            queries=queries,
            sweep=sweep,
            full=full,
            baseline=baseline,
            baseline_connections=baseline_clients,
            csrf_bug=csrf_bug,
            open_run=open_run,
            floor=floor,
        )
    print()
    print(text)
    if args.record:
        common.record_section("Marks peak", text)
        print(f"\nrecorded in {common.BENCHMARKS_MD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
