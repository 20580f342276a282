"""The writer: a sheet in the canonical format, which the parser reads back unchanged."""

# The Russian heading is the format's own, not a look-alike.

from __future__ import annotations

from collections.abc import Iterable

import yaml

from .inline import collapse

__all__ = ["render_sheet"]


def render_sheet(
    *,
    title: str,
    sections: Iterable[tuple[str, str, str]],
    front_matter: dict | None = None,
) -> str:
    """The canonical export of a sheet: what :func:`.parsing.parse` reads back unchanged.

    Layout: optional YAML front matter, ``# {title}``, a blank line, ``## Ответы на вопросы``,
    then per (number, question_text, body) ``#### {number}. {question_text}`` (or
    ``#### {question_text}`` when the number is empty), the body verbatim and a blank line.

    Round trip holds for question texts that are plain text (code spans are fine) and bodies
    that keep to themselves: no unclosed code fence, and no heading of levels 1-4 other than
    answer markers such as ``#### Дополнение к ответу`` (it would read as the next question).
    Two cases Markdown cannot tell apart are also out: an empty question text (the body's first
    paragraph would read as the question, like ``## Q3`` followed by its text), and an
    unnumbered section right after an empty answer to a question that does not end with "?"
    (it reads as that question's second line).
    """
    out = []
    if front_matter:
        dumped = yaml.safe_dump(
            dict(front_matter), allow_unicode=True, sort_keys=False, default_flow_style=False
        )
        out.append(f"---\n{dumped}---\n")
    out.append(f"# {collapse(title)}".rstrip() + "\n\n## Ответы на вопросы\n")
    for number, question, body in sections:
        question = collapse(question)
        heading = f"#### {number}. {question}" if number else f"#### {question}"
        body = body.strip("\n")
        out.append(heading.rstrip() + "\n" + (body + "\n" if body.strip() else "") + "\n")
    return "".join(out)
