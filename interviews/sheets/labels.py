"""Question labels ("1.", "№ 2", "Вопрос 3:", "Task #4", "2.1") and the headings the
parser recognises by their words (answer markers, "Ответы на вопросы", README boilerplate).

Regular expressions only: they look at the plain text of one heading or line, never at
Markdown structure (that comes from markdown-it tokens).
"""

# Russian words in the patterns and the en/em dashes in labels are meant, not look-alikes.

from __future__ import annotations

import re

__all__ = ["label_number"]


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
STRICT_LABEL = re.compile(
    "|".join(f"(?:{p})(?!\\d)" for p in (_WORD_LABEL, _Q_LABEL, _SIGN_LABEL)), re.IGNORECASE
)
ANY_LABEL = re.compile(
    "|".join(
        f"(?:{p})(?!\\d)" for p in (_WORD_LABEL, _Q_LABEL, _SIGN_LABEL, _BARE_LABEL, _SUB_LABEL)
    ),
    re.IGNORECASE,
)

# Headings that belong to the answer above them, never questions of their own.
ANSWER_MARKER = re.compile(
    r"(?:ответ|решение|answer|solution|дополнение|дополнительно|пример|примеры|примечание|"
    r"замечание|комментари[йи]|пояснение|объяснение|реализация|код|вывод|выводы|итог|"
    r"результат|update|upd|p\.\s?s|ps|note|example|explanation|code|output|result)\b",
    re.IGNORECASE,
)
# Headings that open the answers part of a README ("## Ответы на вопросы").
ANSWERS_HEADING = re.compile(
    r"(?:мои\s+)?(?:ответы(?:\s+на\s+вопросы)?|вопросы(?:\s+и\s+ответы)?|"
    r"answers?(?:\s+to\s+(?:the\s+)?questions)?|questions(?:\s+and\s+answers)?|"
    r"q\s*&\s*a|анкета|опросник)\W*$",
    re.IGNORECASE,
)
# README boilerplate that ends the answers.
BOILERPLATE = re.compile(
    r"(?:licen[cs]e|лицензия|contacts?|контакты|связь|обратная связь|feedback|authors?|автор|"
    r"об авторе|about me|обо мне|links|ссылки|install|installation|установка|запуск|"
    r"как запустить|usage|использование|running|contributing|благодарности|acknowledgements?|"
    r"credits|changelog|todo|requirements|зависимости|resume|резюме)\b",
    re.IGNORECASE,
)


def match_label(text: str, pattern: re.Pattern) -> tuple[str, str, str] | None:
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
    """The normalised number of a label as :class:`.parsing.Section` stores it
    ("Вопрос №03:" -> "3")."""
    found = match_label(label.strip(), ANY_LABEL)
    return found[1] if found else ""


# Every label has a digit, which only a digit or an entity ("&#49;") in the source can give.
MAY_HOLD_LABEL = re.compile(r"[\d&]")


def line_label(line: tuple[str, bool, bool]) -> tuple[str, str, str] | None:
    """:func:`match_label` of a line of inline text (see :func:`.inline.inline_lines`)."""
    text, bold, continued = line
    if continued:
        return None
    # Bare numbers ("1.5 года") are labels only when bold: plain lines need a word or sign.
    return match_label(text.strip(), ANY_LABEL if bold else STRICT_LABEL)
