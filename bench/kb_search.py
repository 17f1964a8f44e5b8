"""Knowledge-base search over 10 000 articles in French and Arabic (PostgreSQL).

Builds a throwaway database, migrates it, and writes 10 000 articles (half French, half
Arabic; 90 % public, 10 % internal) whose texts are drawn from the sentences of the demo's
knowledge base (pilotage/demo/contact_kb.py), each with its normalised columns filled as
the services do (the generated tsvector column and its GIN index follow). Then it times
``kb_search`` (anonymous reader, then a staff reader) over a set of realistic queries in
both languages, and in the same run the baseline: a plain ``ILIKE`` search over the same
rows (any word in the title or the body, the same visibility filter, 10 rows). Prints the
p50 / p95 of both and the ratio, and records them in BENCHMARKS.md.

Goal: p95 of kb_search ≤ 50 ms.

    .venv/bin/python bench/kb_search.py [--articles 10000] [--rounds 5] [--no-record]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

QUERIES = [
    "récépissé",
    "recepisse definitif",
    "renouvellement du bureau",
    "appel à projets",
    "subvention",
    "INDH",
    "réclamation délai",
    "loi 31-13",
    "convention établissement scolaire",
    "dissolution association",
    "utilité publique",
    "rapport financier",
    "éducation non formelle",
    "financement étranger",
    "الجمعيات",
    "وصل الإيداع",
    "تجديد المكتب",
    "إحداث جمعية",
    "طلب المشاريع",
    "الشكاية",
    "الحصول على المعلومات",
    "المبادرة الوطنية للتنمية البشرية",
    "اتفاقية شراكة",
    "التربية غير النظامية",
]


def _sentences() -> dict[str, list[str]]:
    from pilotage.demo import contact_kb

    out: dict[str, list[str]] = {"fr": [], "ar": []}
    for _slug, _cat, _kind, _ft, fr_body, _at, ar_body in contact_kb.CORE:
        out["fr"] += [s.strip() for s in re.split(r"(?<=[.;])\s+", fr_body) if s.strip()]
        out["ar"] += [s.strip() for s in re.split(r"(?<=[.،])\s+", ar_body) if s.strip()]
    return out


def build(count: int, seed: int) -> None:
    from pilotage.contact import search
    from pilotage.contact.models import Article
    from pilotage.demo import contact_kb

    rng = random.Random(seed)
    pool = _sentences()
    titles = {
        "fr": [c[3] for c in contact_kb.CORE] + [f[1] for f in contact_kb.FORMS],
        "ar": [c[5] for c in contact_kb.CORE] + [f[3] for f in contact_kb.FORMS],
    }
    rows = []
    for i in range(count):
        lang = "fr" if i % 2 == 0 else "ar"
        title = f"{rng.choice(titles[lang])} ({i})"
        body = "\n".join(rng.sample(pool[lang], k=min(len(pool[lang]), rng.randint(6, 14))))
        rows.append(
            Article(
                slug=f"a-{i}",
                lang=lang,
                kind=rng.choice(["faq", "procedure", "form", "funding"]),
                title=title,
                body=body,
                status="internal" if rng.random() < 0.1 else "public",
                search_title=search.normalise(title),
                search_body=search.normalise(body),
            )
        )
    Article.objects.bulk_create(rows, batch_size=1000)


def baseline(q: str, statuses: list[str], limit: int = 10) -> list[int]:
    from django.db.models import Q

    from pilotage.contact.models import Article

    cond = Q()
    for word in q.split()[:8]:
        cond |= Q(title__icontains=word) | Q(body__icontains=word)
    return list(
        Article.objects.filter(cond, status__in=statuses).values_list("pk", flat=True)[:limit]
    )


def timed(fn: Callable[[str], object], rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        for q in QUERIES:
            start = time.perf_counter()
            fn(q)
            out.append((time.perf_counter() - start) * 1000)
    return sorted(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    with common.temp_database("bench_kb") as url:
        common.django_setup(url)
        from django.core.management import call_command
        from django.db import connection

        from pilotage.contact.selectors.kb import kb_search

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        build(args.articles, args.seed)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE contact_article")
        built = time.perf_counter() - started
        hits = sum(len(kb_search(None, q)) > 0 for q in QUERIES)
        # One warm-up round each, not counted.
        timed(lambda q: kb_search(None, q), 1)
        timed(lambda q: baseline(q, ["public"]), 1)
        ours = timed(lambda q: kb_search(None, q), args.rounds)
        theirs = timed(lambda q: baseline(q, ["public"]), args.rounds)
        p = common.percentile
        ratio = p(theirs, 95) / p(ours, 95)
        lines = [
            f"{args.articles} articles (fr/ar), built in {built:.1f} s; "
            f"{len(QUERIES)} queries × {args.rounds} rounds; {hits}/{len(QUERIES)} queries "
            "find articles",
            f"kb_search (FTS, ranked, snippets): p50 {p(ours, 50):.1f} ms · "
            f"p95 {p(ours, 95):.1f} ms (goal ≤ 50 ms)",
            f"ILIKE baseline (unranked, no snippet): p50 {p(theirs, 50):.1f} ms · "
            f"p95 {p(theirs, 95):.1f} ms",
            f"ratio (baseline p95 / ours p95): {ratio:.1f} ×",
        ]
        print("\n".join(lines))  # noqa: T201
    if not args.no_record:
        body = (
            "```sh\n.venv/bin/python bench/kb_search.py\n```\n\n"
            + "\n".join(f"- {line}" for line in lines)
            + "\n\nMachine:\n\n"
            + common.machine_text(common.machine())
            + "\n"
        )
        common.record_section("Knowledge-base search", body)


if __name__ == "__main__":
    main()
