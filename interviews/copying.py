"""Copied answers: which answers are near-identical to another candidate's answer to the
same questionnaire, or to a known source's.

How (interviews.sheets.similarity has the measures):

* Every answer's LSH band hashes are computed by the import in its worker processes, with
  the parse, and written with the answer (``Answer.fingerprint``). Matching it is slower
  work, done after the import by a task (:func:`match_answers`, queued with the answers):
  the lookup below, then its :class:`AnswerBand` rows. Known sources are matched at once.
* A new answer's neighbours are the answers and source answers of the same questionnaire
  that share one of its band hashes: an indexed lookup (questionnaire, band), never a scan
  of every answer, and no signature is held in memory beyond those of the answers at hand.
* Each neighbour found is compared exactly (Jaccard of the two texts' own shingles); the
  pairs at or above ``similarity.THRESHOLD`` are stored as :class:`AnswerMatch` rows, the
  later answer first, so that pages and filters read them with one query.

Answers of the same candidate (earlier revisions, a merged duplicate) are never a pair. A
new revision of a sheet takes over: the earlier revisions' bands and matches go.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django_tasks import task

from .db.bulk import insert_rows
from .models import (
    Answer,
    AnswerBand,
    AnswerMatch,
    KnownSource,
    Question,
    Questionnaire,
    SourceAnswer,
    Submission,
)
from .sheets import similarity
from .sheets.similarity import THRESHOLD

# Band hashes per lookup query: a sheet's answers (10 x 32) in one, a bound on the
# statement's size when a whole import batch asks at once.
_LOOKUP_CHUNK = 5000
# The neighbours compared exactly with a new answer: those sharing the most bands. A copy
# shares most of them; many identical answers (one public solution copied by a hundred
# people) cost no more than five, and five pairs say enough.
CHECKED = 5
# Rows read for one band hash of one new answer (PostgreSQL): the newest.
PER_BAND = 30
# Answers a matching task takes: a 500-file import batch in a few tasks, each a few
# lookup statements and one transaction that a retry redoes whole.
TASK_ANSWERS = 2000


@dataclass(frozen=True)
class Match:
    answer_id: int  # the answer on the page
    other_answer_id: int | None  # another candidate's answer, or
    source_answer_id: int | None  # a known source's answer
    similarity: float


@dataclass(frozen=True, slots=True)
class NewText:
    """An answer (``answer_id``) or a source answer (``source_answer_id``) just written,
    with what finding its neighbours needs."""

    questionnaire_id: int
    text: str
    question_text: str
    bands: tuple[int, ...]
    answer_id: int | None = None
    source_answer_id: int | None = None
    candidate_id: int | None = None


# -- reading -------------------------------------------------------------------------------


def matches_for(answer_ids: Iterable[int]) -> dict[int, list[Match]]:
    """The stored matches of each of ``answer_ids`` (either side of a pair), highest
    first; one query."""
    ids = set(answer_ids)
    found: dict[int, list[Match]] = {}
    if not ids:
        return found
    rows = AnswerMatch.objects.filter(
        Q(answer_id__in=ids) | Q(other_answer_id__in=ids)
    ).values_list("answer_id", "other_answer_id", "source_answer_id", "similarity")
    for answer_id, other_id, source_id, value in rows:
        if answer_id in ids:
            found.setdefault(answer_id, []).append(Match(answer_id, other_id, source_id, value))
        if other_id in ids:
            found.setdefault(other_id, []).append(Match(other_id, answer_id, None, value))
    for matches in found.values():
        matches.sort(key=lambda m: (-m.similarity, m.other_answer_id or 0, m.source_answer_id or 0))
    return found


def has_matches_q() -> Q:
    """Submissions with at least one answer in a stored pair ("есть совпадения")."""
    return Q(Exists(AnswerMatch.objects.filter(answer__submission=OuterRef("pk")))) | Q(
        Exists(AnswerMatch.objects.filter(other_answer__submission=OuterRef("pk")))
    )


def submissions_with_matches() -> QuerySet[Submission]:
    return Submission.objects.filter(has_matches_q())


def pairs(
    *, questionnaire=None, vacancy=None, min_similarity: float = THRESHOLD
) -> QuerySet[AnswerMatch]:
    """Stored pairs, highest similarity first. ``questionnaire`` and ``vacancy`` are
    instances or ids; a pair is a vacancy's when either answer's sheet is on it."""
    queryset = AnswerMatch.objects.filter(similarity__gte=min_similarity)
    if questionnaire is not None:
        queryset = queryset.filter(answer__submission__questionnaire=questionnaire)
    if vacancy is not None:
        queryset = queryset.filter(
            Q(answer__submission__application__vacancy=vacancy)
            | Q(other_answer__submission__application__vacancy=vacancy)
        )
    return queryset.order_by("-similarity", "-id")


def pairs_listed(**filters) -> QuerySet[AnswerMatch]:
    """``pairs`` with what a list of them shows (the question, both candidates, the
    source's title) and without the texts: neither the answers nor the sheets' files are
    read for a list of names."""
    return (
        pairs(**filters)
        .select_related(
            "answer__question",
            "answer__submission__candidate",
            "other_answer__submission__candidate",
            "source_answer__source",
        )
        .defer(
            *(
                f"{side}__{field}"
                for side in ("answer", "other_answer")
                for field in (
                    "body",
                    "search_vector",
                    "submission__original_text",
                    "submission__preamble",
                    "submission__trailer",
                    "submission__warnings",
                )
            ),
            "source_answer__text",
        )
    )


# -- writing -------------------------------------------------------------------------------


def band_rows(new: Iterable[NewText]) -> list[tuple]:
    """AnswerBand rows (answer, source_answer, questionnaire, band) of ``new``."""
    return [
        (item.answer_id, item.source_answer_id, item.questionnaire_id, band)
        for item in new
        for band in item.bands
    ]


BAND_FIELDS = ["answer", "source_answer", "questionnaire", "band"]


def queue_matching(answer_ids: Sequence[int]) -> None:
    """Queue the matching of ``answer_ids``, just written with their fingerprints.

    Queued at once, inside the caller's transaction, not on its commit: with the database
    task backend the task's row commits or rolls back with the answers, so a worker never
    sees one before its answers and a failed import leaves none; with the immediate
    backend the task runs here, inside the import, which then commits the pairs with the
    answers."""
    ids = list(answer_ids)
    for start in range(0, len(ids), TASK_ANSWERS):
        match_answers.enqueue(ids[start : start + TASK_ANSWERS])


@task()
def match_answers(answer_ids: list[int]) -> int:
    """Find and store the matches of the answers ``answer_ids`` from their stored
    fingerprints, then write their band rows (:func:`store`); the number of pairs found.

    An answer is left alone when it is gone, has no fingerprint, is no longer matched
    (:func:`matched_answers`: a newer revision came, the person was anonymised) or has
    its bands already (this task run again, or ``refresh`` ran first): a retry writes
    nothing twice. One transaction: the bands are never stored without the pairs that
    were found with them, which a retry would then skip; and run inside an import (the
    immediate backend, which logs a task's error and goes on), a failure takes back the
    matching alone, not the answers (``find_copied_answers --refresh`` finds them)."""
    with transaction.atomic():
        rows = (
            matched_answers(Answer.objects.filter(pk__in=answer_ids, fingerprint__isnull=False))
            .filter(~Exists(AnswerBand.objects.filter(answer=OuterRef("pk"))))
            .order_by("pk")
            # Locked until the bands and pairs are stored: a forget() meanwhile (the
            # person anonymised, a new revision) waits, then removes what was stored.
            .select_for_update(of=("self",))
            .values_list(*_TEXT_COLUMNS, "fingerprint")
        )
        return store([_answer_text(row[:-1], similarity.unpack_bands(row[-1])) for row in rows])


def matched_answers(answers: QuerySet[Answer]) -> QuerySet[Answer]:
    """Those of ``answers`` that are compared with others: on the latest revision of a
    sheet with a questionnaire, of a person not anonymised."""
    sheets = Submission.objects.filter(
        questionnaire__isnull=False, candidate__anonymized_at__isnull=True
    ).latest_revisions()
    return answers.filter(submission__in=sheets)


def store(new: Sequence[NewText]) -> int:
    """Find and store the matches of ``new`` (just written, without bands yet), then
    write their band hashes; the number of pairs found. The lookup goes first: it then
    meets only the earlier rows, and the pairs within ``new`` are found in memory, so that
    no probe reads the row just written for it."""
    found = find_matches(new, stored=False)
    insert_rows(AnswerBand, BAND_FIELDS, band_rows(new), integers=True)
    return found


def find_matches(
    new: Sequence[NewText], *, threshold: float = THRESHOLD, stored: bool = True
) -> int:
    """Store the pairs of ``new`` and the answers and source answers that share a band
    with them, whose exact similarity is at least ``threshold``; the number of pairs
    found (a pair already stored is kept as it is). ``stored``: the bands of ``new`` are
    in the table already; if not, the pairs among ``new`` are looked for in memory."""
    judged = [item for item in new if item.bands]
    neighbours = _neighbours(judged, stored=stored) if judged else {}
    if not neighbours:
        return 0
    texts = _texts(judged, neighbours)
    shingles: dict[tuple[str, int], frozenset[str]] = {}

    def own_shingles(key):
        if key not in shingles:
            item = texts[key]
            shingles[key] = similarity.own_shingles(item.text, item.question_text)
        return shingles[key]

    found: dict[tuple, float] = {}
    for key, met in neighbours.items():
        for other_key in met:
            pair = _pair(key, other_key)
            if pair is None or pair in found or _same_person(texts, key, other_key):
                continue
            a, b = own_shingles(key), own_shingles(other_key)
            if min(len(a), len(b)) < similarity.MIN_SHINGLES:
                continue
            value = similarity.jaccard(a, b)
            if value >= threshold:
                found[pair] = round(value, 4)
    created = AnswerMatch.objects.bulk_create(
        [
            AnswerMatch(
                answer_id=answer_id,
                other_answer_id=other_id,
                source_answer_id=source_id,
                similarity=value,
            )
            for (answer_id, other_id, source_id), value in found.items()
        ],
        ignore_conflicts=True,
    )
    return len(created)


def _texts(judged, neighbours) -> dict[tuple[str, int], NewText]:
    """Everything met, by key, once each: the new ones are at hand, the others are read."""
    texts: dict[tuple[str, int], NewText] = {_key(item): item for item in judged}
    met = set().union(*neighbours.values()) - texts.keys()
    answers = sorted(pk for kind, pk in met if kind == "a")
    sources = [pk for kind, pk in met if kind == "s"]
    # A chunk a query: a whole import batch's neighbours would pass SQLite's limit on
    # parameters.
    for start in range(0, len(answers), _LOOKUP_CHUNK):
        for row in Answer.objects.filter(pk__in=answers[start : start + _LOOKUP_CHUNK]).values_list(
            *_TEXT_COLUMNS
        ):
            texts[("a", row[0])] = _answer_text(row, ())
    if sources:
        for pk, text, question_text, questionnaire_id in SourceAnswer.objects.filter(
            pk__in=sources
        ).values_list("pk", "text", "question__text", "source__questionnaire_id"):
            texts[("s", pk)] = NewText(
                questionnaire_id, text, question_text, (), source_answer_id=pk
            )
    return texts


def forget(answer_ids: Iterable[int]) -> None:
    """Remove the fingerprints, bands and matches of ``answer_ids`` (a replaced revision,
    an erased person): they are no longer anyone's answer to compare against."""
    ids = list(answer_ids)
    if not ids:
        return
    # Clearing the fingerprints first takes the answers' row locks: a matching task that
    # holds them (match_answers) commits its bands and pairs before they are removed
    # below, and one that comes later finds no fingerprint to match.
    Answer.objects.filter(pk__in=ids).update(fingerprint=None)
    AnswerBand.objects.filter(answer_id__in=ids).delete()
    AnswerMatch.objects.filter(Q(answer_id__in=ids) | Q(other_answer_id__in=ids)).delete()


def replaced_answers(keys: Iterable[tuple[int, int]], *, keep: Iterable[int]) -> list[int]:
    """Ids of the answers of the sheets of (candidate, questionnaire) ``keys`` other than
    the submissions ``keep``: earlier revisions, replaced by new ones."""
    keys = set(keys)
    if not keys:
        return []
    condition = Q()
    for candidate_id, questionnaire_id in keys:
        condition |= Q(
            submission__candidate_id=candidate_id, submission__questionnaire_id=questionnaire_id
        )
    return list(
        Answer.objects.filter(condition)
        .exclude(submission_id__in=list(keep))
        .values_list("pk", flat=True)
    )


# -- known sources -------------------------------------------------------------------------


@transaction.atomic
def add_source_answer(source: KnownSource, question: Question, text: str) -> SourceAnswer:
    """Store one reference answer of ``source`` with its bands, and match the answers
    already imported against it."""
    answer = SourceAnswer.objects.create(source=source, question=question, text=text)
    store([_source_text(answer, source.questionnaire_id, question.text)])
    return answer


@transaction.atomic
def add_known_source(
    *,
    questionnaire: Questionnaire,
    title: str,
    url: str = "",
    by=None,
    answers: Iterable[tuple[Question, str]] = (),
) -> KnownSource:
    """A new known source of ``questionnaire`` with its ``answers`` (question, text)."""
    source = KnownSource.objects.create(
        questionnaire=questionnaire, title=title, url=url, created_by=by
    )
    written = [
        (question, SourceAnswer.objects.create(source=source, question=question, text=text))
        for question, text in answers
        if text.strip()
    ]
    store([_source_text(answer, questionnaire.pk, q.text) for q, answer in written])
    return source


def import_source(
    *,
    questionnaire_id: int,
    title: str,
    url: str = "",
    by=None,
    answers: Sequence[tuple[int, str, str]],
) -> str:
    """The known source ``title`` of the questionnaire with ``answers`` (question id, the
    question as the file quotes it, text), from an import: created, or its answers
    replaced when they changed. "created", "revised" or "unchanged"."""
    title = title[:200]
    source = (
        KnownSource.objects.filter(questionnaire_id=questionnaire_id, title=title)
        .order_by("pk")
        .first()
    )
    status = "created"
    if source is not None:
        stored = sorted(source.answers.values_list("question_id", "text"))
        if stored == sorted((qid, text) for qid, _quote, text in answers):
            return "unchanged"
        # Its bands and matches go with the answers (CASCADE).
        source.answers.all().delete()
        if url and url != source.url:
            source.url = url
            source.save(update_fields=["url"])
        status = "revised"
    else:
        source = KnownSource.objects.create(
            questionnaire_id=questionnaire_id, title=title, url=url, created_by=by
        )
    written = SourceAnswer.objects.bulk_create(
        SourceAnswer(source=source, question_id=qid, text=text) for qid, _quote, text in answers
    )
    store(
        [
            _source_text(answer, questionnaire_id, quote)
            for answer, (_qid, quote, _text) in zip(written, answers, strict=True)
        ]
    )
    return status


def _source_text(answer: SourceAnswer, questionnaire_id: int, question_text: str) -> NewText:
    return NewText(
        questionnaire_id,
        answer.text,
        question_text,
        similarity.fingerprint(answer.text, question_text).bands,
        source_answer_id=answer.pk,
    )


# -- helpers -------------------------------------------------------------------------------


# What finding an answer's neighbours reads of it (_answer_text).
_TEXT_COLUMNS = (
    "pk",
    "body",
    "question_text",
    "submission__candidate_id",
    "submission__questionnaire_id",
)


def _answer_text(row: tuple, bands: tuple[int, ...]) -> NewText:
    pk, body, question_text, candidate_id, questionnaire_id = row
    return NewText(
        questionnaire_id, body, question_text, bands, answer_id=pk, candidate_id=candidate_id
    )


def _key(item: NewText) -> tuple[str, int]:
    return ("a", item.answer_id) if item.answer_id else ("s", item.source_answer_id)


def _neighbours(
    judged: Sequence[NewText], *, stored: bool = True
) -> dict[tuple[str, int], set[tuple[str, int]]]:
    """For each of ``judged``, the answers and source answers of its questionnaire that
    share the most band hashes with it (itself left out): at most CHECKED of them, the
    ones most likely similar, since the more bands two answers share, the more alike they
    are. Source answers are ranked first."""
    counts = _shared_bands(judged)
    if not stored:
        _shared_among(judged, counts)
    met: dict[tuple[str, int], set[tuple[str, int]]] = {}
    for i, others in counts.items():
        own = _key(judged[i])
        others.pop(own, None)
        ranked = sorted(others.items(), key=lambda kv: (kv[0][0] != "s", -kv[1], -kv[0][1]))
        if ranked:
            met[own] = {key for key, _count in ranked[:CHECKED]}
    return met


def _shared_bands(judged: Sequence[NewText]) -> dict[int, dict[tuple[str, int], int]]:
    """For each index of ``judged``, how many band hashes each answer or source answer
    that shares one has in common with it."""
    counts: dict[int, dict[tuple[str, int], int]] = defaultdict(lambda: defaultdict(int))
    if connection.vendor == "postgresql":
        rows = _shared_bands_postgresql(judged)
    else:
        rows = _shared_bands_portable(judged)
    for i, answer_id, source_id, count in rows:
        other = ("a", answer_id) if answer_id else ("s", source_id)
        counts[i][other] += count
    return counts


def _shared_among(judged: Sequence[NewText], counts) -> None:
    """Add to ``counts`` the band hashes ``judged`` share with each other, each band hash
    of each one meeting at most PER_BAND others (the newest), as a probe of the table
    does: a band that many identical answers share costs no more than a rare one."""
    # Only the band hashes that occur more than once in the batch (found in one numpy
    # pass; nearly none among people's answers) are grouped in Python.
    values = np.fromiter(
        (band for item in judged for band in item.bands),
        dtype=np.int64,
        count=sum(len(item.bands) for item in judged),
    )
    unique, occurrences = np.unique(values, return_counts=True)
    repeated = set(unique[occurrences > 1].tolist())
    by_band: dict[tuple[int, int], list[int]] = defaultdict(list)
    if not repeated:
        return
    for i, item in enumerate(judged):
        for band in repeated.intersection(item.bands):
            by_band[(item.questionnaire_id, band)].append(i)
    for members in by_band.values():
        if len(members) < 2:
            continue
        newest = sorted(members, key=lambda i: _key(judged[i])[::-1], reverse=True)
        for i in members:
            met = 0
            for j in newest:
                if j == i:
                    continue
                counts[i][_key(judged[j])] += 1
                met += 1
                if met == PER_BAND:
                    break


def _shared_bands_postgresql(judged):
    """The lookup in one statement a chunk: each band hash of each new answer meets at
    most PER_BAND rows of the index (the newest; source answers first), so a band that
    thousands of identical answers share costs no more than a rare one; the database
    counts the shared bands."""
    items = [
        (i, item.questionnaire_id, band) for i, item in enumerate(judged) for band in item.bands
    ]
    statement = """
        SELECT q.i, x.answer_id, x.source_answer_id, count(*)
        FROM unnest(%s::int[], %s::int[], %s::bigint[]) AS q(i, questionnaire_id, band)
        CROSS JOIN LATERAL (
            SELECT b.answer_id, b.source_answer_id FROM interviews_answerband b
            WHERE b.questionnaire_id = q.questionnaire_id AND b.band = q.band
            ORDER BY b.answer_id DESC LIMIT %s
        ) x
        GROUP BY 1, 2, 3
    """
    with connection.cursor() as cursor:
        # Each probe finds a few rows, read backwards from the index. Without statistics
        # (a table just filled, as by a first big import) the planner guesses many and
        # takes a bitmap scan and a sort for each, fifteen times slower: not for this
        # statement, which then restores the setting as it was.
        cursor.execute("SELECT set_config('enable_bitmapscan', 'off', true)")
        # Compiling the statement (JIT) costs more than running it: ~6 ms a chunk.
        cursor.execute("SELECT current_setting('jit'), set_config('jit', 'off', true)")
        jit = cursor.fetchone()[0]
        try:
            for start in range(0, len(items), _LOOKUP_CHUNK):
                chunk = items[start : start + _LOOKUP_CHUNK]
                cursor.execute(statement, [*map(list, zip(*chunk, strict=True)), PER_BAND])
                yield from cursor.fetchall()
        finally:
            cursor.execute("SELECT set_config('enable_bitmapscan', 'on', true)")
            cursor.execute("SELECT set_config('jit', %s, true)", [jit])


def _shared_bands_portable(judged):
    by_band: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, item in enumerate(judged):
        for band in item.bands:
            by_band[(item.questionnaire_id, band)].append(i)
    per_questionnaire: dict[int, list[int]] = defaultdict(list)
    for questionnaire_id, band in by_band:
        per_questionnaire[questionnaire_id].append(band)
    for questionnaire_id, bands in per_questionnaire.items():
        for start in range(0, len(bands), _LOOKUP_CHUNK):
            rows = AnswerBand.objects.filter(
                questionnaire_id=questionnaire_id, band__in=bands[start : start + _LOOKUP_CHUNK]
            ).values_list("band", "answer_id", "source_answer_id")
            for band, answer_id, source_id in rows:
                for i in by_band[(questionnaire_id, band)]:
                    yield i, answer_id, source_id, 1


def _same_person(texts, a, b) -> bool:
    # One person's answers (revisions, a merged duplicate) are not a copy of each other.
    # An answer deleted since its band was read is nobody's.
    if a not in texts or b not in texts:
        return True
    person = texts[a].candidate_id
    return person is not None and person == texts[b].candidate_id


def _pair(a: tuple[str, int], b: tuple[str, int]) -> tuple[int, int | None, int | None] | None:
    """(answer, other answer, source answer) as stored: the later answer first; None for
    two source answers (sources are not compared with each other)."""
    if a[0] == "s" and b[0] == "s":
        return None
    if a[0] == "s":
        a, b = b, a
    if b[0] == "s":
        return (a[1], None, b[1])
    return (max(a[1], b[1]), min(a[1], b[1]), None)


# -- recomputing ---------------------------------------------------------------------------


def refresh(*, questionnaire=None, chunk: int = 1000) -> int:
    """Compute again the bands and matches of every answer of the latest sheets (of
    ``questionnaire``, or of all), oldest first, a chunk at a time: for answers imported
    before fingerprints existed, or after the measures changed. Each answer meets the
    earlier ones, already done, and those of its chunk, so every pair is found once and
    memory holds one chunk. The number of matches stored.

    The bands are hashed again from the texts, with today's function: ``Answer.fingerprint``
    is neither read (an answer imported before it has none) nor updated. A matching task
    that runs after it finds its answers indexed and leaves them; one that runs at the same
    time may index an answer twice (nothing locks the two against each other), so this
    runs with the task workers stopped (README, "Copied answers")."""
    answers = matched_answers(Answer.objects.all())
    if questionnaire is not None:
        answers = answers.filter(submission__questionnaire=questionnaire)
    sources = SourceAnswer.objects.all()
    if questionnaire is not None:
        sources = sources.filter(source__questionnaire=questionnaire)
    with transaction.atomic():
        scope = AnswerBand.objects.all()
        matches = AnswerMatch.objects.all()
        if questionnaire is not None:
            scope = scope.filter(questionnaire=questionnaire)
            matches = matches.filter(answer__submission__questionnaire=questionnaire)
        scope.delete()
        matches.delete()
        found = 0
        # Sources first: they are no one's answer and every answer should meet them.
        for source_answer in sources.select_related("question", "source"):
            found += store(
                [
                    _source_text(
                        source_answer,
                        source_answer.source.questionnaire_id,
                        source_answer.question.text,
                    )
                ]
            )
        last = 0
        while True:
            rows = list(
                answers.filter(pk__gt=last).order_by("pk").values_list(*_TEXT_COLUMNS)[:chunk]
            )
            if not rows:
                return found
            last = rows[-1][0]
            found_bands = similarity.sheet_bands([(row[1], row[2]) for row in rows])
            new = [
                _answer_text(row, bands)
                for row, bands in zip(rows, found_bands, strict=True)
                if bands
            ]
            found += store(new)
