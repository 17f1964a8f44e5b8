"""Page budgets: every page each demo persona reaches from its home page, on the small
demo, timed against the floor of the same server.

The claim (issue "School records as their users find them"): no page response over
250 ms on the small demo.

What it builds, in a throwaway PostgreSQL database: ``seed_demo --scale small`` (the data
``make run`` shows), then gunicorn as in docs/deployment.md (production settings, no
HTTPS on loopback).

What it measures, one client at a time over loopback (a quiet server: this is the cost of
one page, not the behaviour under load, which ``marks_peak.py`` measures):

- for every demo account: log in, then follow the links of the pages breadth-first from
  the home page (same origin, GET only; no logout, admin, API, downloads or language
  switch; a link that differs only by its query string is visited once per path and
  parameter names), up to ``--max-pages`` pages per account;
- each page is fetched once untimed (warm-up), then ``--repeat`` times: median and worst;
- the baseline: ``GET /healthz`` by the same client (the floor of the server: routing,
  middleware, a response), the same number of times.

Nothing is asserted: the pages over budget and every page's figures are printed, and the
section "Page budgets (small demo)" of BENCHMARKS.md is rewritten.

    .venv/bin/python bench/page_budgets.py
    .venv/bin/python bench/page_budgets.py --max-pages 20 --repeat 3 --no-record
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shlex
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser

import common

BUDGET_MS = 250.0
SKIP = re.compile(
    r"^/(accounts/logout|admin/|api/|i18n/|static/|media/)|\.(pdf|xlsx|csv|xml|json|zip)$"
)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.csrf = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href") and not a.get("download"):
            self.links.append(a["href"] or "")
        if tag == "input" and a.get("name") == "csrfmiddlewaretoken":
            self.csrf = a.get("value") or ""


@dataclass
class PageTiming:
    account: str
    url: str
    status: int
    times_ms: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms) if self.times_ms else float("nan")

    @property
    def worst(self) -> float:
        return max(self.times_ms) if self.times_ms else float("nan")


class _BehindProxy(http.cookiejar.DefaultCookiePolicy):
    """The production settings mark cookies Secure; on loopback there is no TLS proxy, so
    the client says it came through one (``X-Forwarded-Proto``) and sends them back."""

    def return_ok_secure(self, cookie: http.cookiejar.Cookie, request: object) -> bool:
        return True


class Client:
    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar(policy=_BehindProxy())
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener.addheaders = [
            ("X-Forwarded-Proto", "https"),
            ("Referer", base.replace("http://", "https://") + "/"),
        ]

    def get(self, url: str) -> tuple[int, str, float, str]:
        start = time.perf_counter()
        try:
            with self.opener.open(self.base + url, timeout=60) as response:
                body = response.read().decode("utf-8", "replace")
                status, final = response.status, response.geturl()
        except urllib.error.HTTPError as exc:
            body, status, final = "", exc.code, self.base + url
        return status, body, (time.perf_counter() - start) * 1000, final

    def login(self, username: str, password: str) -> bool:
        _, body, _, _ = self.get("/accounts/login/")
        parser = _Links()
        parser.feed(body)
        data = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": parser.csrf}
        ).encode()
        # Only ever http://127.0.0.1 (the server this script started).
        request = urllib.request.Request(self.base + "/accounts/login/", data=data)  # noqa: S310
        with self.opener.open(request, timeout=60) as response:
            return "/accounts/login/" not in response.geturl()


def _key(url: str) -> tuple[str, tuple[str, ...]]:
    parts = urllib.parse.urlsplit(url)
    return parts.path, tuple(sorted(urllib.parse.parse_qs(parts.query)))


def crawl(client: Client, account: str, max_pages: int, repeat: int) -> list[PageTiming]:
    seen: set[tuple[str, tuple[str, ...]]] = set()
    queue: deque[str] = deque(["/"])
    timings: list[PageTiming] = []
    while queue and len(timings) < max_pages:
        url = queue.popleft()
        if _key(url) in seen:
            continue
        seen.add(_key(url))
        status, body, _, final = client.get(url)  # warm-up, and the links
        if not final.startswith(client.base) or "/accounts/login/" in final:
            continue
        timing = PageTiming(account, url, status)
        timing.times_ms = [client.get(url)[2] for _ in range(repeat)]
        timings.append(timing)
        parser = _Links()
        parser.feed(body)
        for href in parser.links:
            target = urllib.parse.urljoin(client.base + url, href)
            if not target.startswith(client.base):
                continue
            path = target[len(client.base) :].split("#", 1)[0]
            if path and not SKIP.search(urllib.parse.urlsplit(path).path):
                queue.append(path)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-pages", type=int, default=40, help="pages per account (40)")
    parser.add_argument("--repeat", type=int, default=5, help="timed fetches per page (5)")
    parser.add_argument("--no-record", action="store_true", help="do not rewrite BENCHMARKS.md")
    args = parser.parse_args()
    info = common.machine()
    with common.temp_database("bench_pages") as url:
        env = common.production_env(url)
        manage = [sys.executable, "manage.py"]
        steps = (
            ["collectstatic", "--noinput", "--verbosity", "0"],  # the manifest whitenoise serves
            ["migrate", "--verbosity", "0"],
            ["seed_demo", "--scale", "small"],
        )
        for step in steps:
            subprocess.run([*manage, *step], cwd=common.ROOT, env=env, check=True)  # noqa: S603
        common.django_setup(url)
        from pilotage.demo.people import DEMO_USERNAMES, PASSWORD

        with common.gunicorn(env, workers=2) as server:
            base = f"http://127.0.0.1:{server.port}"
            floor_client = Client(base)
            floor = sorted(floor_client.get("/healthz")[2] for _ in range(50))
            timings: list[PageTiming] = []
            for username in DEMO_USERNAMES:
                client = Client(base)
                if not client.login(username, PASSWORD):
                    print(f"{username}: login refused, skipped", file=sys.stderr)
                    continue
                mine = crawl(client, username, args.max_pages, args.repeat)
                print(f"{username}: {len(mine)} pages", file=sys.stderr)
                timings += mine
    floor_ms = statistics.median(floor)
    timings.sort(key=lambda t: -t.median)
    over = [t for t in timings if t.worst > BUDGET_MS]
    errors = [t for t in timings if t.status >= 400]
    medians = sorted(t.median for t in timings)
    rows = "\n".join(
        f"| {t.account} | `{t.url}` | {t.status} | {t.median:.0f} | {t.worst:.0f} "
        f"| {t.median / floor_ms:.1f} |"
        for t in timings[:25]
    )
    over_text = ", ".join(f"`{t.url}` ({t.account}, {t.worst:.0f} ms)" for t in over[:10])
    error_text = ", ".join(f"`{t.url}` {t.status}" for t in errors[:10])
    p95 = common.percentile(medians, 95)
    command = shlex.join(["python", "bench/page_budgets.py", *sys.argv[1:]])
    body = f"""Command: `{command}` — {len(timings)} pages of {len({t.account for t in timings})}
demo accounts on the small demo, PostgreSQL, gunicorn 2 workers, one client at a time;
each page {args.repeat} timed fetches after a warm-up.

- budget: no page over {BUDGET_MS:.0f} ms (worst of its fetches);
- pages over budget: **{len(over)}** {over_text};
- pages answering an error: {len(errors)} {error_text};
- page medians: median {statistics.median(medians):.1f} ms, p95 {p95:.1f} ms,
  slowest {medians[-1]:.1f} ms;
- baseline, `GET /healthz` by the same client: median {floor_ms:.2f} ms
  (× floor = page median / this floor).

The 25 slowest pages:

| account | page | status | median ms | worst ms | × floor |
|---|---|---|---|---|---|
{rows}

Machine:
{common.machine_text(info)}
"""
    print(body)
    if not args.no_record:
        common.record_section("Page budgets (small demo)", body)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
