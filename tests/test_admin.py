"""Every admin page of the app answers, and every changelist costs the same number of
queries whatever the number of rows on it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from interviews.models import Stage
from tests.factories import (
    AnswerFactory,
    AnswerScoreFactory,
    ApplicationFactory,
    CandidateFactory,
    InterviewFactory,
    QuestionFactory,
    QuestionnaireFactory,
    SubmissionFactory,
    VacancyFactory,
)

pytestmark = pytest.mark.django_db


def _make_rows(model_name, n):
    """n rows of the model, each with its related rows filled in."""
    makers = {
        "questionnaire": lambda: QuestionFactory().questionnaire,
        "question": QuestionFactory,
        "vacancy": lambda: ApplicationFactory().vacancy,
        "candidate": lambda: SubmissionFactory().candidate,
        "application": ApplicationFactory,
        "submission": lambda: AnswerFactory().submission,
        "answer": lambda: AnswerFactory(question=QuestionFactory()),
        "stage": lambda: Stage.objects.create(name=f"Stage {Stage.objects.count()}", order=99),
        "stagechange": lambda: ApplicationFactory().stage_changes.get(),
        "interview": InterviewFactory,
        "scorecard": lambda: AnswerScoreFactory().scorecard,
        "answerscore": AnswerScoreFactory,
    }
    return [makers[model_name]() for _ in range(n)]


# Queries for one changelist page: session, user, count, filter choices, rows, ...
# Pinned so that a regression (an N+1, a new filter query) fails here.
CHANGELIST_QUERIES = {
    "questionnaire": 7,
    "question": 8,
    "vacancy": 8,
    "candidate": 10,
    "application": 10,
    "submission": 9,
    "answer": 8,
    "stage": 7,
    "stagechange": 9,
    "interview": 10,
    "scorecard": 8,
    "answerscore": 7,
}


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("model_name", sorted(CHANGELIST_QUERIES))
def test_changelist_query_count_does_not_grow_with_rows(admin_client, model_name):
    url = reverse(f"admin:interviews_{model_name}_changelist")
    _make_rows(model_name, 1)
    few = _queries(admin_client, url)

    _make_rows(model_name, 6)
    many = _queries(admin_client, url)

    assert (few, many) == (CHANGELIST_QUERIES[model_name],) * 2


@pytest.mark.parametrize("model_name", sorted(set(CHANGELIST_QUERIES) - {"stagechange"}))
def test_add_page_answers(admin_client, model_name):
    response = admin_client.get(reverse(f"admin:interviews_{model_name}_add"))

    assert response.status_code == 200


@pytest.mark.parametrize("model_name", sorted(CHANGELIST_QUERIES))
def test_change_page_answers(admin_client, model_name):
    obj = _make_rows(model_name, 1)[0]

    response = admin_client.get(reverse(f"admin:interviews_{model_name}_change", args=[obj.pk]))

    assert response.status_code == 200
    assert str(obj)[:15].split("→")[0].strip() in response.content.decode()


def test_submission_page_shows_answers_in_file_order(admin_client):
    submission = SubmissionFactory()
    AnswerFactory(submission=submission, position=2, body="Второй ответ")
    AnswerFactory(submission=submission, position=1, body="Первый ответ")

    content = admin_client.get(
        reverse("admin:interviews_submission_change", args=[submission.pk])
    ).content.decode()

    assert content.index("Первый ответ") < content.index("Второй ответ")


def test_candidate_page_lists_applications_and_submissions(admin_client):
    candidate = CandidateFactory()
    ApplicationFactory(candidate=candidate, vacancy=VacancyFactory(title="Бэкенд-разработчик"))
    SubmissionFactory(candidate=candidate, source_name="otvety-kandidata.md")

    content = admin_client.get(
        reverse("admin:interviews_candidate_change", args=[candidate.pk])
    ).content.decode()

    assert "Бэкенд-разработчик" in content
    assert "otvety-kandidata.md" in content


def test_questionnaire_page_has_its_questions_inline(admin_client):
    questionnaire = QuestionnaireFactory()
    QuestionFactory(questionnaire=questionnaire, text="Что такое GIL?")

    content = admin_client.get(
        reverse("admin:interviews_questionnaire_change", args=[questionnaire.pk])
    ).content.decode()

    assert "Что такое GIL?" in content


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(reverse("admin:interviews_candidate_changelist"))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
