"""Parse time at 1x and 10x size for hostile inputs: linear stays near 10, quadratic ~100.

Run with `make bench-parse`. Exits non-zero when a ratio exceeds MAX_RATIO.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from interviews.markdown import parse

MAX_RATIO = 20
REPEATS = 3


def headings(n: int) -> str:
    return "".join(f"## {i % 100 + 1}. Вопрос {i}?\nОтвет {i}\n" for i in range(n))


def deep_lists(n: int) -> str:
    return "- " * n + "x"


def deep_quotes(n: int) -> str:
    return ">" * n + " x"


def long_line(n: int) -> str:
    return "слово " * n


def reference_links(n: int) -> str:
    definitions = "".join(f"[r{i}]: https://example.com/{i}\n" for i in range(max(1, n // 10)))
    uses = " ".join(f"[lol][r{i % max(1, n // 10)}]" for i in range(n))
    return f"{definitions}\n{uses}\n"


def table_rows(n: int) -> str:
    return "## 1. Вопрос?\n| a | b |\n|---|---|\n" + "".join(f"| {i} | x |\n" for i in range(n))


def brackets(n: int) -> str:
    return "[" * n


def emphasis(n: int) -> str:
    return "*a" * n


# (name, generator, 1x size)
CASES = [
    ("headings", headings, 2_000),
    ("deep lists", deep_lists, 1_000),
    ("deep quotes", deep_quotes, 1_000),
    ("long line", long_line, 50_000),
    ("reference links", reference_links, 2_000),
    ("table rows", table_rows, 2_000),
    ("open brackets", brackets, 5_000),
    ("emphasis", emphasis, 2_000),
]


def best_time(text: str) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        parse(text)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    parse(headings(100))  # warm up imports and caches
    print(f"{'input':<16} {'1x size':>10} {'1x s':>8} {'10x s':>8} {'ratio':>6}")
    worst = 0.0
    for name, make, size in CASES:
        small, big = make(size), make(size * 10)
        t1, t10 = best_time(small), best_time(big)
        ratio = t10 / max(t1, 1e-6)
        worst = max(worst, ratio)
        flag = "  <-- superlinear" if ratio > MAX_RATIO else ""
        print(f"{name:<16} {len(small):>10,} {t1:>8.4f} {t10:>8.4f} {ratio:>6.1f}{flag}")
    if worst > MAX_RATIO:
        print(f"FAIL: a ratio is over {MAX_RATIO} (linear is ~10)")
        return 1
    print(f"ok: every ratio is at most {MAX_RATIO} (linear is ~10)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
