"""Self-assessed skills in a candidate's answer: "FastAPI: 8/10", "Python — 3 года".

A pure module (no Django, no ORM): answer text (Markdown) -> list of :class:`Claim`.

It is conservative on purpose: a reviewer who sees an invented "SQLAlchemy 2/10" (read from
"алхимии 2.0") stops trusting the column, while a missed claim costs one glance at the
answer. So a number becomes a claim only when

* it has the shape of a rating ("8/10", "8 из 10", "4 out of 5", "80%") or of a length of
  experience ("3 года", "3+ years", "полгода", "18 months"), and the words around it do not
  say it is something else ("шаг 1/3", "1/2 ставки", "3 из 5 сервисов", "с 2019 года",
  "2 года назад");
* a known skill name (see :func:`normalise_skill`) is tied to it in the same sentence:
  for a rating, the nearest skill before it ("уровень в Django на 6/10"); for a length of
  experience, a skill right before it or right after it with only filler words between
  ("опыт с Django 2 года", "3+ years of Python", "полтора года на FastAPI");
* that skill is not one of a bare list ("Django и Flask: 7/10" says nothing about either).

Fenced code blocks, inline code spans, URLs and file paths are masked before anything is
read, and sentences end at line breaks and at ``. ! ? … ;`` before a space, so a claim
never spans two lines. Every regular expression has bounded repetitions or starts at a
position pinned by a look-behind, so reading is linear in the length of the text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Claim", "extract_claims", "normalise_skill"]


@dataclass(frozen=True, slots=True)
class Claim:
    """One skill the candidate rated or gave a length of experience for.

    ``snippet`` is ``text[start:start + len(snippet)]``: from the skill name to the end of
    the number (or the other way round), verbatim.
    """

    skill: str
    value: float | None
    scale: int | None
    years: float | None
    snippet: str
    start: int


# ---------------------------------------------------------------------------------------------
# Skill names

_ALIASES = {
    "sqlalchemy": "SQLAlchemy",
    "sa": "SQLAlchemy",
    "postgresql": "PostgreSQL",
    "postgres": "PostgreSQL",
    "postgre": "PostgreSQL",
    "pg": "PostgreSQL",
    "django": "Django",
    "fastapi": "FastAPI",
    "flask": "Flask",
    "python": "Python",
    "docker": "Docker",
    "kubernetes": "Kubernetes",
    "k8s": "Kubernetes",
    "redis": "Redis",
    "mongodb": "MongoDB",
    "mongo": "MongoDB",
    "clickhouse": "ClickHouse",
    "celery": "Celery",
    "go": "Go",
    "golang": "Go",
    "rust": "Rust",
    "c++": "C++",
    "javascript": "JavaScript",
    "js": "JavaScript",
    "typescript": "TypeScript",
    "ts": "TypeScript",
    "sql": "SQL",
    "mysql": "MySQL",
    "kafka": "Kafka",
    "rabbitmq": "RabbitMQ",
    "asyncio": "asyncio",
    "pandas": "pandas",
    "git": "Git",
    "linux": "Linux",
}

# Short aliases that are also ordinary words or abbreviations ("go", "ts" for timestamp):
# they count only right next to the number ("Go: полгода", "PG: 7/10").
_WEAK_ALIASES = frozenset({"go", "sa", "ts", "pg", "js"})

_NOUN = frozenset({"", "а", "у", "ом", "е", "ы"})  # declension of a masculine noun
_FEM = frozenset({"о", "а", "и", "у", "ой", "ою", "е"})  # "джанго/джанги/джангой"

# Russian slang by stem: stem -> (skill, endings, weak). Only the listed endings match, so
# "питон" and "питоном" are Python while "питомник" is nothing. The Russian word "го" is
# never Go.
_RUSSIAN_STEMS: dict[str, tuple[str, frozenset[str], bool]] = {
    "алхими": ("SQLAlchemy", frozenset({"я", "и", "ю", "ей", "ею", "е"}), False),
    "постгрес": ("PostgreSQL", _NOUN, False),
    "постгре": ("PostgreSQL", frozenset({""}), False),
    "джанг": ("Django", _FEM, False),
    "фастапи": ("FastAPI", frozenset({""}), False),
    "фласк": ("Flask", _NOUN, False),
    "питон": ("Python", _NOUN, False),
    "пайтон": ("Python", _NOUN, False),
    "докер": ("Docker", _NOUN, False),
    "кубер": ("Kubernetes", _NOUN, False),
    "кубернетес": ("Kubernetes", _NOUN, False),
    "редис": ("Redis", _NOUN, False),
    "монг": ("MongoDB", _FEM, False),
    "кликхаус": ("ClickHouse", _NOUN, False),
    "селери": ("Celery", frozenset({""}), False),
    # Literally "rabbit": weak, like the short Latin aliases.
    "кролик": ("RabbitMQ", _NOUN | {"и", "ов"}, True),
    "линукс": ("Linux", _NOUN, False),
}


def _fold(word: str) -> str:
    return word.casefold().replace("ё", "е")


def _lookup(word: str) -> tuple[str, bool] | None:
    """(canonical name, weak) for one word, or None."""
    key = _fold(word)
    if key in _ALIASES:
        return _ALIASES[key], key in _WEAK_ALIASES
    for cut in range(len(key), max(len(key) - 3, 0), -1):
        entry = _RUSSIAN_STEMS.get(key[:cut])
        if entry is not None and key[cut:] in entry[1]:
            return entry[0], entry[2]
    return None


def normalise_skill(name: str) -> str | None:
    """The canonical name for a skill alias ("алхимией" -> "SQLAlchemy"), else None.

    Case-insensitive; one word (or "C++"); Russian slang in any listed case ending.
    """
    found = _lookup(name.strip())
    return found[0] if found else None


# ---------------------------------------------------------------------------------------------
# Masking: code, URLs and paths become filler characters of the same length, so offsets
# stay those of the original text and nothing inside them is read.

_FILL = "\x00"
_NOT_NEWLINE = re.compile(r"[^\n]")
_FENCE = re.compile(r"[ \t]*(`{3,}|~{3,})")
_BACKTICKS = re.compile(r"`+")
_BLANK_LINE = re.compile(r"\n[ \t\r]*(?=\n)")
_LINKISH = re.compile(
    r"(?<![\w/])(?:[a-z][a-z0-9+.-]{1,15}://|www\.)\S+"  # URLs
    r"|(?<!\S)(?:~|\.{1,2})[/\\]\S*"  # ~/x, ./x, ../x
    r"|(?<!\S)[^\s/\\]*[/\\][^\s/\\]*[/\\]\S*",  # a/b/c, /srv/x, 10/05/2024, C:\x\y
    re.IGNORECASE,
)
_TRAILING_PUNCT = ".,;:!?)]}»\"'"


def _fenced_blocks(text: str) -> list[tuple[int, int]]:
    # Any indentation opens a fence (inside list items too): masking too much is cheaper
    # than reading code. An unclosed fence runs to the end, as in CommonMark.
    spans = []
    fence = None  # (char, length, start)
    pos, n = 0, len(text)
    while pos < n:
        nl = text.find("\n", pos)
        end = n if nl < 0 else nl + 1
        m = _FENCE.match(text, pos, end)
        if fence is None:
            if m:
                fence = (m[1][0], len(m[1]), pos)
        elif (
            m and m[1][0] == fence[0] and len(m[1]) >= fence[1] and not text[m.end() : end].strip()
        ):
            spans.append((fence[2], end))
            fence = None
        pos = end
    if fence is not None:
        spans.append((fence[2], n))
    return spans


def _code_spans(text: str) -> list[tuple[int, int]]:
    # A run of N backticks opens a span closed by the next run of exactly N backticks in the
    # same paragraph; an opener without one is literal. One pointer per run length keeps
    # this linear however many unmatched runs there are.
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text)]
    if len(runs) < 2:
        return []
    blanks = [m.start() for m in _BLANK_LINE.finditer(text)]
    by_length: dict[int, list[int]] = {}
    for index, (start, end) in enumerate(runs):
        by_length.setdefault(end - start, []).append(index)
    pointers = dict.fromkeys(by_length, 0)
    spans = []
    covered_until = -1
    for index, (start, end) in enumerate(runs):
        if start < covered_until:
            continue
        same = by_length[end - start]
        p = pointers[end - start]
        while p < len(same) and same[p] <= index:
            p += 1
        pointers[end - start] = p
        if p == len(same):
            continue
        close_start, close_end = runs[same[p]]
        k = bisect.bisect_left(blanks, end)
        if k < len(blanks) and blanks[k] < close_start:
            continue
        spans.append((start, close_end))
        covered_until = close_end
    return spans


def _links(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in _LINKISH.finditer(text):
        end = m.end()
        while end > m.start() and text[end - 1] in _TRAILING_PUNCT:
            end -= 1
        spans.append((m.start(), end))
    return spans


def _apply(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    out, pos = [], 0
    for start, end in spans:
        out.append(text[pos:start])
        out.append(_NOT_NEWLINE.sub(_FILL, text[start:end]))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _mask(text: str) -> str:
    masked = _apply(text, _fenced_blocks(text))
    masked = _apply(masked, _code_spans(masked))
    return _apply(masked, _links(masked))


# ---------------------------------------------------------------------------------------------
# Numbers that look like ratings or lengths of experience

_NUMBER_WORDS = {
    "один": 1.0,
    "одного": 1.0,
    "one": 1.0,
    "два": 2.0,
    "двух": 2.0,
    "two": 2.0,
    "три": 3.0,
    "трех": 3.0,
    "трёх": 3.0,
    "three": 3.0,
    "четыре": 4.0,
    "четырех": 4.0,
    "четырёх": 4.0,
    "four": 4.0,
    "пять": 5.0,
    "пяти": 5.0,
    "five": 5.0,
    "шесть": 6.0,
    "шести": 6.0,
    "six": 6.0,
    "семь": 7.0,
    "семи": 7.0,
    "seven": 7.0,
    "восемь": 8.0,
    "восьми": 8.0,
    "eight": 8.0,
    "девять": 9.0,
    "девяти": 9.0,
    "nine": 9.0,
    "десять": 10.0,
    "десяти": 10.0,
    "ten": 10.0,
    "полтора": 1.5,
    "полторы": 1.5,
    "пол": 0.5,  # "полгода", "пол года"
    "half a": 0.5,
}
_NUMBER_WORDS_RE = "|".join(
    re.escape(w).replace(r"\ ", "[ \\t]") for w in sorted(_NUMBER_WORDS, key=len, reverse=True)
)

# Not inside a longer number, a version, a path or "C++3"; not the second half of "2-3".
_LB = r"(?<![\w.,/\\+])(?<!\d[-–—])"
_EXPR = re.compile(
    rf"""
    (?P<rating>
        {_LB}(?P<r_value>\d{{1,3}}(?:[.,]\d)?)
        (?:[ \t]{{0,2}}/[ \t]{{0,2}}|[ \t]{{1,2}}(?:из|out[ \t]of)[ \t]{{1,2}})
        (?P<r_scale>\d{{1,3}})(?![\w/\\%]|[.,:]\d)
    )
    |(?P<percent>
        {_LB}(?P<p_value>\d{{1,3}}(?:[.,]\d)?)[ \t]?%
    )
    |(?P<years>
        (?:
            {_LB}(?P<y_number>\d{{1,4}}(?:[.,]\d)?)(?P<y_plus>\+)?(?:-?х)?
            |(?<!\w)(?P<y_word>{_NUMBER_WORDS_RE})
        )
        [ \t]{{0,2}}
        (?:(?P<y_unit>год[ауе]?|лет|years?|yrs?)|(?P<m_unit>месяц(?:а|ев)?|мес|months?))
        (?!\w)
    )
    """,
    re.IGNORECASE | re.VERBOSE,
)
_SCALES = frozenset({5, 10, 100})
_PREVIOUS_WORD = re.compile(r"(\w+|[#№])[ \t]*\Z")
_NEXT_WORD = re.compile(r"[ \t]*(\w+)")

# "шаг 1/3", "page 2/10", "вопрос 3 из 10": a position, not a rating.
_NOT_BEFORE_RATING = frozenset(
    """
    шаг шага шаге step стр страница странице page p pp часть part этап stage вопрос question
    задача задание task глава chapter слайд slide пункт раунд round урок lesson неделя week
    день day спринт sprint версия version v тест test попытка attempt # №
    """.split()
)
# A word right after a rating must read as part of it ("8/10 по FastAPI", "7 из 10 баллов");
# anything else ("3 из 5 сервисов", "1/2 ставки", "80% времени") makes it a count.
_AFTER_RATING = frozenset(
    """
    по в во на с со in for on at with баллов балла балл points point pts очков возможных
    и а но или and but or я i думаю считаю наверное наверно примерно где imho имхо как так
    т тк потому because
    """.split()
)
# "с 2019 года", "через 2 года", "мне 25 лет", "в 3 года", "контракт на 2 года".
_NOT_BEFORE_YEARS = frozenset(
    """
    с со since from до по через in after после к by мне age aged возраст возрасте в во на at
    within under менее меньше less
    """.split()
)
_NOT_AFTER_YEARS = frozenset({"назад", "ago", "спустя", "later", "old", "тому", "от"})


@dataclass(frozen=True, slots=True)
class _Expr:
    kind: str  # "rating", "percent" or "years"
    start: int
    end: int
    value: float | None = None
    scale: int | None = None
    years: float | None = None


def _number(digits: str) -> float | None:
    if len(digits) > 1 and digits[0] == "0" and digits[1].isdigit():
        return None  # "05/10" is a date, "007" is not a rating
    return float(digits.replace(",", "."))


def _previous_word(masked: str, pos: int) -> str | None:
    m = _PREVIOUS_WORD.search(masked[max(0, pos - 30) : pos])
    return _fold(m[1]) if m else None


def _next_word(masked: str, pos: int) -> str | None:
    m = _NEXT_WORD.match(masked, pos, min(len(masked), pos + 40))
    return _fold(m[1]) if m else None


def _expression(masked: str, m: re.Match[str]) -> _Expr | None:
    before = _previous_word(masked, m.start())
    after = _next_word(masked, m.end())
    if m["years"] is not None:
        if before in _NOT_BEFORE_YEARS or after in _NOT_AFTER_YEARS:
            return None
        if m["y_word"] is not None:
            amount = _NUMBER_WORDS[" ".join(_fold(m["y_word"]).split())]
        else:
            amount = _number(m["y_number"])
        if amount is None:
            return None
        years = round(amount / 12, 2) if m["m_unit"] else amount
        if not 0 < years <= 50:
            return None
        return _Expr("years", m.start(), m.end(), years=years)

    if before in _NOT_BEFORE_RATING:
        return None
    if after is not None and after not in _AFTER_RATING and _lookup(after) is None:
        return None
    if m["rating"] is not None:
        value, scale = _number(m["r_value"]), int(m["r_scale"])
        if m["r_scale"].startswith("0") or scale not in _SCALES:
            return None
        kind = "rating"
    else:
        value, scale = _number(m["p_value"]), 100
        kind = "percent"
    if value is None or not 0 < value <= scale:
        return None
    return _Expr(kind, m.start(), m.end(), value=value, scale=scale)


_DIGIT = re.compile(r"\d")
# Every unit of a length of experience starts with one of these (lower case).
_UNIT_HEADS = ("год", "лет", "year", "yr", "мес", "month")
_LONGEST_NUMBER_WORD = max(map(len, _NUMBER_WORDS))


def _matches(text: str) -> Iterator[re.Match[str]]:
    """``_EXPR.finditer(text)``, trying the expression only where one can start: at a
    digit, or at the start of a word at most two spaces before a unit ("полгода", "two
    years"). Everywhere else the regular expression would try its look-behinds and
    alternatives at every character for nothing, most of the time an answer takes."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a letter whose lower case is longer: positions shift
        yield from _EXPR.finditer(text)
        return
    starts = {m.start() for m in _DIGIT.finditer(text)}
    for head in _UNIT_HEADS:
        at = lowered.find(head)
        while at != -1:
            for start in range(max(0, at - 2 - _LONGEST_NUMBER_WORD), at):
                before = text[start - 1] if start else " "
                if text[start].isalpha() and not (before.isalnum() or before == "_"):
                    starts.add(start)
            at = lowered.find(head, at + 1)
    end = 0
    for start in sorted(starts):
        if start < end:
            continue
        m = _EXPR.match(text, start)
        if m is not None:
            yield m
            end = m.end()


def _expressions(masked: str) -> Iterator[_Expr]:
    for m in _matches(masked):
        expr = _expression(masked, m)
        if expr is not None:
            yield expr


# ---------------------------------------------------------------------------------------------
# Skill mentions and sentences

_WORD = re.compile(r"[^\W_](?:\w*[^\W_])?(?:\+\+)?")
_LATIN_HEAD = re.compile(r"([A-Za-z][A-Za-z0-9+]*)[а-яА-ЯёЁ]{1,3}")  # "Redisом"
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_BOUNDARY = re.compile(r"\n|[.!?…;](?=\s|\Z)")


@dataclass(frozen=True, slots=True)
class _Mention:
    start: int
    end: int
    skill: str
    weak: bool
    english_word: bool  # lowercase "go": a skill only in a Russian sentence


def _mentions(masked: str) -> Iterator[_Mention]:
    for m in _WORD.finditer(masked):
        word = m.group()
        found = _lookup(word)
        if found is None:
            head = _LATIN_HEAD.fullmatch(word)
            found = _lookup(head[1]) if head else None
        if found is not None:
            yield _Mention(m.start(), m.end(), found[0], found[1], word == "go")


def _sentences(masked: str) -> Iterator[tuple[int, int]]:
    pos = 0
    for m in _BOUNDARY.finditer(masked):
        yield pos, m.start()
        pos = m.end()
    yield pos, len(masked)


# ---------------------------------------------------------------------------------------------
# Tying numbers to skills

_GAP_WORD = re.compile(r"[^\W_]+")
_ADJACENT = frozenset(" \t:—–-=|(*_~≈>")
_FILLER_PUNCT = _ADJACENT | {","}
_LIST_PUNCT = frozenset(" \t,/&+*_")
_LIST_WORDS = frozenset({"и", "and", "или", "or", "а", "также", "еще", "плюс"})
_PERCENT_WORDS = frozenset({"на", "в", "at", "on"})
_YEARS_BEFORE_FILLERS = frozenset(
    """
    опыт опыта опытом стаж коммерческий коммерческого коммерческой коммерческая разработки
    работы работаю работал работала пишу писал писала программирую использую использовал
    использовала пользуюсь пользовался пользовалась знаю изучаю занимаюсь уже около примерно
    почти более больше свыше порядка где то чуть всего последние с со на в во по ним ней нем
    experience of for about around approximately approx almost nearly roughly over more than
    with it commercial commercially professional professionally production working used
    using last past
    """.split()
)
_YEARS_AFTER_FILLERS = frozenset(
    """
    опыта опыт коммерческого коммерческой коммерческий разработки работы программирования
    пишу писал писала программирую разрабатываю работаю работал работала использую
    использовал уже на с со в во
    of with in on using experience commercial professional production working writing
    """.split()
)
_YEARS_AFTER_WEAK = frozenset({"of", "на", "с", "со", "with", "in", "в", "во", "on"})
_PREPOSITION_AFTER_RATING = re.compile(r"[ \t]{1,2}(?:по|в|во|in|for|on|at|with)[ \t*_]{1,4}")


def _gap(masked: str, start: int, end: int, limit: int) -> tuple[list[str], set[str]] | None:
    """The words and the other characters between two positions; None if too far apart."""
    if end - start > limit:
        return None
    text = masked[start:end]
    return [_fold(w) for w in _GAP_WORD.findall(text)], set(_GAP_WORD.sub("", text))


def _gap_fits(
    masked: str,
    start: int,
    end: int,
    *,
    words: frozenset[str] = frozenset(),
    punct: frozenset[str] = _ADJACENT,
    max_words: int = 0,
    limit: int = 80,
) -> bool:
    gap = _gap(masked, start, end, limit)
    if gap is None:
        return False
    found, other = gap
    return len(found) <= max_words and other <= punct and all(w in words for w in found)


def _listed(masked: str, first: _Mention, second: _Mention) -> bool:
    """Whether two mentions are a bare list ("Django и Flask", "Django/Flask")."""
    return _gap_fits(
        masked, first.end, second.start, words=_LIST_WORDS, punct=_LIST_PUNCT, max_words=2
    )


class _Sentence:
    """The mentions and expressions of one sentence, and which mention took which number."""

    def __init__(self, text: str, masked: str, mentions: list[_Mention]):
        self.text = text
        self.masked = masked
        self.mentions = mentions
        self.starts = [m.start for m in mentions]
        self.ends = [m.end for m in mentions]
        self.ratings: dict[int, _Expr] = {}
        self.years: dict[int, _Expr] = {}

    def _before(self, pos: int) -> int | None:
        i = bisect.bisect_right(self.ends, pos) - 1
        return i if i >= 0 else None

    def _listed_before(self, i: int) -> bool:
        return i > 0 and _listed(self.masked, self.mentions[i - 1], self.mentions[i])

    def _listed_after(self, i: int) -> bool:
        m = self.mentions
        return i + 1 < len(m) and _listed(self.masked, m[i], m[i + 1])

    def _mention_at(self, pos: int) -> int | None:
        j = bisect.bisect_left(self.starts, pos)
        return j if j < len(self.starts) and self.starts[j] == pos else None

    def read(self, expr: _Expr) -> None:
        if expr.kind == "years":
            i = self._skill_for_years(expr)
            if i is not None:
                self.years[i] = expr
        else:
            i = self._skill_for_rating(expr)
            if i is not None:
                self.ratings[i] = expr

    def _skill_for_rating(self, expr: _Expr) -> int | None:
        i = self._before(expr.start)
        if i is None:
            # "на 7 из 10 в Python": only when no skill came before in the sentence.
            m = _PREPOSITION_AFTER_RATING.match(self.masked, expr.end)
            j = self._mention_at(m.end()) if m and expr.kind == "rating" else None
            if j is None or self.mentions[j].weak or self._listed_after(j):
                return None
            return j
        mention = self.mentions[i]
        if i in self.ratings or self._listed_before(i):
            return None
        if expr.kind == "percent":
            words = frozenset() if mention.weak else _PERCENT_WORDS
            if not _gap_fits(self.masked, mention.end, expr.start, words=words, max_words=1):
                return None
        elif mention.weak and not _gap_fits(self.masked, mention.end, expr.start):
            return None
        return i

    def _skill_for_years(self, expr: _Expr) -> int | None:
        # A skill right before: "Python — 3 года", "опыт с Django около 2 лет".
        i = self._before(expr.start)
        if i is not None and i not in self.years and not self._listed_before(i):
            mention = self.mentions[i]
            if mention.weak:
                fits = _gap_fits(self.masked, mention.end, expr.start)
            else:
                fits = _gap_fits(
                    self.masked,
                    mention.end,
                    expr.start,
                    words=_YEARS_BEFORE_FILLERS,
                    punct=_FILLER_PUNCT,
                    max_words=4,
                )
            if fits:
                return i
        # A skill right after: "3+ years of Python", "полтора года на FastAPI".
        j = bisect.bisect_left(self.starts, expr.end)
        if j == len(self.mentions) or j in self.years or self._listed_after(j):
            return None
        mention = self.mentions[j]
        if mention.weak:
            gap = _gap(self.masked, expr.end, mention.start, 12)
            fits = gap is not None and gap[1] <= {" ", "\t"} and len(gap[0]) == 1
            fits = fits and gap[0][0] in _YEARS_AFTER_WEAK
        else:
            fits = _gap_fits(
                self.masked,
                expr.end,
                mention.start,
                words=_YEARS_AFTER_FILLERS,
                punct=frozenset(" \t*_"),
                max_words=4,
            )
        return j if fits else None

    def claims(self) -> Iterator[Claim]:
        for i in sorted(self.ratings.keys() | self.years.keys()):
            mention = self.mentions[i]
            rating, years = self.ratings.get(i), self.years.get(i)
            parts = [p for p in (mention, rating, years) if p is not None]
            start, end = min(p.start for p in parts), max(p.end for p in parts)
            yield Claim(
                skill=mention.skill,
                value=rating.value if rating else None,
                scale=rating.scale if rating else None,
                years=years.years if years else None,
                snippet=self.text[start:end],
                start=start,
            )


def extract_claims(text: str) -> list[Claim]:
    """The self-assessed skills in ``text``, in text order; [] when nothing is certain.

    A skill may appear in several claims (once per sentence that rates it); a rating and a
    length of experience tied to the same mention make one claim with both.
    """
    # Most answers rate nothing: without a rating or a length of experience in the raw
    # text there is none in the masked one either (masking only hides text, with filler
    # characters no expression reads), so neither is computed.
    if next(_matches(text), None) is None:
        return []
    return _claims(text)


def _claims(text: str) -> list[Claim]:
    masked = _mask(text)
    expressions = list(_expressions(masked))
    if not expressions:
        # Most answers rate nothing: skip the costlier scan for skill names.
        return []
    mentions = list(_mentions(masked))
    claims: list[Claim] = []
    mi = ei = 0
    for start, end in _sentences(masked):
        first_mention = mi
        while mi < len(mentions) and mentions[mi].start < end:
            mi += 1
        first_expr = ei
        while ei < len(expressions) and expressions[ei].start < end:
            ei += 1
        if first_expr == ei or first_mention == mi:
            continue
        here = mentions[first_mention:mi]
        if any(m.english_word for m in here) and not _CYRILLIC.search(masked, start, end):
            here = [m for m in here if not m.english_word]
        sentence = _Sentence(text, masked, here)
        for expr in expressions[first_expr:ei]:
            sentence.read(expr)
        claims.extend(sentence.claims())
    claims.sort(key=lambda claim: claim.start)
    return claims
