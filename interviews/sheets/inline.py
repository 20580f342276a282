"""Inline markup as plain lines of text: what the parser reads in headings and paragraphs.

A line is (plain text, starts bold, inside emphasis). Plain text drops emphasis markers,
keeps code spans with their backticks, links as their text and images as their alt text.
"""

from __future__ import annotations

import re

from markdown_it.common.utils import isWhiteSpace
from markdown_it.token import Token

__all__ = ["collapse", "inline_lines", "lines_text", "simple_inline_lines"]


def collapse(text: str) -> str:
    """Whitespace runs as one space, none at either end."""
    # Most texts are collapsed already: printable means no whitespace but " " (a Unicode
    # "separator" or control character is not printable).
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


def inline_lines(children: list[Token] | None) -> list[tuple[str, bool, bool]]:
    """Split an inline token at line breaks: (plain text, starts bold, inside emphasis).

    Plain text drops emphasis markers, keeps code spans with their backticks, links as their
    text and images as their alt text. "inside emphasis" means the line continues a bold or
    italic span opened on an earlier line.
    """
    out: list[tuple[str, bool, bool]] = []
    parts: list[str] = []
    depth = 0
    start_depth = 0
    first: Token | None = None
    for child in children or ():
        kind = child.type
        if kind in ("softbreak", "hardbreak"):
            out.append(("".join(parts), _starts_bold(first), start_depth > 0))
            parts, first, start_depth = [], None, depth
            continue
        if first is None and (child.content or kind != "text"):
            first = child  # markdown-it leaves empty text tokens around delimiters
        if kind == "text" or kind == "html_inline":
            parts.append(child.content)
        elif kind == "code_inline":
            parts.append(child.markup + child.content + child.markup)
        elif kind == "image":
            parts.append(child.content)
        elif child.nesting == 1:
            depth += 1
        elif child.nesting == -1:
            depth -= 1
    out.append(("".join(parts), _starts_bold(first), start_depth > 0))
    return out


def _starts_bold(token: Token | None) -> bool:
    return token is not None and token.type in ("strong_open", "em_open")


def lines_text(lines: list[tuple[str, bool, bool]]) -> str:
    """The plain text of an inline token from its :func:`inline_lines`, on one line."""
    if len(lines) == 1:
        return collapse(lines[0][0])  # the usual heading
    return collapse(" ".join(text for text, _, _ in lines))


# The characters where a commonmark inline rule other than plain text can match.
_MARKUP_CHARS = r"\n\\`*_\[\]!<&~"
_INLINE_MARKUP = re.compile(f"[{_MARKUP_CHARS}]")
_BOLD_LINE = re.compile(f"\\*\\*([^{_MARKUP_CHARS}]+)\\*\\*")


def simple_inline_lines(content: str) -> list[tuple[str, bool, bool]] | None:
    """:func:`inline_lines` for the two commonest shapes of inline content, else None.

    A line of plain text (most headings) and a "**text**" line (a bold question) need no
    tokens at all: markdown-it takes 5-30 µs to tokenize them.
    """
    if _INLINE_MARKUP.search(content) is None:
        return [(content, False, False)]
    bold = _BOLD_LINE.fullmatch(content)
    # Emphasis needs no whitespace inside its delimiters ("** a**" is not bold).
    if bold and not (isWhiteSpace(ord(content[2])) or isWhiteSpace(ord(content[-3]))):
        return [(bold[1], True, False)]
    return None
