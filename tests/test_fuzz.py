"""Property tests of interviews.sheets on generated sheets and random bytes.

`make test` runs 1,300 examples in all; `make fuzz` (HYPOTHESIS_PROFILE=fuzz) runs each
property with the fuzz profile's max_examples.
"""

from __future__ import annotations

import codecs
import os
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interviews.rendering import render_markdown
from interviews.sheets import (
    MAX_BYTES_DEFAULT,
    SheetError,
    analysis,
    frontmatter,
    parse,
    parse_bytes,
    render_sheet,
    similarity,
)
from tests.test_markdown import BODY_PIECES, WORDS, accounted_lines, nonblank, sheets

settings.register_profile("ci", deadline=None)
settings.register_profile(
    "fuzz", max_examples=20_000, deadline=None, suppress_health_check=list(HealthCheck)
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)


def examples(n: int) -> int:
    """n examples in CI; the fuzz profile's count under `make fuzz`."""
    return settings.get_profile("fuzz").max_examples if PROFILE == "fuzz" else n


# ---------------------------------------------------------------------------------------------
# Sheets built from the structures the parser knows

LABELS = [
    "{n}.",
    "{n})",
    "{n}..",
    "{n} -",
    "{n}:",
    "{n}.{m}",
    "Вопрос {n}:",
    "Вопрос №{n}.",
    "Задание {n}",
    "Q{n}",
    "Q {n}.",
    "№ {n}",
    "Task #{n}",
    "Question {n}:",
    "#{n}",
    "",
]
MARKERS = ["Ответ", "Ответ:", "Решение", "Дополнение к ответу", "Answer", "Пример", "UPD"]
# Topic headings over numbered lines, and a project generator's README after the answers.
TOPICS = ["## DATABASES", "## KUBERNETES", "## Базы данных", "### Python", "СЕТИ\n----"]
ASKING = ["What is {w}?", "How does {w} work", "Explain {w}.", "Что такое {w}?", "Опишите {w}"]
GENERATED = [
    "## Available Scripts\n\nIn the project directory, you can run:\n\n### `npm start`\n\nRuns it.",
    "### Project setup\n\n```\nnpm install\n```\n\n### Lints and fixes files",
    "## Доступные скрипты\n\n### `npm test`\n\nЗапускает тесты.\n\n## Узнать больше",
    "## Learn More\n\n### Deployment\n\n### `npm run build` fails to minify\n\nMoved.",
]
ANSWERS = [
    "Два года коммерческой разработки.",
    "**Ответ:** да.",
    "Ответ: нет.\nВторая строка ответа.",
    "- пункт один\n- пункт два",
    "```sql\nSELECT 1;\n```",
    "> цитата",
]
asking = st.builds(lambda fmt, w: fmt.format(w=w), st.sampled_from(ASKING), st.sampled_from(WORDS))

words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(" ".join)
question_texts = st.builds(lambda t, ask: t + ("?" if ask else ""), words, st.booleans())
labels = st.builds(
    lambda fmt, n, m: fmt.format(n=n, m=m),
    st.sampled_from(LABELS),
    st.integers(0, 1200),
    st.integers(0, 12),
)


@st.composite
def blocks(draw) -> str:
    kind = draw(
        st.sampled_from(
            [
                "heading",
                "setext",
                "bold",
                "list",
                "fence",
                "quote",
                "table",
                "marker",
                "body",
                "topic",
                "numbered",
                "generated",
            ]
        )
    )
    label, text = draw(labels), draw(question_texts)
    if kind == "heading":
        level = draw(st.integers(1, 6))
        return f"{'#' * level} {label} {text}".rstrip()
    if kind == "setext":
        return f"{label} {text}\n{draw(st.sampled_from(['===', '---']))}"
    if kind == "bold":
        return draw(
            st.sampled_from([f"**{label}** {text}", f"**{label} {text}**", f"{label} {text}"])
        )
    if kind == "list":
        marker = draw(st.sampled_from(["-", "*", "+", "1.", "2)", "10."]))
        depth = draw(st.integers(0, 3))
        return "\n".join(f"{'  ' * d}{marker} {label} {text}" for d in range(depth + 1))
    if kind == "fence":
        fence = draw(st.sampled_from(["```", "~~~", "````"]))
        close = draw(st.sampled_from([fence, ""]))  # sometimes never closed
        return f"{fence}python\n# comment\n## {label} {text}\nx = 1\n{close}".rstrip()
    if kind == "quote":
        return f"> ## {label} {text}\n> {draw(words)}\n>\n> > {draw(words)}"
    if kind == "table":
        rows = draw(st.integers(0, 4))
        return "| a | b |\n|---|:-:|\n" + "\n".join(f"| {label} | {text} |" for _ in range(rows))
    if kind == "topic":
        return draw(st.sampled_from(TOPICS))
    if kind == "numbered":
        n, space, answer = draw(st.integers(0, 20)), draw(st.sampled_from(["", " "])), draw(words)
        return f"{n}{draw(st.sampled_from(['.', ')']))}{space}{draw(asking)}\n{answer}"
    if kind == "generated":
        return draw(st.sampled_from(GENERATED))
    if kind == "marker":
        level = draw(st.integers(3, 6))
        marker = draw(st.sampled_from(MARKERS))
        return draw(st.sampled_from([f"{'#' * level} {marker}", f"**{marker}** {text}"]))
    return draw(st.sampled_from(BODY_PIECES))


# Sheets written in HTML: tags opened and closed in any order, left open, misnested, among
# Markdown images and hostile markup.
HTML_PIECES = [
    "<ol>",
    '<ol start="3">',
    "</ol>",
    "<ul>",
    "</ul>",
    "<li>",
    '<li value="7">',
    "</li>",
    "<p>",
    "</p>",
    "<div>",
    "</div>",
    "<b>",
    "</b>",
    "<br>",
    "<!-- ",
    " -->",
    "<pre>",
    "</pre>",
    "![схема](img/a.png)",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(2)" onclick="alert(3)">',
    "<a b='",
    "<details><summary>Ответ</summary>",
    "    ",
]


@st.composite
def html_pieces(draw) -> str:
    kind = draw(st.sampled_from(["tag", "heading", "item", "text"]))
    if kind == "tag":
        return draw(st.sampled_from(HTML_PIECES))
    label, text = draw(labels), draw(question_texts)
    if kind == "heading":
        level = draw(st.integers(1, 6))
        close = draw(st.sampled_from([f"</h{level}>", f"</h{7 - level}>", ""]))
        return f"<h{level}>{label} {text}{close}"
    if kind == "item":
        return f"<li>{label} {text}"
    return draw(words)


@st.composite
def html_documents(draw) -> str:
    parts = draw(st.lists(html_pieces(), max_size=30))
    separators = draw(st.lists(st.sampled_from(["", " ", "\n", "\n\n"]), min_size=len(parts)))
    body = "".join(p + s for p, s in zip(parts, separators, strict=False))
    return draw(st.sampled_from(["\n", "\r\n"])).join(body.split("\n"))


class _LiveMarkup(HTMLParser):
    """The elements and attributes that would run script, as a browser would parse them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed", "style"):
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on") or "javascript:" in (value or "").lower():
                self.found.append(f"{tag} {name}")


FRONT_MATTERS = [
    "",
    "---\nname: Анна\nemail: anna@example.com\n---\n",
    "---\nname: [unclosed\n---\n",
    "---\na: &a [x, x]\nb: [*a, *a]\n---\n",
    "---\n- a list\n---\n",
    "---\nno end\n",
    "---\n---\n",
]


@st.composite
def documents(draw) -> str:
    parts = draw(st.lists(blocks() | st.text(max_size=20), max_size=12))
    separators = draw(st.lists(st.sampled_from(["\n", "\n\n", "\n\n\n"]), min_size=len(parts)))
    body = "".join(p + s for p, s in zip(parts, separators, strict=False))
    if draw(st.booleans()):
        body = draw(html_documents()) + "\n\n" + body
    text = draw(st.sampled_from(FRONT_MATTERS)) + body
    return draw(st.sampled_from(["\n", "\r\n", "\r"])).join(text.split("\n"))


def encoded(text: str, encoding: str) -> bytes:
    if encoding == "utf-16":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    return text.encode(encoding, errors="replace")


byte_inputs = st.one_of(
    st.binary(max_size=400),
    st.builds(encoded, documents(), st.sampled_from(["utf-8", "utf-8-sig", "cp1251", "utf-16"])),
    # A real sheet with random bytes spliced in.
    st.builds(
        lambda text, at, noise: text.encode()[:at] + noise + text.encode()[at:],
        documents(),
        st.integers(0, 2000),
        st.binary(min_size=1, max_size=8),
    ),
)


def assert_every_line_accounted_for(sheet) -> None:
    assert accounted_lines(sheet) == nonblank(sheet.text)


@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(byte_inputs)
def test_parse_bytes_raises_nothing_but_sheet_error(data):
    try:
        sheet = parse_bytes(data)
    except SheetError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert_every_line_accounted_for(sheet)


@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_every_non_blank_line_is_accounted_for_in_order(text):
    sheet = parse(text)

    assert_every_line_accounted_for(sheet)
    assert sheet.sections or sheet.warnings


@st.composite
def topic_sheets(draw) -> tuple[str, list[str], str]:
    """Numbered lines counting on under topic headings, some with no space after the
    number, a generator's README after them or not: (text, labels, trailer)."""
    parts, labels = [draw(st.sampled_from(["", "# Ответы", "Answers by Jane."]))], []
    for n in range(1, draw(st.integers(2, 8)) + 1):
        if n == 1 or draw(st.booleans()):
            parts.append(draw(st.sampled_from(TOPICS)))
        punct, space = draw(st.sampled_from([".", ")"])), draw(st.sampled_from(["", " "]))
        gap = draw(st.sampled_from(["\n", "\n\n"]))
        parts.append(f"{n}{punct}{space}{draw(asking)}{gap}{draw(st.sampled_from(ANSWERS))}")
        labels.append(f"{n}{punct}")
    trailer = draw(st.sampled_from(["", *GENERATED]))
    text = "\n\n".join(p for p in [*parts, trailer] if p)
    return draw(st.sampled_from(["\n", "\r\n"])).join(text.split("\n")), labels, trailer


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(topic_sheets())
def test_numbered_lines_under_topics_are_the_questions_and_boilerplate_the_trailer(drawn):
    text, labels, trailer = drawn

    sheet = parse(text)

    assert [s.label for s in sheet.sections] == labels
    assert sheet.trailer == trailer
    assert_every_line_accounted_for(sheet)


@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(byte_inputs)
def test_analysis_says_whether_any_file_is_an_answer_sheet(data):
    result = analysis.analyse_bytes(data, max_bytes=MAX_BYTES_DEFAULT)

    if not isinstance(result, SheetError):
        sheet = result.sheet
        structured = any(s.question_source or s.label for s in sheet.sections)
        made_for_import = any(sheet.front_matter.get(key) for key in frontmatter.IMPORT_KEYS)
        assert (result.review == analysis.NO_STRUCTURE) == (not structured and not made_for_import)
        assert result.review in (None, analysis.NO_STRUCTURE, analysis.NO_QUESTIONS)


@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheets())
def test_a_rendered_sheet_whose_questions_ask_is_an_answer_sheet(sheet):
    title, items, front_matter = sheet
    items = [(n, f"{q}?", b) for n, q, b in items]

    parsed = parse(render_sheet(title=title, sections=items, front_matter=front_matter))

    assert analysis.review_reason(parsed) is None


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheets())
def test_render_then_parse_round_trips_exactly(sheet):
    title, items, front_matter = sheet

    parsed = parse(render_sheet(title=title, sections=items, front_matter=front_matter))

    assert [(s.number, s.question_text, s.body.strip()) for s in parsed.sections] == [
        (n, q, b.strip()) for n, q, b in items
    ]
    assert parsed.title == title
    assert parsed.front_matter == (front_matter or {})
    assert_every_line_accounted_for(parsed)


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html_documents(), st.sampled_from(["utf-8", "cp1251", "utf-16"]))
def test_html_sheet_keeps_every_line_and_renders_no_live_script(text, encoding):
    try:
        sheet = parse_bytes(encoded(text, encoding))
    except SheetError as exc:
        assert str(exc) and "\n" not in str(exc)
        return

    assert_every_line_accounted_for(sheet)
    assert sheet.sections or sheet.warnings
    for part in [sheet.preamble, sheet.trailer, *(s.body for s in sheet.sections)]:
        live = _LiveMarkup()
        live.feed(str(render_markdown(part)))
        live.close()
        assert live.found == [], part


answer_texts = st.lists(
    st.tuples(
        st.one_of(
            st.text(max_size=300),
            st.lists(st.sampled_from(WORDS), max_size=60).map(" ".join),
            st.lists(st.sampled_from(BODY_PIECES), max_size=6).map("\n".join),
        ),
        st.one_of(st.just(""), st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join)),
    ),
    max_size=8,
)


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer_texts)
def test_band_hashes_of_a_batch_are_those_of_each_answers_own_shingles(texts):
    # Shingles quoted from the question are taken out of the word arrays as
    # own_shingles takes them out of the strings, whatever the text.
    texts = [(answer + " " + question, question) for answer, question in texts]
    found = similarity.sheet_bands(texts)
    for (answer, question), bands in zip(texts, found, strict=True):
        assert bands == similarity.band_hashes(similarity.own_shingles(answer, question))
