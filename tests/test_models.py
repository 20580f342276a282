import pytest
from django.db import IntegrityError, transaction

from interviews.models import Candidate, Submission
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    QuestionFactory,
    QuestionnaireFactory,
    SubmissionFactory,
)

pytestmark = pytest.mark.django_db


def test_question_number_is_unique_within_a_questionnaire():
    questionnaire = QuestionnaireFactory()
    QuestionFactory(questionnaire=questionnaire, number="2.1")

    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionFactory(questionnaire=questionnaire, number="2.1")


def test_same_question_number_is_allowed_in_another_questionnaire():
    QuestionFactory(number="1")

    QuestionFactory(number="1")

    assert QuestionFactory._meta.model.objects.filter(number="1").count() == 2


def test_max_score_must_be_positive():
    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionFactory(max_score=0)


def test_candidate_cannot_apply_twice_to_one_vacancy():
    application = ApplicationFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationFactory(candidate=application.candidate, vacancy=application.vacancy)


def test_email_is_unique_whatever_its_case():
    CandidateFactory(email="Ivan.Petrov@Example.com")

    with pytest.raises(IntegrityError), transaction.atomic():
        CandidateFactory(email="ivan.petrov@example.COM")


def test_many_candidates_without_email_are_allowed():
    CandidateFactory(email="")
    CandidateFactory(email="")

    assert Candidate.objects.filter(email="").count() == 2


def test_revision_is_unique_per_candidate_and_questionnaire():
    first = SubmissionFactory(revision=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        SubmissionFactory(candidate=first.candidate, questionnaire=first.questionnaire, revision=1)


def test_revision_is_unique_per_candidate_without_questionnaire():
    first = SubmissionFactory(questionnaire=None, revision=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        SubmissionFactory(candidate=first.candidate, questionnaire=None, revision=1)


def test_revision_must_be_positive():
    with pytest.raises(IntegrityError), transaction.atomic():
        SubmissionFactory(revision=0)


def test_deleting_a_question_keeps_its_answers():
    from tests.factories import AnswerFactory

    question = QuestionFactory()
    answer = AnswerFactory(question=question, body="Мой ответ")

    question.delete()

    answer.refresh_from_db()
    assert answer.question is None
    assert answer.body == "Мой ответ"
    assert Submission.objects.filter(pk=answer.submission_id).exists()
