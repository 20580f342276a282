"""Answer sheets as data, without Django: pure functions over bytes and text, so that the
import can run them in worker processes and their tests need no database.

    decoding     bytes -> normalised text (utf-8/utf-16/cp1251/KOI8-R...), or SheetError
    patch        markdown-it-py tuned for speed and bounded (the one module on its internals)
    inline       inline markup -> plain lines of text
    labels       question labels ("1.", "№ 2", "Вопрос 3:") and headings known by their words
    frontmatter  the YAML block at the top
    plan         where the questions are: headings, labelled lines, an ordered list, with
                 topics (numbered lines under topic headings) and trailer (generator
                 boilerplate after the answers)
    outline      which lines became which part of a sheet, and by which rule
    parsing      text -> ParsedSheet (parse, parse_bytes), with the limits on a file
    render       ParsedSheet's parts -> the canonical markdown (render_sheet)
    match        which questionnaire a sheet answers and which question each section answers
    skills       self-assessed ratings and years ("FastAPI: 8/10", "Python — 3 года")
    contacts     e-mail, E.164 phone and Telegram handle in one canonical form
    analysis     what a parser worker does per file: parse, read skill claims, and tell
                 whether the file is an answer sheet at all (review_reason)

Importing this package loads no Django module (tests/test_layers.py).
"""

from .analysis import Analysis, analyse_bytes
from .contacts import normalise_email, normalise_phone, normalise_telegram
from .decoding import SheetError, decode
from .labels import label_number
from .match import KnownQuestionnaire, detect_questionnaire, match_sections, normalise_question
from .outline import Part, outline
from .parsing import (
    MAX_BYTES_DEFAULT,
    MAX_ELEMENTS_DEFAULT,
    MAX_LINES_DEFAULT,
    ParsedSheet,
    Section,
    lines_error,
    parse,
    parse_bytes,
    size_error,
    structure_error,
    try_parse_bytes,
)
from .plan import RULES
from .render import render_sheet
from .skills import Claim, extract_claims, normalise_skill

__all__ = [
    "MAX_BYTES_DEFAULT",
    "MAX_ELEMENTS_DEFAULT",
    "MAX_LINES_DEFAULT",
    "RULES",
    "Analysis",
    "Claim",
    "KnownQuestionnaire",
    "ParsedSheet",
    "Part",
    "Section",
    "SheetError",
    "analyse_bytes",
    "decode",
    "detect_questionnaire",
    "extract_claims",
    "label_number",
    "lines_error",
    "match_sections",
    "normalise_email",
    "normalise_phone",
    "normalise_question",
    "normalise_skill",
    "normalise_telegram",
    "outline",
    "parse",
    "parse_bytes",
    "render_sheet",
    "size_error",
    "structure_error",
    "try_parse_bytes",
]
