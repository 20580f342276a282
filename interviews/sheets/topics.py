"""Numbered questions as plain lines, often under topic headings:

    ## DATABASES
    1. What is an index?
    An index is ...
    2.What are the isolation levels?
    ...
    ## KUBERNETES
    3. What is a Pod?

The questions are lines that open with a number ("1. ", "2.", "3)"), as an ordered-list
item or as a line of a paragraph, with no space after the number as often as not; the
headings between them name topics and are not questions themselves.

A numbered how-to in an answer or a README ("1. склонируйте репозиторий", "2. выполните
make run") looks the same. What tells a questionnaire apart, and what :func:`plan_numbered_lines`
checks:

* the numbers run on in order (1, 2, 3 ...), across topic headings, or start again at 1
  right under a topic heading; a line out of that order is part of an answer;
* each numbered line reads as a question or a task: it ends with "?" or opens with a
  question word or a task verb ("What", "How", "Explain", "Что", "Как", "Опишите",
  "Напишите" ...), where a how-to step opens with a verb of its own ("склонируйте");
* at least half of them are followed by answer text before the next numbered line, where the
  steps of a how-to follow one another directly;
* there are at least two.

A topic heading (a heading right above a question: not numbered, not asking) is kept in the
question source of the first question under it, and is the ``group`` of the questions up to
the next topic.
"""

# Russian words in the patterns are question words as candidates write them.

from __future__ import annotations

import re
from typing import NamedTuple, Protocol

from .inline import collapse

__all__ = ["NumberedQuestion", "plan_numbered_lines", "reads_as_question"]


class NumberedQuestion(NamedTuple):
    """Lines ``start``..``q_end`` (0-based, end excluded): the topic heading if any, then
    the numbered line."""

    start: int
    q_end: int
    label: str
    number: str
    text: str
    group: str  # the text of the topic heading over it (or over questions above it), or ""


class _Doc(Protocol):
    """What this module reads of :class:`.plan.Doc` (which imports this module)."""

    lines: list[str]
    tokens: list
    blocks: list

    def has_text(self, start: int, end: int) -> bool: ...


# A line that opens with a number: up to two spaces of indent (deeper is a nested list),
# maybe bold, the number, "." or ")", the text; "2.5 года" is no number line.
_NUMBERED = re.compile(
    r"[ ]{0,2}(?P<bold>\*\*|__)?(?P<n>\d{1,3})(?P<p>[.)])(?!\d)[ \t]*(?P<text>\S.*)"
)
# Cheap test on a paragraph's or list's source before looking at its lines one by one.
_MAY_HOLD = re.compile(r"(?m)^[ ]{0,2}(?:\*\*|__)?\d{1,3}[.)]")
_ASKING = re.compile(
    r"(?:what|why|how|when|where|which|who|whom|whose|is|are|was|were|do|does|did|can|could|"
    r"should|would|will|have|has|explain|describe|compare|name|list|write|implement|design|"
    r"define|give|tell|show|outline|discuss|"
    r"что|чем|чего|чему|как|какой|какая|какое|какие|каким|какими|каких|каков\w*|почему|"
    r"зачем|когда|где|куда|откуда|кто|кого|кому|сколько|можно|нужно|есть|было|были|"
    r"опишите|объясните|расскажите|напишите|приведите|сравните|назовите|перечислите|"
    r"реализуйте|спроектируйте|дайте|покажите|докажите|поясните|предложите|оцените)\b",
    re.IGNORECASE,
)
_LIST_KINDS = ("ordered_list", "bullet_list")


def reads_as_question(text: str) -> bool:
    """Whether a numbered line asks or sets a task (see the module docstring)."""
    text = text.strip().rstrip("*_").rstrip()
    return text.endswith(("?", "？")) or _ASKING.match(text) is not None


def _numbered_lines(doc: _Doc) -> list[tuple[int, str, str, str]]:
    """(line, label, number, text) of each line opening with a number in a top-level
    paragraph or list, in order."""
    found = []
    for b in doc.blocks:
        if b.kind == "paragraph":
            if not _MAY_HOLD.search(doc.tokens[b.token + 1].content):
                continue
        elif b.kind not in _LIST_KINDS:
            continue
        for i in range(b.start, b.end):
            m = _NUMBERED.match(doc.lines[i])
            if m is None:
                continue
            text = m["text"]
            if m["bold"]:
                text = text.replace(m["bold"], "", 2)
            found.append((i, f"{m['n']}{m['p']}", str(int(m["n"])), collapse(text)))
    return found


def _topic_above(doc: _Doc, heads: list, line: int, k: int, first_text: dict[int, int]):
    """The topic heading right above ``line`` (only blank lines between), or None; and the
    index of the first heading at or after ``line`` (``k`` moves on).
    ``first_text`` keeps the first non-blank line below each heading looked at, so that
    many numbered lines under one heading after many blank lines walk them once."""
    while k < len(heads) and heads[k].start < line:
        k += 1
    if k == 0:
        return None, k
    h = heads[k - 1]
    # The document's first heading, at level 1, is its title ("# Answers"), not a topic.
    if h.label or h.ends_q or h.marker or (k == 1 and h.level == 1):
        return None, k
    below = first_text.get(h.start)
    if below is None:
        below = h.end
        while below < len(doc.lines) and not doc.lines[below].strip():
            below += 1
        first_text[h.start] = below
    return (h if below == line else None), k


def plan_numbered_lines(doc: _Doc, warnings: list[str]) -> list[NumberedQuestion] | None:
    """The questions of numbered lines (see the module docstring), or None."""
    lines = _numbered_lines(doc)
    if len(lines) < 2:
        return None
    heads = [b for b in doc.blocks if b.kind == "heading"]
    picked = []
    expected: int | None = None
    k, first_text = 0, {}
    for line, label, number, text in lines:
        topic, k = _topic_above(doc, heads, line, k, first_text)
        n = int(number)
        if not reads_as_question(text):
            continue
        if expected is None or n == expected or (n == 1 and topic is not None):
            picked.append((line, label, number, text, topic))
            expected = n + 1
    if len(picked) < 2:
        return None
    starts = [p[0] for p in picked]
    ends = [*starts[1:], len(doc.lines)]
    answered = sum(doc.has_text(s + 1, e) for s, e in zip(starts, ends, strict=True))
    if answered * 2 < len(picked):
        return None
    questions, group = [], ""
    for line, label, number, text, topic in picked:
        # The topic goes on to the questions below it, up to the next topic.
        group = group if topic is None else topic.text
        start = line if topic is None else topic.start
        questions.append(NumberedQuestion(start, line + 1, label, number, text, group))
    warnings.append(
        "questions taken from numbered lines (under topic headings when there are any): "
        "no numbered headings found"
    )
    return questions
