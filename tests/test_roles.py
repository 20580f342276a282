"""What each role may do: model permissions as a matrix, and the rows and fields an
interviewer sees."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from interviews import messages, roles
from interviews.models import Application, Submission
from interviews.scoring import save_scorecard
from tests.factories import (
    AnswerFactory,
    AnswerScoreFactory,
    ApplicationFactory,
    CandidateFactory,
    InterviewFactory,
    ScorecardFactory,
    SubmissionFactory,
    UserFactory,
    member,
)

pytestmark = pytest.mark.django_db

MODELS = [
    "questionnaire",
    "question",
    "vacancy",
    "candidate",
    "application",
    "submission",
    "answer",
    "stage",
    "stagechange",
    "interview",
    "scorecard",
    "answerscore",
    "messagetemplate",
    "message",
    "uploadjob",
    "rejectionreason",
    "knownsource",
    "sourceanswer",
]
ALL = "vacd"  # view, add, change, delete
MATRIX = {
    roles.HR_MANAGER: dict.fromkeys(MODELS, ALL),
    roles.RECRUITER: {
        "questionnaire": "v",
        "question": "v",
        "vacancy": "vac",
        "candidate": "vac",
        # An application's stage history is HR-only: only HR managers delete applications.
        "application": "vac",
        "submission": "vac",
        "answer": "v",
        "stage": ALL,
        "stagechange": "v",
        "interview": ALL,
        "scorecard": "vac",
        "answerscore": "vac",
        "messagetemplate": ALL,
        "message": "va",
        # Their own background imports only (see test_upload_jobs).
        "uploadjob": "v",
        "rejectionreason": "v",
        # Which texts answers are compared against is HR managers' to keep.
        "knownsource": "v",
        "sourceanswer": "v",
    },
    roles.INTERVIEWER: {
        "questionnaire": "v",
        "question": "v",
        "vacancy": "v",
        "candidate": "v",
        "application": "v",
        "submission": "v",
        "answer": "v",
        "stage": "v",
        "stagechange": "",
        "interview": "v",
        "scorecard": "vac",
        "answerscore": "vac",
        "messagetemplate": "",
        "message": "",
        "uploadjob": "",
        "rejectionreason": "",
        # A source's text is "the other answer", which interviewers do not see.
        "knownsource": "",
        "sourceanswer": "",
    },
}
ACTIONS = {"v": "view", "a": "add", "c": "change", "d": "delete"}


@pytest.mark.parametrize("role", list(MATRIX))
def test_permission_matrix(role):
    user = member(role)

    granted = {
        model: "".join(
            letter
            for letter, action in ACTIONS.items()
            if user.has_perm(f"interviews.{action}_{model}")
        )
        for model in MODELS
    }

    assert granted == MATRIX[role]


@pytest.fixture
def two_applications():
    """One application the interviewer is on the panel for, one they are not."""
    interviewer = member(roles.INTERVIEWER)
    mine = ApplicationFactory(
        candidate=CandidateFactory(full_name="Моя Кандидатка", email="mine@example.com")
    )
    other = ApplicationFactory(
        candidate=CandidateFactory(full_name="Чужой Кандидат", email="other@example.com")
    )
    InterviewFactory(application=mine, interviewers=[interviewer])
    InterviewFactory(application=other)
    for application in (mine, other):
        submission = SubmissionFactory(candidate=application.candidate)
        AnswerFactory(submission=submission, body=f"ответ {application.candidate.full_name}")
    return interviewer, mine, other


@pytest.mark.parametrize(
    "page", ["application", "candidate", "submission", "answer", "interview", "stagechange"]
)
def test_interviewer_sees_only_their_own_candidates(client, two_applications, page):
    interviewer, _mine, _other = two_applications
    client.force_login(interviewer)

    content = client.get(reverse(f"admin:interviews_{page}_changelist")).content.decode()

    assert "Чужой Кандидат" not in content
    if page != "stagechange":
        assert "Моя Кандидатка" in content or "ответ Моя Кандидатка" in content


def test_interviewer_cannot_open_another_application_by_url(client, two_applications):
    interviewer, _mine, other = two_applications
    client.force_login(interviewer)

    response = client.get(reverse("admin:interviews_application_change", args=[other.pk]))

    assert response.status_code == 302  # the admin's "does not exist" redirect
    assert (
        client.get(
            reverse("admin:interviews_candidate_change", args=[other.candidate_id])
        ).status_code
        == 302
    )


def test_interviewer_never_sees_contacts(client, two_applications):
    interviewer, mine, _other = two_applications
    client.force_login(interviewer)

    changelist = client.get(reverse("admin:interviews_candidate_changelist")).content.decode()
    detail = client.get(
        reverse("admin:interviews_candidate_change", args=[mine.candidate_id])
    ).content.decode()

    for content in (changelist, detail):
        assert "mine@example.com" not in content
        assert "+79120000000" not in content
        assert mine.candidate.telegram not in content


def test_interviewer_cannot_search_by_email(client, two_applications):
    interviewer, _mine, _other = two_applications
    client.force_login(interviewer)

    response = client.get(reverse("admin:interviews_candidate_changelist") + "?q=mine@example")

    assert "Моя Кандидатка" not in response.content.decode()


def test_recruiter_sees_contacts(client, two_applications):
    recruiter = member(roles.RECRUITER)
    client.force_login(recruiter)

    content = client.get(reverse("admin:interviews_candidate_changelist")).content.decode()

    assert "mine@example.com" in content and "other@example.com" in content


def test_recruiter_cannot_change_someone_elses_scorecard(client):
    recruiter = member(roles.RECRUITER)
    # Submitted: another reviewer's draft is not even listed (test_a_reviewer_who_submitted_...).
    scorecard = ScorecardFactory(summary="чужая оценка")
    save_scorecard(
        application=scorecard.application,
        reviewer=recruiter,
        scores={},
        recommendation="yes",
        submit=True,
    )
    client.force_login(recruiter)
    url = reverse("admin:interviews_scorecard_change", args=[scorecard.pk])

    response = client.post(
        url, {"application": scorecard.application_id, "summary": "взлом", "recommendation": "no"}
    )

    scorecard.refresh_from_db()
    assert response.status_code == 403
    assert scorecard.summary == "чужая оценка"


def test_recruiter_cannot_delete_submissions(client):
    recruiter = member(roles.RECRUITER)
    submission = SubmissionFactory()
    client.force_login(recruiter)

    response = client.post(
        reverse("admin:interviews_submission_delete", args=[submission.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert type(submission).objects.filter(pk=submission.pk).exists()


def test_interviewer_has_no_delete_action(client, two_applications):
    interviewer, _mine, _other = two_applications
    client.force_login(interviewer)

    response = client.get(reverse("admin:interviews_application_changelist"))

    assert "delete_selected" not in response.content.decode()
    assert "move_to_stage" not in response.content.decode()


def test_interviewer_scorecard_is_always_their_own(client, two_applications):
    interviewer, mine, _other = two_applications
    someone = UserFactory()
    client.force_login(interviewer)

    client.post(
        reverse("admin:interviews_scorecard_add"),
        {
            "application": mine.pk,
            "reviewer": someone.pk,
            "recommendation": "yes",
            "summary": "моя оценка",
            "scores-TOTAL_FORMS": 0,
            "scores-INITIAL_FORMS": 0,
        },
    )

    scorecard = mine.scorecards.get()
    assert scorecard.reviewer == interviewer


# -- the sheet as imported: front matter and import warnings quote the contacts -----------

SHEET = (
    "---\nemail: alice.p@example.com\nphone: +7 900 555-12-34\ntelegram: alice_tg\n---\n"
    "# Ответы\n\n## 1. Вопрос\nОтвет\n"
)
# What the import writes when a file has an e-mail but no name (interviews.importing).
EMAIL_WARNING = "no candidate name: named after the e-mail (alice.p)"
SHEET_SECRETS = ("alice.p", "555-12-34", "alice_tg")


@pytest.fixture
def imported_sheet(two_applications):
    """The interviewer's candidate's sheet, from an import that named the candidate after
    the e-mail (HR has renamed them since)."""
    interviewer, mine, _other = two_applications
    submission = SubmissionFactory(
        candidate=mine.candidate,
        application=mine,
        original_text=SHEET,
        warnings=[EMAIL_WARNING, "questions without an answer: 2"],
    )
    AnswerFactory(submission=submission, body="Ответ про **Python**")
    ScorecardFactory(application=mine, reviewer=interviewer, submitted_at=None)
    return interviewer, submission


SHEET_PAGES = {
    "submission change": lambda s: reverse("admin:interviews_submission_change", args=[s.pk]),
    "submission history": lambda s: reverse("admin:interviews_submission_history", args=[s.pk]),
    "application print": lambda s: reverse(
        "admin:interviews_application_print", args=[s.application_id]
    ),
    "application score": lambda s: reverse(
        "admin:interviews_application_score", args=[s.application_id]
    ),
}


@pytest.mark.parametrize("page", sorted(SHEET_PAGES))
def test_interviewer_reads_no_contacts_from_the_imported_sheet(client, imported_sheet, page):
    interviewer, submission = imported_sheet
    client.force_login(interviewer)

    response = client.get(SHEET_PAGES[page](submission))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Моя Кандидатка" in content
    assert [secret for secret in SHEET_SECRETS if secret in content] == []


def test_recruiter_reads_the_imported_sheet_verbatim(client, imported_sheet):
    _interviewer, submission = imported_sheet
    client.force_login(member(roles.RECRUITER))

    response = client.get(reverse("admin:interviews_submission_change", args=[submission.pk]))

    content = response.content.decode()
    assert "alice.p@example.com" in content and "+7 900 555-12-34" in content
    with translation.override(settings.LANGUAGE_CODE):  # the page's language
        assert messages.translate(EMAIL_WARNING) in content


def test_interviewer_cannot_filter_candidates_by_shared_contacts(client, two_applications):
    interviewer, mine, _other = two_applications
    # Another candidate with the same phone: "possible duplicate" is read from contacts.
    CandidateFactory(phone=mine.candidate.phone)
    client.force_login(interviewer)
    url = reverse("admin:interviews_candidate_changelist")

    offered = client.get(url).context["cl"].filter_specs
    applied = client.get(url, {"duplicate": "yes"})

    assert "duplicate" not in [getattr(spec, "parameter_name", None) for spec in offered]
    assert applied.status_code == 302 and applied["Location"].endswith("?e=1")


def _listed(client, model_name):
    response = client.get(reverse(f"admin:interviews_{model_name}_changelist"))
    assert response.status_code == 200
    return {row.pk for row in response.context["cl"].result_list}


def test_interviewer_removed_from_the_panel_no_longer_lists_other_reviewers_scores(client):
    interviewer = member(roles.INTERVIEWER)
    application = ApplicationFactory()
    interview = InterviewFactory(application=application, interviewers=[interviewer])
    ScorecardFactory(application=application, reviewer=interviewer)
    others = AnswerScoreFactory(scorecard__application=application, comment="чужое мнение")
    interview.interviewers.remove(interviewer)
    client.force_login(interviewer)

    scores = _listed(client, "answerscore")

    assert others.pk not in scores


def test_a_reviewer_who_submitted_does_not_list_other_reviewers_drafts(client):
    reviewer, drafter = member(roles.INTERVIEWER), member(roles.INTERVIEWER)
    application = ApplicationFactory()
    InterviewFactory(application=application, interviewers=[reviewer, drafter])
    ScorecardFactory(application=application, reviewer=reviewer)
    submitted = AnswerScoreFactory(scorecard__application=application)
    draft = AnswerScoreFactory(
        scorecard__application=application,
        scorecard__reviewer=drafter,
        scorecard__submitted_at=None,
    )
    client.force_login(reviewer)

    scorecards = _listed(client, "scorecard")
    scores = _listed(client, "answerscore")

    assert submitted.scorecard_id in scorecards and submitted.pk in scores
    assert draft.scorecard_id not in scorecards
    assert draft.pk not in scores


@pytest.mark.parametrize("model_name", ["stage", "vacancy"])
def test_interviewer_counts_only_the_applications_they_may_open(
    client, two_applications, model_name
):
    interviewer, mine, other = two_applications
    other.vacancy = mine.vacancy
    other.save()
    client.force_login(interviewer)

    changelist = client.get(reverse(f"admin:interviews_{model_name}_changelist")).context["cl"]

    counts = {row: changelist.model_admin.application_count(row) for row in changelist.result_list}
    assert counts[getattr(mine, model_name)] == 1


@pytest.mark.parametrize("model_name", ["stage", "vacancy"])
def test_hr_manager_counts_every_application(client, two_applications, model_name):
    _interviewer, mine, other = two_applications
    other.vacancy = mine.vacancy
    other.save()
    client.force_login(member(roles.HR_MANAGER))

    changelist = client.get(reverse(f"admin:interviews_{model_name}_changelist")).context["cl"]

    counts = {row: changelist.model_admin.application_count(row) for row in changelist.result_list}
    assert counts[getattr(mine, model_name)] == 2


def test_recruiter_is_offered_no_way_to_delete_an_application(client):
    application = ApplicationFactory()
    client.force_login(member(roles.RECRUITER))

    changelist = client.get(reverse("admin:interviews_application_changelist"))
    change = client.get(reverse("admin:interviews_application_change", args=[application.pk]))

    assert "delete_selected" not in changelist.content.decode()
    delete_url = reverse("admin:interviews_application_delete", args=[application.pk])
    assert delete_url not in change.content.decode()


def test_recruiter_deleting_an_application_is_told_why_not(client):
    application = ApplicationFactory()
    client.force_login(member(roles.RECRUITER))

    response = client.post(
        reverse("admin:interviews_application_delete", args=[application.pk]),
        {"post": "yes"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 403
    assert "Only HR managers delete applications" in response.content.decode()
    assert Application.objects.filter(pk=application.pk).exists()


@pytest.fixture
def others_feedback(two_applications):
    """Another reviewer's scorecard and score on the application the interviewer is not
    on, with names that must not reach the interviewer."""
    interviewer, _mine, other = two_applications
    answer = other.candidate.submissions.get().answers.get()
    answer.question_text = "Чужой вопрос"
    answer.save()
    score = AnswerScoreFactory(scorecard__application=other, answer=answer)
    return interviewer, other, score


@pytest.mark.parametrize(
    "query",
    [
        lambda other, score: f"scorecard/add/?application={other.pk}",
        lambda other, score: f"scorecard/add/?interview={other.interviews.get().pk}",
        lambda other, score: f"answerscore/add/?scorecard={score.scorecard_id}",
        lambda other, score: f"answerscore/add/?answer={score.answer_id}",
    ],
    ids=["scorecard-application", "scorecard-interview", "score-scorecard", "score-answer"],
)
def test_add_forms_do_not_name_rows_the_user_may_not_see(client, others_feedback, query):
    interviewer, other, score = others_feedback
    client.force_login(interviewer)

    response = client.get(reverse("admin:index") + "interviews/" + query(other, score))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Чужой Кандидат" not in content
    assert "Чужой вопрос" not in content


def test_a_refused_choice_is_not_named_when_the_form_comes_back(client, others_feedback):
    interviewer, _other, score = others_feedback
    client.force_login(interviewer)

    response = client.post(
        reverse("admin:interviews_answerscore_add"),
        {"scorecard": score.scorecard_id, "answer": score.answer_id, "score": 1},
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "Чужой Кандидат" not in content
    assert "Чужой вопрос" not in content


@pytest.mark.parametrize("role", [roles.HR_MANAGER, roles.RECRUITER, roles.INTERVIEWER])
def test_needs_review_filter_lists_only_the_sheets_the_role_may_see(client, two_applications, role):
    interviewer, mine, other = two_applications
    Submission.objects.update(needs_review=True)
    client.force_login(interviewer if role == roles.INTERVIEWER else member(role))

    response = client.get(
        reverse("admin:interviews_submission_changelist"), {"needs_review": "yes"}
    )

    listed = {s.candidate_id for s in response.context["cl"].result_list}
    if role == roles.INTERVIEWER:
        assert listed == {mine.candidate_id}
    else:
        assert listed == {mine.candidate_id, other.candidate_id}
