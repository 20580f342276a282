"""How page times change as the data grows: the results of ``bench/run.py --json`` at
several scales as a Markdown table and an SVG chart (p95 per page against the scale).

    python bench/run.py --scale 0.1 --no-icontains --json /tmp/growth-0.1.json
    python bench/run.py --scale 1 --no-icontains --json /tmp/growth-1.json
    python bench/run.py --scale 3 --no-icontains --json /tmp/growth-3.json
    python bench/growth.py /tmp/growth-*.json --svg docs/benchmarks-growth.svg

The chart is written here, by hand: a few lines of SVG need no plotting library.
"""

import argparse
import json
from html import escape
from pathlib import Path

GOAL_MS = 100
SEARCH = "search, find-answers page (p95 of 20 queries)"
OFFSET = "by number"  # in the name of a page read with an offset

# Distinct enough on a white page, in the order the pages are listed.
COLOURS = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#393b79",
    "#637939",
    "#8c6d31",
    "#843c39",
    "#7b4173",
]


def load(paths):
    """[(scale, results)] in increasing scale."""
    runs = [json.loads(Path(path).read_text()) for path in paths]
    return sorted(((run["scale"], run) for run in runs), key=lambda item: item[0])


def series(runs):
    """{measurement: [(p50, p95) per scale]} in the pages' order, the search last."""
    names = [page["name"] for page in runs[0][1]["pages"]["pages"]]
    result = {}
    for name in names:
        row = []
        for _scale, run in runs:
            page = next(p for p in run["pages"]["pages"] if p["name"] == name)
            row.append((page["p50_ms"], page["p95_ms"]))
        result[name] = row
    result[SEARCH] = [(run["search"]["find_p50"], run["search"]["find_p95"]) for _s, run in runs]
    return result


def _sizes(run):
    sizes = run["data"]["sizes"]
    return f"{sizes['candidates']:,} candidates, {sizes['answers']:,} answers"


def table(runs):
    lines = [
        "| measurement | " + " | ".join(f"scale {scale:g}: p50 / p95" for scale, _ in runs) + " |",
        "|---|" + "---|" * len(runs),
    ]
    for name, row in series(runs).items():
        cells = " | ".join(f"{p50:.0f} / {p95:.0f} ms" for p50, p95 in row)
        lines.append(f"| {name} | {cells} |")
    lines.append("| data | " + " | ".join(_sizes(run) for _scale, run in runs) + " |")
    loads = []
    for _scale, run in runs:
        start, end = run["pages"]["load"][0][0], run["search"]["load"][1][0]
        loads.append(f"{start:.1f} → {end:.1f}")
    lines.append("| load average (1 min), pages and search | " + " | ".join(loads) + " |")
    return "\n".join(lines)


def svg(runs, *, width=760, height=420):
    """p95 of each measurement (y, ms) against the data's size (x, one step per scale)."""
    data = series(runs)
    left, right, top, bottom = 56, 300, 20, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    # Scaled to the pages read by key; a page read by offset grows with the table and
    # would flatten every other line: it is cut at the top, its values written there.
    scaled = [p95 for name, row in data.items() if OFFSET not in name for _p50, p95 in row]
    top_ms = max(GOAL_MS * 1.5, max(scaled) * 1.15)
    step = next(s for s in (25, 50, 100, 200, 500, 1000) if top_ms / s <= 12)

    def x(i):
        return left + (plot_w * i / (len(runs) - 1) if len(runs) > 1 else plot_w / 2)

    def y(ms):
        return top + plot_h - plot_h * min(ms, top_ms) / top_ms

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        "<title>Page times (p95) as the data grows</title>",
        f'<rect width="{width}" height="{height}" fill="white"/>',
    ]
    for ms in range(0, int(top_ms) + 1, step):
        out.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(ms):.1f}" y2="{y(ms):.1f}" '
            'stroke="#e5e5e5"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{y(ms) + 4:.1f}" text-anchor="end" fill="#555">{ms}</text>'
        )
    out.append(
        f'<line x1="{left}" x2="{left + plot_w}" y1="{y(GOAL_MS):.1f}" y2="{y(GOAL_MS):.1f}" '
        'stroke="#d62728" stroke-dasharray="5,4"/>'
    )
    out.append(
        f'<text x="{left + plot_w - 4}" y="{y(GOAL_MS) - 4:.1f}" text-anchor="end" '
        f'fill="#d62728">goal: {GOAL_MS} ms</text>'
    )
    for i, (scale, run) in enumerate(runs):
        sizes = run["data"]["sizes"]
        out.append(
            f'<text x="{x(i):.1f}" y="{top + plot_h + 16}" text-anchor="middle" fill="#333">'
            f"scale {scale:g}</text>"
        )
        out.append(
            f'<text x="{x(i):.1f}" y="{top + plot_h + 30}" text-anchor="middle" fill="#777">'
            f"{sizes['answers'] / 1e6:g}M answers</text>"
        )
    out.append(
        f'<text x="14" y="{top + plot_h / 2:.1f}" transform="rotate(-90 14 {top + plot_h / 2:.1f})"'
        ' text-anchor="middle" fill="#333">p95, ms</text>'
    )
    for n, (name, row) in enumerate(data.items()):
        colour = COLOURS[n % len(COLOURS)]
        points = " ".join(f"{x(i):.1f},{y(p95):.1f}" for i, (_p50, p95) in enumerate(row))
        dash = ' stroke-dasharray="2,2"' if name == SEARCH else ""
        out.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.6"{dash}/>'
        )
        for i, (_p50, p95) in enumerate(row):
            out.append(f'<circle cx="{x(i):.1f}" cy="{y(p95):.1f}" r="2.5" fill="{colour}"/>')
            if p95 > top_ms:
                last = i == len(row) - 1
                out.append(
                    f'<text x="{x(i) + (-5 if last else 5):.1f}" y="{y(p95) + 12:.1f}" '
                    f'text-anchor="{"end" if last else "start"}" fill="{colour}">'
                    f"↑ {p95:,.0f} ms</text>"
                )
        legend_y = top + 10 + n * 16
        out.append(
            f'<line x1="{width - right + 16}" x2="{width - right + 36}" y1="{legend_y - 4}" '
            f'y2="{legend_y - 4}" stroke="{colour}" stroke-width="2"{dash}/>'
        )
        out.append(
            f'<text x="{width - right + 42}" y="{legend_y}" fill="#333">{escape(name)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+", help="JSON files of bench/run.py --json")
    parser.add_argument("--svg", help="write the chart here")
    args = parser.parse_args()
    runs = load(args.results)
    print(table(runs))
    if args.svg:
        Path(args.svg).write_text(svg(runs))


if __name__ == "__main__":
    main()
