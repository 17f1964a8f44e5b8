"""Portfolio dashboard: 5 000 projects × 20 years of transactions in four currencies on
PostgreSQL, 50 concurrent clients on the finance dashboard through gunicorn, against the
same aggregate computed straight in SQL, over the raw transactions and over the aggregate
table, in the same run on the same data.

The claim (issue "Cooperation", Performance): p95 ≤ 200 ms with 50 concurrent clients,
query count constant in the number of projects.

The finance officer's dashboard reads ``FinanceCountryFact`` (sums per country, month,
kind and currency); the three SQL baselines compute the same sums over the raw
transactions, over the per-project aggregate and over the per-country one.

Data: 250 programmes of 20 projects (10 countries), each project 20 years (2007–2026);
a budget a year; a month: one disbursement and one expenditure (every fourth month's
expenditure in USD); a quarter: incoming funds; a year: an incoming commitment. Project
currencies: EUR, MAD, XOF, USD. Monthly MAD and USD rates over the 20 years. Rows are
written with COPY; the aggregate (``FinanceFact``) is rebuilt in SQL.

    .venv/bin/python bench/cooperation_portfolio.py
    .venv/bin/python bench/cooperation_portfolio.py --projects 500 --duration 20 --no-record
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.cookiejar
import io
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from decimal import Decimal

import common
import psycopg

GOAL_P95_MS = 200.0
FIRST_YEAR, YEARS = 2007, 20
COUNTRIES = ["SN", "ML", "CI", "BF", "NE", "MA", "TN", "MR", "CM", "GA"]
CURRENCIES = ["EUR", "MAD", "XOF", "USD"]
PASSWORD = "bench-portfolio-password-1"  # noqa: S105 - a throwaway bench database


def _copy(conn: psycopg.Connection, table: str, columns: list[str], rows) -> int:  # type: ignore[type-arg]
    n = 0
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
        for row in rows:
            cp.write_row(row)
            n += 1
    return n


def build(url: str, projects: int) -> dict[str, float]:
    """Countries, the finance officer, programmes and projects through the ORM; budgets,
    transactions and rates with COPY; then the aggregate rebuilt in SQL."""
    from pilotage.accounts.models import User
    from pilotage.accounts.services import role_assign
    from pilotage.cooperation.models import Programme, Project
    from pilotage.cooperation.roles import FINANCE_OFFICER
    from pilotage.cooperation.services.finance import finance_facts_rebuild
    from pilotage.orgunits.tests.factories import make_unit

    t0 = time.perf_counter()
    units = {c: make_unit(None, code=c, name_fr=f"Pays {c}") for c in COUNTRIES}
    morocco = units["MA"]
    user = User.objects.create_user(username="bench.finance", password=PASSWORD)
    role_assign(actor=None, user=user, role=FINANCE_OFFICER, org_unit=morocco)
    for unit in units.values():
        unit.refresh_from_db()
    per_programme = 20
    programmes = Programme.objects.bulk_create(
        Programme(
            code=f"prog-{i}",
            title_fr=f"Programme {i}",
            start_date=dt.date(FIRST_YEAR, 1, 1),
            end_date=dt.date(FIRST_YEAR + YEARS - 1, 12, 31),
        )
        for i in range(max(1, projects // per_programme))
    )
    made = Project.objects.bulk_create(
        Project(
            programme=programmes[i // per_programme % len(programmes)],
            code=f"proj-{i}",
            title_fr=f"Projet {i}",
            country=units[COUNTRIES[i % len(COUNTRIES)]],
            start_date=dt.date(FIRST_YEAR, 1, 1),
            end_date=dt.date(FIRST_YEAR + YEARS - 1, 12, 31),
            default_currency=CURRENCIES[i % len(CURRENCIES)],
        )
        for i in range(projects)
    )
    t1 = time.perf_counter()
    rng = random.Random(7)  # noqa: S311 - bench data
    scale = {"EUR": 1, "USD": 1, "MAD": 11, "XOF": 656}

    def budgets():
        for p in made:
            for y in range(FIRST_YEAR, FIRST_YEAR + YEARS):
                amount = 120_000 * scale[p.default_currency]
                d = dt.date(y, 1, 1)
                yield (p.pk, "1", "1", d, dt.date(y, 12, 31), amount, p.default_currency, d, 1)

    def transactions():
        for p in made:
            cur = p.default_currency
            for y in range(FIRST_YEAR, FIRST_YEAR + YEARS):
                month_amount = 10_000 * scale[cur]
                d = dt.date(y, 1, 2)
                yield (p.pk, "11", d, d, 120_000 * scale[cur], cur, f"IC-{y}", "", d)
                for m in range(1, 13):
                    d = dt.date(y, m, 1 + rng.randrange(27))
                    if m % 3 == 1:
                        yield (p.pk, "1", d, d, 3 * month_amount, cur, f"IF-{y}-{m}", "", d)
                    yield (p.pk, "3", d, d, month_amount, cur, f"DB-{y}-{m}", "", d)
                    if m % 4 == 0:
                        yield (p.pk, "4", d, d, Decimal("8000.50"), "USD", f"EX-{y}-{m}", "", d)
                    else:
                        yield (p.pk, "4", d, d, 8 * scale[cur] * 1000, cur, f"EX-{y}-{m}", "", d)

    def rates():
        mad, usd = 10.8, 1.1
        for y in range(FIRST_YEAR, FIRST_YEAR + YEARS):
            for m in range(1, 13):
                mad *= 1 + rng.uniform(-0.01, 0.01)
                usd *= 1 + rng.uniform(-0.015, 0.015)
                yield ("MAD", dt.date(y, m, 1), round(mad, 4), "bench")
                yield ("USD", dt.date(y, m, 1), round(usd, 4), "bench")

    counts = {}
    with psycopg.connect(url) as conn:
        counts["budgets"] = _copy(
            conn,
            "cooperation_budget",
            [
                "project_id",
                "type",
                "status",
                "period_start",
                "period_end",
                "amount",
                "currency",
                "value_date",
                "version",
            ],
            budgets(),
        )
        # created_at: the COPY gives the value date's midnight (any aware time will do).
        counts["transactions"] = _copy(
            conn,
            "cooperation_transaction",
            [
                "project_id",
                "type",
                "transaction_date",
                "value_date",
                "amount",
                "currency",
                "reference",
                "description",
                "created_at",
            ],
            transactions(),
        )
        counts["rates"] = _copy(
            conn,
            "cooperation_exchangerate",
            ["currency", "valid_from", "units_per_eur", "source"],
            rates(),
        )
        conn.commit()
    t2 = time.perf_counter()
    from django.db import connection

    counts["facts"] = finance_facts_rebuild()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    t3 = time.perf_counter()
    return {
        **{k: float(v) for k, v in counts.items()},
        "orm_s": t1 - t0,
        "copy_s": t2 - t1,
        "facts_s": t3 - t2,
    }


RAW_SQL = """
SELECT EXTRACT(YEAR FROM t.value_date)::int, EXTRACT(MONTH FROM t.value_date)::int,
       p.country_id, t.type, t.currency, SUM(t.amount)
FROM cooperation_transaction t JOIN cooperation_project p ON p.id = t.project_id
GROUP BY 1, 2, 3, 4, 5
"""
FACT_SQL = """
SELECT f.year, f.month, p.country_id, f.kind, f.currency, SUM(f.amount)
FROM cooperation_financefact f JOIN cooperation_project p ON p.id = f.project_id
GROUP BY 1, 2, 3, 4, 5
"""

COUNTRY_SQL = """
SELECT year, month, country_key, kind, currency, SUM(amount)
FROM cooperation_financecountryfact GROUP BY 1, 2, 3, 4, 5
"""


def sql_baseline(url: str, sql: str, repeat: int) -> list[float]:
    times = []
    with psycopg.connect(url) as conn:
        conn.execute(sql).fetchall()  # warm
        for _ in range(repeat):
            start = time.perf_counter()
            conn.execute(sql).fetchall()
            times.append((time.perf_counter() - start) * 1000)
    return sorted(times)


class _BehindProxy(http.cookiejar.DefaultCookiePolicy):
    def return_ok_secure(self, cookie: http.cookiejar.Cookie, request: object) -> bool:
        return True


def client(base: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar(policy=_BehindProxy())
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [
        ("X-Forwarded-Proto", "https"),
        ("Referer", base.replace("http", "https") + "/"),
    ]
    with opener.open(base + "/accounts/login/", timeout=60) as r:
        body = r.read().decode()
    token = body.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    data = urllib.parse.urlencode(
        {"username": "bench.finance", "password": PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    # Only ever http://127.0.0.1 (the server this script started).
    with opener.open(urllib.request.Request(base + "/accounts/login/", data=data), timeout=60) as r:  # noqa: S310
        if "/accounts/login/" in r.geturl():
            raise RuntimeError("login refused")
    return opener


def hammer(base: str, clients: int, duration: float) -> tuple[list[float], int]:
    openers = [client(base) for _ in range(clients)]
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def run(opener: urllib.request.OpenerDirector) -> None:
        while time.monotonic() < deadline:
            start = time.perf_counter()
            try:
                with opener.open(base + "/cooperation/finance/?currency=EUR", timeout=120) as r:
                    r.read()
                    ok = r.status == 200
            except Exception:  # noqa: BLE001 - counted
                ok = False
            ms = (time.perf_counter() - start) * 1000
            with lock:
                if ok:
                    times.append(ms)
                else:
                    errors[0] += 1

    threads = [threading.Thread(target=run, args=(o,)) for o in openers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(times), errors[0]


def query_count() -> tuple[int, float, int, float]:
    """Queries and time of one dashboard not cached (the cache cleared), then cached."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pilotage.accounts.models import User
    from pilotage.cooperation.selectors.finance import portfolio_dashboard

    user = User.objects.get(username="bench.finance")
    portfolio_dashboard(user, currency="EUR")
    out: list[float] = []
    for clear in (True, False):
        runs = []
        for _ in range(5):
            if clear:
                cache.clear()
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                portfolio_dashboard(user, currency="EUR")
                runs.append((time.perf_counter() - start) * 1000)
        out += [len(ctx.captured_queries), statistics.median(runs)]
    return int(out[0]), out[1], int(out[2]), out[3]


def profile_once() -> str:
    import cProfile
    import pstats

    from django.core.cache import cache

    from pilotage.accounts.models import User
    from pilotage.cooperation.selectors.finance import portfolio_dashboard

    user = User.objects.get(username="bench.finance")
    cache.clear()
    prof = cProfile.Profile()
    prof.enable()
    portfolio_dashboard(user, currency="EUR")
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(12)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    info = common.machine()
    with common.temp_database("bench_finperf") as url:
        env = common.production_env(url)
        for step in (
            ["collectstatic", "--noinput", "--verbosity", "0"],
            ["migrate", "--verbosity", "0"],
        ):
            subprocess.run(
                [sys.executable, "manage.py", *step], cwd=common.ROOT, env=env, check=True
            )  # noqa: S603
        common.django_setup(url)
        built = build(url, args.projects)
        print(f"data: {built}", file=sys.stderr)
        queries, inproc_ms, hit_queries, hit_ms = query_count()
        raw = sql_baseline(url, RAW_SQL, 5)
        facts = sql_baseline(url, FACT_SQL, 5)
        country = sql_baseline(url, COUNTRY_SQL, 5)
        profile = profile_once()
        with common.gunicorn(env, workers=args.workers, threads=1) as server:
            base = f"http://127.0.0.1:{server.port}"
            times, errors = hammer(base, args.clients, args.duration)
    p50 = common.percentile(times, 50)
    p95 = common.percentile(times, 95)
    raw_med, facts_med = statistics.median(raw), statistics.median(facts)
    country_med = statistics.median(country)
    lines = [
        f"Command: `.venv/bin/python bench/cooperation_portfolio.py --projects {args.projects} "
        f"--clients {args.clients} --duration {args.duration:g} --workers {args.workers}` "
        f"({dt.date.today():%Y-%m-%d})",  # noqa: DTZ011
        "",
        common.machine_text(info),
        "",
        f"Data: {args.projects} projects × {YEARS} years, "
        f"{int(built['transactions'])} transactions, {int(built['budgets'])} budgets, "
        f"{int(built['rates'])} rates, {int(built['facts'])} facts "
        f"(ORM {built['orm_s']:.0f} s, COPY {built['copy_s']:.0f} s, aggregate rebuild "
        f"{built['facts_s']:.0f} s).",
        "",
        "| measure | value |",
        "|---|---|",
        f"| dashboard over HTTP, {args.clients} clients: requests "
        f"| {len(times)} ({errors} errors) |",
        f"| p50 | {p50:.0f} ms |",
        f"| p95 (goal ≤ {GOAL_P95_MS:.0f} ms) | {p95:.0f} ms (ratio {p95 / GOAL_P95_MS:.1f}) |",
        f"| throughput | {len(times) / args.duration:.1f} pages/s |",
        f"| queries per dashboard (constant): not cached / cached | {queries} / {hit_queries} |",
        f"| dashboard selector in-process, not cached (median of 5) | {inproc_ms:.1f} ms |",
        f"| dashboard selector in-process, cached (median of 5) | {hit_ms:.2f} ms |",
        f"| baseline: the same sums in SQL over raw transactions (median of 5) "
        f"| {raw_med:.0f} ms |",
        f"| baseline: the same sums in SQL over the aggregate table (median of 5) "
        f"| {facts_med:.0f} ms |",
        f"| baseline: the same sums in SQL over the per-country aggregate (median of 5) "
        f"| {country_med:.1f} ms |",
        f"| selector / SQL over the per-country aggregate | {inproc_ms / country_med:.1f} |",
        f"| SQL over raw / SQL over the per-country aggregate | {raw_med / country_med:.0f} |",
        "",
        "Profile of one dashboard not cached (in-process, cumulative):",
        "",
        "```",
        *[
            line.replace(str(common.ROOT) + "/", "")
            for line in profile.splitlines()
            if line.strip()
        ][:30],
        "```",
    ]
    body = "\n".join(lines)
    print(body)
    if not args.no_record:
        common.record_section("Cooperation portfolio dashboard", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
