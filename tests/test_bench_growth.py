"""bench/growth.py: the growth table and chart from bench/run.py's JSON results."""

import xml.etree.ElementTree as ET

from bench import growth


def _run(scale, factor):
    pages = [
        {"name": name, "p50_ms": 10 * factor, "p95_ms": 20 * factor}
        for name in ("candidates, first page", "funnel report")
    ]
    return {
        "scale": scale,
        "data": {"sizes": {"candidates": int(100_000 * scale), "answers": int(1e6 * scale)}},
        "pages": {"pages": pages, "load": [[1.5, 1, 1], [2.0, 1, 1]]},
        "search": {
            "find_p50": 30 * factor,
            "find_p95": 60 * factor,
            "load": [[2, 1, 1], [2.5, 1, 1]],
        },
    }


def test_the_table_has_a_row_per_measurement_and_a_column_per_scale(tmp_path):
    paths = []
    for scale, factor in ((3, 1.2), (0.1, 1.0)):
        path = tmp_path / f"{scale}.json"
        path.write_text(growth.json.dumps(_run(scale, factor)))
        paths.append(path)

    rows = growth.table(growth.load(paths)).splitlines()

    assert rows[0] == "| measurement | scale 0.1: p50 / p95 | scale 3: p50 / p95 |"
    assert "| funnel report | 10 / 20 ms | 12 / 24 ms |" in rows
    assert f"| {growth.SEARCH} | 30 / 60 ms | 36 / 72 ms |" in rows
    assert rows[-1] == "| load average (1 min), pages and search | 1.5 → 2.5 | 1.5 → 2.5 |"


def test_the_chart_draws_a_line_per_measurement_through_each_scale():
    runs = [(0.1, _run(0.1, 1.0)), (1, _run(1, 1.1)), (3, _run(3, 1.3))]

    root = ET.fromstring(growth.svg(runs))

    lines = root.findall("{http://www.w3.org/2000/svg}polyline")
    assert len(lines) == 3  # two pages and the search
    assert all(len(line.get("points").split()) == 3 for line in lines)
