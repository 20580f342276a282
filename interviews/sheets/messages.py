"""Every sentence the parser says about a file: its warnings and its refusals.

The parser stays free of Django, so it speaks English: each sentence is one of the
templates below, filled with ``%`` and ``%(name)s`` parameters, and is stored and printed
as that English text. ``interviews.messages`` translates it where a person reads it (the
admin, the command line) by finding the template it was made from. Add a sentence here,
as a module-level constant, and its Russian to the catalogue: ``makemessages`` finds it
through ``gettext_noop``.
"""


def gettext_noop(message: str) -> str:
    """Marks ``message`` for the translation catalogue (the name ``makemessages`` looks
    for); the parser itself uses it as it is."""
    return message


# -- decoding --------------------------------------------------------------------------
BINARY_FILE = gettext_noop("binary file (%(kind)s)")
PNG_IMAGE = gettext_noop("PNG image")
JPEG_IMAGE = gettext_noop("JPEG image")
GIF_IMAGE = gettext_noop("GIF image")
PDF_DOCUMENT = gettext_noop("PDF document")
ZIP_ARCHIVE = gettext_noop("ZIP archive, e.g. a .docx document")
MS_OFFICE_DOCUMENT = gettext_noop("MS Office document")
GZIP_ARCHIVE = gettext_noop("gzip archive")
NUL_CHARACTERS = gettext_noop("binary file (NUL characters at character %(position)s)")
NUL_BYTES = gettext_noop("binary file (NUL bytes at offset %(offset)s)")
NOT_DECODABLE = gettext_noop(
    "cannot decode the file: not UTF-8 (byte %(byte)s at offset %(offset)s) and not a "
    "Cyrillic code page"
)
BAD_AFTER_BOM = gettext_noop(
    "cannot decode the file: it starts with a %(encoding)s byte order mark but has invalid "
    "%(encoding)s at offset %(offset)s"
)
CUT_CHARACTER = gettext_noop(
    "the file ends in the middle of a %(encoding)s character at byte offset %(offset)s "
    "(cut off, as by a download that stopped short); that character is replaced with �"
)

# -- limits ----------------------------------------------------------------------------
TOO_MUCH_STRUCTURE = gettext_noop(
    "too much Markdown structure to analyse: more than %(limit)s elements (headings, "
    "paragraphs, list items, table cells, line breaks, links, emphasis, HTML tags); an "
    "answer sheet has a few hundred"
)
TOO_MANY_LINES = gettext_noop(
    "too many lines: more than %(limit)s; an answer sheet has a few thousand"
)
TOO_LARGE = gettext_noop("file is %(size)s, over the %(limit)s limit")
MEGABYTES = gettext_noop("%(size)s MB")
BYTES = gettext_noop("%(size)s bytes")
ONE_BYTE = gettext_noop("1 byte")

# -- front matter ----------------------------------------------------------------------
FRONT_MATTER_TOO_LARGE = gettext_noop(
    "line 1: front matter too large or too deeply nested; kept as text"
)
FRONT_MATTER_INVALID = gettext_noop(
    "line 1: front matter is not valid YAML (%(reason)s); kept as text"
)
FRONT_MATTER_ALIASES = gettext_noop(
    "line 1: front matter uses YAML aliases; ignored and kept as text"
)
FRONT_MATTER_NOT_MAPPING = gettext_noop(
    "line 1: front matter is not a mapping of keys to values; kept as text"
)

# -- structure -------------------------------------------------------------------------
EMPTY_DOCUMENT = gettext_noop("empty document")
NESTED_TOO_DEEPLY = gettext_noop(
    "line %(line)s: markdown nested too deeply to analyse; the whole document is kept as "
    "one unlabelled answer"
)
NO_STRUCTURE = gettext_noop(
    "line %(line)s: no question structure recognised; the whole document is kept as one "
    "unlabelled answer"
)
QUESTIONS_UNDER_HEADING = gettext_noop(
    "questions taken from the headings under %(heading)s: no numbered questions found"
)
QUESTIONS_FROM_QUESTION_MARKS = gettext_noop(
    "questions taken from headings ending with '?': no numbered questions found"
)
QUESTIONS_FROM_LABELLED_LINES = gettext_noop(
    "questions taken from labelled lines (bold or 'Вопрос N'/'Q N'): no numbered headings found"
)
QUESTIONS_FROM_LIST = gettext_noop(
    "questions taken from a numbered list: no numbered headings found"
)
GENERATOR_TRAILER = gettext_noop(
    "line %(line)s: project boilerplate after the answers (%(heading)s) kept as the sheet's "
    "trailer, not as answers"
)
QUESTIONS_FROM_HTML_LIST = gettext_noop(
    "questions taken from an HTML ordered list: no numbered headings found"
)
QUESTIONS_FROM_HTML_QUESTION_MARKS = gettext_noop(
    "questions taken from HTML headings ending with '?': no numbered questions found"
)
SECOND_QUESTION_ON_LINE = gettext_noop(
    "line %(line)s: a second question on the line of the one before; kept in that question"
)
LABEL_WITHOUT_TEXT = gettext_noop("line %(line)s: %(label)s has no question text")

# -- matching to a questionnaire -------------------------------------------------------
QUESTIONNAIRE_DETECTED = gettext_noop(
    "questionnaire detected: %(slug)s (%(hits)s of %(total)s questions recognised)"
)
QUESTIONNAIRE_AMBIGUOUS = gettext_noop(
    "questionnaire not chosen: several fit (%(slugs)s); answers kept as written"
)
SECTION_UNMATCHED = gettext_noop(
    "line %(line)s: section %(section)s matches no question of %(slug)s; kept"
)
UNLABELLED_SECTION_UNMATCHED = gettext_noop(
    "line %(line)s: a section without a label matches no question of %(slug)s; kept"
)
QUESTIONS_UNANSWERED = gettext_noop("questions without an answer: %(numbers)s")


def templates() -> list[str]:
    """Every template of this module."""
    return [value for name, value in globals().items() if name.isupper()]
