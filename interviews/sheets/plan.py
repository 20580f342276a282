"""Finding the questions in a sheet's markdown-it tokens: numbered headings, then labelled
lines ("**Q1.** text", "Вопрос 1: text"), then an ordered list or numbered lines under topic
headings (:mod:`.topics`), then the HTML blocks of a sheet written in HTML (:mod:`.html`),
then unnumbered headings.

:func:`plan` returns where each question starts and ends and where the trailer starts, each
with the name of the rule that found it (:data:`RULES`); :mod:`.parsing` cuts the text at
those lines.
"""

# Russian words in the warnings are labels as candidates write them, not look-alikes.

from __future__ import annotations

import itertools
from dataclasses import dataclass

from markdown_it.token import Token

from . import messages
from .html import plan_html
from .inline import collapse, inline_lines, lines_text, simple_inline_lines
from .labels import (
    ANSWER_MARKER,
    ANSWERS_HEADING,
    ANY_LABEL,
    BOILERPLATE,
    MAY_HOLD_LABEL,
    line_label,
    match_label,
)
from .patch import BUDGET_ENV, parse_inline
from .topics import plan_numbered_lines
from .trailer import is_generator_heading, trailer_warning

__all__ = ["RULES", "Doc", "plan"]


def gettext_noop(message: str) -> str:
    """Marks a message for translation (``makemessages`` finds it by this name) without
    loading Django here: the command that shows it translates it."""
    return message


# The rules that find a sheet's parts, by the short names that ParsedSheet and the outline
# (:mod:`.outline`) give them, and what each says.
RULES = {
    "front-matter": gettext_noop("the YAML block at the top"),
    "before-first-question": gettext_noop("the text before the first question"),
    "numbered-heading": gettext_noop("a heading that opens with a question number"),
    "question-heading": gettext_noop("a heading ending with '?', without numbered headings"),
    "answers-part-heading": gettext_noop(
        "a heading at the question level under 'Ответы на вопросы'"
    ),
    "sibling-heading": gettext_noop(
        "an unnumbered heading with text of its own among numbered questions"
    ),
    "labelled-line": gettext_noop("a line opening with a label: a bold number, 'Вопрос N', 'Q N'"),
    "list-item": gettext_noop("an item of a top-level numbered list"),
    "numbered-line": gettext_noop(
        "a numbered line that asks, with its answer below, in number order (and its topic)"
    ),
    "outer-heading": gettext_noop("a heading above the questions' level after the last question"),
    "readme-heading": gettext_noop("a README heading after the last question (License, Contacts)"),
    "generator-boilerplate": gettext_noop(
        "a project generator's README heading after the last question"
    ),
    "top-heading": gettext_noop("a level 1 or 2 heading after the last question"),
    "html-heading": gettext_noop(
        "an HTML heading that opens with a question number, or ends with '?'"
    ),
    "html-ordered-list": gettext_noop("an item of a top-level HTML numbered list of questions"),
    "html-outer-heading": gettext_noop(
        "an HTML heading above the questions' level after the last question"
    ),
    "no-structure": gettext_noop(
        "no question structure recognised: the whole text is kept as one answer"
    ),
}


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
    generator: bool = False  # a project generator's README heading (.trailer)
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
    rule: str = ""  # the name in RULES of the rule that found it
    group: str = ""  # the topic heading above it (numbered lines)


_TEXT_BLOCKS = ("paragraph", "blockquote", "fence", "code_block")


class Doc:
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
        """:func:`.inline.inline_lines` of an "inline" token, its markup parsed on first use
        (:func:`.patch.parse_inline`) unless :func:`.inline.simple_inline_lines` can do
        without."""
        lines = self._inline.get(id(inline_token))
        if lines is None:
            lines = simple_inline_lines(inline_token.content)
            if lines is None:
                lines = inline_lines(parse_inline(inline_token, self.env))
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
                parts.append(lines_text(self.inline_lines(tok)))
            elif tok.type in ("fence", "code_block"):
                parts.append(tok.content)
        return collapse(" ".join(parts))

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
                        return collapse(asked), block.start + k + 1
        return self.block_text(block), block.end

    def has_text(self, start: int, end: int) -> bool:
        return any(line.strip() for line in self.lines[start:end])


def _read_heading(block: _Block, tok: Token, lines: list[tuple[str, bool, bool]]) -> None:
    block.level = int(tok.tag[1])
    block.setext = tok.markup in ("=", "-")
    text = lines_text(lines)
    block.text = text
    if ANSWER_MARKER.match(text):
        block.marker = True
        return
    found = match_label(text, ANY_LABEL)
    if found:
        block.label, block.number, block.rest = found
        return
    block.rest = text
    block.ends_q = text.endswith(("?", "？"))
    block.generator = is_generator_heading(text)
    block.boilerplate = block.generator or bool(BOILERPLATE.match(text))


# ---------------------------------------------------------------------------------------------
# Finding the questions: numbered headings, then labelled lines, then an ordered list.


def _plan_headings(
    doc: Doc, warnings: list[str], *, unnumbered: bool
) -> tuple[list[_Question], _Trailer | None] | None:
    """Questions as headings: numbered ones, or with ``unnumbered`` the headings under
    "## Ответы на вопросы" or those ending with "?". Returns (questions, trailer)."""
    blocks = doc.blocks
    heads = [b for b in blocks if b.kind == "heading"]
    if not heads:
        return None
    next_content = _next_content(blocks)
    numbered = [h for h in heads if h.label]
    _mark_groups(numbered, next_content)
    qheads = [h for h in numbered if not h.group]
    scope = _answers_scope(heads, qheads, len(blocks))
    if qheads:
        qlevels, mode_warning = {h.level for h in qheads}, ""
    elif unnumbered and (mode := _unnumbered_mode(heads, scope)) is not None:
        qlevels, mode_warning = mode
    else:
        return None
    last_candidate = max(
        (h.index for h in heads if _may_be_question(h, qlevels, scope)), default=-1
    )
    if last_candidate < 0:
        return None
    if mode_warning:
        warnings.append(mode_warning)
    return _walk_headings(doc, qlevels, scope, last_candidate, next_content, warnings)


def _next_content(blocks: list[_Block]) -> list[int]:
    """Index of the first block at or after i that is not a heading: a heading directly
    followed by another heading has no content of its own."""
    next_content = [len(blocks)] * (len(blocks) + 1)
    for i in range(len(blocks) - 1, -1, -1):
        next_content[i] = i if blocks[i].kind != "heading" else next_content[i + 1]
    return next_content


def _mark_groups(numbered: list[_Block], next_content: list[int]) -> None:
    """ "## 2. Базы данных" over "### 2.1 ...": a group heading, not a question."""
    for h, k in itertools.pairwise(numbered):
        if k.level > h.level and (
            k.number.startswith(h.number + ".") or next_content[h.index + 1] > k.index
        ):
            h.group = True


@dataclass(slots=True)
class _Scope:
    """The part of a README under "## Ответы на вопросы" (``heading`` None: none)."""

    heading: _Block | None
    end: int = -1  # index of the block that ends it
    level: int = 0  # the level of its questions

    def holds(self, b: _Block) -> bool:
        """Whether ``b`` is a heading at the question level of the part."""
        return (
            self.heading is not None
            and self.heading.index < b.index < self.end
            and b.level == self.level
        )


def _unnumbered_mode(heads: list[_Block], scope: _Scope) -> tuple[set[int], str] | None:
    """Without numbered headings: the question levels and the warning that says how the
    questions were found, or None when no heading looks like a question."""
    if any(scope.holds(h) and not h.marker for h in heads):
        return set(), messages.QUESTIONS_UNDER_HEADING % {"heading": repr(scope.heading.text)}
    counts: dict[int, int] = {}
    for h in heads:
        if h.ends_q:
            counts[h.level] = counts.get(h.level, 0) + 1
    best = min(counts, key=lambda lvl: (-counts[lvl], lvl), default=None)
    if best is None or counts[best] < 2:
        return None
    return {best}, messages.QUESTIONS_FROM_QUESTION_MARKS


def _may_be_question(b: _Block, qlevels: set[int], scope: _Scope) -> bool:
    if b.marker or b.group:
        return False
    return (
        bool(b.label) or (b.ends_q and b.level in qlevels) or (scope.holds(b) and not b.boilerplate)
    )


def _walk_headings(
    doc: Doc,
    qlevels: set[int],
    scope: _Scope,
    last_candidate: int,
    next_content: list[int],
    warnings: list[str],
) -> tuple[list[_Question], _Trailer | None]:
    """The questions the headings open, in order, and where the trailer starts."""
    blocks = doc.blocks
    questions: list[_Question] = []
    current: _Question | None = None
    i = 0
    while i < len(blocks):
        b = blocks[i]
        i += 1
        if b.kind != "heading":
            continue
        role, rule = _heading_role(
            b, current, qlevels, scope.holds(b), last_candidate, next_content
        )
        if role == "question":
            current = _Question(b.start, b.end, b.label, b.number, b.rest, b.level, b.setext, rule)
            i = _complete_question(doc, current, i, warnings)
            questions.append(current)
        elif role == "trailer":
            return questions, _Trailer(b, rule)
    return questions, None


def _answers_scope(heads: list[_Block], qheads: list[_Block], n_blocks: int) -> _Scope:
    """The "## Ответы на вопросы" heading, where its part ends and its question level."""
    first_q = qheads[0].index if qheads else n_blocks
    top = min((h.level for h in qheads), default=7)
    scope = next(
        (h for h in heads if h.index < first_q and h.level < top and ANSWERS_HEADING.match(h.text)),
        None,
    )
    if scope is None:
        return _Scope(None)
    end = next((h.index for h in heads if h.index > scope.index and _closes(scope, h)), n_blocks)
    inside = [h for h in heads if scope.index < h.index < end and not h.marker]
    first = next((h for h in inside if h.label and not h.group), None)
    if first is None:
        first = next((h for h in inside if not h.group), None)
    return _Scope(scope, end, first.level if first else 0)


def _closes(scope: _Block, h: _Block) -> bool:
    """Whether heading ``h``, below the "## Ответы на вопросы" heading ``scope``, ends its part."""
    # "Text\n---" under an ATX heading is no heading of the part: see _heading_role.
    return h.level <= scope.level and not h.marker and (scope.setext or not h.setext)


def _heading_role(
    b: _Block,
    current: _Question | None,
    qlevels: set[int],
    in_scope: bool,
    last_candidate: int,
    next_content: list[int],
) -> tuple[str, str]:
    """question, trailer or content (body, preamble or a divider kept in the body above),
    and the name of the rule (RULES) for a question or trailer."""
    if b.marker or b.group:
        return "content", ""
    if b.label:
        return "question", "numbered-heading"
    asks = b.ends_q and b.level in qlevels
    if current is None:
        if in_scope:
            return "question", "answers-part-heading"
        return ("question", "question-heading") if asks else ("content", "")
    # Deeper headings are the answer's own structure; so is "Text\n---", which a candidate
    # more likely meant as a rule under a paragraph than as a heading.
    if b.level > current.level or (b.setext and not current.setext):
        return "content", ""
    # Under "## Ответы на вопросы" every heading at the question level is a question: that is
    # the layout of the questionnaire itself and of render_sheet().
    if in_scope and not b.boilerplate:
        return "question", "answers-part-heading"
    if asks:
        return "question", "question-heading"
    if b.index < last_candidate:
        # Among the questions: a sibling heading with its own content is an unnumbered
        # question; one directly followed by a heading is a section title ("## SQL").
        has_content = next_content[b.index + 1] == b.index + 1
        # A generator's heading ("## Deployment") ends the answers only after the last one.
        if b.level == current.level and has_content and (b.generator or not b.boilerplate):
            return "question", "sibling-heading"
        return "content", ""
    rule = _ends_answers(b)
    if not rule and b.level < current.level:
        rule = "outer-heading"
    return ("trailer", rule) if rule else ("content", "")


def _ends_answers(b: _Block) -> str:
    """The rule by which a heading after the last question starts the trailer, or ""."""
    if b.generator:
        return "generator-boilerplate"
    return "readme-heading" if b.boilerplate else ""


def _complete_question(doc: Doc, q: _Question, i: int, warnings: list[str]) -> int:
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
            warnings.append(
                messages.LABEL_WITHOUT_TEXT % {"line": q.start + 1, "label": repr(q.label)}
            )
    return i


def _plan_lines(doc: Doc, warnings: list[str]) -> list[_Question] | None:
    """Questions as labelled lines: "**Q1.** text", "**1. text**", "Вопрос 1: text"."""
    questions: list[_Question] = []
    absorbed = -1
    for b in doc.blocks:
        if b.kind != "paragraph" or b.index == absorbed:
            continue
        if not MAY_HOLD_LABEL.search(doc.tokens[b.token + 1].content):
            continue  # most answer paragraphs: no need to parse their inline markup
        found = _labelled_lines(doc, b)
        if found and _takes_text_below(doc, b, found[-1]):
            absorbed = b.index + 1
        questions += found
    if not questions:
        return None
    warnings.append(messages.QUESTIONS_FROM_LABELLED_LINES)
    return questions


def _labelled_lines(doc: Doc, b: _Block) -> list[_Question]:
    """The questions of a paragraph's labelled lines."""
    lines = _paragraph_lines(doc, b)
    questions = []
    k = 0
    while k < len(lines):
        found = line_label(lines[k])
        if found is None:
            k += 1
            continue
        end = _question_end(lines, k, not found[2])
        rest = collapse(" ".join([found[2], *(t for t, _, _ in lines[k + 1 : end])]))
        questions.append(
            _Question(b.start + k, b.start + end, found[0], found[1], rest, rule="labelled-line")
        )
        k = end
    return questions


def _question_end(lines: list[tuple[str, bool, bool]], k: int, bare: bool) -> int:
    """The line after the question labelled on line ``k`` (``bare``: the label alone)."""
    end = k + 1
    while end < len(lines) and lines[end][2]:  # a bold question over several lines
        end += 1
    if bare and end < len(lines) and line_label(lines[end]) is None:
        # "**Вопрос 2**" and the question on the next lines of the paragraph: up to the
        # line that asks, or just the next line (the rest is the answer).
        asks = end
        while asks < len(lines) and line_label(lines[asks]) is None:
            if lines[asks][0].rstrip().endswith("?"):
                end = asks
                break
            asks += 1
        end += 1
    return end


def _takes_text_below(doc: Doc, b: _Block, q: _Question) -> bool:
    """ "**Вопрос 2**" on the last line of a paragraph: the question is the block below,
    unless that is a paragraph opening with a label of its own. Takes it into ``q``."""
    nxt = doc.blocks[b.index + 1] if b.index + 1 < len(doc.blocks) else None
    at_end = q.q_end == b.start + len(_paragraph_lines(doc, b))
    if q.text or not at_end or nxt is None or nxt.kind not in _TEXT_BLOCKS:
        return False
    if nxt.kind == "paragraph" and line_label(_paragraph_lines(doc, nxt)[0]) is not None:
        return False
    q.text, q.q_end = doc.question_from(nxt)
    return True


def _paragraph_lines(doc: Doc, b: _Block) -> list[tuple[str, bool, bool]]:
    lines = doc.inline_lines(doc.tokens[b.token + 1])
    # Line k of the inline text is line start+k of the file unless a code span or raw HTML
    # runs over a line break; then only the first line is known to line up.
    return lines if len(lines) == b.end - b.start else lines[:1]


def _plan_list(doc: Doc, warnings: list[str]) -> list[_Question] | None:
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
    warnings.append(messages.QUESTIONS_FROM_LIST)
    return questions


def _list_items(doc: Doc, block: _Block) -> list[_Question]:
    items = []
    tokens = doc.token_range(block)
    for j, tok in enumerate(tokens):
        if tok.type != "list_item_open" or tok.level != 1 or tok.map is None:
            continue
        start = tok.map[0] + doc.offset
        label = f"{tok.info}{tok.markup}"
        number = str(int(tok.info)) if tok.info.isdigit() else "0"
        q = _Question(start, start + 1, label, number, "", rule="list-item")
        para = tokens[j + 1] if j + 1 < len(tokens) else None
        if para is not None and para.type == "paragraph_open" and para.map[0] == tok.map[0]:
            lines = doc.inline_lines(tokens[j + 2])
            end = 1
            while end < len(lines) and lines[end][2]:
                end += 1
            aligned = len(lines) == para.map[1] - para.map[0]
            q.text = collapse(" ".join(t for t, _, _ in lines[:end]))
            q.q_end = start + (end if aligned else 1)
        items.append(q)
    return items


def _item_ends(items: list[_Question], block: _Block):
    for n, q in enumerate(items):
        yield q, (items[n + 1].start if n + 1 < len(items) else block.end)


@dataclass(slots=True)
class _Trailer:
    """The heading the trailer starts at and the rule (RULES) that ends the answers there."""

    heading: _Block
    rule: str


def _trailer_after(doc: Doc, questions: list[_Question]) -> _Trailer | None:
    """For line and list questions: README boilerplate or a top heading after the last one."""
    last = questions[-1].q_end
    for b in doc.blocks:
        if b.kind == "heading" and b.start >= last and not b.label and not b.marker:
            rule = _ends_answers(b) or ("top-heading" if b.level <= 2 else "")
            if rule:
                return _Trailer(b, rule)
    return None


def plan(doc: Doc, warnings: list[str]) -> tuple[list[_Question] | None, int | None, str]:
    """The questions, where the trailer starts (None: no trailer) and the rule that ends
    the answers there."""
    questions, trailer = _plan(doc, warnings)
    if trailer is None:
        return questions, None, ""
    if trailer.rule == "generator-boilerplate":
        warnings.append(trailer_warning(trailer.heading.start + 1, trailer.heading.text))
    return questions, trailer.heading.start, trailer.rule


def _plan(doc: Doc, warnings: list[str]) -> tuple[list[_Question] | None, _Trailer | None]:
    # Numbered headings are the strongest sign; unnumbered headings the weakest, as READMEs
    # have headings of their own.
    planned = _plan_headings(doc, warnings, unnumbered=False)
    if planned is not None:
        return planned
    questions = _plan_lines(doc, warnings) or _plan_numbered(doc, warnings)
    if questions:
        return questions, _trailer_after(doc, questions)
    return (
        _plan_html(doc, warnings)
        or _plan_headings(doc, warnings, unnumbered=True)
        or (questions, None)
    )


def _line_block(doc: Doc, line: int) -> _Block:
    """A stand-in block for a line inside an HTML block (an HTML heading that starts the
    trailer): where it starts and what it says."""
    return _Block("html_block", line, line + 1, -1, -1, text=doc.lines[line].strip())


def _plan_html(doc: Doc, warnings: list[str]) -> tuple[list[_Question], _Trailer | None] | None:
    """A sheet written in HTML (:mod:`.html`): its HTML blocks, and the indented HTML that
    Markdown takes for code after a blank line."""
    regions = [
        (b.start, b.end)
        for b in doc.blocks
        if b.kind == "html_block"
        or (b.kind == "code_block" and doc.lines[b.start].lstrip().startswith("<"))
    ]
    budget = doc.env.get(BUDGET_ENV)
    planned = plan_html(doc.lines, regions, warnings, spend=budget and budget.spend)
    if planned is None:
        return None
    found, start = planned
    questions = [_Question(q.start, q.q_end, q.label, q.number, q.text, rule=q.rule) for q in found]
    trailer = None if start is None else _Trailer(_line_block(doc, start), "html-outer-heading")
    # "## License" in Markdown below the HTML ends the answers as an HTML heading would.
    after = _trailer_after(doc, questions)
    if after is not None and (trailer is None or after.heading.start < trailer.heading.start):
        trailer = after
    return questions, trailer


def _plan_numbered(doc: Doc, warnings: list[str]) -> list[_Question] | None:
    """An ordered list, or numbered lines (:mod:`.topics`) where they find more questions:
    "2.What ...?" with no space, or a number line in a paragraph, is no list item to
    Markdown, and the list alone would stop at it."""
    list_warnings: list[str] = []
    listed = _plan_list(doc, list_warnings)
    line_warnings: list[str] = []
    lined = plan_numbered_lines(doc, line_warnings)
    if lined and len(lined) > len(listed or ()):
        warnings += line_warnings
        return [
            _Question(*q[:5], rule="numbered-line", group=q.group)  # start..text, then group
            for q in lined
        ]
    warnings += list_warnings
    return listed
