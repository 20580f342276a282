"""Copied answers at scale: how long finding the neighbours of one new sheet takes.

For each of ``runs`` sheets of the benchmark data (bench/generate.py, whose answers carry
their band hashes and 2% of which are copies), taken as if just imported: its answers'
band hashes (computed beforehand, as the import's workers do), then the timed part,
``interviews.copying.find_matches``: the indexed band lookup, the exact comparison of the
neighbours sharing the most bands, the pairs written; rolled back after each sheet.

    python -m bench.copy_lookup --runs 200 [--database-url URL]   (also a step of make bench)
"""

import argparse
import random
import time

from bench.common import database_url, load_average, percentile, setup_django

GOAL_P95_MS = 50


def measure_neighbours(runs: int, say=print, *, seed: int = 0) -> dict:
    from django.db import connection, transaction

    from interviews import copying
    from interviews.models import AnswerMatch, Submission
    from interviews.sheets import similarity

    latest = Submission.objects.latest_revisions().filter(
        candidate__anonymized_at__isnull=True, questionnaire__isnull=False
    )
    last = latest.order_by("-pk").values_list("pk", flat=True).first()
    rng = random.Random(seed)
    timings, matches, candidates = [], [], []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE relname = %s", ["interviews_answerband"]
        )
        bands = cursor.fetchone()[0]
    say(f"band rows (estimate): {bands:,}; load {load_average()}")
    while len(timings) < runs:
        sheet = latest.filter(pk__gte=rng.randint(1, last)).order_by("pk").first()
        if sheet is None:
            continue
        new = [
            copying.NewText(
                sheet.questionnaire_id,
                body,
                question_text,
                similarity.fingerprint(body, question_text).bands,
                answer_id=pk,
                candidate_id=sheet.candidate_id,
            )
            for pk, body, question_text in sheet.answers.values_list("pk", "body", "question_text")
        ]
        with transaction.atomic():
            # The sheet is the newest: its own pairs are found again, not read.
            AnswerMatch.objects.filter(answer__submission=sheet).delete()
            AnswerMatch.objects.filter(other_answer__submission=sheet).delete()
            started = time.perf_counter()
            found = copying.find_matches(new)
            timings.append((time.perf_counter() - started) * 1000)
            transaction.set_rollback(True)
        matches.append(found)
        candidates.append(sum(len(n.bands) for n in new))
    result = {
        "p50_ms": percentile(timings, 50),
        "p95_ms": percentile(timings, 95),
        "max_ms": max(timings),
        "sheets": runs,
        "band_rows": bands,
        "sheets_with_matches": sum(1 for m in matches if m),
        "bands_per_sheet": sum(candidates) / runs,
        "load": load_average(),
    }
    say(
        f"neighbours of one sheet: p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms, "
        f"max {result['max_ms']:.1f} ms over {runs} sheets ({result['bands_per_sheet']:.0f} band "
        f"hashes each; {result['sheets_with_matches']} with a pair); load {result['load']}"
        f"   (goal: p95 <= {GOAL_P95_MS} ms)"
    )
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    setup_django(database_url(args.database_url))
    measure_neighbours(args.runs)


if __name__ == "__main__":
    main()
