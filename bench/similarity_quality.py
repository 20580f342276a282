"""Copied answers: the threshold chosen on one set of examples, measured on another.

Run with `python -m bench.similarity_quality`; see docs/benchmarks.md, "Copied answers".
Each example is a pair of answers to one question, labelled by hand (`copy`). The
highest threshold with the best F1 on tests/data/similarity/tuning.yaml is chosen (at
scale nearly every pair is independent, so a lower one multiplies false flags);
precision and recall at the module's THRESHOLD are then printed for holdout.yaml, whose
examples were written apart. Exits non-zero if the module's THRESHOLD is not the one
chosen.
"""

import sys
from pathlib import Path

import yaml

from interviews.sheets import similarity

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "similarity"
CANDIDATES = [round(0.05 * i, 2) for i in range(1, 20)]


def scored(name: str) -> list[tuple[float, bool]]:
    pairs = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    result = []
    for pair in pairs:
        a = similarity.fingerprint(pair["a"], pair["question"])
        b = similarity.fingerprint(pair["b"], pair["question"])
        result.append((similarity.similarity(a, b), bool(pair["copy"])))
    return result


def shared_bands(name: str) -> list[tuple[float, int]]:
    """(similarity, band hashes in common) of each copy: the lookup meets a copy when it
    shares at least one."""
    pairs = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    result = []
    for pair in pairs:
        if pair["copy"]:
            a = similarity.fingerprint(pair["a"], pair["question"])
            b = similarity.fingerprint(pair["b"], pair["question"])
            result.append((similarity.similarity(a, b), len(set(a.bands) & set(b.bands))))
    return result


def quality(pairs: list[tuple[float, bool]], threshold: float) -> tuple[float, float, float]:
    flagged = [copy for s, copy in pairs if s >= threshold]
    true_positives = sum(flagged)
    copies = sum(copy for _, copy in pairs)
    precision = true_positives / len(flagged) if flagged else 1.0
    recall = true_positives / copies if copies else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def main() -> int:
    tuning = scored("tuning.yaml")
    holdout = scored("holdout.yaml")
    for label, pairs in (("tuning", tuning), ("holdout", holdout)):
        print(f"{label}: similarity of each pair (copy?)")
        for s, copy in pairs:
            print(f"  {s:.3f}  {'copy' if copy else '-'}")
    f1s = {t: quality(tuning, t)[2] for t in CANDIDATES}
    best = max(f1s.values())
    best_thresholds = [t for t in CANDIDATES if f1s[t] == best]
    print(f"tuning: best F1 {best:.2f} for thresholds {best_thresholds[0]}..{best_thresholds[-1]}")
    print("LSH: chance that a pair shares a band hash")
    for s in (0.02, 0.05, 0.1, 0.15, 0.2, similarity.THRESHOLD, 0.3, 0.5):
        print(f"  s = {s:.2f}: {similarity.candidate_probability(s):.3f}")
    for label, pairs in (("tuning", tuning), ("holdout", holdout)):
        p, r, f = quality(pairs, similarity.THRESHOLD)
        print(
            f"{label} at THRESHOLD {similarity.THRESHOLD}: "
            f"precision {p:.2f}, recall {r:.2f}, F1 {f:.2f} ({len(pairs)} pairs)"
        )
    for label, name in (("tuning", "tuning.yaml"), ("holdout", "holdout.yaml")):
        shared = shared_bands(name)
        expected = sum(similarity.candidate_probability(s) for s, _ in shared) / len(shared)
        print(
            f"{label}: band hashes each copy shares with its original "
            f"{[n for _, n in shared]}; chance the lookup finds a copy, on average "
            f"{expected:.3f}"
        )
    if similarity.THRESHOLD != best_thresholds[-1]:
        print(f"THRESHOLD should be {best_thresholds[-1]}, the one chosen", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
