"""Surveys: compile and render a 300-question form; 50 concurrent respondents submitting.

The claims (issue "Surveys", Performance): report the milliseconds per render of a
300-question form with 20 groups and 3 repeats; p95 of a page submit ≤ 150 ms with 50
concurrent respondents.

- **Compile**: ``compile_xlsform`` (pyxform's conversion plus our checks: every expression
  parsed by our grammar, the circular calculations) against pyxform's ``convert`` alone on
  the same workbook, best and median of ``--repeats``.
- **Render**: the respondent's page of that form (``GET /surveys/r/<token>/``) through
  Django's test client, p50/p95 over ``--renders`` requests after a warm-up, against the
  floor of a page of the same site that draws 300 plain inputs (the base template and a
  loop, no form logic).
- **Submit**: gunicorn as in docs/deployment.md (``--workers``, PostgreSQL), ``--clients``
  respondents each with their own personal link, in a closed loop: each GETs their page
  once (the CSRF cookie and token), then POSTs the whole page ``--rounds`` times ("save
  for later": every answer checked by the server, every relevance and constraint
  evaluated, the draft written), the last one sending it. p50/p95/p99 of the POSTs, and
  the same clients' ``GET /healthz`` (every middleware, one ``SELECT 1``) as the floor.

    .venv/bin/python bench/surveys_forms.py
    .venv/bin/python bench/surveys_forms.py --clients 10 --rounds 5 --no-record
"""

from __future__ import annotations

import argparse
import http.client
import io
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from typing import Any

import common

GOAL_SUBMIT_P95_MS = 150.0
GROUPS = 20
REPEATS = 3
QUESTIONS = 300


def big_workbook() -> bytes:
    """300 questions: 20 groups of 14 (text, integers with constraints, selects, a cascade,
    relevance), 3 of them holding a repeat of 5 questions with a repeat_count, and
    calculations over the repeats."""
    import openpyxl

    book = openpyxl.Workbook()
    survey = book.active
    assert survey is not None  # noqa: S101 - a new workbook has its sheet
    survey.title = "survey"
    header = [
        "type",
        "name",
        "label::Français (fr)",
        "label::العربية (ar)",
        "required",
        "relevant",
        "constraint",
        "constraint_message::Français (fr)",
        "choice_filter",
        "repeat_count",
        "calculation",
    ]
    survey.append(header)
    count = 0

    def q(kind: str, name: str, **extra: str) -> None:
        nonlocal count
        row = dict.fromkeys(header, "")
        row.update({"type": kind, "name": name, "label::Français (fr)": f"Question {name}"})
        row["label::العربية (ar)"] = f"سؤال {name}"
        row.update(extra)
        survey.append([row[h] for h in header])
        if kind not in ("begin_group", "end_group", "begin_repeat", "end_repeat"):
            count += 1

    for g in range(GROUPS):
        q("begin_group", f"g{g}")
        q("select_one yn", f"g{g}_open", required="yes")
        q(
            "integer",
            f"g{g}_n",
            constraint=". >= 0 and . <= 100",
            relevant=f"${{g{g}_open}} = 'yes'",
        )
        q("select_one region", f"g{g}_region")
        q("select_one province", f"g{g}_province", choice_filter=f"region=${{g{g}_region}}")
        q("select_multiple need", f"g{g}_needs", constraint="count-selected(.) <= 3")
        q("decimal", f"g{g}_amount", constraint=". >= 0")
        q("date", f"g{g}_date")
        for i in range(6 if g < REPEATS else 7):
            q("text", f"g{g}_t{i}", relevant=f"${{g{g}_open}} = 'yes'" if i % 2 else "")
        if g < REPEATS:
            q("integer", f"g{g}_rows", constraint=". <= 3")
            q("begin_repeat", f"g{g}_rep", repeat_count=f"${{g{g}_rows}}")
            for i in range(5):
                q("integer" if i == 0 else "text", f"g{g}_r{i}")
            q("end_repeat", "")
            q("calculate", f"g{g}_sum", calculation=f"sum(${{g{g}_r0}})")
        q("end_group", "")
    while count < QUESTIONS:
        q("text", f"extra{count}")
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::Français (fr)", "label::العربية (ar)", "region"])
    choices.append(["yn", "yes", "Oui", "نعم", ""])
    choices.append(["yn", "no", "Non", "لا", ""])
    for r in range(12):
        choices.append(["region", f"r{r}", f"Région {r}", f"جهة {r}", ""])
        for p in range(6):
            choices.append(
                ["province", f"p{r}_{p}", f"Province {r}.{p}", f"إقليم {r}.{p}", f"r{r}"]
            )
    for n in range(6):
        choices.append(["need", f"n{n}", f"Besoin {n}", f"حاجة {n}", ""])
    settings = book.create_sheet("settings")
    settings.append(["form_id", "version"])
    settings.append(["bench_300", "1"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def answers_post(csrf: str, instance: str, action: str) -> dict[str, Any]:
    data: dict[str, Any] = {"csrfmiddlewaretoken": csrf, "instance_id": instance, "action": action}
    for g in range(GROUPS):
        data.update(
            {
                f"g{g}_open": "yes",
                f"g{g}_n": str(g),
                f"g{g}_region": "r1",
                f"g{g}_province": "p1_2",
                f"g{g}_needs": ["n1", "n2"],
                f"g{g}_amount": "12,5",
                f"g{g}_date": "2026-12-01",
            }
        )
        for i in range(7):
            data[f"g{g}_t{i}"] = f"réponse {i} جواب"
        if g < REPEATS:
            data[f"g{g}_rows"] = "2"
            for row in range(2):
                for i in range(5):
                    data[f"g{g}_rep.{row}.g{g}_r{i}"] = str(row + i) if i == 0 else f"ligne {row}"
    return data


def timed(fn: Any, repeats: int) -> list[float]:
    found = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        found.append((time.perf_counter() - started) * 1000)
    return sorted(found)


def prepare(clients: int) -> dict[str, Any]:
    """The survey, its form and one respondent per client, through the services."""
    from django.core.management import call_command
    from pyxform.xls2xform import convert

    call_command("migrate", verbosity=0)
    from pilotage.accounts.models import User
    from pilotage.accounts.services import role_assign
    from pilotage.orgunits.models import OrgUnit, OrgUnitLevel
    from pilotage.surveys.frames import FrameUnit
    from pilotage.surveys.roles import SURVEY_MANAGER
    from pilotage.surveys.sampling import Unit
    from pilotage.surveys.services.collection import respondent_token
    from pilotage.surveys.services.forms import survey_create, survey_form_load, survey_status_set
    from pilotage.surveys.services.sampling import sample_draw
    from pilotage.surveys.xlsform import compile_xlsform

    level, _ = OrgUnitLevel.objects.get_or_create(
        code="country", defaults={"depth": 1, "name_fr": "Pays", "name_ar": "بلد"}
    )
    country = OrgUnit.objects.add_root(
        {"code": "MA", "name_fr": "Maroc", "name_ar": "المغرب", "level": level}
    )
    manager = User.objects.create_user(username="bench.manager")
    role_assign(actor=None, user=manager, role=SURVEY_MANAGER, org_unit=country)
    data = big_workbook()
    compiled = timed(lambda: compile_xlsform(data, name="bench.xlsx"), 5)
    baseline = timed(lambda: convert(xlsform=io.BytesIO(data), file_type=".xlsx"), 5)
    survey = survey_create(actor=manager, org_unit=country, title_fr="Recensement (banc d'essai)")
    version = survey_form_load(actor=manager, survey=survey, data=data, name="bench.xlsx")
    frame = [FrameUnit(Unit(str(i), {"region": "r"}), f"Unité {i}") for i in range(clients)]
    sample_draw(
        actor=manager,
        survey=survey,
        source="upload",
        frame=frame,
        n=clients,
        method="simple",
        seed=1,
    )
    survey_status_set(actor=manager, survey=survey, status="open")
    questions = sum(1 for row in version.tree["children"] for _ in _leaves(row))
    links = [f"/surveys/r/{respondent_token(r)}/" for r in survey.respondents.order_by("pk")]
    return {
        "compile": compiled,
        "pyxform": baseline,
        "links": links,
        "questions": questions,
    }


def _leaves(node: dict[str, Any]) -> list[dict[str, Any]]:
    if node.get("children"):
        return [leaf for child in node["children"] for leaf in _leaves(child)]
    return [] if node.get("name") in ("instanceID",) else [node]


def render_timings(link: str, renders: int) -> tuple[list[float], list[float]]:
    from django.template import engines
    from django.test import Client

    client = Client()
    for _ in range(5):
        assert client.get(link).status_code == 200  # noqa: S101 - the page must work
    ours = timed(lambda: client.get(link), renders)
    template = engines["django"].from_string(
        '{% extends "base.html" %}{% block content %}<form>{% for i in rows %}'
        '<label for="q{{ i }}">Question {{ i }}</label><input id="q{{ i }}" name="q{{ i }}">'
        "{% endfor %}</form>{% endblock %}"
    )
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    floor = timed(lambda: template.render({"rows": range(QUESTIONS)}, request), renders)
    return ours, floor


class Respondent(threading.Thread):
    def __init__(
        self, port: int, link: str, rounds: int, start_gate: threading.Event, think: float
    ):
        super().__init__(daemon=True)
        self.port, self.link, self.rounds, self.gate = port, link, rounds, start_gate
        self.think = think
        self.pause = random.Random(link)
        self.posts: list[float] = []
        self.errors: list[str] = []

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        conn.request("GET", self.link)
        response = conn.getresponse()
        page = response.read().decode()
        cookie = response.getheader("Set-Cookie", "").split(";")[0]
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        instance = re.search(r'name="instance_id" value="([^"]+)"', page)
        if response.status != 200 or not csrf or not instance:
            self.errors.append(f"GET {response.status}")
            return
        self.gate.wait()
        for index in range(self.rounds):
            action = "submit" if index == self.rounds - 1 else "save"
            body = urllib.parse.urlencode(
                answers_post(csrf.group(1), instance.group(1), action), doseq=True
            )
            started = time.perf_counter()
            conn.request(
                "POST",
                self.link,
                body=body,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": cookie,
                    "Accept": "application/json",
                },
            )
            response = conn.getresponse()
            text = response.read()
            self.posts.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                self.errors.append(f"POST {response.status} {text[:200]!r}")
            if self.think:
                time.sleep(self.think * self.pause.uniform(0.5, 1.5))


def floor_timings(port: int, clients: int, per_client: int) -> list[float]:
    found: list[float] = []
    lock = threading.Lock()

    def loop() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        for _ in range(per_client):
            started = time.perf_counter()
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            found.extend(mine)

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--renders", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--think",
        type=float,
        default=2.0,
        help="seconds a respondent spends on a page between two submits (0: closed loop)",
    )
    parser.add_argument("--no-record", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile of one render")
    args = parser.parse_args()
    pct = common.percentile
    with common.temp_database("bench_surveys") as url:
        env = common.production_env(url)
        # The links are signed here and checked by gunicorn: one secret key for both.
        common.django_setup(url, SECRET_KEY=env["SECRET_KEY"])
        prepared = prepare(args.clients)
        ours, floor = render_timings(prepared["links"][0], args.renders)
        if args.profile:
            import cProfile
            import pstats

            from django.test import Client

            client = Client()
            link = prepared["links"][0]
            page = client.get(link).content.decode()
            csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            instance = re.search(r'name="instance_id" value="([^"]+)"', page)
            assert csrf and instance  # noqa: S101
            post = answers_post(csrf.group(1), instance.group(1), "save")
            client.post(link, post, HTTP_ACCEPT="application/json")
            profile = cProfile.Profile()
            profile.runcall(client.post, link, post, HTTP_ACCEPT="application/json")
            pstats.Stats(profile).sort_stats("tottime").print_stats(25)
            return
        # The manifest whitenoise serves the pages' static files from.
        subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=common.ROOT,
            env=env,
            check=True,
        )
        with common.gunicorn(env, workers=args.workers) as server:
            gate = threading.Event()
            clients = [
                Respondent(server.port, link, args.rounds, gate, args.think)
                for link in prepared["links"]
            ]
            for c in clients:
                c.start()
            time.sleep(2)
            started = time.perf_counter()
            gate.set()
            for c in clients:
                c.join()
            elapsed = time.perf_counter() - started
            posts = sorted(p for c in clients for p in c.posts)
            errors = [e for c in clients for e in c.errors]
            healthz = floor_timings(server.port, args.clients, args.rounds)
    compile_best, pyxform_best = prepared["compile"][0], prepared["pyxform"][0]
    compile_median = statistics.median(prepared["compile"])
    render = (pct(ours, 50), pct(ours, 95))
    plain = (pct(floor, 50), pct(floor, 95))
    submit = (pct(posts, 50), pct(posts, 95), pct(posts, 99))
    health95 = pct(healthz, 95)
    verdict = "met" if submit[1] <= GOAL_SUBMIT_P95_MS else "missed"
    rate = len(posts) / elapsed
    print(f"form: {prepared['questions']} questions, {GROUPS} groups, {REPEATS} repeats")
    print(
        f"compile: ours best {compile_best:.0f} ms (median {compile_median:.0f}); "
        f"pyxform alone {pyxform_best:.0f} ms; ratio {compile_best / pyxform_best:.2f}"
    )
    print(
        f"render: ours p50 {render[0]:.1f} ms p95 {render[1]:.1f} ms; "
        f"300 plain inputs p50 {plain[0]:.1f} ms; ratio {render[0] / plain[0]:.1f}"
    )
    print(
        f"submit: {len(posts)} POSTs by {args.clients} respondents in {elapsed:.1f} s "
        f"({rate:.0f}/s): p50 {submit[0]:.0f} p95 {submit[1]:.0f} p99 {submit[2]:.0f} ms, "
        f"{len(errors)} errors; GET /healthz p95 {health95:.0f} ms; goal: {verdict}"
    )
    for e in errors[:5]:
        print("  error:", e)
    if args.no_record:
        return
    command = (
        f"`.venv/bin/python bench/surveys_forms.py --clients {args.clients} "
        f"--rounds {args.rounds} --workers {args.workers} --think {args.think}`"
    )
    rows = [
        (
            "compile (best of 5)",
            f"{compile_best:.0f} ms",
            f"pyxform `convert` alone {pyxform_best:.0f} ms",
            f"{compile_best / pyxform_best:.2f}",
        ),
        (
            "render of the respondent's page, p50 / p95",
            f"{render[0]:.1f} / {render[1]:.1f} ms",
            f"300 plain inputs in the base template {plain[0]:.1f} / {plain[1]:.1f} ms",
            f"{render[0] / plain[0]:.1f}",
        ),
        (
            f"page submit, {args.clients} concurrent respondents ({args.think:g} s on a page), "
            "p50 / p95 / p99",
            f"{submit[0]:.0f} / {submit[1]:.0f} / {submit[2]:.0f} ms",
            f"`GET /healthz` by the same clients, p95 {health95:.0f} ms",
            f"{submit[1] / max(health95, 0.1):.1f}",
        ),
    ]
    table = "\n".join(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows)
    body = f"""Run {time.strftime("%Y-%m-%d")}: {command}.

{common.machine_text(common.machine())}

A form of {prepared["questions"]} questions in {GROUPS} groups, {REPEATS} of them with a
repeat (repeat_count), cascading selects, constraints, relevance and calculations.

| measure | ours | baseline | ratio |
|---|---:|---:|---:|
{table}

Goal p95 of a submit ≤ {GOAL_SUBMIT_P95_MS:.0f} ms: **{verdict}** ({len(posts)} POSTs at
{rate:.0f}/s, {len(errors)} errors, gunicorn {args.workers} workers on PostgreSQL).
"""
    common.record_section("Surveys: compile, render, concurrent submits", body)


if __name__ == "__main__":
    main()
