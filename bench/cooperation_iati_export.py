"""IATI export: 10 000 activities (2 000 programmes × 4 projects + the programmes) with
their money — 20 transactions, 4 budgets and a 4-period disbursement plan per project —
written as one IATI 2.03 file on PostgreSQL; activities/s and peak memory, and the proof
that it streams: memory for 2 000 activities and for 10 000 is the same.

The claim (issue #12, Performance): "IATI export of 10 000 activities with their
transactions (report activities/s and peak memory; it must stream)".

Each measurement runs in a fresh child process (so ``ru_maxrss`` is that measurement's
own peak), once for time and RSS and once under ``tracemalloc`` for the peak of Python
allocations (tracemalloc slows the run; its time is not reported). In the same run, on
the same rows:

- **ours**: ``export_to_path`` (the ``iati_export`` command without its argument parsing):
  chunked ``.iterator()`` with per-chunk prefetches, the rules, ``etree.xmlfile``;
- **raw cursor** (the floor of reading): the same rows read with psycopg server-side
  cursors, one per table, nothing built;
- **prebuilt serialisation** (the floor of writing): the same activities already in memory
  as plain objects, only the element building, the rules and the streamed writing timed;
- **whole tree** (what streaming avoids): every activity prefetched at once and built into
  one lxml tree, then written.

    .venv/bin/python bench/cooperation_iati_export.py              # 2 000 and 10 000
    .venv/bin/python bench/cooperation_iati_export.py --sizes 2000 --no-record
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path
from typing import Any

import common

PROJECTS_PER_PROGRAMME = 4
TRANSACTIONS_PER_PROJECT = 20
BUDGETS_PER_PROJECT = 4


# --- Data set ----------------------------------------------------------------------------


def build(programmes: int) -> dict[str, Any]:
    """Set-based: one bulk INSERT per table (batches of 5 000 rows)."""
    from pilotage.cooperation.models import (
        Budget,
        Partner,
        PlannedDisbursement,
        PlanRevision,
        Programme,
        ProgrammeCountry,
        ProgrammeSector,
        Project,
        ProjectSector,
        Transaction,
    )
    from pilotage.orgunits.tests.factories import make_unit

    started = time.perf_counter()
    countries = [make_unit(None, code=c, name_fr=c) for c in ("BF", "ML", "NE", "SN")]
    donor, unesco, ministry = Partner.objects.bulk_create(
        [
            Partner(
                code="donor",
                name_fr="Bailleur",
                kind="bilateral",
                iati_type="10",
                iati_identifier="XI-IATI-EXD",
            ),
            Partner(
                code="unesco",
                name_fr="UNESCO",
                kind="un",
                iati_type="40",
                iati_identifier="XM-DAC-41304",
            ),
            Partner(code="men", name_fr="Ministère", kind="ministry", iati_type="10"),
        ]
    )
    batch = 5000
    progs = Programme.objects.bulk_create(
        [
            Programme(
                code=f"p{i:05d}",
                title_fr=f"Programme {i} — qualité de l'éducation",
                title_en=f"Programme {i} — education quality",
                description="Formation des enseignants, manuels et suivi des apprentissages.",
                status="2",
                start_date=dt.date(2024, 1, 1),
                end_date=dt.date(2027, 12, 31),
                default_currency="EUR",
                lead_partner=donor,
            )
            for i in range(programmes)
        ],
        batch_size=batch,
    )
    ProgrammeCountry.objects.bulk_create(
        [
            ProgrammeCountry(programme=p, country=countries[k], percentage=Decimal(50))
            for p in progs
            for k in (1, 3)
        ],
        batch_size=batch,
    )
    ProgrammeSector.objects.bulk_create(
        [
            ProgrammeSector(programme=p, code=code, percentage=Decimal(pct))
            for p in progs
            for code, pct in (("11220", 60), ("11330", 40))
        ],
        batch_size=batch,
    )
    projects = Project.objects.bulk_create(
        [
            Project(
                programme=p,
                code=f"{p.code}-{k}",
                title_fr=f"{p.title_fr} — volet {k}",
                title_en=f"{p.title_en} — component {k}",
                country=countries[k],
                status="2",
                start_date=p.start_date,
                end_date=p.end_date,
                default_currency="EUR",
            )
            for p in progs
            for k in range(PROJECTS_PER_PROGRAMME)
        ],
        batch_size=batch,
    )
    ProjectSector.objects.bulk_create(
        [ProjectSector(project=p, code="11220", percentage=Decimal(100)) for p in projects],
        batch_size=batch,
    )
    Budget.objects.bulk_create(
        [
            Budget(
                project=p,
                period_start=dt.date(2024 + y, 1, 1),
                period_end=dt.date(2024 + y, 12, 31),
                amount=Decimal("250000.00"),
                currency="EUR",
                value_date=dt.date(2024 + y, 1, 1),
            )
            for p in projects
            for y in range(BUDGETS_PER_PROJECT)
        ],
        batch_size=batch,
    )
    revisions = PlanRevision.objects.bulk_create(
        [PlanRevision(project=p, number=1) for p in projects], batch_size=batch
    )
    PlannedDisbursement.objects.bulk_create(
        [
            PlannedDisbursement(
                revision=r,
                period_start=dt.date(2025, 3 * q + 1, 1),
                period_end=dt.date(2025, 3 * q + 3, 28),
                amount=Decimal("60000.00"),
                currency="EUR",
                value_date=dt.date(2025, 3 * q + 1, 1),
            )
            for r in revisions
            for q in range(4)
        ],
        batch_size=batch,
    )
    types = ("1", "2", "3", "4", "11")
    rows = []
    for p in projects:
        for t in range(TRANSACTIONS_PER_PROJECT):
            day = dt.date(2024, 1, 1) + dt.timedelta(days=17 * t)
            rows.append(
                Transaction(
                    project=p,
                    type=types[t % 5],
                    transaction_date=day,
                    value_date=day,
                    amount=Decimal(10000 + t),
                    currency="XOF" if t % 3 else "EUR",
                    description="Versement" if t % 2 else "",
                    provider=donor if t % 5 in (0, 4) else None,
                    receiver=unesco if t % 5 == 2 else ministry if t % 5 == 3 else None,
                    reference=f"{p.code}-{t}",
                )
            )
        if len(rows) >= batch:
            Transaction.objects.bulk_create(rows, batch_size=batch)
            rows = []
    Transaction.objects.bulk_create(rows, batch_size=batch)
    return {
        "programmes": len(progs),
        "projects": len(projects),
        "transactions": Transaction.objects.count(),
        "built_in": time.perf_counter() - started,
    }


# --- Child: one measurement --------------------------------------------------------------


def _programmes(activities: int) -> Any:
    from pilotage.cooperation.models import Programme

    count = activities // (PROJECTS_PER_PROGRAMME + 1)
    last = Programme.objects.order_by("pk").values_list("pk", flat=True)[count - 1]
    return Programme.objects.filter(pk__lte=last)


def child(mode: str, activities: int, trace: bool) -> dict[str, Any]:
    from django.db import connection

    from pilotage.cooperation.iati import export

    programmes = _programmes(activities)
    out_dir = Path(tempfile.mkdtemp(prefix="bench-iati-"))
    target = out_dir / "iati.xml"
    prebuilt = None
    if mode == "prebuilt":  # built before the clock starts: only the writing is timed
        org = export.reporting_org()
        prebuilt = list(export.activities_data(programmes, org))
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    count = 0
    if mode == "ours":
        result = export.export_to_path(target, programmes)
        if not result.ok:
            raise SystemExit(f"export blocked: {result.failures[:3]}")
        count = result.activities
    elif mode == "prebuilt":
        count = export.write_activities(str(target), prebuilt or []).activities
    elif mode == "whole-tree":
        from lxml import etree

        org = export.reporting_org()
        today = dt.datetime.now(dt.UTC).date()
        root = etree.Element("iati-activities", version="2.03")
        for activity in export.activities_data(programmes, org, chunk_size=10**9):
            root.append(export.activity_element(activity, org, today))
            count += 1
        etree.ElementTree(root).write(str(target), encoding="utf-8", xml_declaration=True)
    elif mode == "raw":
        tables = {
            "cooperation_programme": "id <= %s",
            "cooperation_programmecountry": "programme_id <= %s",
            "cooperation_programmesector": "programme_id <= %s",
            "cooperation_project": "programme_id <= %s",
        }
        last = programmes.order_by("-pk").values_list("pk", flat=True)[0]
        sub = "project_id IN (SELECT id FROM cooperation_project WHERE programme_id <= %s)"
        tables.update(
            {
                "cooperation_projectsector": sub,
                "cooperation_budget": sub,
                "cooperation_transaction": sub,
                "cooperation_planneddisbursement": "revision_id IN (SELECT r.id FROM "
                "cooperation_planrevision r JOIN cooperation_project p ON p.id = r.project_id"
                " WHERE p.programme_id <= %s)",
            }
        )
        connection.ensure_connection()
        raw = connection.connection
        rows = 0
        with raw.transaction():
            for i, (table, where) in enumerate(tables.items()):
                with raw.cursor(name=f"c{i}") as cur:
                    cur.itersize = 2000
                    cur.execute(f"SELECT * FROM {table} WHERE {where}", (last,))  # noqa: S608
                    for _row in cur:
                        rows += 1
        count = programmes.count() * (PROJECTS_PER_PROGRAMME + 1)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    if trace:
        tracemalloc.stop()
    size = target.stat().st_size if target.exists() else 0
    valid = None
    if mode == "ours" and activities <= 2000 and not trace:
        from pilotage.cooperation.iati.common import schema_errors

        valid = schema_errors(target) == []
    target.unlink(missing_ok=True)
    out_dir.rmdir()
    return {
        "mode": mode,
        "activities": count,
        "seconds": seconds,
        "maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_before_mib": rss_before / 1024,
        "tracemalloc_peak_mib": peak / 1024 / 1024,
        "file_mib": size / 1024 / 1024,
        "valid": valid,
    }


def run_child(db_url: str, mode: str, activities: int, trace: bool) -> dict[str, Any]:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        mode,
        "--activities",
        str(activities),
        "--db",
        db_url,
    ] + (["--trace"] if trace else [])
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout  # noqa: S603
    return json.loads(out.strip().splitlines()[-1])


# --- Report ------------------------------------------------------------------------------

MODES = ("ours", "raw", "prebuilt", "whole-tree")


def report(
    args: argparse.Namespace,
    info: dict[str, str],
    data: dict[str, Any],
    results: dict[tuple[str, int], dict[str, Any]],
) -> str:
    lines = [
        f"Run on {dt.datetime.now(dt.UTC).date().isoformat()}: "
        "`.venv/bin/python bench/cooperation_iati_export.py"
        + (" " + shlex.join(sys.argv[1:]) if sys.argv[1:] else "")
        + "`.",
        "",
        common.machine_text(info),
        "",
        f"Data: {data['programmes']} programmes, {data['projects']} projects, "
        f"{data['transactions']} transactions (20 per project), 4 budgets and 4 planned "
        f"disbursements per project; built set-based in {data['built_in']:.0f} s.",
        "",
        "| activities | run | time (s) | activities/s | × ours | peak RSS (MiB) | "
        "tracemalloc peak (MiB) | file (MiB) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for size in args.sizes:
        ours = results[("ours", size)]
        for mode in MODES:
            r = results[(mode, size)]
            lines.append(
                f"| {size} | {mode} | {r['seconds']:.2f} | {r['activities'] / r['seconds']:.0f} | "
                f"{r['seconds'] / ours['seconds']:.2f} | {r['maxrss_mib']:.0f} | "
                f"{r['tracemalloc_peak_mib']:.1f} | {r['file_mib']:.1f} |"
            )
    small = [r for (m, s), r in results.items() if m == "ours" and r.get("valid") is not None]
    if small:
        lines += [
            "",
            f"The {small[0]['activities']}-activity file passes the IATI 2.03 schema: "
            f"{small[0]['valid']}.",
        ]
    lines += [
        "",
        "ours = `export_to_path` (chunks of 100 programmes read as rows, rules, "
        "`etree.xmlfile`); raw = psycopg server-side cursors reading the same rows (the floor "
        "of reading); prebuilt = the same activities already in memory, only building, "
        "checking and writing timed (the floor of writing); whole-tree = everything prefetched "
        "and built as one lxml tree, then written. Peak RSS is each child process's own "
        "(`ru_maxrss`, including Django and lxml); tracemalloc peak is the Python allocations "
        "during the measured part, from a second run of the same child.",
    ]
    return "\n".join(lines)


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000])
    p.add_argument("--no-record", dest="record", action="store_false")
    p.add_argument("--child", choices=MODES)
    p.add_argument("--activities", type=int)
    p.add_argument("--db")
    p.add_argument("--trace", action="store_true")
    return p.parse_args()


def main() -> int:
    args = parse_args()
    if args.child:
        common.django_setup(args.db, DJANGO_DEBUG="false")
        print(json.dumps(child(args.child, args.activities, args.trace)))  # noqa: T201
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    info = common.machine()
    print("IATI export —", ", ".join(f"{k}: {v}" for k, v in info.items()), flush=True)  # noqa: T201
    biggest = max(args.sizes)
    with common.temp_database("bench_iati2") as db_url:
        common.django_setup(db_url, DJANGO_DEBUG="false")
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0)
        data = build(biggest // (PROJECTS_PER_PROGRAMME + 1))
        connections.close_all()
        print(f"data: {data}", flush=True)  # noqa: T201
        results = {}
        for size in args.sizes:
            for mode in MODES:
                timed = run_child(db_url, mode, size, trace=False)
                traced = run_child(db_url, mode, size, trace=True)
                timed["tracemalloc_peak_mib"] = traced["tracemalloc_peak_mib"]
                results[(mode, size)] = timed
                print(f"{size} {mode}: {timed}", flush=True)  # noqa: T201
    text = report(args, info, data, results)
    print()  # noqa: T201
    print(text)  # noqa: T201
    if args.record:
        common.record_section("IATI export (cooperation)", text)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pilotage.settings")
    sys.exit(main())
