"""markdown-it-py as the sheet parser runs it: faster, and bounded.

The one module that reaches into markdown-it-py's internals (its rulers' ``__rules__`` and
``__cache__``, the core rules it exports, ``StateCore``/``StateBlock`` fields and the
``env`` keys its reference rule writes). ``MD`` gives the same tokens as
``MarkdownIt("commonmark").enable("table")``, but block parsing skips rules that cannot
match and inline content is parsed only for the tokens the parser reads
(:func:`parse_inline`). ``tests/test_sheets_patch.py`` fails when an internal used here
changes or the tokens differ from the stock parser's: check it on every upgrade of
markdown-it-py (pinned in requirements.txt).
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.ruler import Ruler
from markdown_it.rules_block import StateBlock, hr
from markdown_it.rules_core import StateCore, inline, normalize, text_join
from markdown_it.token import Token

__all__ = ["BUDGET_ENV", "MD", "Budget", "TooMuchStructure", "parse_inline"]


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


# The core rules after "block". MD leaves them out and parse_inline runs them for the
# few tokens the parser reads: most paragraphs are never read as inline markup, and parsing them all
# was a third of the time.
_LAZY_CORE_RULES = {"inline": inline, "text_join": text_join}


# The characters where a commonmark inline rule other than plain text can start.
INLINE_RULE_STARTS = ("\\", "`", "*", "_", "[", "]", "!", "<", "&", "~")


class TooMuchStructure(Exception):
    pass


class Budget:
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
            raise TooMuchStructure

    def spend_on_markup(self, content: str) -> None:
        """An element for each character where an inline rule may start, before parsing.

        Some make no token for a long time but cost a lot each: every "[" of "[[[[..."
        looks for its closing bracket (~10 µs), so 2 MB of them would take 20 s.
        """
        self.spend(sum(map(content.count, INLINE_RULE_STARTS)))

    def env(self) -> dict:
        """A markdown-it env that spends this budget on reference definitions."""
        return {
            BUDGET_ENV: self,
            "references": _CountedDefinitions(self),
            "duplicate_refs": _CountedList(self),
        }


class _CountedList(list):
    __slots__ = ("budget",)

    def __init__(self, budget: Budget):
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

    def __init__(self, budget: Budget):
        super().__init__()
        self.budget = budget

    def __setitem__(self, label, definition) -> None:
        super().__setitem__(label, definition)
        self.budget.spend()


# The key of a parse's Budget in markdown-it's env, the one value that goes with a run.
BUDGET_ENV = "zvonok_budget"


def _count_elements(state: StateCore) -> None:
    budget = state.env.get(BUDGET_ENV)
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
MD = _markdown_it()


def parse_inline(inline_token: Token, env: dict) -> list[Token]:
    """The children of an "inline" token, as ``MarkdownIt.parse`` would have given them.

    ``MD`` leaves out markdown-it's inline pass, as most paragraphs are never read as inline
    markup; this runs the same core rules on just this token, spending the parse's
    :class:`Budget` (in ``env``) when there is one.
    """
    budget = env.get(BUDGET_ENV)
    if budget is None:
        inline_token.children = []
    else:
        budget.spend_on_markup(inline_token.content)
        inline_token.children = _CountedTokens(budget)
    state = StateCore("", MD, env)
    state.tokens = [inline_token]
    for rule in _LAZY_CORE_RULES.values():
        rule(state)
    return inline_token.children
