"""`make bench`: the whole benchmark at a chosen size, on PostgreSQL.

1. Fills the benchmark database with ``bench/generate.py`` at ``BENCH_SCALE`` (1.0 =
   100,000 candidates, 120,000 applications, 1,000,000 answers), unless it already holds
   data generated at that scale and seed (``BENCH_REGENERATE=1`` starts afresh). Pending
   migrations are applied to the data that is there, and timed: they have to be safe on
   large tables.
2. Measures the main admin pages and the search (``bench/admin_bench.py``), and finding
   the copied answers of one new sheet (``bench/copy_lookup.py``).
3. Imports ``BENCH_FILES`` new answer files into the full database, then the same files
   again; the import is rolled back afterwards, so that the data stays as generated.

Each step runs in a process of its own, so that the peak memory reported is that step's.
The results end with a table against the goals (docs/benchmarks.md keeps them).

    BENCH_SCALE=0.1 make bench
    python -m bench.run --scale 1 --runs 20 --files 10000 [--database-url URL]
    python -m bench.run --scale 3 --no-icontains --json growth-3.json   # bench/growth.py

Every step records the machine's load average when it starts and ends: on a machine
that runs other work, timings stretch with it.
"""

import argparse
import functools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import (
    database_exists,
    database_url,
    fresh_database,
    load_average,
    rss_mb,
    setup_django,
)

PAGE_P95_MS = 100
PAGE_QUERIES = 10
SEARCH_P95_MS = 150
SEARCH_RATIO = 20
IMPORT_FILES_PER_S = 2000
COPIES_P95_MS = 50


def _marker(scale, seed):
    return f"zvonok benchmark data: scale={scale:g} seed={seed}"


def _database_comment(url):
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname = current_database()"
        ).fetchone()
    return row[0] if row else None


# -- the steps, each in its own process ------------------------------------------------------


def step_data(args):
    url = args.database_url
    reuse = (
        not args.regenerate
        and database_exists(url)
        and _database_comment(url) == _marker(args.scale, args.seed)
    )
    if not reuse:
        fresh_database(url)
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=1 if reuse else 0)
    migrate_s = time.perf_counter() - started
    result = {"reused": reuse, "migrate_s": migrate_s}
    if not reuse:
        from bench.generate import generate

        started = time.perf_counter()
        result["counts"] = generate(args.scale, seed=args.seed)
        result["generate_s"] = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute(
                f"COMMENT ON DATABASE {connection.ops.quote_name(connection.settings_dict['NAME'])}"
                " IS %s",
                [_marker(args.scale, args.seed)],
            )
    from interviews.models import Answer, Application, Candidate

    result["sizes"] = {
        "candidates": Candidate.objects.count(),
        "applications": Application.objects.count(),
        "answers": Answer.objects.count(),
    }
    return result


def step_pages(args):
    setup_django(args.database_url)
    from bench.admin_bench import measure_pages

    rows = measure_pages(args.runs, functools.partial(print, flush=True))
    return {"pages": [row.__dict__ for row in rows]}


def step_search(args):
    setup_django(args.database_url)
    from bench.admin_bench import measure_search
    from bench.common import percentile

    page, plain, rows = measure_search(
        args.runs, functools.partial(print, flush=True), icontains=args.icontains
    )
    return {
        "find_p50": percentile(page, 50),
        "find_p95": percentile(page, 95),
        "icontains_p50": percentile(plain, 50) if plain else None,
        "icontains_p95": percentile(plain, 95) if plain else None,
        "queries": rows,
    }


def step_import(args):
    setup_django(args.database_url)
    from django.db import transaction

    from bench.import_bench import time_import

    class Undo(Exception):
        pass

    with tempfile.TemporaryDirectory() as tmp:
        try:
            with transaction.atomic():
                result = time_import(Path(tmp), args.files, seed=7)
                raise Undo
        except Undo:
            pass
    return result


def step_copies(args):
    setup_django(args.database_url)
    from bench.copy_lookup import measure_neighbours

    return measure_neighbours(args.runs * 10, functools.partial(print, flush=True))


STEPS = {
    "data": step_data,
    "pages": step_pages,
    "search": step_search,
    "copies": step_copies,
    "import": step_import,
}


def _run_step(name, args):
    """Run one step in a child process; its result and peak memory."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [sys.executable, "-m", "bench.run", "--step", name, "--result", out.name]
        command += ["--database-url", args.database_url, "--scale", str(args.scale)]
        command += ["--seed", str(args.seed), "--runs", str(args.runs), "--files", str(args.files)]
        if args.regenerate:
            command.append("--regenerate")
        if not args.icontains:
            command.append("--no-icontains")
        print(f"== {name} (load average {load_average()})", flush=True)
        load_before = os.getloadavg()
        started = time.perf_counter()
        subprocess.run(command, check=True)
        result = json.loads(Path(out.name).read_text())
        result["wall_s"] = time.perf_counter() - started
        result["load"] = [load_before, os.getloadavg()]
        return result


# -- the summary --------------------------------------------------------------------------


def _mark(ok):
    return "yes" if ok else "**no**"


def summary(results):
    lines = [
        "| measurement | p50 | p95 | queries | peak memory | goal | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for page in results["pages"]["pages"]:
        ok = page["p95_ms"] <= PAGE_P95_MS and page["queries"] <= PAGE_QUERIES
        lines.append(
            f"| {page['name']} | {page['p50_ms']:.0f} ms | {page['p95_ms']:.0f} ms | "
            f"{page['queries']} | {page['peak_kb'] / 1024:.1f} MB | p95 ≤ {PAGE_P95_MS} ms, "
            f"≤ {PAGE_QUERIES} queries | {_mark(ok)} |"
        )
    search = results["search"]
    lines.append(
        f"| search, find-answers page (20 queries) | {search['find_p50']:.0f} ms | "
        f"{search['find_p95']:.0f} ms | | {search['rss_mb']:.0f} MB | p95 ≤ {SEARCH_P95_MS} ms"
        f" | {_mark(search['find_p95'] <= SEARCH_P95_MS)} |"
    )
    if search["icontains_p50"] is not None:
        ratio = search["icontains_p50"] / search["find_p50"]
        lines.append(
            f"| search, admin's default `icontains` (same queries) | "
            f"{search['icontains_p50']:.0f} ms | {search['icontains_p95']:.0f} ms | | | full "
            f"text ≥ {SEARCH_RATIO}× faster: {ratio:.0f}× (p50) | {_mark(ratio >= SEARCH_RATIO)} |"
        )
    if "copies" in results:
        copies = results["copies"]
        lines.append(
            f"| copied answers: neighbours of one new sheet ({copies['sheets']} sheets) | "
            f"{copies['p50_ms']:.0f} ms | {copies['p95_ms']:.0f} ms | | {copies['rss_mb']:.0f} MB"
            f" | p95 ≤ {COPIES_P95_MS} ms | {_mark(copies['p95_ms'] <= COPIES_P95_MS)} |"
        )
    imported = results["import"]
    files = results["files"]
    rate = files / imported["fresh_s"]
    lines.append(
        f"| import of {files:,} files into the full database | {rate:,.0f} files/s | "
        f"unchanged: {files / imported['unchanged_s']:,.0f} files/s | | "
        f"{imported['rss_mb']:.0f} MB | ≥ {IMPORT_FILES_PER_S:,} files/s | "
        f"{_mark(rate >= IMPORT_FILES_PER_S)} |"
    )
    data = results["data"]
    sizes = ", ".join(f"{v:,} {k}" for k, v in data["sizes"].items())
    head = [f"data: {sizes}"]
    if data.get("generate_s") is not None:
        head.append(f"generated in {data['generate_s']:.0f} s")
    head.append(f"migrate: {data['migrate_s']:.1f} s")
    loads = "; ".join(
        f"{name} {results[name]['load'][0][0]:.1f} → {results[name]['load'][1][0]:.1f}"
        for name in ("data", "pages", "search", "copies", "import")
        if name in results
    )
    head.append(f"load average (1 min) at the start and end of each step: {loads}")
    return "; ".join(head) + "\n\n" + "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", 1)))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("BENCH_SEED", 0)))
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", 20)))
    parser.add_argument("--files", type=int, default=int(os.environ.get("BENCH_FILES", 10_000)))
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--regenerate", action="store_true", default=bool(os.environ.get("BENCH_REGENERATE"))
    )
    parser.add_argument(
        "--no-icontains",
        dest="icontains",
        action="store_false",
        default=os.environ.get("BENCH_ICONTAINS", "1") != "0",
        help="skip the admin's icontains search (minutes a query on large data)",
    )
    parser.add_argument("--json", help="also write every figure to this file (bench/growth.py)")
    parser.add_argument("--step", choices=sorted(STEPS))
    parser.add_argument("--result")
    args = parser.parse_args()
    args.database_url = database_url(args.database_url)
    if not args.database_url.startswith("postgres"):
        raise SystemExit("make bench measures PostgreSQL: BENCH_DATABASE_URL=postgres://...")

    if args.step:
        result = STEPS[args.step](args)
        result["rss_mb"] = rss_mb()
        Path(args.result).write_text(json.dumps(result))
        return

    results = {"files": args.files}
    for name in ("data", "pages", "search", "copies", "import"):
        results[name] = _run_step(name, args)
    setup_django(args.database_url)
    from bench.common import machine

    results["machine"] = machine()
    results["scale"] = args.scale
    results["runs"] = args.runs
    print()
    print(f"machine: {results['machine']}")
    print(f"scale {args.scale:g}, {args.runs} runs a page")
    print(summary(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
