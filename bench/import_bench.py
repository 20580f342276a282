"""Import throughput benchmark (`make bench-import`).

Generates N synthetic answer files, imports them into a fresh database with
`import_answers`, imports them again (all unchanged), then loads the same rows with
Django's `loaddata` for comparison. Prints files/s, answers/s and peak memory.

``--fingerprint-cost RUNS`` measures instead what the band hashes of copied answers
(interviews.copying) cost the import: RUNS fresh imports with them and RUNS without,
alternated, each into an emptied database; the medians are compared. The imports with
them run as in production: the matching is queued (the database task backend), and the
queue is then drained by ``db_worker --batch``, timed on its own.

``--narrow`` writes the first version's files (bench/synthetic: 55 words, every answer
sharing LSH bands with every other), the worst case for finding copied answers.

The database is created and dropped by the benchmark: BENCH_DATABASE_URL (default: a
`zvonok_bench` database on the local PostgreSQL), or sqlite:///path.
"""

import argparse
import os
import platform
import resource
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import fresh_database, load_average, setup_django
from bench.synthetic import QUESTIONS, make_sheet


def _rss_mb(who):
    return resource.getrusage(who).ru_maxrss / 1024


def write_sheets(folder: Path, files: int, *, seed: int = 0, narrow: bool = False) -> int:
    """``files`` synthetic sheets in ``folder``; returns their total size in bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for i in range(files):
        name, data = make_sheet(i, seed=seed, narrow=narrow)
        (folder / name).write_bytes(data)
        total += len(data)
    return total


def time_import(
    tmp: Path, files: int, *, workers=None, seed: int = 0, narrow: bool = False
) -> dict:
    """Import ``files`` new synthetic sheets into the 'bench' questionnaire, then the same
    files again (all unchanged). Seconds of each, answers written, bytes read."""
    from django.core.management import call_command

    from interviews.models import Answer, Submission

    folder = tmp / "answers"
    total_bytes = write_sheets(folder, files, seed=seed, narrow=narrow)
    command = ["import_answers", str(folder), "--questionnaire", "bench", "-v", "0"]
    if workers:
        command += ["--workers", str(workers)]
    submissions, answers = Submission.objects.count(), Answer.objects.count()
    started = time.perf_counter()
    call_command(*command)
    fresh = time.perf_counter() - started
    written = Answer.objects.count() - answers
    if Submission.objects.count() - submissions != files:
        raise SystemExit("not every file was imported")
    started = time.perf_counter()
    call_command(*command)
    again = time.perf_counter() - started
    if Submission.objects.count() - submissions != files:
        raise SystemExit("the unchanged re-import wrote something")
    return {"fresh_s": fresh, "unchanged_s": again, "answers": written, "bytes": total_bytes}


def bench_questionnaire():
    from interviews.models import Question, Questionnaire

    questionnaire = Questionnaire.objects.create(title="Bench", slug="bench")
    Question.objects.bulk_create(
        Question(questionnaire=questionnaire, number=str(i), position=i, text=text)
        for i, text in enumerate(QUESTIONS, start=1)
    )


# The task backend of a production with a worker: the import queues the matching.
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def drain_queue() -> tuple[float, int]:
    """Run every queued task, as a worker would: seconds taken, tasks run."""
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    tasks = DBTaskResult.objects.count()
    started = time.perf_counter()
    call_command(
        "db_worker", batch=True, interval=0, startup_delay=False, reload=False, verbosity=0
    )
    seconds = time.perf_counter() - started
    failed = DBTaskResult.objects.exclude(status="SUCCESSFUL").count()
    if failed:
        raise SystemExit(f"{failed} of {tasks} queued tasks did not succeed")
    return seconds, tasks


def fingerprint_cost(files: int, runs: int, *, workers=None, narrow: bool = False):
    """Fresh-import seconds with and without fingerprints, ``runs`` of each, alternated;
    with them, the seconds of the queued matching too."""
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import override_settings

    from interviews.models import AnswerBand, AnswerMatch

    seconds = {True: [], False: []}
    matching = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(runs):
            # Which goes first alternates too: neither always meets a warmer cache.
            order = (True, False) if run % 2 == 0 else (False, True)
            for fingerprints in order:
                call_command("flush", interactive=False, verbosity=0)
                bench_questionnaire()
                settings.ZVONOK_COPY_FINGERPRINTS = fingerprints
                folder = Path(tmp) / f"{run}-{fingerprints}"
                if fingerprints:
                    with override_settings(TASKS=DATABASE_TASKS):
                        result = time_import(folder, files, workers=workers, narrow=narrow)
                        drained, tasks = drain_queue()
                    matching.append(drained)
                    queued = f", then matching {drained:.2f} s ({tasks} tasks)"
                else:
                    result = time_import(folder, files, workers=workers, narrow=narrow)
                    queued = ""
                seconds[fingerprints].append(result["fresh_s"])
                bands, matches = AnswerBand.objects.count(), AnswerMatch.objects.count()
                print(
                    f"run {run + 1} {'with' if fingerprints else 'without'} fingerprints: "
                    f"import {result['fresh_s']:.2f} s{queued}, {result['answers']} answers, "
                    f"{bands} bands, {matches} pairs, load {load_average()}",
                    flush=True,
                )
    settings.ZVONOK_COPY_FINGERPRINTS = True
    with_, without = statistics.median(seconds[True]), statistics.median(seconds[False])
    print(
        f"median fresh import of {files} {'narrow ' if narrow else ''}files: "
        f"{with_:.2f} s with fingerprints, "
        f"{without:.2f} s without: {100 * (with_ / without - 1):+.1f}%   (goal: <= +10%)"
    )
    print(
        f"median matching queued by the import with them: {statistics.median(matching):.2f} s "
        f"(db_worker --batch, after the import)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=int(os.environ.get("BENCH_FILES", 10_000)))
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--skip-loaddata", action="store_true")
    parser.add_argument("--fingerprint-cost", type=int, metavar="RUNS", default=0)
    parser.add_argument(
        "--narrow", action="store_true", help="the first version's files: 55 words, the worst case"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zvonok_bench"
        ),
    )
    args = parser.parse_args()

    fresh_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    from interviews.models import Answer, Submission

    call_command("migrate", verbosity=0)
    if args.fingerprint_cost:
        print(f"machine: {platform.platform()}, {os.cpu_count()} cores, load {load_average()}")
        fingerprint_cost(
            args.files, args.fingerprint_cost, workers=args.workers, narrow=args.narrow
        )
        return
    bench_questionnaire()

    load_before = load_average()
    with tempfile.TemporaryDirectory() as tmp:
        result = time_import(Path(tmp), args.files, workers=args.workers, narrow=args.narrow)
        fresh, again, answers = result["fresh_s"], result["unchanged_s"], result["answers"]
        total_bytes = result["bytes"]
        assert Submission.objects.count() == args.files, "not every file was imported"
        rss_self = _rss_mb(resource.RUSAGE_SELF)

        loaddata = None
        if not args.skip_loaddata:
            fixture = Path(tmp) / "same-data.json"
            call_command(
                "dumpdata",
                "interviews.candidate",
                "interviews.submission",
                "interviews.answer",
                output=str(fixture),
                verbosity=0,
            )
            Answer.objects.all().delete()
            Submission.objects.all().delete()
            from interviews.models import Candidate

            Candidate.objects.all().delete()
            started = time.perf_counter()
            call_command("loaddata", str(fixture), verbosity=0)
            loaddata = time.perf_counter() - started

    print(
        f"machine: {platform.platform()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {connection.vendor} "
        f"{'.'.join(map(str, connection.Database.__version__.split()[:1]))}"
    )
    print(f"load average: {load_before} before, {load_average()} after")
    print(
        f"files: {args.files} ({total_bytes / args.files / 1024:.1f} KB on average), "
        f"answers: {answers}"
    )
    print(
        f"fresh import:     {fresh:7.2f} s  {args.files / fresh:8.0f} files/s  "
        f"{answers / fresh:8.0f} answers/s   (goal: >= 2000 files/s)"
    )
    print(
        f"unchanged import: {again:7.2f} s  {args.files / again:8.0f} files/s"
        f"                       (goal: >= 10000 files/s)"
    )
    # Parser workers are children of the forkserver, not of this process, so
    # RUSAGE_CHILDREN does not see them; each holds one batch of files at most.
    print(f"peak RSS: {rss_self:.0f} MB main process   (goal: <= 150 MB; workers not included)")
    if loaddata is not None:
        print(
            f"loaddata of the same rows: {loaddata:7.2f} s  -> import is "
            f"{loaddata / fresh:.1f}x faster   (goal: >= 5x)"
        )


if __name__ == "__main__":
    main()
