"""Which questionnaire a sheet answers, and which of its questions each section answers.

Sections are matched by number first, then by text similarity (difflib); questionnaires are
detected by their title or by most of their questions being recognised. The questionnaires
come in as plain data (:class:`KnownQuestionnaire`), read from the database by the import.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from . import messages
from .parsing import ParsedSheet, Section

__all__ = [
    "TEXT_MATCH_RATIO",
    "KnownQuestionnaire",
    "detect_questionnaire",
    "match_sections",
    "normalise_question",
    "similar",
]

TEXT_MATCH_RATIO = 0.75

_NOT_WORD = re.compile(r"[\W_]+")


def normalise_question(text: str) -> str:
    """A question's text for matching: casefolded, ё -> е, no punctuation or markup."""
    text = unicodedata.normalize("NFC", text).casefold().replace("ё", "е")
    return " ".join(_NOT_WORD.sub(" ", text).split())


@dataclass(slots=True)
class KnownQuestionnaire:
    id: int
    slug: str
    title_keys: frozenset[str]  # normalise_question() of its title and sheet title
    questions: list[tuple[int, str, str]]  # (id, number, normalise_question(text))


def detect_questionnaire(
    sheet: ParsedSheet, questionnaires: Iterable[KnownQuestionnaire], warnings: list[str]
) -> KnownQuestionnaire | None:
    """The one questionnaire whose title or questions fit the sheet, if exactly one."""
    texts = [normalise_question(s.question_text) for s in sheet.sections]
    texts = [t for t in texts if t]
    title = normalise_question(sheet.title)
    fits = []
    for info in questionnaires:
        known = [text for _, _, text in info.questions]
        hits = sum(1 for t in texts if any(similar(t, k) for k in known))
        if (title and title in info.title_keys) or (texts and hits * 2 >= len(texts)):
            fits.append((hits, info))
    if len(fits) == 1:
        hits, info = fits[0]
        warnings.append(
            messages.QUESTIONNAIRE_DETECTED % {"slug": info.slug, "hits": hits, "total": len(texts)}
        )
        return info
    if fits:
        slugs = ", ".join(sorted(i.slug for _, i in fits))
        warnings.append(messages.QUESTIONNAIRE_AMBIGUOUS % {"slugs": slugs})
    return None


def match_sections(
    sections: Sequence[Section], info: KnownQuestionnaire, warnings: list[str]
) -> list[int | None]:
    """Question id for each section: by number first, then by text similarity; warns about
    sections that match nothing and questions that nothing answers."""
    matches: list[int | None] = [None] * len(sections)
    used: set[int] = set()
    _match_numbers(sections, info, matches, used)
    _match_texts(sections, info, matches, used)
    _warn_unmatched(sections, info, matches, used, warnings)
    return matches


def _match_numbers(sections, info, matches, used) -> None:
    by_number = {number: qid for qid, number, _ in info.questions}
    seen_numbers: dict[str, int] = {}
    for s in sections:
        if s.number:
            seen_numbers[s.number] = seen_numbers.get(s.number, 0) + 1
    # A number that appears twice (numbering restarted) says nothing on its own.
    for i, s in enumerate(sections):
        qid = by_number.get(s.number) if seen_numbers.get(s.number) == 1 else None
        if qid is not None and qid not in used:
            matches[i] = qid
            used.add(qid)


def _match_texts(sections, info, matches, used) -> None:
    for i, s in enumerate(sections):
        if matches[i] is not None:
            continue
        text = normalise_question(s.question_text)
        if not text:
            continue
        best = _most_similar(text, info, used)
        if best is not None:
            matches[i] = best
            used.add(best)


def _most_similar(text: str, info: KnownQuestionnaire, used: set[int]) -> int | None:
    """The unused question most like ``text`` (the last of equals), at least
    TEXT_MATCH_RATIO alike."""
    best, best_ratio = None, TEXT_MATCH_RATIO
    for qid, _, known in info.questions:
        if qid in used:
            continue
        ratio = 1.0 if text == known else _ratio(text, known, best_ratio)
        if ratio >= best_ratio:
            best, best_ratio = qid, ratio
    return best


def _warn_unmatched(sections, info, matches, used, warnings) -> None:
    for s, m in zip(sections, matches, strict=True):
        if m is not None:
            continue
        what = s.label or (s.question_text[:40] + "…" if s.question_text else "")
        if what:
            warnings.append(
                messages.SECTION_UNMATCHED
                % {"line": s.line, "section": repr(what), "slug": info.slug}
            )
        else:
            warnings.append(
                messages.UNLABELLED_SECTION_UNMATCHED % {"line": s.line, "slug": info.slug}
            )
    number_of = {qid: number for qid, number, _ in info.questions}
    missing = [number_of[qid] for qid, _, _ in info.questions if qid not in used]
    if missing:
        warnings.append(messages.QUESTIONS_UNANSWERED % {"numbers": ", ".join(missing)})


def similar(a: str, b: str) -> bool:
    """Whether two normalised texts are the same question; ``b`` a known question's."""
    return a == b or _ratio(a, b, TEXT_MATCH_RATIO) >= TEXT_MATCH_RATIO


def _ratio(a: str, b: str, floor: float) -> float:
    # b is always a known question: SequenceMatcher indexes it once (set_seq2), not once per
    # section. Without the cache a sheet of 100,000 headings spent minutes re-indexing the
    # same few questions.
    matcher = _matcher_for(b)
    matcher.set_seq1(a)
    # The cheap upper bounds first: most pairs are nowhere near each other.
    if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
        return 0.0
    return matcher.ratio()


_matchers = threading.local()  # a matcher is mutated per use: one set per thread


def _matcher_for(b: str) -> SequenceMatcher:
    cache = getattr(_matchers, "by_text", None)
    if cache is None or len(cache) > 256:
        cache = _matchers.by_text = {}
    if b not in cache:
        cache[b] = SequenceMatcher(None, "", b, autojunk=False)
    return cache[b]
