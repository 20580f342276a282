"""The outline of a parsed sheet: which lines became the front matter, the preamble, each
question and its answer, and the trailer, and by which rule (:data:`.plan.RULES`), so that
HR and developers can see at once why a file was split as it was (``import_answers
--explain``).

Every part of a :class:`.parsing.ParsedSheet` is a verbatim slice of its text without blank
lines at the edges, so the line ranges follow from the parts alone.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .parsing import ParsedSheet

__all__ = ["Part", "outline"]

# The rule of the parts no question rule finds: what comes before the first question.
PREAMBLE_RULE = "before-first-question"
FRONT_MATTER_RULE = "front-matter"


@dataclass(frozen=True, slots=True)
class Part:
    """Lines ``first``..``last`` (1-based, inclusive) of the sheet's text.

    ``kind`` is front-matter, preamble, question, answer or trailer; ``rule`` the name of the
    rule that made it (:data:`.plan.RULES`, or one of this module's); ``label`` the
    question's label as written.
    """

    kind: str
    first: int
    last: int
    rule: str = ""
    label: str = ""
    number: str = ""
    group: str = ""  # a question's topic heading


def outline(sheet: ParsedSheet) -> list[Part]:
    """The sheet's parts in document order; parts with no text are left out."""
    lines = sheet.text.split("\n")
    parts: list[Part] = []
    if sheet.front_matter_source:
        parts.append(_part("front-matter", 1, sheet.front_matter_source, FRONT_MATTER_RULE))
    if sheet.preamble:
        start = sheet.front_matter_source.count("\n") + 1 if sheet.front_matter_source else 0
        while not lines[start].strip():
            start += 1
        parts.append(_part("preamble", start + 1, sheet.preamble, PREAMBLE_RULE))
    for s in sheet.sections:
        if s.question_source:
            question = _part("question", s.line, s.question_source, s.rule, s.label, s.number)
            parts.append(dataclasses.replace(question, group=s.group))
        if s.body:
            # The whole text as one answer: its rule says that no question was found.
            rule = s.rule if not s.question_source else ""
            parts.append(_part("answer", s.body_line, s.body, rule, s.label, s.number))
    if sheet.trailer:
        last = len(lines)
        while not lines[last - 1].strip():
            last -= 1
        first = last - sheet.trailer.count("\n")
        parts.append(_part("trailer", first, sheet.trailer, sheet.trailer_rule))
    return parts


def _part(kind: str, first: int, text: str, rule: str, label: str = "", number: str = "") -> Part:
    return Part(kind, first, first + text.count("\n"), rule, label, number)
