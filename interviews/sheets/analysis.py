"""Everything done to one answer file before the database: parse it, read the skills its
answers claim, and tell whether it is an answer sheet at all. Pure (no Django), so that
the import can run it in worker processes, where it costs both cores instead of one."""

# Russian words in the patterns are the words candidates ask and set tasks with.

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from . import similarity, skills
from .decoding import SheetError
from .frontmatter import IMPORT_KEYS
from .parsing import ParsedSheet, Section, try_parse_bytes

__all__ = [
    "NO_QUESTIONS",
    "NO_STRUCTURE",
    "Analysis",
    "analyse_bytes",
    "analyse_many",
    "review_reason",
]

# Why a file needs a human's review before it is imported (Analysis.review).
NO_STRUCTURE = "no-structure"  # nothing like a question: kept as one unlabelled answer
NO_QUESTIONS = "no-questions"  # numbered parts, but none asks or sets a task (README steps)

# A question opens with one of these words (or asks with "?", or "ли" anywhere).
_ASKS = re.compile(
    r"\W*(?:что|чем|чему|как|какой|какая|какое|какие|каким|какими|каких|какую|каков\w*|"
    r"почему|зачем|где|когда|сколько|кто|кого|куда|откуда|"
    r"what|how|why|when|where|which|who|whom|whose|"
    r"is|are|was|were|do|does|did|have|has|can|could|would|should|will)\b",
    re.IGNORECASE,
)
_ASKS_ANYWHERE = re.compile(r"[?？]|\bли\b", re.IGNORECASE)
# A task opens with an imperative of these verbs. The steps of a README ("склонируйте",
# "выполните", "install", "run") are imperatives too: they are deliberately not here.
_SETS_TASK = re.compile(
    r"\W*(?:опишите|расскажите|напишите|объясните|поясните|перечислите|приведите|назовите|"
    r"сравните|реализуйте|предложите|решите|спроектируйте|оцените|покажите|найдите|"
    r"describe|explain|write|tell|list|name|give|implement|compare|design|suggest|solve|"
    r"find|show|outline)\b",
    re.IGNORECASE,
)
# "Вопрос 3", "Задача 2", "Task #4", "Q1": a label with a word says "question" by itself.
_WORD_IN_LABEL = re.compile(r"[^\W\d_]")


@dataclass(frozen=True, slots=True)
class Analysis:
    sheet: ParsedSheet
    claims: tuple[tuple[skills.Claim, ...], ...]  # per section, in section order
    review: str | None = None  # NO_STRUCTURE or NO_QUESTIONS: not an answer sheet, it seems
    # Per section, its LSH band hashes packed (similarity.sheet_fingerprints; None for a
    # short answer); None when not computed.
    fingerprints: tuple[bytes | None, ...] | None = None


def analyse_bytes(
    data: bytes, *, max_bytes: int, fingerprints: bool = True
) -> Analysis | SheetError:
    """The parsed sheet, its skill claims and the band hashes of its answers, or the
    SheetError that refused the file (returned, not raised: a worker's exception would stop
    the whole batch)."""
    return analyse_many([data], max_bytes=max_bytes, fingerprints=fingerprints)[0]


def analyse_many(
    datas: Sequence[bytes], *, max_bytes: int, fingerprints: bool = True
) -> list[Analysis | SheetError]:
    """``analyse_bytes`` of each file, their answers' band hashes computed together: the
    hashing is a few numpy passes, whose cost per call would otherwise be paid per sheet."""
    results: list[Analysis | SheetError] = []
    for data in datas:
        result = try_parse_bytes(data, max_bytes=max_bytes)
        if isinstance(result, SheetError):
            results.append(result)
            continue
        claims = tuple(tuple(skills.extract_claims(s.body)) for s in result.sections)
        results.append(Analysis(result, claims, review_reason(result)))
    if fingerprints:
        _add_fingerprints(results)
    return results


# The answers hashed in one pass: at most about this many characters of them (a bound on
# the pass's arrays, whatever the files), and never less than one sheet.
_BANDS_BATCH_CHARS = 1 << 20


def _add_fingerprints(results: list[Analysis | SheetError]) -> None:
    batch: list[int] = []
    size = 0
    for i, result in enumerate(results):
        if isinstance(result, SheetError):
            continue
        batch.append(i)
        size += sum(len(s.body) for s in result.sheet.sections)
        if size >= _BANDS_BATCH_CHARS:
            _fingerprints_of(results, batch)
            batch, size = [], 0
    _fingerprints_of(results, batch)


def _fingerprints_of(results: list, batch: list[int]) -> None:
    sections = [len(results[i].sheet.sections) for i in batch]
    found = similarity.sheet_fingerprints(
        [(s.body, s.question_text) for i in batch for s in results[i].sheet.sections]
    )
    start = 0
    for i, count in zip(batch, sections, strict=True):
        results[i] = replace(results[i], fingerprints=tuple(found[start : start + count]))
        start += count


def section_fingerprints(sheet: ParsedSheet) -> tuple[bytes | None, ...]:
    """Each answer's band hashes packed, the question as the sheet quotes it taken out."""
    return tuple(similarity.sheet_fingerprints([(s.body, s.question_text) for s in sheet.sections]))


def review_reason(sheet: ParsedSheet) -> str | None:
    """Why ``sheet`` does not look like an answer sheet, or None when it does.

    An answer sheet has questions, and at least one of them reads as a question or a task:
    it asks ("?", "ли", an interrogative word first), opens with a task verb ("Напишите",
    "Explain"), or carries a word label ("Вопрос 3", "Task 2"). A project README, a how-to
    or "hello" has none: either no question structure at all, or numbered parts that
    only name topics or steps ("1. Установка", "2. Clone the repository").

    A file whose front matter says whose answers it holds, or to which questionnaire or
    vacancy, was made for the import (Zvonok's own export is one, whatever the
    questionnaire's wording): it is an answer sheet whatever its shape.
    """
    if any(sheet.front_matter.get(key) for key in IMPORT_KEYS):
        return None
    sections = sheet.sections
    if not any(s.question_source or s.label for s in sections):
        return NO_STRUCTURE
    if not any(_reads_as_question(s) for s in sections):
        return NO_QUESTIONS
    return None


def _reads_as_question(section: Section) -> bool:
    text = section.question_text
    return bool(
        _WORD_IN_LABEL.search(section.label)
        or _ASKS_ANYWHERE.search(text)
        or _ASKS.match(text)
        or _SETS_TASK.match(text)
    )
