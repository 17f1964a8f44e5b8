"""Helpers shared by the bench scripts: a throwaway PostgreSQL database, a gunicorn server
started the way docs/deployment.md runs it, CPU accounting from /proc, percentiles, the
machine description, and the section writer for BENCHMARKS.md.

Importing this module puts the repository root on ``sys.path`` so a script started as
``.venv/bin/python bench/<name>.py`` can import ``pilotage`` after :func:`django_setup`.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import platform
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"
BENCHMARKS_HEADER = """# Benchmarks

The last results of the scripts in `bench/` (see bench/README.md). Each section says the
machine, the command and the date; timings are never pass/fail tests.
"""


# --- PostgreSQL --------------------------------------------------------------------------


def _with_dbname(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


@contextlib.contextmanager
def temp_database(prefix: str = "bench") -> Iterator[str]:
    """Create an empty database on the server of ``BENCH_PG_URL`` and drop it on the way
    out, whatever happens (connections still open are terminated: PostgreSQL 13+)."""
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield _with_dbname(PG_ADMIN_URL, name)
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def pg_setting(url: str, name: str) -> str:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT current_setting(%s)", [name]).fetchone()
    return str(row[0]) if row else ""


def pg_free_connections(url: str) -> int:
    """Connection slots left on the server (max_connections minus those in use)."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT current_setting('max_connections')::int - count(*) FROM pg_stat_activity"
        ).fetchone()
    return int(row[0]) if row else 0


def pg_backend_pids(url: str) -> list[int]:
    """Server processes connected to the database of ``url`` (except this query's)."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        ).fetchall()
    return [int(r[0]) for r in rows]


def django_setup(database_url: str, **env: str) -> None:
    """Point Django at ``database_url`` and set it up in this process."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pilotage.settings")
    os.environ.update(env)
    import django

    django.setup()


# --- gunicorn ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def production_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of docs/deployment.md, minus HTTPS (no proxy on loopback)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    env.update(
        PILOTAGE_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        SECURE_SSL_REDIRECT="false",
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        DB_CONN_MAX_AGE="600",
    )
    env.update(extra)
    return env


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def worker_pids(self) -> list[int]:
        return children_of(self.pid)


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str],
    *,
    workers: int,
    threads: int = 1,
    extra_args: Sequence[str] = (),
    log: Path | None = None,
    app: str = "pilotage.wsgi",
) -> Iterator[Server]:
    """Start gunicorn on a free loopback port, wait for /healthz, stop it on the way out."""
    port = free_port()
    log = log or Path(f"/tmp/bench-gunicorn-{port}.log")  # noqa: S108
    cmd = [
        str(VENV_BIN / "gunicorn"),
        app,
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--bind",
        f"127.0.0.1:{port}",
        *extra_args,
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(process, port, log)
    try:
        _wait_healthy(server, workers)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_healthy(server: Server, workers: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited; see {server.log}")
        with contextlib.suppress(OSError):
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200 and len(server.worker_pids()) >= workers:
                conn.close()
                return
            conn.close()
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer /healthz within {timeout:.0f} s; see {server.log}")


# --- /proc accounting --------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def children_of(pid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields and int(fields[1]) == pid:
                pids.append(int(entry.name))
    return pids


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU time of ``pids`` (processes gone since count as zero)."""
    total = 0
    for pid in pids:
        fields = _stat_fields(pid)
        if fields:
            total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


class CpuSampler:
    """CPU seconds spent by a changing set of processes over a period, e.g. gunicorn
    workers that ``--max-requests`` recycles, or the database backends they open.

    ``pids()`` is called every ``interval`` seconds; a process seen at the start counts
    from its CPU time then, one that appears later from zero, one that exits with the CPU
    time last seen (so at most ``interval`` of its work is missed)."""

    def __init__(self, pids: Callable[[], Iterable[int]], interval: float = 0.5):
        self._pids, self._interval = pids, interval
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        for pid in self._pids():
            seconds = cpu_seconds([pid])
            if seconds:  # zero: gone between the listing and the read, or just born
                self._last[pid] = seconds
                self._first.setdefault(pid, 0.0)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self._sample()

    def start(self) -> CpuSampler:
        for pid in self._pids():
            self._first[pid] = self._last[pid] = cpu_seconds([pid])
        self._thread.start()
        return self

    def stop(self) -> float:
        self._sample()
        self._stop.set()
        self._thread.join()
        return sum(self._last[pid] - self._first[pid] for pid in self._last)


def machine_busy_seconds() -> float:
    """CPU seconds spent by the whole machine (all cores) outside idle and iowait."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / CLOCK_TICKS


# --- Figures -----------------------------------------------------------------------------


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted sequence (``q`` in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(q / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def machine() -> dict[str, str]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        match = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        cpu = match.group(1).strip() if match else cpu
    mem_kb = 0
    with contextlib.suppress(OSError, AttributeError):
        mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
    versions = {}
    for package in ("django", "gunicorn", "psycopg"):
        with contextlib.suppress(Exception):
            from importlib.metadata import version

            versions[package] = version(package)
    pg = "unknown"
    with contextlib.suppress(psycopg.Error):
        pg = pg_setting(PG_ADMIN_URL, "server_version")
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "postgresql": pg,
        "python": platform.python_version(),
        **versions,
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def machine_text(info: dict[str, str]) -> str:
    return "\n".join(f"- {k}: {v}" for k, v in info.items())


NOTES_HEADING = "### Notes"


def record_section(title: str, body: str, path: Path = BENCHMARKS_MD) -> None:
    """Replace the ``## title`` section of BENCHMARKS.md (or append it), leaving the
    other sections as they are. A ``### Notes`` part written by hand at the end of the
    section (the analysis of a run) is kept, after the new figures."""
    text = path.read_text(encoding="utf-8") if path.exists() else BENCHMARKS_HEADER
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.M | re.S)
    match = pattern.search(text)
    notes = ""
    if match and f"\n{NOTES_HEADING}" in match.group(0):
        notes = NOTES_HEADING + match.group(0).split(f"\n{NOTES_HEADING}", 1)[1].rstrip()
    section = f"## {title}\n\n{body.strip()}\n" + (f"\n{notes}\n" if notes else "")
    if match:
        text = text[: match.start()] + section + "\n" + text[match.end() :]
        text = text.rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + section
    path.write_text(text, encoding="utf-8")
