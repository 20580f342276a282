"""Candidates' answer sheets (Markdown) as questions and answers.

A pure module: bytes -> decoded, normalised text -> :class:`ParsedSheet`. No Django, no ORM,
so that importing code can run it in worker processes and tests need no database.

The contract, which callers and the tests rely on:

* Nothing a candidate wrote is lost. Every non-blank line of the normalised text belongs to
  exactly one of: the front matter block, the preamble, a section's question source, a
  section's body, or the trailer, in document order. Those are verbatim slices of
  ``ParsedSheet.text`` taken by line ranges, never re-rendered Markdown.
* Structure comes from markdown-it tokens (a ``#`` line inside a code fence is not a heading);
  regular expressions only look at the text of a heading or paragraph to recognise a label
  such as ``1.``, ``№ 2``, ``Вопрос 3:`` or ``Task #4``.
* When no question structure is recognised the whole document is kept as one unlabelled
  section, and ``warnings`` says so. Every guess worth a human's look is a warning.
* :func:`decode` and :func:`parse_bytes` raise :class:`SheetError` (and nothing else) for
  input that is not a text file; :func:`parse_bytes` also for a file of more Markdown
  elements or lines than any answer sheet has, so that time and memory stay bounded
  whatever a file's shape. :func:`parse` never raises on any ``str``.
* ``parse(render_sheet(...))`` gives back the numbers, question texts and bodies (see
  :func:`render_sheet` for the few inputs Markdown itself cannot express).
"""

# Russian words in the patterns and the en/em dashes in labels are meant, not look-alikes:

from __future__ import annotations

import codecs
import contextlib
import gc
import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import yaml
from markdown_it import MarkdownIt
from markdown_it.common.utils import isWhiteSpace
from markdown_it.ruler import Ruler
from markdown_it.rules_block import StateBlock, hr
from markdown_it.rules_core import StateCore, inline, normalize, text_join
from markdown_it.token import Token

__all__ = [
    "MAX_BYTES_DEFAULT",
    "MAX_ELEMENTS_DEFAULT",
    "MAX_LINES_DEFAULT",
    "ParsedSheet",
    "Section",
    "SheetError",
    "decode",
    "label_number",
    "normalise_question",
    "parse",
    "parse_bytes",
    "render_sheet",
    "try_parse_bytes",
]

MAX_BYTES_DEFAULT = 2 * 1024 * 1024
# Markdown elements (headings, paragraphs, list items, table cells, parsed lines...) of one
# file: an answer sheet has a few hundred. Bounds the memory and the time one file can
# take, whatever its shape (see _Budget).
MAX_ELEMENTS_DEFAULT = 20_000
# Lines of one file: markdown-it keeps five numbers for each, ~100 bytes a line even when
# it is blank. A 2 MB answer sheet has tens of thousands at most.
MAX_LINES_DEFAULT = 200_000


class SheetError(ValueError):
    """The file is not a readable text sheet; ``str(error)`` is one human sentence."""


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


# ---------------------------------------------------------------------------------------------
# markdown-it, tuned for speed: same tokens as MarkdownIt("commonmark").enable("table")
# (tests/test_markdown.py compares the two), but block parsing skips rules that cannot match
# and inline content is parsed only for the tokens this module reads (see _Doc.inline_lines).

# The characters a line must start with for a block rule to have a chance: on any other the
# rule returns False before it changes anything (markdown-it-py 4.3.0, pinned in
# requirements.txt). "code" needs an indented line, "table" a delimiter row below, and
# "lheading" and "paragraph" take any line.
_BLOCK_RULE_STARTS = {
    "fence": "`~",
    "blockquote": ">",
    "hr": "*-_",
    "list": "*-+0123456789",
    "reference": "[",
    "html_block": "<",
    "heading": "#",
}
_TABLE_ROW_STARTS = "|-:"


class _FirstCharRuler(Ruler):
    """A block ruler whose chains are one rule that tries only the rules that can match.

    markdown-it tries every block rule on every line, and each paragraph line again against
    the rules that may interrupt a paragraph; each try is a Python call that also logs. Most
    lines start with a letter, which only "lheading" and "paragraph" accept.
    """

    def __compile__(self) -> None:
        super().__compile__()
        self.__cache__ = {
            chain: [self._dispatcher(chain)] if fns else fns
            for chain, fns in self.__cache__.items()
        }

    def _dispatcher(self, chain: str):
        rules = [r for r in self.__rules__ if r.enabled and (not chain or chain in r.alt)]
        every = [r.fn for r in rules]

        def tried(start: str | None, table: bool) -> list:
            """The rules to try on a line starting with ``start`` (None: any other)."""
            fns = []
            for r in rules:
                accepts = _BLOCK_RULE_STARTS.get(r.name)
                if r.name == "code" or (r.name == "table" and not table):
                    continue
                if accepts is None or (start is not None and start in accepts):
                    fns.append(r.fn)
            return fns

        starts = {c for r in rules for c in _BLOCK_RULE_STARTS.get(r.name, "")}
        # Indexed by "a table may start here": {first character: rules}, and for any other.
        by_start = [{c: tried(c, table) for c in starts} for table in (False, True)]
        otherwise = [tried(None, table) for table in (False, True)]

        def dispatch(state: StateBlock, line: int, end: int, silent: bool) -> bool:
            pos = state.bMarks[line] + state.tShift[line]
            src = state.src
            if state.sCount[line] - state.blkIndent >= 4 or pos >= len(src):
                fns = every  # indented code or the end of the text: leave it all to the rules
            else:
                below = line + 1
                table = False
                if below < end:
                    cell = state.bMarks[below] + state.tShift[below]
                    table = cell < state.eMarks[below] and src[cell] in _TABLE_ROW_STARTS
                fns = by_start[table].get(src[pos], otherwise[table])
            for fn in fns:
                if fn(state, line, end, silent):
                    return True
            return False

        return dispatch


def _normalize_if_needed(state: StateCore) -> None:
    # markdown-it's "normalize" rewrites the whole text with two regular expressions; ours has
    # LF line ends already, only NUL characters may still need replacing.
    if "\r" in state.src or "\x00" in state.src:
        normalize(state)


# The core rules after "block". _MD leaves them out and _Doc.inline_lines runs them for the
# few tokens it reads: most paragraphs are never read as inline markup, and parsing them all
# was a third of the time.
_LAZY_CORE_RULES = {"inline": inline, "text_join": text_join}


class _TooMuchStructure(Exception):
    pass


class _Budget:
    """The elements a parse may still make.

    Tokens cost about 0.5 KB each and all stay alive until the planning is done: a 2 MB file
    of one-character headings, table cells or labelled lines would take gigabytes. Counting
    as they are made stops such a file before it gets that far. An element is a token other
    than a closing one or an inline container (a heading or a paragraph is one, a list item
    holding a paragraph two, a line of parsed inline text one or two), a link reference
    definition (markdown-it keeps them in ``env``, not as tokens), or a character of inline
    markup in text parsed inline (see :meth:`spend_on_markup`).
    """

    __slots__ = ("left",)

    def __init__(self, elements: int):
        self.left = elements

    def spend(self, elements: int = 1) -> None:
        self.left -= elements
        if self.left < 0:
            raise _TooMuchStructure

    def spend_on_markup(self, content: str) -> None:
        """An element for each character where an inline rule may start, before parsing.

        Some make no token for a long time but cost a lot each: every "[" of "[[[[..."
        looks for its closing bracket (~10 µs), so 2 MB of them would take 20 s.
        """
        self.spend(sum(map(content.count, _INLINE_RULE_STARTS)))

    def env(self) -> dict:
        """A markdown-it env that spends this budget on reference definitions."""
        return {
            _BUDGET_ENV: self,
            "references": _CountedDefinitions(self),
            "duplicate_refs": _CountedList(self),
        }


class _CountedList(list):
    __slots__ = ("budget",)

    def __init__(self, budget: _Budget):
        super().__init__()
        self.budget = budget

    def append(self, item) -> None:
        super().append(item)
        self.budget.spend()


class _CountedTokens(_CountedList):
    __slots__ = ()

    def append(self, token: Token) -> None:
        list.append(self, token)
        if token.nesting != -1 and token.type != "inline":
            self.budget.spend()


class _CountedDefinitions(dict):
    __slots__ = ("budget",)

    def __init__(self, budget: _Budget):
        super().__init__()
        self.budget = budget

    def __setitem__(self, label, definition) -> None:
        super().__setitem__(label, definition)
        self.budget.spend()


# The key of a parse's _Budget in markdown-it's env, the one value that goes with a run.
_BUDGET_ENV = "zvonok_budget"


def _count_elements(state: StateCore) -> None:
    budget = state.env.get(_BUDGET_ENV)
    if budget is not None:
        state.tokens = _CountedTokens(budget)


# A thematic break is its marker three or more times, with spaces and tabs between.
_BREAK_LINE = {m: re.compile(f"[{re.escape(m)} \t]*") for m in "*-_"}


def _hr_or_not(state: StateBlock, line: int, end: int, silent: bool) -> bool:
    """markdown-it's "hr" rule, after a check at C speed that the line can be one.

    The rule looks at every character in Python until one that is not its marker or a
    space, and it runs again at each level of "- - - - ... x", a list in a list: 2 MB of
    that took seconds.
    """
    pos = state.bMarks[line] + state.tShift[line]
    pattern = _BREAK_LINE.get(state.src[pos : pos + 1])
    if pattern is None or not pattern.fullmatch(state.src, pos, state.eMarks[line]):
        return False
    return hr(state, line, end, silent)


def _markdown_it() -> MarkdownIt:
    md = MarkdownIt("commonmark").enable("table")
    md.core.ruler.at("normalize", _normalize_if_needed)
    md.core.ruler.before("block", "count_elements", _count_elements)
    hr_rule = next(rule for rule in md.block.ruler.__rules__ if rule.name == "hr")
    md.block.ruler.at("hr", _hr_or_not, {"alt": hr_rule.alt})  # what it may interrupt
    md.disable(list(_LAZY_CORE_RULES))
    ruler = _FirstCharRuler()
    ruler.__rules__ = md.block.ruler.__rules__
    md.block.ruler = ruler
    return md


# Built once: creating a MarkdownIt instance costs more than parsing a typical sheet.
_MD = _markdown_it()

# ---------------------------------------------------------------------------------------------
# Decoding

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    # .docx and .odt are zip files; candidates do send them instead of Markdown.
    (b"PK\x03\x04", "ZIP archive, e.g. a .docx document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "MS Office document"),
    (b"\x1f\x8b", "gzip archive"),
)
_CYRILLIC_CODEPAGES = ["cp1251", "koi8_r", "cp866", "iso8859_5", "mac_cyrillic"]
_RU_LOWER = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
_RU_UPPER = _RU_LOWER.upper()
# What cp1251 bytes 0x80-0xBF turn into when the file is really KOI8-R, CP866 or
# ISO 8859-5: C1 controls, Serbian/Macedonian/Ukrainian letters and odd symbols. A Russian
# text in cp1251 practically never contains them.
_CP1251_UNLIKELY = re.compile("[\x80-\x9fЂЃѓЉЊЌЋЏђљњќћџЎўЈ¤Ґ¦ЄЇІіґµ¶јЅѕї‡‰‹›\xad]")
_SPACES = ("\u00a0", "\u202f")


def decode(data: bytes) -> tuple[str, str]:
    """Bytes -> (normalised text, encoding name); :class:`SheetError` if not a text file.

    Tried in order: UTF-8 with BOM (``utf-8-sig``), UTF-16 with BOM (``utf-16``), strict
    UTF-8, cp1251 when the result reads as Russian, then charset_normalizer limited to the
    Cyrillic code pages. A UTF-8 or UTF-16 file cut off in the middle of its last character
    (a download that stopped short) is read, that character replaced with U+FFFD
    (:func:`parse_bytes` warns about it). The text is then normalised: CRLF/CR -> LF, NFC,
    no-break spaces -> spaces. Empty input is not an error here.
    """
    text, encoding, _warnings = _decode(data)
    return text, encoding


def _decode(data: bytes) -> tuple[str, str, list[str]]:
    """:func:`decode`, and the warnings about what it had to replace."""
    data = bytes(data)
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise SheetError(f"binary file ({what})")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, cut = _strict(data, "utf-16", "UTF-16")
        nul = text.find("\x00")
        if nul >= 0:
            raise SheetError(f"binary file (NUL characters at character {nul})")
        return _normalise(text), "utf-16", _cut_warnings(cut, "UTF-16")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise SheetError(f"binary file (NUL bytes at offset {nul})")
    if data.startswith(codecs.BOM_UTF8):
        text, cut = _strict(data, "utf-8-sig", "UTF-8")
        return _normalise(text), "utf-8-sig", _cut_warnings(cut, "UTF-8")
    try:
        text, cut = _decode_cut_off(data, "utf-8")
        return _normalise(text), "utf-8", _cut_warnings(cut, "UTF-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        text = None
    if text is not None and _reads_as_russian(text):
        return _normalise(text), "cp1251", []
    text, encoding = _guess_cyrillic(data)
    if text is None:
        raise SheetError(
            f"cannot decode the file: not UTF-8 (byte 0x{data[utf8_error.start]:02x} at offset "
            f"{utf8_error.start}) and not a Cyrillic code page"
        )
    return _normalise(text), encoding, []


def _strict(data: bytes, codec: str, name: str) -> tuple[str, int | None]:
    try:
        return _decode_cut_off(data, codec)
    except UnicodeDecodeError as exc:
        raise SheetError(
            f"cannot decode the file: it starts with a {name} byte order mark but has invalid "
            f"{name} at offset {exc.start}"
        ) from None


# What the codecs say when the bytes stop inside a character.
_CUT_OFF_REASONS = ("unexpected end of data", "truncated data")


def _decode_cut_off(data: bytes, codec: str) -> tuple[str, int | None]:
    """``data`` decoded, and None; or, when the bytes stop in the middle of the last
    character, the text with U+FFFD for that character and the byte offset where it
    starts. Invalid bytes anywhere else raise UnicodeDecodeError."""
    try:
        return data.decode(codec), None
    except UnicodeDecodeError as exc:
        # utf-8-sig counts its positions after the byte order mark.
        skip = len(codecs.BOM_UTF8) if codec == "utf-8-sig" else 0
        if skip + exc.end != len(data) or exc.reason not in _CUT_OFF_REASONS:
            raise
        cut = skip + exc.start
        return data[:cut].decode(codec) + "\ufffd", cut


def _cut_warnings(cut: int | None, name: str) -> list[str]:
    if cut is None:
        return []
    return [
        f"the file ends in the middle of a {name} character at byte offset {cut} (cut off, "
        "as by a download that stopped short); that character is replaced with \ufffd"
    ]


def _reads_as_russian(text: str) -> bool:
    # ASCII decodes the same in every candidate code page, so only the rest is evidence.
    if _CP1251_UNLIKELY.search(text):
        return False
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    lower = sum(map(text.count, _RU_LOWER))
    upper = sum(map(text.count, _RU_UPPER))
    if (lower + upper) * 10 < non_ascii * 6:
        return False
    # KOI8-R read as cp1251 swaps the cases: lowercase Russian becomes uppercase.
    return lower + upper < 10 or lower >= upper


def _guess_cyrillic(data: bytes) -> tuple[str | None, str]:
    # Imported here: it is only needed for the rare non-UTF-8, non-cp1251 file and its import
    # is not free.
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=_CYRILLIC_CODEPAGES).best()
    if best is None:
        return None, ""
    return str(best), best.encoding


def _normalise(text: str) -> str:
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
        # str.translate with a mapping is slow; two replace() calls cost nothing.
        for space in _SPACES:
            if space in text:
                text = text.replace(space, " ")
    return text


# ---------------------------------------------------------------------------------------------
# Labels and recognisable headings

_NUM = r"\d{1,3}(?:\.\d{1,3})*"
# Punctuation after the number belongs to the label ("Вопрос 3:", "10..", "1 -").
_TAIL = r"(?:\s*(?:\.{1,2}\)?|[:)]|[-–—](?!\d)))?"
_WORD_LABEL = (
    r"(?:(?:обязательн|дополнительн|необязательн|бонусн)\w*\s+)?"
    r"(?:вопрос|задани[ея]|задач[аи]|упражнени[ея]|task|question|exercise|problem)"
    rf"\s*(?:№|#)?\s*(?P<n0>{_NUM}){_TAIL}"
)
_Q_LABEL = rf"q\s?(?P<n1>{_NUM}){_TAIL}"
_SIGN_LABEL = rf"[№#]\s*(?P<n2>{_NUM}){_TAIL}"
# Bare numbers need punctuation, so "3D-графика", "2024 год" and "12:30" are not labels.
_BARE_LABEL = rf"(?P<n3>{_NUM})(?:\.{{1,2}}\)?|\)|\s*[:\-–—](?!\d))"
# "2.1 Text": a dotted number is a label on its own.
_SUB_LABEL = r"(?P<n4>\d{1,3}(?:\.\d{1,3})+)(?=\s|$)"
# One alternation instead of a loop over patterns: this runs for every heading. A digit right
# after the label ("Q1a" is fine, "Q12" must not stop at "Q1") means no label.
_STRICT_LABEL = re.compile(
    "|".join(f"(?:{p})(?!\\d)" for p in (_WORD_LABEL, _Q_LABEL, _SIGN_LABEL)), re.IGNORECASE
)
_ANY_LABEL = re.compile(
    "|".join(
        f"(?:{p})(?!\\d)" for p in (_WORD_LABEL, _Q_LABEL, _SIGN_LABEL, _BARE_LABEL, _SUB_LABEL)
    ),
    re.IGNORECASE,
)

# Headings that belong to the answer above them, never questions of their own.
_ANSWER_MARKER = re.compile(
    r"(?:ответ|решение|answer|solution|дополнение|дополнительно|пример|примеры|примечание|"
    r"замечание|комментари[йи]|пояснение|объяснение|реализация|код|вывод|выводы|итог|"
    r"результат|update|upd|p\.\s?s|ps|note|example|explanation|code|output|result)\b",
    re.IGNORECASE,
)
# Headings that open the answers part of a README ("## Ответы на вопросы").
_ANSWERS_HEADING = re.compile(
    r"(?:мои\s+)?(?:ответы(?:\s+на\s+вопросы)?|вопросы(?:\s+и\s+ответы)?|"
    r"answers?(?:\s+to\s+(?:the\s+)?questions)?|questions(?:\s+and\s+answers)?|"
    r"q\s*&\s*a|анкета|опросник)\W*$",
    re.IGNORECASE,
)
# README boilerplate that ends the answers.
_BOILERPLATE = re.compile(
    r"(?:licen[cs]e|лицензия|contacts?|контакты|связь|обратная связь|feedback|authors?|автор|"
    r"об авторе|about me|обо мне|links|ссылки|install|installation|установка|запуск|"
    r"как запустить|usage|использование|running|contributing|благодарности|acknowledgements?|"
    r"credits|changelog|todo|requirements|зависимости|resume|резюме)\b",
    re.IGNORECASE,
)


def _match_label(text: str, pattern: re.Pattern) -> tuple[str, str, str] | None:
    """(label as written, normalised number, rest of the text) or None."""
    m = pattern.match(text)
    if m is None:
        return None
    end = m.end()
    digits = m[m.lastgroup]  # the one group that matched: the number
    if "." in digits:
        number = ".".join(str(int(part)) for part in digits.split("."))
    else:
        number = str(int(digits))
    return text[:end].strip(), number, text[end:].strip()


def label_number(label: str) -> str:
    """The normalised number of a label as :class:`Section` stores it ("Вопрос №03:" -> "3")."""
    found = _match_label(label.strip(), _ANY_LABEL)
    return found[1] if found else ""


# ---------------------------------------------------------------------------------------------
# Inline text


def _collapse(text: str) -> str:
    # Most texts are collapsed already: printable means no whitespace but " " (a Unicode
    # "separator" or control character is not printable).
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


def _inline_lines(children: list[Token] | None) -> list[tuple[str, bool, bool]]:
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


def _lines_text(lines: list[tuple[str, bool, bool]]) -> str:
    """The plain text of an inline token from its :func:`_inline_lines`, on one line."""
    if len(lines) == 1:
        return _collapse(lines[0][0])  # the usual heading
    return _collapse(" ".join(text for text, _, _ in lines))


# The characters where a commonmark inline rule other than plain text can match.
_MARKUP_CHARS = r"\n\\`*_\[\]!<&~"
# The same characters but the line break, which makes a token of its own.
_INLINE_RULE_STARTS = ("\\", "`", "*", "_", "[", "]", "!", "<", "&", "~")
_INLINE_MARKUP = re.compile(f"[{_MARKUP_CHARS}]")
_BOLD_LINE = re.compile(f"\\*\\*([^{_MARKUP_CHARS}]+)\\*\\*")


def _simple_inline_lines(content: str) -> list[tuple[str, bool, bool]] | None:
    """:func:`_inline_lines` for the two commonest shapes of inline content, else None.

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


# ---------------------------------------------------------------------------------------------
# Blocks


@dataclass(slots=True)
class _Block:
    """A top-level markdown block; ``start``/``end`` are 0-based lines of the whole text."""

    kind: str
    start: int
    end: int
    index: int  # position in the block list
    token: int  # index of its opening token
    level: int = 0  # heading level
    setext: bool = False
    text: str = ""
    label: str = ""
    number: str = ""
    rest: str = ""  # heading text after the label
    marker: bool = False
    boilerplate: bool = False
    ends_q: bool = False
    group: bool = False


@dataclass(slots=True)
class _Question:
    start: int
    q_end: int
    label: str
    number: str
    text: str
    level: int = 0
    setext: bool = False


_TEXT_BLOCKS = ("paragraph", "blockquote", "fence", "code_block")


class _Doc:
    """Tokens and top-level blocks of the text after the front matter."""

    __slots__ = ("_inline", "blocks", "env", "lines", "offset", "tokens")

    def __init__(self, lines: list[str], tokens: list[Token], offset: int, env: dict):
        self.lines = lines
        self.tokens = tokens
        self.offset = offset  # markdown-it saw the text from this line on
        self.env = env  # what block parsing left for inline parsing: link reference definitions
        self._inline: dict[int, list[tuple[str, bool, bool]]] = {}  # id(token) -> lines
        blocks: list[_Block] = []
        for i, tok in enumerate(tokens):
            if tok.level or tok.nesting == -1 or tok.map is None:
                continue
            kind = tok.type[:-5] if tok.nesting == 1 else tok.type
            block = _Block(kind, tok.map[0] + offset, tok.map[1] + offset, len(blocks), i)
            if kind == "heading":
                _read_heading(block, tok, self.inline_lines(tokens[i + 1]))
            blocks.append(block)
        self.blocks = blocks

    def inline_lines(self, inline_token: Token) -> list[tuple[str, bool, bool]]:
        """:func:`_inline_lines` of an "inline" token, its markup parsed on first use.

        _MD leaves out markdown-it's inline pass: most paragraphs are never read as inline
        markup. This runs the same core rules on just this token, so its children are what
        MarkdownIt.parse would have given, unless :func:`_simple_inline_lines` can do without.
        """
        lines = self._inline.get(id(inline_token))
        if lines is None:
            lines = _simple_inline_lines(inline_token.content)
            if lines is None:
                budget = self.env.get(_BUDGET_ENV)
                if budget is None:
                    inline_token.children = []
                else:
                    budget.spend_on_markup(inline_token.content)
                    inline_token.children = _CountedTokens(budget)
                state = StateCore("", _MD, self.env)
                state.tokens = [inline_token]
                for rule in _LAZY_CORE_RULES.values():
                    rule(state)
                lines = _inline_lines(inline_token.children)
            self._inline[id(inline_token)] = lines
        return lines

    def token_range(self, block: _Block) -> list[Token]:
        following = (
            self.blocks[block.index + 1].token if block.index + 1 < len(self.blocks) else None
        )
        return self.tokens[block.token : following]

    def block_text(self, block: _Block) -> str:
        """The plain text of a paragraph, blockquote or code block (to use as a question)."""
        parts = []
        for tok in self.token_range(block):
            if tok.type == "inline":
                parts.append(_lines_text(self.inline_lines(tok)))
            elif tok.type in ("fence", "code_block"):
                parts.append(tok.content)
        return _collapse(" ".join(parts))

    def question_from(self, block: _Block) -> tuple[str, int]:
        """The question held by the block below a bare label: its text and its end line.

        A paragraph that goes on after a line ending with "?" holds the answer too ("## Q2",
        "Как вы храните секреты?", "В Vault."): the question stops at that line.
        """
        if block.kind == "paragraph":
            lines = _paragraph_lines(self, block)
            if len(lines) == block.end - block.start:
                for k, (text, _, _) in enumerate(lines[:-1]):
                    if text.rstrip().endswith("?"):
                        asked = " ".join(t for t, _, _ in lines[: k + 1])
                        return _collapse(asked), block.start + k + 1
        return self.block_text(block), block.end

    def has_text(self, start: int, end: int) -> bool:
        return any(line.strip() for line in self.lines[start:end])


def _read_heading(block: _Block, tok: Token, lines: list[tuple[str, bool, bool]]) -> None:
    block.level = int(tok.tag[1])
    block.setext = tok.markup in ("=", "-")
    text = _lines_text(lines)
    block.text = text
    if _ANSWER_MARKER.match(text):
        block.marker = True
        return
    found = _match_label(text, _ANY_LABEL)
    if found:
        block.label, block.number, block.rest = found
        return
    block.rest = text
    block.ends_q = text.endswith(("?", "？"))
    block.boilerplate = bool(_BOILERPLATE.match(text))


# ---------------------------------------------------------------------------------------------
# Finding the questions: numbered headings, then labelled lines, then an ordered list.


def _plan_headings(
    doc: _Doc, warnings: list[str], *, unnumbered: bool
) -> tuple[list[_Question], int | None] | None:
    """Questions as headings: numbered ones, or with ``unnumbered`` the headings under
    "## Ответы на вопросы" or those ending with "?". Returns (questions, trailer start)."""
    blocks = doc.blocks
    heads = [b for b in blocks if b.kind == "heading"]
    if not heads:
        return None
    numbered = [h for h in heads if h.label]

    # Index of the first block at or after i that is not a heading: a heading directly
    # followed by another heading has no content of its own.
    next_content = [len(blocks)] * (len(blocks) + 1)
    for i in range(len(blocks) - 1, -1, -1):
        next_content[i] = i if blocks[i].kind != "heading" else next_content[i + 1]

    # "## 2. Базы данных" over "### 2.1 ...": a group heading, not a question.
    for h, k in itertools.pairwise(numbered):
        if k.level > h.level and (
            k.number.startswith(h.number + ".") or next_content[h.index + 1] > k.index
        ):
            h.group = True
    qheads = [h for h in numbered if not h.group]
    qlevels = {h.level for h in qheads}

    scope, scope_end, scope_level = _answers_scope(heads, qheads, len(blocks))

    def in_scope(b: _Block) -> bool:
        return scope is not None and scope.index < b.index < scope_end and b.level == scope_level

    mode_warning = ""
    if not qheads:
        if not unnumbered:
            return None
        if any(in_scope(h) and not h.marker for h in heads):
            mode_warning = (
                f"questions taken from the headings under {scope.text!r}: "
                "no numbered questions found"
            )
        else:
            counts: dict[int, int] = {}
            for h in heads:
                if h.ends_q:
                    counts[h.level] = counts.get(h.level, 0) + 1
            best = min(counts, key=lambda lvl: (-counts[lvl], lvl), default=None)
            if best is None or counts[best] < 2:
                return None
            qlevels = {best}
            mode_warning = (
                "questions taken from headings ending with '?': no numbered questions found"
            )

    def candidate(b: _Block) -> bool:
        if b.marker or b.group:
            return False
        return (
            bool(b.label)
            or (b.ends_q and b.level in qlevels)
            or (in_scope(b) and not b.boilerplate)
        )

    last_candidate = max((h.index for h in heads if candidate(h)), default=-1)
    if last_candidate < 0:
        return None
    if mode_warning:
        warnings.append(mode_warning)

    questions: list[_Question] = []
    current: _Question | None = None
    trailer: int | None = None
    i = 0
    while i < len(blocks):
        b = blocks[i]
        i += 1
        if b.kind != "heading":
            continue
        role = _heading_role(b, current, qlevels, in_scope(b), last_candidate, next_content)
        if role == "question":
            current = _Question(b.start, b.end, b.label, b.number, b.rest, b.level, b.setext)
            i = _complete_question(doc, current, i, warnings)
            questions.append(current)
        elif role == "trailer":
            trailer = b.start
            break
    return questions, trailer


def _answers_scope(
    heads: list[_Block], qheads: list[_Block], n_blocks: int
) -> tuple[_Block | None, int, int]:
    """The "## Ответы на вопросы" heading, where its part ends and its question level."""
    first_q = qheads[0].index if qheads else n_blocks
    top = min((h.level for h in qheads), default=7)
    scope = next(
        (
            h
            for h in heads
            if h.index < first_q and h.level < top and _ANSWERS_HEADING.match(h.text)
        ),
        None,
    )
    if scope is None:
        return None, -1, 0
    end = next(
        (
            h.index
            for h in heads
            if h.index > scope.index
            and h.level <= scope.level
            and not h.marker
            and (scope.setext or not h.setext)  # see _heading_role on "Text\n---"
        ),
        n_blocks,
    )
    inside = [h for h in heads if scope.index < h.index < end and not h.marker]
    first = next((h for h in inside if h.label and not h.group), None)
    if first is None:
        first = next((h for h in inside if not h.group), None)
    return scope, end, (first.level if first else 0)


def _heading_role(
    b: _Block,
    current: _Question | None,
    qlevels: set[int],
    in_scope: bool,
    last_candidate: int,
    next_content: list[int],
) -> str:
    """question, trailer or content (body, preamble or a divider kept in the body above)."""
    if b.marker or b.group:
        return "content"
    if b.label:
        return "question"
    if current is None:
        return "question" if (b.ends_q and b.level in qlevels) or in_scope else "content"
    # Deeper headings are the answer's own structure; so is "Text\n---", which a candidate
    # more likely meant as a rule under a paragraph than as a heading.
    if b.level > current.level or (b.setext and not current.setext):
        return "content"
    # Under "## Ответы на вопросы" every heading at the question level is a question: that is
    # the layout of the questionnaire itself and of render_sheet().
    if (in_scope and not b.boilerplate) or (b.ends_q and b.level in qlevels):
        return "question"
    if b.index < last_candidate:
        # Among the questions: a sibling heading with its own content is an unnumbered
        # question; one directly followed by a heading is a section title ("## SQL").
        has_content = next_content[b.index + 1] == b.index + 1
        if b.level == current.level and has_content and not b.boilerplate:
            return "question"
        return "content"
    if b.level < current.level or b.boilerplate:
        return "trailer"
    return "content"


def _complete_question(doc: _Doc, q: _Question, i: int, warnings: list[str]) -> int:
    """Take in what still belongs to the question heading; return the next block to look at."""
    blocks = doc.blocks
    # "### 3. Вопрос про SQL" + "### Напишите запрос...": one question over two headings.
    # The texts are joined once at the end: a run of thousands of headings would otherwise
    # copy the growing text at each one. Each is collapsed already, so joining the non-empty
    # ones with a space is what collapsing the concatenation would give.
    parts = [q.text] if q.text else []
    while i < len(blocks) and blocks[i].kind == "heading":
        if parts and parts[-1].endswith("?"):
            break
        h = blocks[i]
        if h.label or h.marker or h.boilerplate or h.setext != q.setext:
            break
        if not (h.level == q.level or (h.level > q.level and (not parts or h.ends_q))):
            break
        if h.text:
            parts.append(h.text)
        q.q_end = h.end
        i += 1
    q.text = " ".join(parts)
    # "## Q3" alone: the question is the paragraph, quote or code right below.
    if not q.text:
        if i < len(blocks) and blocks[i].kind in _TEXT_BLOCKS:
            q.text, q.q_end = doc.question_from(blocks[i])
            i += 1
        else:
            warnings.append(f"line {q.start + 1}: {q.label!r} has no question text")
    return i


def _plan_lines(doc: _Doc, warnings: list[str]) -> list[_Question] | None:
    """Questions as labelled lines: "**Q1.** text", "**1. text**", "Вопрос 1: text"."""
    questions: list[_Question] = []
    absorbed = -1
    for b in doc.blocks:
        if b.kind != "paragraph" or b.index == absorbed:
            continue
        if not _MAY_HOLD_LABEL.search(doc.tokens[b.token + 1].content):
            continue  # most answer paragraphs: no need to parse their inline markup
        lines = _paragraph_lines(doc, b)
        k = 0
        while k < len(lines):
            found = _line_label(lines[k])
            if found is None:
                k += 1
                continue
            end = k + 1
            while end < len(lines) and lines[end][2]:  # a bold question over several lines
                end += 1
            if not found[2] and end < len(lines) and _line_label(lines[end]) is None:
                # "**Вопрос 2**" and the question on the next lines of the paragraph: up to the
                # line that asks, or just the next line (the rest is the answer).
                asks = end
                while asks < len(lines) and _line_label(lines[asks]) is None:
                    if lines[asks][0].rstrip().endswith("?"):
                        end = asks
                        break
                    asks += 1
                end += 1
            rest = _collapse(" ".join([found[2], *(t for t, _, _ in lines[k + 1 : end])]))
            q = _Question(b.start + k, b.start + end, found[0], found[1], rest)
            k = end
            # "**Вопрос 2**" on a line of its own: the question is the block below.
            nxt = doc.blocks[b.index + 1] if b.index + 1 < len(doc.blocks) else None
            if not rest and k == len(lines) and nxt is not None and nxt.kind in _TEXT_BLOCKS:
                if nxt.kind != "paragraph" or _line_label(_paragraph_lines(doc, nxt)[0]) is None:
                    q.text, q.q_end = doc.question_from(nxt)
                    absorbed = nxt.index
            questions.append(q)
    if not questions:
        return None
    warnings.append(
        "questions taken from labelled lines (bold or 'Вопрос N'/'Q N'): no numbered headings found"
    )
    return questions


def _paragraph_lines(doc: _Doc, b: _Block) -> list[tuple[str, bool, bool]]:
    lines = doc.inline_lines(doc.tokens[b.token + 1])
    # Line k of the inline text is line start+k of the file unless a code span or raw HTML
    # runs over a line break; then only the first line is known to line up.
    return lines if len(lines) == b.end - b.start else lines[:1]


# Every label has a digit, which only a digit or an entity ("&#49;") in the source can give.
_MAY_HOLD_LABEL = re.compile(r"[\d&]")


def _line_label(line: tuple[str, bool, bool]) -> tuple[str, str, str] | None:
    text, bold, continued = line
    if continued:
        return None
    # Bare numbers ("1.5 года") are labels only when bold: plain lines need a word or sign.
    return _match_label(text.strip(), _ANY_LABEL if bold else _STRICT_LABEL)


def _plan_list(doc: _Doc, warnings: list[str]) -> list[_Question] | None:
    """Questions as items of top-level ordered lists, answers nested or below the list.

    A list of questions asks (most items end with "?"), holds its answers (every item has more
    than its first line) or is continued by the next list after the answer ("1." ... "2.").
    Lists inside answers are told apart by their numbering: they start again at 1.
    """
    lists = [b for b in doc.blocks if b.kind == "ordered_list"]
    items_of = [_list_items(doc, b) for b in lists]
    questions: list[_Question] = []
    expected: int | None = None
    for n, (block, items) in enumerate(zip(lists, items_of, strict=True)):
        if not items:
            continue
        first = int(items[0].number)
        asking = sum(q.text.endswith("?") for q in items) * 2 >= len(items)
        nested = all(doc.has_text(q.q_end, e) for q, e in _item_ends(items, block))
        continued = (
            n + 1 < len(lists)
            and bool(items_of[n + 1])
            and int(items_of[n + 1][0].number) == int(items[-1].number) + 1
        )
        if expected is None:
            whole = asking or nested or continued
        else:  # the next number, or numbering restarted for a new part of the questionnaire
            whole = first == expected or (first == 1 and (asking or nested))
        for q in items:
            # An answer's own list ("1. install", "2. run") followed, after a blank line, by
            # "3. Next question?" is one list to Markdown: the question is the item that
            # carries on the numbering and asks.
            if whole or (int(q.number) == expected and q.text.endswith("?")):
                questions.append(q)
                expected = int(q.number) + 1
    if not questions:
        return None
    warnings.append("questions taken from a numbered list: no numbered headings found")
    return questions


def _list_items(doc: _Doc, block: _Block) -> list[_Question]:
    items = []
    tokens = doc.token_range(block)
    for j, tok in enumerate(tokens):
        if tok.type != "list_item_open" or tok.level != 1 or tok.map is None:
            continue
        start = tok.map[0] + doc.offset
        label = f"{tok.info}{tok.markup}"
        number = str(int(tok.info)) if tok.info.isdigit() else "0"
        q = _Question(start, start + 1, label, number, "")
        para = tokens[j + 1] if j + 1 < len(tokens) else None
        if para is not None and para.type == "paragraph_open" and para.map[0] == tok.map[0]:
            lines = doc.inline_lines(tokens[j + 2])
            end = 1
            while end < len(lines) and lines[end][2]:
                end += 1
            aligned = len(lines) == para.map[1] - para.map[0]
            q.text = _collapse(" ".join(t for t, _, _ in lines[:end]))
            q.q_end = start + (end if aligned else 1)
        items.append(q)
    return items


def _item_ends(items: list[_Question], block: _Block):
    for n, q in enumerate(items):
        yield q, (items[n + 1].start if n + 1 < len(items) else block.end)


def _trailer_after(doc: _Doc, questions: list[_Question]) -> int | None:
    """For line and list questions: README boilerplate or a top heading after the last one."""
    last = questions[-1].q_end
    for b in doc.blocks:
        if b.kind == "heading" and b.start >= last and not b.label and not b.marker:
            if b.boilerplate or b.level <= 2:
                return b.start
    return None


# ---------------------------------------------------------------------------------------------
# Front matter


# libyaml is much faster and refuses deep nesting itself; both loaders are safe loaders.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FRONT_MATTER_MAX = 64 * 1024
_NOT_LOADED = object()  # yaml.load() itself may give None
# "key: text" lines, which YAML can only read as strings: a plain key, and a text that starts
# with a letter (no YAML 1.1 number, date or indicator) and holds no YAML syntax. YAML 1.1
# still reads the words below as booleans and null.
_PLAIN_YAML_LINE = re.compile(
    r"([A-Za-z_][A-Za-z0-9_-]{0,63}):[ ]+([^\W\d_](?:[\w .@+-]*[\w.@+-])?)"
)
_YAML_WORDS = frozenset(("yes", "no", "true", "false", "on", "off", "null"))


def _plain_yaml(source: str) -> dict | None:
    """What YAML loads from front matter of plain "key: text" lines only, else None.

    Loading even two lines with libyaml costs ~30 µs, most of a typical sheet's front matter.
    """
    data = {}
    for line in source.split("\n"):
        m = _PLAIN_YAML_LINE.fullmatch(line)
        if m is None or m[1].lower() in _YAML_WORDS or m[2].lower() in _YAML_WORDS:
            return None
        data[m[1]] = m[2]
    return data


def _front_matter(lines: list[str], warnings: list[str]) -> tuple[dict, int]:
    """(front matter, first line after it); ({}, 0) when there is none."""
    if not lines or lines[0].rstrip() != "---":
        return {}, 0
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if close is None:
        return {}, 0
    source = "\n".join(lines[1:close])
    if len(source) > _FRONT_MATTER_MAX or (
        _YAML_LOADER is yaml.SafeLoader and source.count("[") + source.count("{") > 200
    ):
        # Pure-Python PyYAML scans nested flow collections in quadratic time.
        warnings.append("line 1: front matter too large or too deeply nested; kept as text")
        return {}, close + 1
    data = _plain_yaml(source)
    if data is not None:
        return {k.lower(): v for k, v in data.items()}, close + 1
    try:
        data = _NOT_LOADED
        if "*" not in source:
            # No alias is possible, and a load that succeeds has scanned the whole text, so
            # the scan for aliases below (as slow as the load) could not fail or find one.
            with contextlib.suppress(Exception):
                data = yaml.load(source, Loader=_YAML_LOADER)  # noqa: S506 - a SafeLoader
        if data is _NOT_LOADED:
            # Aliases are how YAML bombs ("billion laughs") grow; sheets never need them.
            tokens = yaml.scan(source, Loader=_YAML_LOADER)
            if any(isinstance(t, yaml.AliasToken) for t in tokens):
                warnings.append("line 1: front matter uses YAML aliases; ignored and kept as text")
                return {}, close + 1
            data = yaml.load(source, Loader=_YAML_LOADER)  # noqa: S506 - a SafeLoader
    except Exception as exc:  # odd YAML raises more than YAMLError (bad dates, recursion)
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        warnings.append(f"line 1: front matter is not valid YAML ({reason}); kept as text")
        return {}, close + 1
    if data is None:
        return {}, close + 1
    if not isinstance(data, dict):
        warnings.append("line 1: front matter is not a mapping of keys to values; kept as text")
        return {}, close + 1
    return {str(k).lower(): v for k, v in data.items()}, close + 1


# ---------------------------------------------------------------------------------------------
# Parsing


def parse(text: str, *, encoding: str = "") -> ParsedSheet:
    """Parse a sheet's text (normalised like :func:`decode` does). Never raises."""
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
    text = _normalise(text)
    lines = text.split("\n")
    front_matter, content_start = _front_matter(lines, warnings)
    fm_source = "\n".join(lines[:content_start])

    def sheet(title="", preamble="", sections=(), trailer="") -> ParsedSheet:
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
        )

    first_text = next((i for i in range(content_start, len(lines)) if lines[i].strip()), None)
    if first_text is None:
        warnings.append("empty document")
        return sheet()
    source = text if content_start == 0 else "\n".join(lines[content_start:])
    env: dict = {} if max_elements is None else _Budget(max_elements).env()
    planning: list[str] = []  # the planning's warnings, kept if it gets to the end
    try:
        tokens = _MD.parse(source, env)
        doc = _Doc(lines, tokens, content_start, env)
        # Inline markup is parsed on demand while planning, so it can recurse here too.
        questions, trailer_start = _plan(doc, planning)
    except RecursionError:
        warnings.append(
            f"line {first_text + 1}: markdown nested too deeply to analyse; "
            "the whole document is kept as one unlabelled answer"
        )
        return sheet(sections=[_whole(lines, content_start)])
    except _TooMuchStructure:
        raise SheetError(structure_error(max_elements)) from None
    warnings += planning
    if not questions:
        warnings.append(
            f"line {first_text + 1}: no question structure recognised; "
            "the whole document is kept as one unlabelled answer"
        )
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
    )


def _plan(doc: _Doc, warnings: list[str]) -> tuple[list[_Question] | None, int | None]:
    """The questions and where the trailer starts (None: no trailer)."""
    # Numbered headings are the strongest sign; unnumbered headings the weakest, as READMEs
    # have headings of their own.
    planned = _plan_headings(doc, warnings, unnumbered=False)
    if planned is not None:
        return planned
    questions = _plan_lines(doc, warnings) or _plan_list(doc, warnings)
    if questions:
        return questions, _trailer_after(doc, questions)
    return _plan_headings(doc, warnings, unnumbered=True) or (questions, None)


def _slice(lines: list[str], start: int, end: int) -> tuple[str, int]:
    """Lines [start, end) without blank lines at either edge, and where they now start."""
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[start:end]), start


def _whole(lines: list[str], start: int) -> Section:
    body, body_start = _slice(lines, start, len(lines))
    return Section("", "", "", "", body, body_start + 1, body_start + 1)


def parse_bytes(
    data: bytes,
    *,
    max_bytes: int = MAX_BYTES_DEFAULT,
    max_elements: int = MAX_ELEMENTS_DEFAULT,
    max_lines: int = MAX_LINES_DEFAULT,
) -> ParsedSheet:
    """Check the size, :func:`decode`, :func:`parse`; :class:`SheetError` for unusable files,
    among them files of more than ``max_elements`` Markdown elements or ``max_lines`` lines
    (memory and time stay bounded whatever the file's shape)."""
    if len(data) > max_bytes:
        raise SheetError(size_error(len(data), max_bytes))
    text, encoding, warnings = _decode(data)
    return _parse(text, encoding, max_elements=max_elements, max_lines=max_lines, warnings=warnings)


def structure_error(max_elements: int) -> str:
    """The one-line refusal of a file of more than ``max_elements`` elements."""
    return (
        f"too much Markdown structure to analyse: more than {max_elements:,} elements "
        "(headings, paragraphs, list items, table cells, line breaks, links, emphasis); "
        "an answer sheet has a few hundred"
    )


def lines_error(max_lines: int) -> str:
    """The one-line refusal of a file of more than ``max_lines`` lines."""
    return f"too many lines: more than {max_lines:,}; an answer sheet has a few thousand"


def size_error(size: int, max_bytes: int) -> str:
    """The one-line refusal of a file over the size limit (also used before reading it)."""
    return f"file is {_size(size)}, over the {_size(max_bytes)} limit"


def _size(n: int) -> str:
    if n >= 100 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    return f"{n} byte" if n == 1 else f"{n} bytes"


def try_parse_bytes(data: bytes, *, max_bytes: int = MAX_BYTES_DEFAULT) -> ParsedSheet | SheetError:
    """:func:`parse_bytes` returning the error instead of raising it (for ``Executor.map``)."""
    try:
        return parse_bytes(data, max_bytes=max_bytes)
    except SheetError as exc:
        return exc


# ---------------------------------------------------------------------------------------------
# Matching and export

_NOT_WORD = re.compile(r"[\W_]+")


def normalise_question(text: str) -> str:
    """A question's text for matching: casefolded, ё -> е, no punctuation or markup."""
    text = unicodedata.normalize("NFC", text).casefold().replace("ё", "е")
    return " ".join(_NOT_WORD.sub(" ", text).split())


def render_sheet(
    *,
    title: str,
    sections: Iterable[tuple[str, str, str]],
    front_matter: dict | None = None,
) -> str:
    """The canonical export of a sheet: what :func:`parse` reads back unchanged.

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
    out.append(f"# {_collapse(title)}".rstrip() + "\n\n## Ответы на вопросы\n")
    for number, question, body in sections:
        question = _collapse(question)
        heading = f"#### {number}. {question}" if number else f"#### {question}"
        body = body.strip("\n")
        out.append(heading.rstrip() + "\n" + (body + "\n" if body.strip() else "") + "\n")
    return "".join(out)
