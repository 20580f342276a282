"""Candidates' answer sheets (Markdown) as questions and answers.

Bytes -> decoded, normalised text (:mod:`.decoding`) -> :class:`ParsedSheet`: front matter
(:mod:`.frontmatter`), markdown-it tokens (:mod:`.patch`), questions found (:mod:`.plan`),
then the text cut at their lines.

The contract, which callers and the tests rely on:

* Nothing a candidate wrote is lost. Every non-blank line of the normalised text belongs to
  exactly one of: the front matter block, the preamble, a section's question source, a
  section's body, or the trailer, in document order. Those are verbatim slices of
  ``ParsedSheet.text`` taken by line ranges, never re-rendered Markdown.
* Structure comes from markdown-it tokens (a ``#`` line inside a code fence is not a heading),
  and in the HTML blocks of a sheet written in HTML from the tokens of the standard
  library's HTML tokenizer (:mod:`.html`); regular expressions only look at the text of a
  heading or paragraph to recognise a label such as ``1.``, ``№ 2``, ``Вопрос 3:`` or
  ``Task #4``.
* When no question structure is recognised the whole document is kept as one unlabelled
  section, and ``warnings`` says so. Every guess worth a human's look is a warning.
* :func:`.decoding.decode` and :func:`parse_bytes` raise :class:`SheetError` (and nothing else) for
  input that is not a text file; :func:`parse_bytes` also for a file of more Markdown
  elements or lines than any answer sheet has, so that time and memory stay bounded
  whatever a file's shape. :func:`parse` never raises on any ``str``.
* ``parse(render_sheet(...))`` gives back the numbers, question texts and bodies (see
  :func:`.render.render_sheet` for the few inputs Markdown itself cannot express).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterable
from dataclasses import dataclass

from . import messages
from .decoding import SheetError, decode_with_warnings, normalise
from .frontmatter import read_front_matter
from .patch import MD, Budget, TooMuchStructure
from .plan import Doc, plan

__all__ = [
    "MAX_BYTES_DEFAULT",
    "MAX_ELEMENTS_DEFAULT",
    "MAX_LINES_DEFAULT",
    "ParsedSheet",
    "Section",
    "lines_error",
    "parse",
    "parse_bytes",
    "size_error",
    "structure_error",
    "try_parse_bytes",
]

MAX_BYTES_DEFAULT = 2 * 1024 * 1024
# Markdown elements (headings, paragraphs, list items, table cells, parsed lines...) of one
# file: an answer sheet has a few hundred. Bounds the memory and the time one file can
# take, whatever its shape (see :class:`.patch.Budget`).
MAX_ELEMENTS_DEFAULT = 20_000
# Lines of one file: markdown-it keeps five numbers for each, ~100 bytes a line even when
# it is blank. A 2 MB answer sheet has tens of thousands at most.
MAX_LINES_DEFAULT = 200_000


@dataclass(frozen=True, slots=True)
class Section:
    """One question and its answer; ``question_source`` and ``body`` are verbatim."""

    label: str
    number: str
    question_text: str
    question_source: str
    body: str
    line: int
    body_line: int
    rule: str = ""  # the name of the rule that found the question (:data:`.plan.RULES`)
    # The topic heading the question comes under (:mod:`.topics`); the heading's own line
    # is in the question source of the first question under it.
    group: str = ""


@dataclass(frozen=True, slots=True)
class ParsedSheet:
    """A whole sheet. Its parts, in order, hold every non-blank line of ``text`` once."""

    text: str
    encoding: str
    front_matter: dict
    front_matter_source: str
    title: str
    preamble: str
    sections: tuple[Section, ...]
    trailer: str
    warnings: tuple[str, ...]
    trailer_rule: str = ""  # the rule that ended the answers where the trailer starts


def parse(text: str, *, encoding: str = "") -> ParsedSheet:
    """Parse a sheet's text (normalised like :func:`.decoding.decode` does). Never raises."""
    return _parse(text, encoding)


def _parse(
    text: str,
    encoding: str,
    *,
    max_elements: int | None = None,
    max_lines: int | None = None,
    warnings: Iterable[str] = (),
) -> ParsedSheet:
    """:func:`parse`, raising :class:`SheetError` past ``max_elements`` or ``max_lines``;
    ``warnings`` come first in the sheet's (the decoding's)."""
    if max_lines is not None and text.count("\n") >= max_lines:
        raise SheetError(lines_error(max_lines))
    with _gc_paused():
        return _parse_sheet(text, encoding, max_elements, list(warnings))


@contextlib.contextmanager
def _gc_paused():
    """The cyclic garbage collector off while a sheet is parsed.

    Parsing makes a token or two per line that all live until the end, and the collector
    walks all of them again and again as they pile up: half the time of a big file. Tokens
    hold no reference cycles, so nothing waits for the collector meanwhile.
    """
    if not gc.isenabled():  # paused by a caller, or a parse in another thread
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _parse_sheet(
    text: str, encoding: str, max_elements: int | None, warnings: list[str]
) -> ParsedSheet:
    text = normalise(text)
    lines = text.split("\n")
    front_matter, content_start = read_front_matter(lines, warnings)
    fm_source = "\n".join(lines[:content_start])

    def sheet(title="", preamble="", sections=(), trailer="", trailer_rule="") -> ParsedSheet:
        return ParsedSheet(
            text,
            encoding,
            front_matter,
            fm_source,
            title,
            preamble,
            tuple(sections),
            trailer,
            tuple(warnings),
            trailer_rule,
        )

    first_text = next((i for i in range(content_start, len(lines)) if lines[i].strip()), None)
    if first_text is None:
        warnings.append(messages.EMPTY_DOCUMENT)
        return sheet()
    source = text if content_start == 0 else "\n".join(lines[content_start:])
    env: dict = {} if max_elements is None else Budget(max_elements).env()
    planning: list[str] = []  # the planning's warnings, kept if it gets to the end
    try:
        tokens = MD.parse(source, env)
        doc = Doc(lines, tokens, content_start, env)
        # Inline markup is parsed on demand while planning, so it can recurse here too.
        questions, trailer_start, trailer_rule = plan(doc, planning)
    except RecursionError:
        warnings.append(messages.NESTED_TOO_DEEPLY % {"line": first_text + 1})
        return sheet(sections=[_whole(lines, content_start)])
    except TooMuchStructure:
        raise SheetError(structure_error(max_elements)) from None
    warnings += planning
    if not questions:
        warnings.append(messages.NO_STRUCTURE % {"line": first_text + 1})
        return sheet(sections=[_whole(lines, content_start)])

    end = len(lines) if trailer_start is None else trailer_start
    sections = []
    for n, q in enumerate(questions):
        body_end = questions[n + 1].start if n + 1 < len(questions) else end
        body, body_start = _slice(lines, q.q_end, body_end)
        sections.append(
            Section(
                label=q.label,
                number=q.number,
                question_text=q.text,
                question_source=_slice(lines, q.start, q.q_end)[0],
                body=body,
                line=q.start + 1,
                body_line=(body_start if body else q.q_end) + 1,
                rule=q.rule,
                group=q.group,
            )
        )
    first = questions[0].start
    title = next(
        (b.text for b in doc.blocks if b.kind == "heading" and b.level == 1 and b.start < first),
        "",
    )
    return sheet(
        title=title,
        preamble=_slice(lines, content_start, first)[0],
        sections=sections,
        trailer=_slice(lines, end, len(lines))[0],
        trailer_rule=trailer_rule,
    )


def _slice(lines: list[str], start: int, end: int) -> tuple[str, int]:
    """Lines [start, end) without blank lines at either edge, and where they now start."""
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[start:end]), start


def _whole(lines: list[str], start: int) -> Section:
    body, body_start = _slice(lines, start, len(lines))
    return Section("", "", "", "", body, body_start + 1, body_start + 1, "no-structure")


def parse_bytes(
    data: bytes,
    *,
    max_bytes: int = MAX_BYTES_DEFAULT,
    max_elements: int = MAX_ELEMENTS_DEFAULT,
    max_lines: int = MAX_LINES_DEFAULT,
) -> ParsedSheet:
    """Check the size, :func:`.decoding.decode`, :func:`parse`; :class:`SheetError` for
    unusable files, among them files of more than ``max_elements`` Markdown elements or
    ``max_lines`` lines (memory and time stay bounded whatever the file's shape)."""
    if len(data) > max_bytes:
        raise SheetError(size_error(len(data), max_bytes))
    text, encoding, warnings = decode_with_warnings(data)
    return _parse(text, encoding, max_elements=max_elements, max_lines=max_lines, warnings=warnings)


def structure_error(max_elements: int) -> str:
    """The one-line refusal of a file of more than ``max_elements`` elements."""
    return messages.TOO_MUCH_STRUCTURE % {"limit": f"{max_elements:,}"}


def lines_error(max_lines: int) -> str:
    """The one-line refusal of a file of more than ``max_lines`` lines."""
    return messages.TOO_MANY_LINES % {"limit": f"{max_lines:,}"}


def size_error(size: int, max_bytes: int) -> str:
    """The one-line refusal of a file over the size limit (also used before reading it)."""
    return messages.TOO_LARGE % {"size": _size(size), "limit": _size(max_bytes)}


def _size(n: int) -> str:
    if n >= 100 * 1024:
        return messages.MEGABYTES % {"size": f"{n / (1024 * 1024):.1f}"}
    return messages.ONE_BYTE if n == 1 else messages.BYTES % {"size": n}


def try_parse_bytes(data: bytes, *, max_bytes: int = MAX_BYTES_DEFAULT) -> ParsedSheet | SheetError:
    """:func:`parse_bytes` returning the error instead of raising it (for ``Executor.map``)."""
    try:
        return parse_bytes(data, max_bytes=max_bytes)
    except SheetError as exc:
        return exc
