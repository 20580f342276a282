"""Reports over applications: comparing candidates' answers side by side, every answer to
one question, and the hiring funnel per vacancy.

Pure functions of the database: no requests, no HTML beyond the sanitised rendering of
answers. The caller decides what a user may see and passes it in (the applications they
may open, the answer scores they may read); the admin views in
``interviews.admin.reports`` do that. Every function costs the same number of queries
whatever the amount of data.
"""

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from django.db import connection
from django.db.models import Count, Exists, OuterRef, QuerySet, Sum, Value
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from . import scoring
from .models import (
    Answer,
    Application,
    Question,
    Questionnaire,
    Stage,
    StageChange,
    Submission,
    Vacancy,
)
from .rendering import preview, render_markdown

# Characters of an answer shown before it is unfolded (comparison cells).
PREVIEW_LENGTH = 80


class ComparisonError(ValueError):
    """The applications cannot be compared; the message says why, for the user."""


# -- answers with their scores ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScoredAnswer:
    answer: Answer
    rendered: SafeString
    preview: str  # the start of the rendered answer, as plain text
    # Over the scores the caller let us see, of submitted scorecards only; None when
    # there are none (not scored yet, or hidden by blind feedback).
    average: float | None
    score_count: int
    score_total: int


def score_answers(answers: Iterable[Answer], *, scores_queryset) -> list[ScoredAnswer]:
    """The answers, rendered, each with its average score. One query for the scores.

    ``scores_queryset`` is the AnswerScores the user may see
    (``roles.visible_scores``); drafts are left out here.
    """
    answers = list(answers)
    sums = {
        row["answer_id"]: (row["total"], row["n"])
        for row in scores_queryset.filter(
            answer_id__in=[a.pk for a in answers], scorecard__submitted_at__isnull=False
        )
        .order_by()
        .values("answer_id")
        .annotate(total=Sum("score"), n=Count("pk"))
    }
    result = []
    for answer in answers:
        total, n = sums.get(answer.pk, (0, 0))
        result.append(
            ScoredAnswer(
                answer=answer,
                rendered=render_markdown(answer.body),
                preview=preview(answer.body, PREVIEW_LENGTH),
                average=total / n if n else None,
                score_count=n,
                score_total=total,
            )
        )
    return result


# -- comparison ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    application: Application
    submission: Submission | None
    # Blind feedback hides other reviewers' scores of this application from the user
    # (``_hidden`` from ``Application.objects.with_feedback``; False when not annotated).
    scores_hidden: bool
    average: float | None


@dataclass(frozen=True, slots=True)
class Row:
    question: Question | None  # None: answers that matched no question of the questionnaire
    label: str
    cells: tuple[tuple[ScoredAnswer, ...], ...]  # one per column, in column order


@dataclass(frozen=True, slots=True)
class SkillRow:
    skill: str
    cells: tuple[str, ...]  # the candidate's own rating per column ("8/10"), "" when none


@dataclass(frozen=True, slots=True)
class Comparison:
    questionnaire: Questionnaire
    columns: list[Column]
    rows: list[Row]
    skills: list[SkillRow]


def skills_matrix(applications: Sequence[Application]) -> list[SkillRow]:
    """Self-assessed ratings per skill (rows) and candidate (columns), in one query; a
    candidate who rated a skill twice shows the later claim."""
    from .models import SkillClaim

    latest: dict[tuple[int, str], SkillClaim] = {}
    for claim in SkillClaim.objects.filter(
        candidate_id__in={a.candidate_id for a in applications}, value__isnull=False
    ).order_by("pk"):
        latest[(claim.candidate_id, claim.skill)] = claim
    skills = sorted({skill for _candidate, skill in latest})
    return [
        SkillRow(
            skill=skill,
            cells=tuple(
                f"{c.value:g}/{c.scale}" if (c := latest.get((a.candidate_id, skill))) else ""
                for a in applications
            ),
        )
        for skill in skills
    ]


def comparison(*, applications: Sequence[Application], scores_queryset) -> Comparison:
    """Questions as rows, applications as columns (in the order given), each cell the
    application's answer from its latest sheet with its average score.

    ``applications`` must be loaded with ``vacancy__questionnaire`` and ``candidate``.
    Answers that match no question of the questionnaire come last, one row per distinct
    label and question text; the candidates' self-assessed skills come as a matrix of their
    own. Raises ComparisonError for fewer than two applications or applications on
    different questionnaires. Five queries.
    """
    applications = list(applications)
    questionnaire = _common_questionnaire(applications)
    submissions = scoring.latest_submissions(applications)
    questions = list(questionnaire.questions.order_by("position", "id"))
    by_submission = _scored_answers_by_submission(submissions.values(), scores_queryset)
    sheets = [by_submission[s.pk] if (s := submissions[a.pk]) else [] for a in applications]
    columns = [
        _column(application, submissions[application.pk], items)
        for application, items in zip(applications, sheets, strict=True)
    ]
    return Comparison(
        questionnaire=questionnaire,
        columns=columns,
        rows=_rows(questions, sheets),
        skills=skills_matrix(applications),
    )


def _common_questionnaire(applications: list[Application]) -> Questionnaire:
    """The questionnaire all ``applications`` are on; ComparisonError when there is none."""
    if len(applications) < 2:
        raise ComparisonError(_("Select at least two applications to compare."))
    questionnaires = {a.vacancy.questionnaire_id for a in applications}
    if None in questionnaires:
        raise ComparisonError(
            _("Some of the selected applications are for a vacancy without a questionnaire.")
        )
    if len(questionnaires) > 1:
        raise ComparisonError(
            _("The selected applications are on different questionnaires and cannot be compared.")
        )
    return applications[0].vacancy.questionnaire


def _scored_answers_by_submission(submissions, scores_queryset) -> dict[int, list[ScoredAnswer]]:
    answers = Answer.objects.filter(
        submission_id__in=[s.pk for s in submissions if s is not None]
    ).order_by("submission_id", "position")
    by_submission = defaultdict(list)
    for item in score_answers(answers, scores_queryset=scores_queryset):
        by_submission[item.answer.submission_id].append(item)
    return by_submission


def _column(application: Application, submission, items: list[ScoredAnswer]) -> Column:
    total = sum(i.score_total for i in items)
    count = sum(i.score_count for i in items)
    return Column(
        application=application,
        submission=submission,
        scores_hidden=bool(getattr(application, "_hidden", False)),
        average=total / count if count else None,
    )


def _rows(questions: list[Question], sheets: list[list[ScoredAnswer]]) -> list[Row]:
    """One row per question, then one per distinct label and question text of the answers
    that matched none; each cell a column's answers."""
    question_ids = {q.pk for q in questions}
    # Row key -> one list of answers per column.
    grid: dict[object, list[list[ScoredAnswer]]] = {
        q.pk: [[] for _column in sheets] for q in questions
    }
    extra_labels: dict[tuple[str, str], str] = {}
    for index, items in enumerate(sheets):
        for item in items:
            answer = item.answer
            if answer.question_id in question_ids:
                key = answer.question_id
            else:
                key = (answer.label.strip(), " ".join(answer.question_text.split()))
                if key not in grid:
                    grid[key] = [[] for _column in sheets]
                    extra_labels[key] = " ".join(filter(None, key)) or _("(no question)")
            grid[key][index].append(item)
    rows = [
        Row(question=q, label=f"{q.number}. {q.text}", cells=tuple(map(tuple, grid[q.pk])))
        for q in questions
    ]
    rows += [
        Row(question=None, label=label, cells=tuple(map(tuple, grid[key])))
        for key, label in extra_labels.items()
    ]
    return rows


# -- all answers to one question -------------------------------------------------------


def question_answers(*, question: Question, visible_applications=None) -> QuerySet[Answer]:
    """Every candidate's answer to ``question`` from their latest revision of the sheet,
    by candidate name; a queryset, for the caller to paginate and then score a page
    with ``score_answers``.

    ``visible_applications``: None when the user may see every candidate; otherwise the
    applications they may open; then only those applications' candidates are listed.
    Each answer carries ``application_visible``: whether the user may open the
    application its sheet is linked to.
    """
    answers = (
        Answer.objects.filter(
            question=question, submission__in=Submission.objects.latest_revisions()
        )
        .select_related("submission__candidate", "submission__application__vacancy")
        .defer(
            "submission__original_text",
            "submission__preamble",
            "submission__trailer",
            "submission__warnings",
        )
        .order_by("submission__candidate__full_name", "submission__candidate_id", "pk")
    )
    if visible_applications is None:
        return answers.annotate(application_visible=Value(True))
    return answers.filter(
        submission__candidate_id__in=visible_applications.values("candidate_id")
    ).annotate(
        application_visible=Exists(
            visible_applications.filter(pk=OuterRef("submission__application_id"))
        )
    )


# -- funnel ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StageRow:
    stage: Stage
    current: int  # applications in this stage now
    reached: int  # applications that ever entered it (a StageChange to it)
    # Of the applications that reached this stage, the share (percent) that also reached
    # the next active stage; None for the last active stage and for final stages.
    conversion: float | None
    next_stage: Stage | None
    # Median days per stay in this stage, the current stay counting until now; None for
    # final stages (hired and rejected applications stay there for good) and unvisited.
    median_days: float | None


@dataclass(frozen=True, slots=True)
class SourceRow:
    source: str  # "" when the candidate's source is unknown
    counts: tuple[int, ...]  # applications now in each stage, in VacancyFunnel.stages order
    total: int


@dataclass(frozen=True, slots=True)
class ReasonRow:
    reason: str  # the reason's name; "" for applications rejected without one
    count: int  # applications now in a rejection stage with this reason
    share: float  # percent of the vacancy's rejected applications


@dataclass(frozen=True, slots=True)
class VacancyFunnel:
    vacancy: Vacancy
    total: int
    stages: list[StageRow]
    sources: list[SourceRow]
    # Rejected applications by reason: the list's order, those without a reason last.
    rejections: list[ReasonRow]


# Stays are counted in whole microseconds on both paths: exact as Python ints and as
# PostgreSQL bigints. The median of an even number of stays is the mean of the two middle
# ones, computed here in Python as statistics.median computes it, (a + b) / 2, whichever
# path found them.
_MICROSECOND = timedelta(microseconds=1)
_MICROSECONDS_PER_DAY = 86_400_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class _StageFigures:
    """What the StageChange history says about one stage of one vacancy; the same on
    both paths, which ``funnel`` then turns into a StageRow."""

    reached: int  # applications with a StageChange to the stage
    went_on: int  # of those, the ones that also reached the next active stage (0: none)
    median_us: float | None  # median stay in the stage, in microseconds (active stages)


def funnel(
    *, vacancy_ids: Iterable[int] | None = None, now: datetime | None = None
) -> list[VacancyFunnel]:
    """The hiring funnel of each vacancy (all that have applications, or those given).

    Four queries whatever the data: stages, vacancies, current counts per stage, source
    and rejection reason, and the StageChange history's figures per vacancy and stage: the
    applications that reached it, how many of those reached the next active stage and the
    median stay.
    On PostgreSQL both come from the summary that triggers keep up to date (migration
    0012): a few rows per vacancy and stage, whatever the size of the history, the median
    found by a binary search over the stays kept in order. SQLite reads the applications
    and the history and computes the same figures in Python. Both paths return equal
    results, to the last bit of every float (tests/test_reports.py checks it). A stay
    lasts until the application's next StageChange, or until ``now`` (default: the current
    time) when there is none.
    """
    now = now or timezone.now()
    stages = list(Stage.objects.order_by("order", "id"))
    if vacancy_ids is not None:
        vacancy_ids = list(vacancy_ids)
    vacancies = _funnel_vacancies(vacancy_ids)
    rejection_stages = {s.pk for s in stages if s.kind == Stage.Kind.REJECTED}
    current, totals, rejections = _current_by_stage_and_source(vacancy_ids, rejection_stages)
    active = [s for s in stages if s.kind == Stage.Kind.ACTIVE]
    next_active = {stage.pk: following for stage, following in pairwise(active)}
    figures = _stage_figures(
        vacancy_ids=vacancy_ids,
        next_active={pk: following.pk for pk, following in next_active.items()},
        active={stage.pk for stage in active},
        now=now,
    )
    return [
        VacancyFunnel(
            vacancy=vacancy,
            total=totals[vacancy.pk],
            stages=[
                _stage_row(
                    stage,
                    current=current[vacancy.pk, stage.pk],
                    seen=figures.get((vacancy.pk, stage.pk)),
                    following=next_active.get(stage.pk),
                )
                for stage in stages
            ],
            sources=_source_rows([current[vacancy.pk, stage.pk] for stage in stages]),
            rejections=rejections.get(vacancy.pk, []),
        )
        for vacancy in vacancies
    ]


def _funnel_vacancies(vacancy_ids: list[int] | None) -> list[Vacancy]:
    """The vacancies given, or all that have applications, by title."""
    vacancies = Vacancy.objects.order_by("title", "id")
    if vacancy_ids is not None:
        return list(vacancies.filter(pk__in=vacancy_ids))
    return list(vacancies.filter(Exists(Application.objects.filter(vacancy=OuterRef("pk")))))


def _current_by_stage_and_source(vacancy_ids: list[int] | None, rejection_stages: set[int]):
    """(vacancy, stage) -> source -> applications now there; vacancy -> applications,
    with or without a stage; and vacancy -> its rejections by reason (``ReasonRow``s):
    applications now in one of the ``rejection_stages``, the reasons in their list's
    order, those rejected without one (an import, a script) last."""
    current: dict[tuple[int, int | None], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    totals: dict[int, int] = defaultdict(int)
    # vacancy -> (sort key, reason's name) -> applications
    rejected: dict[int, dict[tuple, int]] = defaultdict(lambda: defaultdict(int))
    for vacancy_id, stage_id, source, reason_id, name, position, n in _current_counts(vacancy_ids):
        source = " ".join((source or "").split())
        current[vacancy_id, stage_id][source] += n
        totals[vacancy_id] += n
        if stage_id in rejection_stages:
            key = (reason_id is None, position or 0, reason_id or 0, name or "")
            rejected[vacancy_id][key] += n
    rejections = {}
    for vacancy_id, counts in rejected.items():
        total = sum(counts.values())
        rejections[vacancy_id] = [
            ReasonRow(reason=key[-1], count=n, share=100 * n / total)
            for key, n in sorted(counts.items())
        ]
    return current, totals, rejections


def _stage_row(stage: Stage, *, current: dict[str, int], seen, following) -> StageRow:
    """``seen``: the history's figures, None when no application of the vacancy reached
    the stage; ``following``: the next active stage, if any."""
    return StageRow(
        stage=stage,
        current=sum(current.values()),
        reached=seen.reached if seen else 0,
        conversion=(100 * seen.went_on / seen.reached if seen and following is not None else None),
        next_stage=following,
        median_days=(
            seen.median_us / _MICROSECONDS_PER_DAY
            if seen and stage.kind == Stage.Kind.ACTIVE
            else None
        ),
    )


def _source_rows(current_per_stage: list[dict[str, int]]) -> list[SourceRow]:
    """Applications now in each stage per source, the largest sources first and those
    without a source last."""
    by_source: dict[str, list[int]] = defaultdict(lambda: [0] * len(current_per_stage))
    for index, current in enumerate(current_per_stage):
        for source, n in current.items():
            by_source[source][index] += n
    return sorted(
        (SourceRow(source, tuple(c), sum(c)) for source, c in by_source.items()),
        key=lambda r: (r.source == "", -r.total, r.source.lower()),
    )


def _current_counts(vacancy_ids: list[int] | None) -> list[tuple]:
    """(vacancy, stage or None, candidate's source as stored, rejection reason or None, its
    name, its position, applications) rows."""
    if connection.vendor == "postgresql":
        return _current_counts_in_database(vacancy_ids)
    return _current_counts_in_python(vacancy_ids)


def _current_counts_in_python(vacancy_ids: list[int] | None):
    """Counted over the applications: for SQLite."""
    applications = Application.objects.all()
    if vacancy_ids is not None:
        applications = applications.filter(vacancy_id__in=vacancy_ids)
    return list(
        applications.order_by()
        .values_list(
            "vacancy_id",
            "stage_id",
            "candidate__source",
            "rejection_reason_id",
            "rejection_reason__name",
            "rejection_reason__position",
        )
        .annotate(n=Count("pk"))
    )


def _current_counts_in_database(vacancy_ids: list[int] | None):
    """The summary's counts (interviews_funnel_now): for PostgreSQL."""
    sql = """
        SELECT f.vacancy_id, NULLIF(f.stage_id, 0), f.source, r.id, r.name, r.position,
            f.applications
        FROM interviews_funnel_now f
        LEFT JOIN interviews_rejectionreason r ON r.id = f.reason_id
    """
    params = {}
    if vacancy_ids is not None:
        sql += " WHERE f.vacancy_id = ANY(%(vacancy_ids)s::bigint[])"
        params["vacancy_ids"] = vacancy_ids
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _stage_figures(
    *, vacancy_ids: list[int] | None, next_active: dict[int, int], active: set[int], now: datetime
) -> dict[tuple[int, int], _StageFigures]:
    """(vacancy, stage) -> its figures, for each stage an application of the vacancy
    reached. ``next_active``: active stage -> the next active stage; medians are computed
    for the ``active`` stages only (hired and rejected applications stay for good)."""
    if connection.vendor == "postgresql":
        return _stage_figures_in_database(
            vacancy_ids=vacancy_ids, next_active=next_active, active=active, now=now
        )
    return _stage_figures_in_python(
        vacancy_ids=vacancy_ids, next_active=next_active, active=active, now=now
    )


def _stage_figures_in_python(
    *, vacancy_ids: list[int] | None, next_active: dict[int, int], active: set[int], now: datetime
) -> dict[tuple[int, int], _StageFigures]:
    """The whole history, read in order and summed up here: for SQLite."""
    changes = StageChange.objects.all()
    if vacancy_ids is not None:
        changes = changes.filter(application__vacancy_id__in=vacancy_ids)
    history = defaultdict(list)  # application -> [(vacancy, stage, at)], in order
    for application_id, vacancy_id, stage_id, at in changes.order_by(
        "application_id", "at", "id"
    ).values_list("application_id", "application__vacancy_id", "to_stage_id", "at"):
        history[application_id].append((vacancy_id, stage_id, at))

    reached = defaultdict(set)  # (vacancy, stage) -> applications that entered it
    stays = defaultdict(list)  # (vacancy, stage) -> microseconds per stay
    for application_id, sequence in history.items():
        ends = [at for *_key, at in sequence[1:]] + [now]
        for (vacancy_id, stage_id, at), end in zip(sequence, ends, strict=True):
            reached[vacancy_id, stage_id].add(application_id)
            stays[vacancy_id, stage_id].append((end - at) // _MICROSECOND)

    return {
        (vacancy_id, stage_id): _StageFigures(
            reached=len(entered),
            went_on=len(entered & reached.get((vacancy_id, next_active.get(stage_id)), set())),
            median_us=(
                float(statistics.median(stays[vacancy_id, stage_id]))
                if stage_id in active
                else None
            ),
        )
        for (vacancy_id, stage_id), entered in reached.items()
    }


def _stage_figures_in_database(
    *, vacancy_ids: list[int] | None, next_active: dict[int, int], active: set[int], now: datetime
) -> dict[tuple[int, int], _StageFigures]:
    """The summary's rows, one per (vacancy, stage) reached: for PostgreSQL.

    ``interviews_funnel_median`` returns the two middle stays (the same one twice for an
    odd count); their mean is taken here, as statistics.median takes it.
    """
    sql = """
        SELECT f.vacancy_id, f.stage_id, f.reached, coalesce(p.applications, 0),
            CASE WHEN f.stage_id = ANY(%(active)s::bigint[])
                THEN interviews_funnel_median(f.stays, f.opens, %(now_us)s) END
        FROM interviews_funnel_stage f
        LEFT JOIN unnest(%(stage_ids)s::bigint[], %(next_stage_ids)s::bigint[])
            AS n (stage_id, next_stage_id) ON n.stage_id = f.stage_id
        LEFT JOIN interviews_funnel_pair p ON p.vacancy_id = f.vacancy_id
            AND p.stage_id = f.stage_id AND p.other_stage_id = n.next_stage_id
        WHERE f.reached > 0 {where}
    """
    params = {
        "active": sorted(active),
        "now_us": (now - _EPOCH) // _MICROSECOND,
        "stage_ids": list(next_active),
        "next_stage_ids": list(next_active.values()),
    }
    where = ""
    if vacancy_ids is not None:
        where = "AND f.vacancy_id = ANY(%(vacancy_ids)s::bigint[])"
        params["vacancy_ids"] = vacancy_ids
    with connection.cursor() as cursor:
        cursor.execute(sql.format(where=where), params)
        return {
            (vacancy_id, stage_id): _StageFigures(
                reached=reached,
                went_on=went_on,
                median_us=(middle[0] + middle[1]) / 2 if middle else None,
            )
            for vacancy_id, stage_id, reached, went_on, middle in cursor.fetchall()
        }
