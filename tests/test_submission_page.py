"""The submission page reads like the answer sheet: who and for which vacancy, the
rendered answers under their full questions, the file's technical details folded away
below; and nothing of an imported sheet can be changed through it."""

import pytest
from django.urls import reverse

from interviews import roles
from tests.factories import (
    AnswerFactory,
    ApplicationFactory,
    CandidateFactory,
    QuestionFactory,
    QuestionnaireFactory,
    SubmissionFactory,
    member,
)

pytestmark = pytest.mark.django_db

LONG_QUESTION = (
    "Расскажите, как вы искали бы утечку памяти в долго работающем сервисе на Python, "
    "какими инструментами и в каком порядке?"
)


@pytest.fixture
def sheet():
    application = ApplicationFactory(candidate=CandidateFactory(full_name="Ольга Смирнова"))
    submission = SubmissionFactory(
        candidate=application.candidate,
        application=application,
        questionnaire=application.vacancy.questionnaire,
        sha256="f" * 64,
    )
    question = QuestionFactory(questionnaire=submission.questionnaire, text=LONG_QUESTION)
    AnswerFactory(submission=submission, question=question, body="Сначала **tracemalloc**.")
    return submission


def _change_url(submission):
    return reverse("admin:interviews_submission_change", args=[submission.pk])


def test_page_shows_who_and_the_vacancy_then_rendered_answers_then_the_file(admin_client, sheet):
    content = admin_client.get(_change_url(sheet), HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    who = content.index("Ольга Смирнова", content.index('id="content-main"'))
    vacancy = content.index(str(sheet.application.vacancy), who)
    answer = content.index("<strong>tracemalloc</strong>", vacancy)
    technical = content.index("f" * 64)
    assert who < vacancy < answer < technical
    # The file's details sit in a fieldset folded by default.
    folded = content.rindex("<details>", 0, technical)
    assert "collapse" in content[content.rindex("<fieldset", 0, folded) : folded]
    assert answer < folded


def test_the_full_question_is_shown_uncut(admin_client, sheet):
    content = admin_client.get(_change_url(sheet)).content.decode()

    assert LONG_QUESTION in content


def test_page_offers_no_field_to_edit_and_no_save_button(admin_client, sheet):
    content = admin_client.get(_change_url(sheet)).content.decode()

    assert "<select" not in content
    assert 'name="_save"' not in content


@pytest.mark.parametrize("role", [roles.HR_MANAGER, roles.RECRUITER])
def test_a_post_cannot_change_an_imported_sheet(client, sheet, role):
    client.force_login(member(role))
    other = ApplicationFactory()
    before = {
        field: getattr(sheet, field)
        for field in ("candidate_id", "questionnaire_id", "application_id", "source_name")
    }

    response = client.post(
        _change_url(sheet),
        {
            "candidate": other.candidate_id,
            "questionnaire": QuestionnaireFactory().pk,
            "application": other.pk,
            "source_name": "подмена.md",
            "original_text": "подмена",
            "_save": "Save",
        },
    )

    sheet.refresh_from_db()
    assert response.status_code == 403
    assert {field: getattr(sheet, field) for field in before} == before
    assert sheet.original_text != "подмена"


def test_an_answer_cannot_be_moved_to_another_sheet(client, sheet):
    client.force_login(member(roles.HR_MANAGER))
    answer = sheet.answers.get()
    elsewhere = SubmissionFactory()

    client.post(
        reverse("admin:interviews_answer_change", args=[answer.pk]),
        {
            "submission": elsewhere.pk,
            "question": "",
            "label": answer.label,
            "question_text": answer.question_text,
            "body": "Исправленный ответ",
            "position": answer.position,
            "line": answer.line,
        },
    )

    answer.refresh_from_db()
    assert answer.body == "Исправленный ответ"  # the rest of the form was saved
    assert answer.submission_id == sheet.pk


def test_a_question_named_in_short_is_cut_on_a_word_with_an_ellipsis(sheet):
    question = sheet.answers.get().question

    name = str(question)

    assert name.endswith("…") and len(name) <= len(f"{question.number}. ") + 60
    assert name[:-1].split()[-1] in LONG_QUESTION.split()
