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
from datetime import datetime, timedelta
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
from .rendering import render_markdown


class ComparisonError(ValueError):
    """The applications cannot be compared; the message says why, for the user."""


# -- answers with their scores ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScoredAnswer:
    answer: Answer
    rendered: SafeString
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
    # (``_hidden`` from ApplicationAdmin's annotate_feedback; False when not annotated).
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
    questionnaire = applications[0].vacancy.questionnaire

    submissions = scoring.latest_submissions(applications)
    questions = list(questionnaire.questions.order_by("position", "id"))
    answers = Answer.objects.filter(
        submission_id__in=[s.pk for s in submissions.values() if s is not None]
    ).order_by("submission_id", "position")
    scored = score_answers(answers, scores_queryset=scores_queryset)

    by_submission = defaultdict(list)
    for item in scored:
        by_submission[item.answer.submission_id].append(item)
    question_ids = {q.pk for q in questions}
    # Row key -> one list of answers per column.
    grid: dict[object, list[list[ScoredAnswer]]] = {
        q.pk: [[] for _column in applications] for q in questions
    }
    extra_labels: dict[tuple[str, str], str] = {}
    columns = []
    for index, application in enumerate(applications):
        submission = submissions[application.pk]
        items = by_submission[submission.pk] if submission else []
        for item in items:
            answer = item.answer
            if answer.question_id in question_ids:
                key = answer.question_id
            else:
                key = (answer.label.strip(), " ".join(answer.question_text.split()))
                if key not in grid:
                    grid[key] = [[] for _column in applications]
                    extra_labels[key] = " ".join(filter(None, key)) or _("(no question)")
            grid[key][index].append(item)
        total = sum(i.score_total for i in items)
        count = sum(i.score_count for i in items)
        columns.append(
            Column(
                application=application,
                submission=submission,
                scores_hidden=bool(getattr(application, "_hidden", False)),
                average=total / count if count else None,
            )
        )

    rows = [
        Row(question=q, label=f"{q.number}. {q.text}", cells=tuple(map(tuple, grid[q.pk])))
        for q in questions
    ]
    rows += [
        Row(question=None, label=label, cells=tuple(map(tuple, grid[key])))
        for key, label in extra_labels.items()
    ]
    return Comparison(
        questionnaire=questionnaire,
        columns=columns,
        rows=rows,
        skills=skills_matrix(applications),
    )


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
    newer = Submission.objects.filter(
        candidate_id=OuterRef("submission__candidate_id"),
        questionnaire_id=OuterRef("submission__questionnaire_id"),
        revision__gt=OuterRef("submission__revision"),
    )
    answers = (
        Answer.objects.filter(question=question)
        .filter(~Exists(newer))
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
class VacancyFunnel:
    vacancy: Vacancy
    total: int
    stages: list[StageRow]
    sources: list[SourceRow]


# Stays are counted in whole microseconds on both paths: exact as Python ints, as
# PostgreSQL bigints and as the doubles percentile_cont works in (up to 2**53 µs, about
# 285 years). The median of an even number of stays is then exact too, a half microsecond
# at most, whether percentile_cont computes it as a + (b - a) * 0.5 or statistics.median
# as (a + b) / 2; in days, on a float, it would differ between the two in the last bit.
_MICROSECOND = timedelta(microseconds=1)
_MICROSECONDS_PER_DAY = 86_400_000_000


@dataclass(frozen=True, slots=True)
class _StageFigures:
    """What the StageChange history says about one stage of one vacancy; the same on
    both paths, which ``funnel`` then turns into a StageRow."""

    reached: int  # applications with a StageChange to the stage
    went_on: int  # of those, the ones that also reached the next active stage (0: none)
    median_us: float  # median stay in the stage, in microseconds


def funnel(
    *, vacancy_ids: Iterable[int] | None = None, now: datetime | None = None
) -> list[VacancyFunnel]:
    """The hiring funnel of each vacancy (all that have applications, or those given).

    Four queries whatever the data: stages, vacancies, current counts per stage and
    source, and one aggregate over the StageChange history giving, per vacancy and stage,
    the applications that reached it, how many of those reached the next active stage and
    the median stay. PostgreSQL computes that aggregate itself (a window over each
    application's history, then percentile_cont); SQLite has no percentile_cont, so there
    the history is read and the same figures computed in Python. Both paths return equal
    results, to the last bit of every float (tests/test_reports.py checks it). A stay
    lasts until the application's next StageChange, or until ``now`` (default: the current
    time) when there is none.
    """
    now = now or timezone.now()
    stages = list(Stage.objects.order_by("order", "id"))
    vacancies = Vacancy.objects.order_by("title", "id")
    applications = Application.objects.all()
    if vacancy_ids is not None:
        vacancy_ids = list(vacancy_ids)
        vacancies = vacancies.filter(pk__in=vacancy_ids)
        applications = applications.filter(vacancy_id__in=vacancy_ids)
    else:
        vacancies = vacancies.filter(Exists(Application.objects.filter(vacancy=OuterRef("pk"))))
    vacancies = list(vacancies)

    # (vacancy, stage) -> source -> applications now there.
    current: dict[tuple[int, int | None], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    totals: dict[int, int] = defaultdict(int)  # vacancy -> applications, with or without stage
    for row in (
        applications.order_by()
        .values("vacancy_id", "stage_id", "candidate__source")
        .annotate(n=Count("pk"))
    ):
        source = " ".join((row["candidate__source"] or "").split())
        current[row["vacancy_id"], row["stage_id"]][source] += row["n"]
        totals[row["vacancy_id"]] += row["n"]

    active = [s for s in stages if s.kind == Stage.Kind.ACTIVE]
    next_active = {stage.pk: following for stage, following in pairwise(active)}
    figures = _stage_figures(
        vacancy_ids=vacancy_ids,
        next_active={pk: following.pk for pk, following in next_active.items()},
        now=now,
    )
    result = []
    for vacancy in vacancies:
        rows = []
        for stage in stages:
            key = (vacancy.pk, stage.pk)
            seen = figures.get(key)  # None: no application of the vacancy reached it
            following = next_active.get(stage.pk)
            rows.append(
                StageRow(
                    stage=stage,
                    current=sum(current[key].values()),
                    reached=seen.reached if seen else 0,
                    conversion=(
                        100 * seen.went_on / seen.reached
                        if seen and following is not None
                        else None
                    ),
                    next_stage=following,
                    median_days=(
                        seen.median_us / _MICROSECONDS_PER_DAY
                        if seen and stage.kind == Stage.Kind.ACTIVE
                        else None
                    ),
                )
            )
        by_source: dict[str, list[int]] = defaultdict(lambda: [0] * len(stages))
        for index, stage in enumerate(stages):
            for source, n in current[vacancy.pk, stage.pk].items():
                by_source[source][index] += n
        sources = sorted(
            (SourceRow(source, tuple(c), sum(c)) for source, c in by_source.items()),
            key=lambda r: (r.source == "", -r.total, r.source.lower()),
        )
        result.append(
            VacancyFunnel(vacancy=vacancy, total=totals[vacancy.pk], stages=rows, sources=sources)
        )
    return result


def _stage_figures(
    *, vacancy_ids: list[int] | None, next_active: dict[int, int], now: datetime
) -> dict[tuple[int, int], _StageFigures]:
    """(vacancy, stage) -> its figures, for each stage an application of the vacancy
    reached. ``next_active``: active stage -> the next active stage."""
    if connection.vendor == "postgresql":
        return _stage_figures_in_database(vacancy_ids=vacancy_ids, next_active=next_active, now=now)
    return _stage_figures_in_python(vacancy_ids=vacancy_ids, next_active=next_active, now=now)


def _stage_figures_in_python(
    *, vacancy_ids: list[int] | None, next_active: dict[int, int], now: datetime
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
            median_us=float(statistics.median(stays[vacancy_id, stage_id])),
        )
        for (vacancy_id, stage_id), entered in reached.items()
    }


def _stage_figures_in_database(
    *, vacancy_ids: list[int] | None, next_active: dict[int, int], now: datetime
) -> dict[tuple[int, int], _StageFigures]:
    """One aggregate query over the history, returning a row per (vacancy, stage): for
    PostgreSQL.

    Raw SQL because the ORM can neither aggregate over a window function's results (the
    windowed query would have to be a subquery in FROM) nor express an ordered-set
    aggregate such as percentile_cont.
    """
    # Each stay with its length and the stages its application ever reached (the whole
    # history is the window's frame). Ordered by (at, id) as the Python path reads it:
    # changes at the same instant still follow one another.
    sql = """
        WITH stays AS (
            SELECT
                a.vacancy_id,
                c.application_id,
                c.to_stage_id,
                (
                    EXTRACT(EPOCH FROM LEAD(c.at, 1, %(now)s::timestamptz) OVER history - c.at)
                    * 1000000
                )::bigint AS stay_us,
                array_agg(c.to_stage_id) OVER (
                    history ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                ) AS reached_stage_ids
            FROM interviews_stagechange c
            JOIN interviews_application a ON a.id = c.application_id
            {where}
            WINDOW history AS (PARTITION BY c.application_id ORDER BY c.at, c.id)
        ),
        next_active (stage_id, next_stage_id) AS (
            SELECT * FROM unnest(%(stage_ids)s::bigint[], %(next_stage_ids)s::bigint[])
        )
        SELECT
            s.vacancy_id,
            s.to_stage_id,
            count(DISTINCT s.application_id),
            count(DISTINCT s.application_id) FILTER (
                WHERE n.next_stage_id = ANY(s.reached_stage_ids)
            ),
            percentile_cont(0.5) WITHIN GROUP (ORDER BY s.stay_us)
        FROM stays s
        LEFT JOIN next_active n ON n.stage_id = s.to_stage_id
        GROUP BY s.vacancy_id, s.to_stage_id
    """
    params = {
        "now": now,
        "stage_ids": list(next_active),
        "next_stage_ids": list(next_active.values()),
    }
    where = ""
    if vacancy_ids is not None:
        where = "WHERE a.vacancy_id = ANY(%(vacancy_ids)s::bigint[])"
        params["vacancy_ids"] = vacancy_ids
    with connection.cursor() as cursor:
        cursor.execute(sql.format(where=where), params)
        return {
            (vacancy_id, stage_id): _StageFigures(
                reached=reached, went_on=went_on, median_us=median_us
            )
            for vacancy_id, stage_id, reached, went_on, median_us in cursor.fetchall()
        }
