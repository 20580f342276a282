"""Sheets written in HTML: questions as the top-level items of an ``<ol>``, or as headings.

Some candidates write the whole sheet in HTML (``<h2>``, ``<ol>``/``<li>``, ``<p>``), often
with tags left open or closed in the wrong order and Markdown images between the blocks.
To markdown-it such a file is a run of HTML blocks with no headings or lists, so the
Markdown rules of :mod:`.plan` find nothing. Here the lines of those blocks go through the
standard library's tolerant tokenizer (:class:`html.parser.HTMLParser`, which reports the
line of every tag and text) and a small stack of the block elements, closed as browsers
close them: a new ``<li>`` ends the open item of its list, a block ends an open ``<p>``, an
end tag ends every element opened after its own. Only line numbers come out, as in the
Markdown rules: :mod:`.parsing` cuts the text at them, so every line stays verbatim.

Which elements are questions, strongest sign first:

* numbered headings (``<h3>1. Что такое GIL?</h3>``): :data:`RULE_HTML_HEADING`;
* items of top-level ordered lists that ask (most end with "?"), hold their answers or go
  on numbering in the next list: :data:`RULE_HTML_LIST`;
* otherwise headings ending with "?", two or more at one level: :data:`RULE_HTML_HEADING`.

Time is linear in the text and memory in its elements, the tokenizer's two traps avoided
(see :func:`plan_html` and :data:`MAX_TAG`); the caller's ``spend`` (the parse's
:class:`.patch.Budget`) is charged one element per tag.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser

from . import messages
from .inline import collapse
from .labels import ANY_LABEL, BOILERPLATE, match_label

__all__ = ["RULE_HTML_HEADING", "RULE_HTML_LIST", "HtmlQuestion", "plan_html"]

# The rule that found a question (``HtmlQuestion.rule``): why a section starts where it does.
RULE_HTML_LIST = "html-ordered-list"
RULE_HTML_HEADING = "html-heading"

_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_LISTS = frozenset(("ol", "ul", "menu"))
# The elements whose nesting matters; inline tags (b, a, code, span...) may be left open or
# misnested freely, they change nothing here.
_BLOCKS = (
    _HEADINGS
    | _LISTS
    | {
        "li",
        "p",
        "div",
        "blockquote",
        "pre",
        "table",
        "dl",
        "dt",
        "dd",
        "details",
        "summary",
        "section",
        "article",
    }
)

# Elements whose content is code, not text of a question.
_RAW_TEXT = frozenset(("script", "style"))


@dataclass(slots=True)
class HtmlQuestion:
    """A question: 0-based lines of the whole text, ``q_end`` exclusive."""

    start: int
    q_end: int
    label: str
    number: str
    text: str
    rule: str


@dataclass(slots=True)
class _Candidate:
    """An element that may be a question: a heading, or an item of a top-level ``<ol>``."""

    tag: str
    start: int
    number: int = 0  # an item's number
    list_id: int = -1  # an item's list
    parts: list[str] = field(default_factory=list)
    text_end: int = -1  # last line holding its text
    close_line: int = -1  # line of a heading's end tag
    collecting: bool = True
    content_at_done: int = 0  # the parser's content count when its text ended
    answered: bool = False
    text: str = ""

    @property
    def level(self) -> int:
        return int(self.tag[1]) if self.tag in _HEADINGS else 0


@dataclass(slots=True)
class _Open:
    tag: str
    list_at: int  # stack index of the innermost open li/ol/ul at or below it, -1: none
    candidate: _Candidate | None = None
    number: int = 0  # an ordered list's next item number
    top: bool = False  # an ordered list in no other list


class _Reader(HTMLParser):
    """Tokens -> the candidates, with a stack of the open block elements."""

    def __init__(self, base: int, spend: Callable[[], None] | None):
        super().__init__(convert_charrefs=True)
        self.base = base  # the line of the fed text's first line
        self.spend = spend
        self.stack: list[_Open] = []
        self.open_count: dict[str, int] = {}
        self.candidates: list[_Candidate] = []
        self.collecting: _Candidate | None = None
        self.content = 0  # answer text and elements seen so far
        self.lists = 0
        self.raw = ""  # the script or style element being read

    def line(self) -> int:
        return self.base + self.getpos()[0] - 1

    # --- the stack ---------------------------------------------------------------------

    def _push(self, tag: str) -> _Open:
        list_at = len(self.stack) if tag in _LISTS or tag == "li" else self._list_at()
        el = _Open(tag, list_at)
        self.stack.append(el)
        self.open_count[tag] = self.open_count.get(tag, 0) + 1
        return el

    def _list_at(self) -> int:
        return self.stack[-1].list_at if self.stack else -1

    def _pop_to(self, index: int) -> None:
        """Close the element at ``index`` and every element opened after it."""
        while len(self.stack) > index:
            el = self.stack.pop()
            self.open_count[el.tag] -= 1
            if el.candidate is not None:
                self._text_done(el.candidate)

    def _close_innermost(self, tag: str) -> None:
        if not self.open_count.get(tag):
            return  # a stray end tag: browsers ignore it
        # Amortised linear: every element looked at on the way is closed.
        i = len(self.stack) - 1
        while self.stack[i].tag != tag:
            i -= 1
        self._pop_to(i)

    # --- candidates ----------------------------------------------------------------------

    def _text_done(self, c: _Candidate) -> None:
        if c.collecting:
            c.collecting = False
            c.content_at_done = self.content
            if self.collecting is c:
                self.collecting = None

    def _begin(self, c: _Candidate) -> None:
        if self.collecting is not None:
            self._text_done(self.collecting)
        if self.candidates:
            last = self.candidates[-1]
            last.answered = last.answered or self.content > last.content_at_done
        self.candidates.append(c)
        self.collecting = c

    def finish(self) -> list[_Candidate]:
        """The candidates, once the whole text has been fed."""
        if self.collecting is not None:
            self._text_done(self.collecting)
        if self.candidates:
            last = self.candidates[-1]
            last.answered = last.answered or self.content > last.content_at_done
        return self.candidates

    # --- tokenizer callbacks -------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.spend is not None:
            self.spend()
        if tag not in _BLOCKS:
            if tag in _RAW_TEXT:
                self.raw = tag  # the tokenizer gives the code up to its end tag as data
            if tag in _RAW_TEXT or tag in ("img", "hr", "iframe", "video"):
                self._content()
            return  # inline markup: its text is read, its nesting does not matter
        stack = self.stack
        if stack and (stack[-1].tag == "p" or stack[-1].tag in _HEADINGS):
            # A block ends an open paragraph; a heading left open ends at the next block.
            self._pop_to(len(stack) - 1)
        if tag == "li":
            at = self._list_at()
            if at >= 0 and stack[at].tag == "li":
                self._pop_to(at)  # "<li>one<li>two": the new item ends the open one
        parent_at = self._list_at()
        parent = stack[parent_at] if parent_at >= 0 else None
        el = self._push(tag)
        if tag in _HEADINGS:
            el.candidate = _Candidate(tag, self.line())
            self._begin(el.candidate)
        elif tag == "ol":
            self.lists += 1
            el.number = _int_attr(attrs, "start", 1)
            el.top = parent is None
            self._content()
        elif tag == "li" and parent is not None and parent.tag == "ol":
            number = _int_attr(attrs, "value", parent.number)
            parent.number = number + 1
            if parent.top:
                el.candidate = _Candidate("li", self.line(), number, self.lists)
                self._begin(el.candidate)
            else:
                self._content()
        else:
            self._content()

    def _content(self) -> None:
        """An element or text of an answer; the end of a question's own text, unless it has
        none yet ("<li><p>Вопрос?</p>...": the first paragraph holds it)."""
        c = self.collecting
        if c is not None and c.parts:
            self._text_done(c)
        self.content += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == self.raw:
            self.raw = ""
        if tag not in _BLOCKS:
            return
        if tag == "li":
            # Only the item of the innermost list: "<li>Q<ul></li><li>a</ul>" keeps "a" in
            # the inner list, as browsers do.
            at = self._list_at()
            if at >= 0 and self.stack[at].tag == "li":
                self._pop_to(at)
            return
        if tag in _HEADINGS:
            # Browsers end the open heading at any heading end tag: "<h2>...</h3>".
            if not any(self.open_count.get(h) for h in _HEADINGS):
                return
            i = len(self.stack) - 1
            while self.stack[i].tag not in _HEADINGS:
                i -= 1
            if self.stack[i].candidate is not None:
                self.stack[i].candidate.close_line = self.line()
            self._pop_to(i)
            return
        self._close_innermost(tag)

    def handle_data(self, data: str) -> None:
        text = data.strip()
        if not text or self.raw:
            return
        c = self.collecting
        if c is None:
            self.content += 1
            return
        c.parts.append(text)
        c.text_end = self.line() + data[: len(data.rstrip())].count("\n")


def _int_attr(attrs: list[tuple[str, str | None]], name: str, default: int) -> int:
    for key, value in attrs:
        if key == name and value is not None:
            value = value.strip()
            if value.isdigit() and len(value) <= 6:
                return int(value)
    return default


def plan_html(
    lines: list[str],
    regions: Iterable[tuple[int, int]],
    warnings: list[str],
    *,
    spend: Callable[[], None] | None = None,
) -> tuple[list[HtmlQuestion], int | None] | None:
    """The questions of a sheet written in HTML and where its trailer starts, or None.

    ``regions`` are the [start, end) line ranges of its HTML blocks, in order; other lines
    (Markdown paragraphs, images, code) are fed as blank lines, so they are answer text
    wherever they stand.
    """
    regions = list(regions)
    if not regions:
        return None
    base, stop = regions[0][0], regions[-1][1]
    fed = [""] * (stop - base)
    outside = [0] * (len(lines) + 1)  # non-blank lines outside the regions before line i
    inside = bytearray(len(lines))
    for start, end in regions:
        fed[start - base : end - base] = lines[start:end]
        inside[start:end] = b"\x01" * (end - start)
    for i, text in enumerate(lines):
        outside[i + 1] = outside[i] + (not inside[i] and bool(text.strip()))
    reader = _Reader(base, spend)
    # One feed and no close(): feed() stops at the first tag, comment or declaration not
    # closed before the end of the text, which a browser swallows whole; close() would
    # re-scan the rest from every "<" in it, quadratic time before Python 3.11.13.
    reader.feed(_defuse("\n".join(fed)))
    candidates = reader.finish()
    for c in candidates:
        c.text = collapse(" ".join(c.parts))
    for n, c in enumerate(candidates):
        # Text in Markdown between the question and the next candidate answers it too.
        nxt = candidates[n + 1].start if n + 1 < len(candidates) else len(lines)
        if not c.answered and outside[nxt] > outside[min(_q_end(c), nxt)]:
            c.answered = True
    chosen = _choose(candidates, warnings)
    if not chosen:
        return None
    questions = _questions(chosen, warnings)
    return questions, _trailer(candidates, chosen, questions)


# The longest tag read as a tag. The tokenizer's regular expression for a start tag keeps
# state for each attribute it goes over: a 2 MB "<a b c d ..." took 460 MB. No answer sheet
# has a tag this long; a longer one is read as text.
MAX_TAG = 50_000
_TAG_OPEN = re.compile(r"</?[A-Za-z]")


def _defuse(text: str) -> str:
    """``text`` with the "<" of every tag longer than :data:`MAX_TAG` made a space."""
    far: list[int] = []
    close = -1
    for m in _TAG_OPEN.finditer(text):
        i = m.start()
        if close < i:  # each ">" is looked for once: linear time
            close = text.find(">", i)
            if close < 0:
                close = len(text)
        if close - i > MAX_TAG:
            far.append(i)
    if not far:
        return text
    pieces, done = [], 0
    for i in far:
        pieces += (text[done:i], " ")
        done = i + 1
    pieces.append(text[done:])
    return "".join(pieces)


def _q_end(c: _Candidate) -> int:
    return max(c.start, c.text_end, c.close_line) + 1


def _choose(candidates: list[_Candidate], warnings: list[str]) -> list[tuple[_Candidate, str]]:
    heads = [c for c in candidates if c.tag in _HEADINGS]
    numbered = [c for c in heads if match_label(c.text, ANY_LABEL)]
    if numbered:
        return [(c, RULE_HTML_HEADING) for c in numbered]
    items = _list_questions([c for c in candidates if c.tag == "li"])
    if items:
        warnings.append(messages.QUESTIONS_FROM_HTML_LIST)
        return [(c, RULE_HTML_LIST) for c in items]
    counts: dict[int, int] = {}
    for c in heads:
        if c.text.endswith(("?", "？")):
            counts[c.level] = counts.get(c.level, 0) + 1
    best = min(counts, key=lambda lvl: (-counts[lvl], lvl), default=None)
    if best is None or counts[best] < 2:
        return []
    warnings.append(messages.QUESTIONS_FROM_HTML_QUESTION_MARKS)
    return [
        (c, RULE_HTML_HEADING) for c in heads if c.level == best and c.text.endswith(("?", "？"))
    ]


def _list_questions(items: list[_Candidate]) -> list[_Candidate]:
    """The items of the lists of questions, told from an answer's own steps as in
    :func:`.plan._plan_list`: a list of questions asks, holds its answers or goes on with
    the numbering of the list before."""
    lists: dict[int, list[_Candidate]] = {}
    for c in items:
        lists.setdefault(c.list_id, []).append(c)
    groups = list(lists.values())
    chosen: list[_Candidate] = []
    expected: int | None = None
    for n, group in enumerate(groups):
        asking = sum(c.text.endswith(("?", "？")) for c in group) * 2 >= len(group)
        answered = all(c.answered for c in group)
        continued = n + 1 < len(groups) and groups[n + 1][0].number == group[-1].number + 1
        first = group[0].number
        if expected is None:
            whole = asking or answered or continued
        else:
            whole = first == expected or (first == 1 and (asking or answered))
        for c in group:
            if whole or (c.number == expected and c.text.endswith(("?", "？"))):
                chosen.append(c)
                expected = c.number + 1
    return chosen


def _questions(chosen: list[tuple[_Candidate, str]], warnings: list[str]) -> list[HtmlQuestion]:
    questions: list[HtmlQuestion] = []
    for c, rule in chosen:
        if questions and c.start < questions[-1].q_end:
            # "<li>Один?</li><li>Два?</li>" on one line: sections are whole lines.
            warnings.append(messages.SECOND_QUESTION_ON_LINE % {"line": c.start + 1})
            continue
        if rule == RULE_HTML_LIST:
            label, number, text = f"{c.number}.", str(c.number), c.text
        else:
            found = match_label(c.text, ANY_LABEL)
            label, number, text = found if found else ("", "", c.text)
        questions.append(HtmlQuestion(c.start, _q_end(c), label, number, text, rule))
    return questions


def _trailer(
    candidates: list[_Candidate],
    chosen: list[tuple[_Candidate, str]],
    questions: list[HtmlQuestion],
) -> int | None:
    """README boilerplate, or a heading above the questions' level, after the last one."""
    last, rule = chosen[-1]
    top = last.level if rule == RULE_HTML_HEADING else 3
    after = questions[-1].q_end
    for c in candidates:
        if c.tag in _HEADINGS and c.start >= after and not match_label(c.text, ANY_LABEL):
            if BOILERPLATE.match(c.text) or c.level < top:
                return c.start
    return None
