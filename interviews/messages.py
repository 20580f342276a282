"""The import's messages about a file, in the reader's language.

The parser (``interviews.sheets``, no Django) and the import pipeline write a file's
warnings and refusals in English, from the templates of ``interviews.sheets.messages``
and the ones below; the English text is what is stored with a submission and what the
search finds. :func:`translate` turns one such text into the active language where a
person reads it (upload pages, the submission page, the command line): it finds the
template the text was made from, translates the template and fills in the same
parameters, themselves translated when they are messages too ("PNG image"). A text made
from no known template is shown as it is.
"""

import functools
import re

from django.utils.translation import gettext, gettext_noop

from interviews.sheets import messages as sheet_messages

QUESTIONNAIRE_MISSING = gettext_noop("questionnaire %(slug)s does not exist")
VACANCY_MISSING = gettext_noop("vacancy %(slug)s does not exist")
FRONT_MATTER_UNUSED = gettext_noop("front matter keys not used: %(keys)s")
NAMED_AFTER_EMAIL = gettext_noop("no candidate name: named after the e-mail (%(name)s)")
NAMED_AFTER_FILE = gettext_noop(
    "no candidate name or e-mail in the file or options: named after the file (%(name)s)"
)
NAMED_AFTER_LINK = gettext_noop(
    "no candidate name or e-mail in the file or options: named after the link's owner (%(name)s)"
)
STDIN_WITHOUT_NAME = gettext_noop(
    "standard input has no candidate name or e-mail (front matter name: or email:): "
    "give --name or --email"
)
NEEDS_REVIEW = gettext_noop(
    "needs review: this does not look like an answer sheet (%(reason)s); %(outcome)s"
)
REVIEW_NO_STRUCTURE = gettext_noop("no question structure recognised")
REVIEW_NO_QUESTIONS = gettext_noop("none of its numbered parts reads as a question or a task")
REVIEW_ACCEPTED = gettext_noop("imported as accepted, marked as needing review")
REVIEW_HELD = gettext_noop(
    "not imported unless accepted (--accept-unstructured, or ticked on upload)"
)
POSSIBLE_DUPLICATE = gettext_noop("possible duplicate: candidate #%(id)s has the same %(what)s")
PHONE = gettext_noop("phone")
SOURCE_WITHOUT_QUESTIONNAIRE = gettext_noop(
    "a known source needs a questionnaire: give --questionnaire, or questionnaire: in the "
    "front matter"
)
SOURCE_WITHOUT_ANSWERS = gettext_noop("no answer of this file matches a question")

# Longer texts are not looked up: a message is a line, and matching stays cheap.
_MAX_LENGTH = 4000
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _templates() -> list[str]:
    own = [value for name, value in globals().items() if name.isupper() and name[0] != "_"]
    return [*sheet_messages.templates(), *own]


@functools.cache
def _patterns() -> list[tuple[str, re.Pattern]]:
    patterns = []
    for template in _templates():
        parts, seen = [], set()
        for i, piece in enumerate(_PLACEHOLDER.split(template)):
            if i % 2 == 0:
                parts.append(re.escape(piece))
            elif piece in seen:
                parts.append(f"(?P={piece})")
            else:
                seen.add(piece)
                parts.append(f"(?P<{piece}>.+?)")
        literal = len(_PLACEHOLDER.sub("", template))
        patterns.append((literal, template, re.compile("".join(parts), re.DOTALL)))
    # The most specific first: "binary file (NUL bytes at offset 3)" is made from its own
    # template, not from "binary file (%(kind)s)".
    patterns.sort(key=lambda entry: -entry[0])
    return [(template, pattern) for _literal, template, pattern in patterns]


def translate(text: str) -> str:
    """``text``, a message of the import, in the active language."""
    if not isinstance(text, str) or len(text) > _MAX_LENGTH:
        return text
    for template, pattern in _patterns():
        match = pattern.fullmatch(text)
        if match is not None:
            params = {name: translate(value) for name, value in match.groupdict().items()}
            return gettext(template) % params
    return text
