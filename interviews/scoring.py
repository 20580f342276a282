"""Scoring an application: which answers a reviewer scores, and saving a scorecard.

Used by the admin's scoring screen and by tests; one transaction per save, with the
scorecard row locked so that two saves of the same scorecard never lose a score.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Answer, AnswerScore, Application, Scorecard, Submission


@dataclass(frozen=True, slots=True)
class ScoringItem:
    answer: Answer
    score: AnswerScore | None


def latest_submission(application: Application) -> Submission | None:
    """The sheet to score for one application (see :func:`latest_submissions`)."""
    return latest_submissions([application])[application.pk]


def latest_submissions(applications: Sequence[Application]) -> dict[int, Submission | None]:
    """The sheet to score for each application, in one query: application id -> the latest
    revision (``Submission.objects.latest_revisions``) of a sheet linked to it, else of the
    candidate's sheet on the vacancy's questionnaire. ``applications`` should come with
    their vacancy loaded."""
    if not applications:
        return {}
    questionnaire_ids = {a.vacancy.questionnaire_id for a in applications} - {None}
    candidates = (
        Submission.objects.latest_revisions()
        .filter(
            Q(application_id__in=[a.pk for a in applications])
            | Q(questionnaire_id__in=questionnaire_ids),
            candidate_id__in={a.candidate_id for a in applications},
        )
        .defer("original_text", "preamble", "trailer", "warnings")
    )
    by_candidate = defaultdict(list)
    for submission in candidates:
        by_candidate[submission.candidate_id].append(submission)

    def newest(submissions):
        return max(submissions, key=lambda s: (s.revision, s.pk), default=None)

    result = {}
    for application in applications:
        mine = by_candidate[application.candidate_id]
        linked = newest(s for s in mine if s.application_id == application.pk)
        questionnaire_id = application.vacancy.questionnaire_id
        result[application.pk] = linked or (
            newest(s for s in mine if s.questionnaire_id == questionnaire_id)
            if questionnaire_id is not None
            else None
        )
    return result


def answers_to_score(application: Application, scorecard: Scorecard | None) -> list[ScoringItem]:
    submission = latest_submission(application)
    if submission is None:
        return []
    answers = list(submission.answers.select_related("question").order_by("position"))
    scores = {}
    if scorecard is not None:
        scores = {s.answer_id: s for s in scorecard.scores.all()}
    return [ScoringItem(answer, scores.get(answer.pk)) for answer in answers]


@transaction.atomic
def save_scorecard(
    *, application, reviewer, scores, recommendation="", summary="", submit=False
) -> Scorecard:
    """Create or update ``reviewer``'s scorecard; ``scores`` maps answer id to
    (score or None, comment), answers of the application's sheets only. A submitted
    scorecard is final."""
    Scorecard(application=application, reviewer=reviewer).clean()
    scorecard, _created = Scorecard.objects.get_or_create(
        application=application, reviewer=reviewer
    )
    scorecard = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    if scorecard.is_submitted:
        raise ValidationError(_("This scorecard is already submitted."))
    scorecard.application = application  # for the scores' clean(), without a query
    answers = {
        a.pk: a
        for a in Answer.objects.filter(pk__in=scores).select_related("question", "submission")
    }
    for answer_id, (score, comment) in scores.items():
        answer = answers.get(answer_id)
        if answer is None:
            raise ValidationError(_("An answer to score was not found."))
        item = AnswerScore(scorecard=scorecard, answer=answer, score=score, comment=comment)
        item.clean()
        if score is None:
            AnswerScore.objects.filter(scorecard=scorecard, answer=answer).delete()
            continue
        AnswerScore.objects.update_or_create(
            scorecard=scorecard, answer=answer, defaults={"score": score, "comment": comment}
        )
    scorecard.recommendation = recommendation
    scorecard.summary = summary
    if submit:
        scorecard.submitted_at = timezone.now()
    scorecard.save()
    return scorecard
