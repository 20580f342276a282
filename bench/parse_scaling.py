"""Hostile inputs: parse time at 1x and 10x size, and every shape at 2 MB.

Run with `make bench-parse`; see docs/benchmarks.md. Three checks, exit non-zero if any
fails:

* Scaling: ``parse()`` of a str (no caps) at 1x and 10x size. Linear stays near 10,
  quadratic goes to ~100; a ratio over MAX_RATIO fails. Times are this process's CPU time,
  the best of REPEATS, so that other work on the machine matters less.
* The seed sheet: ``parse_bytes()`` costs at most SEED_OVERHEAD_MS more than markdown-it's
  own parse of the same text (the work of finding questions stays small beside it).
* 2 MB: each shape as a 2 MB file through ``parse_bytes()`` (what an upload or an import
  does, caps included), each in a fresh process so that its peak RSS is its own. Parsed or
  refused, it must take at most MAX_SECONDS of CPU time and MAX_RSS_MB peak RSS. Wall time
  and the load average are printed too.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path

from interviews.sheets import MAX_BYTES_DEFAULT, SheetError, parse, parse_bytes, patch

MAX_RATIO = 20
REPEATS = 3
MAX_SECONDS = 3.0
MAX_RSS_MB = 300
SEED_OVERHEAD_MS = 1.0
SEED = Path(__file__).resolve().parents[1].parent / "shared" / "seed" / "zvonok_answers.md"
PAD = "слово " * 8


def headings(n: int) -> str:
    return "".join(f"## {i % 100 + 1}. Вопрос {i}?\nОтвет {i}\n" for i in range(n))


def big_sheet(n: int) -> str:
    # The largest well-formed sheet: at 2 MB, just under the element cap.
    return "".join(f"## {i % 999 + 1}. Вопрос {i}?\n{PAD * 4}\n" for i in range(n))


def setext_headings(n: int) -> str:
    # Each "x" and the next "Q{i}" make one more setext heading, joined to the question.
    return "".join(f"Q{i}\n---\nx\n" for i in range(n))


def setext_long_lines(n: int) -> str:
    return "".join(f"Q{i} {PAD}\n---\n{PAD}\n" for i in range(n))


def continued_headings(n: int) -> str:
    return "## 1. Вопрос\n" + "".join(f"## часть {i}\n" for i in range(n))


def continued_long_lines(n: int) -> str:
    return "## 1. Вопрос\n" + "".join(f"## часть {i} {PAD}{PAD}\n" for i in range(n))


def tiny_headings(n: int) -> str:
    return "#\n" * n


def labelled_lines(n: int) -> str:
    # One paragraph: each line is read for its label ("Вопрос N").
    return "".join(f"**Вопрос {i % 999 + 1}** {PAD}\n" for i in range(n))


def paragraphs(n: int) -> str:
    return "a\n\n" * n


def bullets(n: int) -> str:
    return "- a\n" * n


def blank_lines(n: int) -> str:
    return "a" + "\n" * n


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


def reference_definitions(n: int) -> str:
    return "".join(f"[r{i}]: /u\n" for i in range(n))


def table_rows(n: int) -> str:
    return "## 1. Вопрос?\n| a | b |\n|---|---|\n" + "".join(f"| {i} | x |\n" for i in range(n))


def brackets(n: int) -> str:
    return "[" * n


def emphasis(n: int) -> str:
    return "*a" * n


def emphasis_read(n: int) -> str:
    # A digit: the paragraph is read for labels, so its inline markup is parsed.
    return "Вопрос 1 " + "*a" * n


def brackets_read(n: int) -> str:
    return "Вопрос 1 " + "[" * n


def html_deep_items(n: int) -> str:
    # One question whose answer nests lists n deep, none of them closed.
    return "<ol>\n<li>Вопрос?\n" + "<ul><li>ответ\n" * n


def html_unclosed(n: int) -> str:
    # Items and paragraphs never closed: each new one closes the one before.
    return "<ol>\n" + "".join(f"<li>Вопрос {i}?\n<p>ответ {i}\n" for i in range(n))


def html_flat_list(n: int) -> str:
    return "<ol>\n" + "".join(f"<li>Вопрос {i}?</li>\n" for i in range(n)) + "</ol>\n"


def html_misnested(n: int) -> str:
    # End tags of elements opened long before, and stray ones: each closes what is above.
    return "<ol>\n<li>Вопрос?\n" + "<div><b><p>x</li></b><ul>\n" * n + "</p></h2>\n" * n


def html_open_tags(n: int) -> str:
    # Start tags and attribute values never closed (quadratic in close() before 3.11.13).
    return "<div>\n" + "<a b='x' c=\"" * n


def html_long_tag(n: int) -> str:
    # One start tag of n lines of attributes (hundreds of MB in the tokenizer, uncapped).
    return "<div>\n<a\n" + " b c d e f g\n" * n + ">\n"


def html_open_comments(n: int) -> str:
    return "<div>\n" + "<!-- >" * n


def topic_lines(n: int) -> str:
    # Numbered lines under topic headings, "2.What" with no space: no list to Markdown.
    return "".join(
        (f"## ТЕМА {i}\n" if i % 3 == 0 else "") + f"{i + 1}.Что такое {i}?\nОтвет {i}\n\n"
        for i in range(n)
    )


def topic_after_blanks(n: int) -> str:
    # One topic heading, many blank lines, then numbered lines out of order under it.
    return "## ТЕМА\n" + "\n" * n + "1. Что?\n" + "2.Как?\n\n" * n


# (name, generator, 1x size)
CASES = [
    ("headings", headings, 2_000),
    ("big sheet", big_sheet, 500),
    ("setext run", setext_headings, 2_000),
    ("setext long", setext_long_lines, 1_000),
    ("continued run", continued_headings, 4_000),
    ("continued long", continued_long_lines, 1_000),
    ("tiny headings", tiny_headings, 4_000),
    ("labelled lines", labelled_lines, 2_000),
    ("paragraphs", paragraphs, 4_000),
    ("bullets", bullets, 2_000),
    ("blank lines", blank_lines, 50_000),
    ("deep lists", deep_lists, 1_000),
    ("deep quotes", deep_quotes, 1_000),
    ("long line", long_line, 50_000),
    ("reference links", reference_links, 2_000),
    ("reference defs", reference_definitions, 2_000),
    ("table rows", table_rows, 2_000),
    ("open brackets", brackets, 5_000),
    ("emphasis", emphasis, 2_000),
    ("emphasis, read", emphasis_read, 2_000),
    ("brackets, read", brackets_read, 5_000),
    ("html deep items", html_deep_items, 2_000),
    ("html unclosed", html_unclosed, 2_000),
    ("html flat list", html_flat_list, 2_000),
    ("html misnested", html_misnested, 1_000),
    ("html open tags", html_open_tags, 50_000),
    ("html comments", html_open_comments, 50_000),
    ("html long tag", html_long_tag, 20_000),
    ("topic lines", topic_lines, 2_000),
    ("topic blanks", topic_after_blanks, 5_000),
]


def best_time(text: str) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        start = time.process_time()
        parse(text)
        best = min(best, time.process_time() - start)
    return best


def two_megabytes(make, size: int) -> bytes:
    """``make(n)`` for the largest n found that keeps it within the 2 MB file limit."""
    n = max(1, int(size * MAX_BYTES_DEFAULT / len(make(size).encode())))
    while len(data := make(n).encode()) > MAX_BYTES_DEFAULT:
        n = int(n * 0.98)
    return data


def memory_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process. Not getrusage's ru_maxrss: on Linux
    that keeps the parent's peak across fork and exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise LookupError(field)


def measure_file(path: str) -> dict:
    """In the child process: parse_bytes of one file, timed, with the peak RSS."""
    data = Path(path).read_bytes()
    before = memory_mb("VmRSS")
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        outcome = f"{len(parse_bytes(data).sections):,} sections"
    except SheetError as exc:
        outcome = f"refused: {str(exc).split(':')[0]}"
    return {
        "wall": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "rss_before": before,
        "rss": memory_mb("VmHWM"),
        "outcome": outcome,
    }


def scaling() -> bool:
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
        return False
    print(f"ok: every ratio is at most {MAX_RATIO} (linear is ~10)")
    return True


def at_two_megabytes() -> bool:
    print(f"\nload average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"{'input':<16} {'bytes':>10} {'cpu s':>6} {'wall s':>7} {'RSS MB':>7} "
        f"{'(start)':>7}  outcome"
    )
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for name, make, size in CASES:
            path = Path(tmp) / "sheet.md"
            path.write_bytes(two_megabytes(make, size))
            child = subprocess.run(
                [sys.executable, "-m", "bench.parse_scaling", "--one", str(path)],
                capture_output=True,
                text=True,
                check=True,
            )
            m = json.loads(child.stdout)
            over = m["cpu"] > MAX_SECONDS or m["rss"] > MAX_RSS_MB
            ok = ok and not over
            print(
                f"{name:<16} {path.stat().st_size:>10,} {m['cpu']:>6.2f} {m['wall']:>7.2f} "
                f"{m['rss']:>7.0f} {m['rss_before']:>7.0f}  {m['outcome']}"
                + ("  <-- over" if over else "")
            )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if not ok:
        print(f"FAIL: a 2 MB file took over {MAX_SECONDS} s of CPU or {MAX_RSS_MB} MB")
        return False
    print(f"ok: every 2 MB file within {MAX_SECONDS} s of CPU and {MAX_RSS_MB} MB peak RSS")
    return True


def seed_overhead() -> bool:
    if not SEED.exists():
        print(f"skipped: the seed sheet is not at {SEED.name} beside the checkout")
        return True
    data = SEED.read_bytes()
    text = data.decode("utf-8")
    ours = min(timeit.repeat(lambda: parse_bytes(data), number=20, repeat=5)) / 20
    theirs = min(timeit.repeat(lambda: patch.MD.parse(text), number=20, repeat=5)) / 20
    overhead_ms = (ours - theirs) * 1000
    ok = overhead_ms < SEED_OVERHEAD_MS
    print(
        f"{'ok' if ok else 'FAIL'}: the seed sheet parses in {ours * 1000:.2f} ms, "
        f"{overhead_ms:.2f} ms beyond markdown-it (goal < {SEED_OVERHEAD_MS} ms), "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    return ok


def main() -> int:
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(measure_file(sys.argv[2])))
        return 0
    parse(headings(100))  # warm up imports and caches
    cheap = seed_overhead()
    linear = scaling()
    bounded = at_two_megabytes()
    return 0 if cheap and linear and bounded else 1


if __name__ == "__main__":
    sys.exit(main())
