"""interviews.sheets.patch against the markdown-it-py it reaches into.

The patch relies on internals no release promises to keep: the rulers' ``__rules__`` and
``__cache__``, the rule objects' fields, the block state's line tables, the core rules'
functions and the ``env`` keys the reference rule writes. When one of these tests fails
after an upgrade of markdown-it-py, read patch.py against the new release before changing
the test: the tuned parser may be giving other tokens than the stock one.
"""

import inspect
from pathlib import Path

import markdown_it
import pytest
from markdown_it import MarkdownIt
from markdown_it.common import utils
from markdown_it.ruler import Ruler
from markdown_it.rules_block import StateBlock, hr
from markdown_it.rules_core import StateCore, inline, normalize, text_join

from interviews.sheets import decode, patch

ROOT = Path(__file__).parent.parent
CORPUS = [*sorted((ROOT / "tests" / "data").glob("*.md")), *sorted(ROOT.glob("examples/*.md"))]
STOCK = MarkdownIt("commonmark").enable("table")


def test_markdown_it_is_the_release_the_patch_was_read_against():
    # patch.py's _BLOCK_RULE_STARTS says on which first characters each rule can match: a
    # fact about the rules' code that no check below can see. Read them again on upgrade.
    assert markdown_it.__version__ == "4.3.0", (
        "markdown-it-py changed: check interviews/sheets/patch.py against its block rules, "
        "then update this version"
    )


def test_block_rules_are_those_the_dispatcher_knows():
    names = [rule.name for rule in STOCK.block.ruler.__rules__]

    assert names == [
        "table",
        "code",
        "fence",
        "blockquote",
        "hr",
        "list",
        "reference",
        "html_block",
        "heading",
        "lheading",
        "paragraph",
    ]
    assert set(patch._BLOCK_RULE_STARTS) <= set(names)


def test_rules_have_the_fields_the_patch_reads():
    for rule in STOCK.block.ruler.__rules__:
        assert isinstance(rule.name, str)
        assert isinstance(rule.enabled, bool)
        assert isinstance(rule.alt, list)
        assert callable(rule.fn)


def test_ruler_compiles_into_a_cache_of_chains():
    ruler = STOCK.block.ruler

    ruler.__compile__()

    assert isinstance(ruler.__cache__, dict)
    assert "" in ruler.__cache__  # the main chain
    assert "paragraph" in ruler.__cache__  # what may interrupt a paragraph
    assert all(isinstance(fns, list) for fns in ruler.__cache__.values())


def test_the_patched_parser_runs_its_own_ruler():
    assert isinstance(patch.MD.block.ruler, patch._FirstCharRuler)
    assert issubclass(patch._FirstCharRuler, Ruler)
    assert patch.MD.block.ruler.__rules__ is not None


def test_core_rules_the_patch_replaces_or_runs_late_exist():
    names = [rule.name for rule in STOCK.core.ruler.__rules__]

    assert {"normalize", "block", "inline", "text_join"} <= set(names)
    assert names.index("block") < names.index("inline") < names.index("text_join")


def test_functions_the_patch_calls_take_what_it_passes():
    assert list(inspect.signature(hr).parameters) == ["state", "startLine", "endLine", "silent"]
    for rule in (inline, normalize, text_join):
        assert list(inspect.signature(rule).parameters) == ["state"]
    assert list(inspect.signature(StateCore.__init__).parameters)[:4] == [
        "self",
        "src",
        "md",
        "env",
    ]
    assert list(inspect.signature(Ruler.at).parameters)[:3] == ["self", "ruleName", "fn"]
    assert list(inspect.signature(Ruler.before).parameters)[:4] == [
        "self",
        "beforeName",
        "ruleName",
        "fn",
    ]
    assert callable(utils.isWhiteSpace)


def test_block_state_keeps_the_line_tables_the_dispatcher_reads():
    state = StateBlock("# a\n    b\n", STOCK, {}, [])

    for table in ("bMarks", "eMarks", "tShift", "sCount"):
        assert len(getattr(state, table)) >= 2, table
    assert state.blkIndent == 0
    assert state.src == "# a\n    b\n"


def test_reference_definitions_are_kept_in_the_env_keys_the_budget_counts():
    env: dict = {}

    STOCK.parse("[a]: /u\n[a]: /v\n\n[a]\n", env)

    assert set(env) == {"references", "duplicate_refs"}
    assert list(env["references"]) == ["A"]
    assert len(env["duplicate_refs"]) == 1


def test_the_budget_counts_tokens_and_reference_definitions():
    budget = patch.Budget(1000)

    patch.MD.parse("[a]: /u\n[a]: /v\n\n# Title\n\ntext\n", budget.env())

    # Two definitions, a heading and a paragraph (inline containers are free).
    assert budget.left == 1000 - 4


def test_inline_parsing_fills_the_children_list_it_is_given():
    budget = patch.Budget(1000)
    env = budget.env()
    token = next(t for t in patch.MD.parse("*a* `b` [c](/d)\n", env) if t.type == "inline")

    children = patch.parse_inline(token, env)

    assert children is token.children
    assert [c.type for c in children] == [
        t.type for t in STOCK.parseInline("*a* `b` [c](/d)")[0].children
    ]
    # The paragraph, six characters of markup, then the tokens made in the list it gave.
    assert budget.left < 1000 - 1 - 6


def without_children(tokens):
    return [t.as_dict(filter=lambda key, _: key != "children") for t in tokens]


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_patched_parser_gives_the_stock_tokens_on_a_corpus_file(path):
    text = decode(path.read_bytes())[0]
    env: dict = {}

    ours = patch.MD.parse(text, env)
    stock = STOCK.parse(text)

    assert without_children(ours) == without_children(stock)
    for mine, theirs in zip(ours, stock, strict=True):
        if mine.type == "inline":
            children = patch.parse_inline(mine, env)
            assert [c.as_dict() for c in children] == [c.as_dict() for c in theirs.children]
