"""Stages, stage history, the scoring screen and blind feedback."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from interviews import roles
from interviews.admin.hiring import ApplicationAdmin
from interviews.models import AnswerScore, Application, Scorecard, Stage, StageChange
from interviews.scoring import save_scorecard
from tests.factories import (
    AnswerFactory,
    ApplicationFactory,
    InterviewFactory,
    QuestionFactory,
    ScorecardFactory,
    SubmissionFactory,
    UserFactory,
    member,
)
from tests.queries import VIEW_QUERIES, listing, page_queries

pytestmark = pytest.mark.django_db


def stage(name):
    return Stage.objects.get(name=name)


@pytest.fixture
def sheet():
    """An application whose candidate answered two questions of the vacancy's questionnaire."""
    application = ApplicationFactory()
    questionnaire = application.vacancy.questionnaire
    submission = SubmissionFactory(
        candidate=application.candidate, questionnaire=questionnaire, application=application
    )
    for n in (1, 2):
        question = QuestionFactory(
            questionnaire=questionnaire, number=str(n), max_score=5, rubric=f"Рубрика вопроса {n}"
        )
        AnswerFactory(
            submission=submission, question=question, position=n, body=f"**Ответ** номер {n}"
        )
    return application


def test_default_pipeline_is_created_with_russian_names():
    stages = list(Stage.objects.values_list("name", "name_ru", "kind"))

    assert stages == [
        ("New", "Новый", "active"),
        ("Screening", "Скрининг", "active"),
        ("Technical interview", "Техническое интервью", "active"),
        ("Final interview", "Финальное интервью", "active"),
        ("Offer", "Оффер", "active"),
        ("Hired", "Принят", "hired"),
        ("Rejected", "Отказ", "rejected"),
    ]


def test_new_application_starts_in_the_first_stage_with_its_history_begun():
    application = ApplicationFactory()

    assert application.stage == stage("New")
    change = application.stage_changes.get()
    assert (change.from_stage, change.to_stage) == (None, stage("New"))


def test_a_change_made_in_the_shell_is_recorded():
    application = ApplicationFactory()

    application.stage = stage("Screening")
    application.save()

    last = application.stage_changes.last()
    assert (last.from_stage, last.to_stage, last.by) == (stage("New"), stage("Screening"), None)


def test_saving_without_moving_records_nothing():
    application = ApplicationFactory()

    application.rejection_comment = "—"
    application.save()

    assert application.stage_changes.count() == 1


def test_a_change_made_in_the_change_form_is_recorded_with_user_and_comment(
    admin_client, admin_user
):
    application = ApplicationFactory()
    url = reverse("admin:interviews_application_change", args=[application.pk])
    data = {
        "candidate": application.candidate_id,
        "vacancy": application.vacancy_id,
        "stage": stage("Technical interview").pk,
        "owner": "",
        "rejection_reason": "",
        "stage_comment": "Хорошо прошёл скрининг",
        "interviews-TOTAL_FORMS": 0,
        "interviews-INITIAL_FORMS": 0,
        "stage_changes-TOTAL_FORMS": 0,
        "stage_changes-INITIAL_FORMS": 0,
        "messages-TOTAL_FORMS": 0,
        "messages-INITIAL_FORMS": 0,
    }

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    last = application.stage_changes.last()
    assert last.to_stage == stage("Technical interview")
    assert last.by == admin_user
    assert last.comment == "Хорошо прошёл скрининг"


def test_the_move_action_records_a_change_for_each_application(admin_client, admin_user):
    apps = [ApplicationFactory(), ApplicationFactory()]
    offer = stage("Offer")

    response = admin_client.post(
        reverse("admin:interviews_application_changelist"),
        {"action": f"move_to_stage_{offer.pk}", "_selected_action": [a.pk for a in apps]},
        follow=True,
    )

    # The admin speaks Russian by default; the count takes the plural form for 2.
    assert "2 заявки переведены на этап «Оффер»." in response.content.decode()
    for application in apps:
        application.refresh_from_db()
        assert application.stage == offer
        assert application.stage_changes.last().by == admin_user


def test_days_in_stage_are_shown_on_the_changelist(admin_client):
    application = ApplicationFactory()
    Application.objects.filter(pk=application.pk).update(
        stage_changed_at=timezone.now() - timedelta(days=12, hours=1)
    )

    response = admin_client.get(reverse("admin:interviews_application_changelist"))

    assert '<td class="field-days_in_stage">12</td>' in response.content.decode()


def test_stage_history_with_durations_is_on_the_change_page(admin_client):
    application = ApplicationFactory()
    StageChange.objects.filter(application=application).update(
        at=timezone.now() - timedelta(days=5)
    )
    application.move_to(stage("Screening"))

    content = admin_client.get(
        reverse("admin:interviews_application_change", args=[application.pk])
    ).content.decode()

    assert "5 дней" in content


def test_score_above_the_questions_maximum_is_refused(sheet):
    reviewer = member(roles.INTERVIEWER)
    InterviewFactory(application=sheet, interviewers=[reviewer])
    answer = sheet.submissions.get().answers.first()

    with pytest.raises(ValidationError):
        save_scorecard(application=sheet, reviewer=reviewer, scores={answer.pk: (6, "")})

    assert not AnswerScore.objects.exists()


def _scorecard(application, **kwargs):
    return ScorecardFactory(application=application, submitted_at=None, recommendation="", **kwargs)


def test_a_score_of_an_answer_on_the_applications_sheet_is_valid(sheet):
    answer = sheet.submissions.get().answers.first()

    AnswerScore(scorecard=_scorecard(sheet), answer=answer, score=3).full_clean()


def test_a_score_of_another_candidates_answer_is_invalid(sheet):
    stranger = AnswerFactory(submission__questionnaire=sheet.vacancy.questionnaire)

    with pytest.raises(ValidationError) as error:
        AnswerScore(scorecard=_scorecard(sheet), answer=stranger, score=3).full_clean()

    assert "answer" in error.value.message_dict


def test_a_score_of_the_candidates_sheet_for_another_vacancy_is_invalid(sheet):
    elsewhere = ApplicationFactory(candidate=sheet.candidate)
    answer = AnswerFactory(
        submission__candidate=sheet.candidate,
        submission__questionnaire=elsewhere.vacancy.questionnaire,
        submission__application=elsewhere,
    )

    with pytest.raises(ValidationError) as error:
        AnswerScore(scorecard=_scorecard(sheet), answer=answer, score=3).full_clean()

    assert "answer" in error.value.message_dict


def test_a_scorecard_for_an_interview_of_another_application_is_invalid(sheet):
    scorecard = _scorecard(sheet)
    scorecard.interview = InterviewFactory()

    with pytest.raises(ValidationError) as error:
        scorecard.full_clean()

    assert "interview" in error.value.message_dict


@pytest.mark.parametrize("reviewer", [{"is_active": False}, {"is_staff": False}])
def test_a_new_scorecard_needs_an_active_staff_reviewer(sheet, reviewer):
    scorecard = Scorecard(application=sheet, reviewer=UserFactory(**reviewer))

    with pytest.raises(ValidationError) as error:
        scorecard.full_clean()

    assert "reviewer" in error.value.message_dict


def test_a_new_scorecard_of_an_interviewer_off_the_panel_is_invalid(sheet):
    scorecard = Scorecard(application=sheet, reviewer=member(roles.INTERVIEWER))

    with pytest.raises(ValidationError) as error:
        scorecard.full_clean()

    assert "application" in error.value.message_dict


def test_saving_a_scorecard_refuses_an_interviewer_off_the_panel(sheet):
    answer = sheet.submissions.get().answers.first()

    with pytest.raises(ValidationError):
        save_scorecard(
            application=sheet, reviewer=member(roles.INTERVIEWER), scores={answer.pk: (3, "")}
        )

    assert not Scorecard.objects.exists()


def test_a_scorecard_does_not_move_away_from_the_sheet_its_scores_are_on(sheet):
    scorecard = _scorecard(sheet)
    AnswerScore.objects.create(
        scorecard=scorecard, answer=sheet.submissions.get().answers.first(), score=3
    )
    scorecard.application = ApplicationFactory()

    with pytest.raises(ValidationError) as error:
        scorecard.full_clean()

    assert "application" in error.value.message_dict


def test_saving_a_scorecard_refuses_an_answer_of_another_sheet(sheet):
    reviewer = member(roles.INTERVIEWER)
    InterviewFactory(application=sheet, interviewers=[reviewer])
    stranger = AnswerFactory(submission__questionnaire=sheet.vacancy.questionnaire)

    with pytest.raises(ValidationError):
        save_scorecard(application=sheet, reviewer=reviewer, scores={stranger.pk: (3, "")})

    assert not AnswerScore.objects.exists()


def test_interviewer_scores_on_one_page_then_submits_and_it_becomes_read_only(client, sheet):
    reviewer = member(roles.INTERVIEWER)
    InterviewFactory(application=sheet, interviewers=[reviewer])
    client.force_login(reviewer)
    url = reverse("admin:interviews_application_score", args=[sheet.pk])
    answers = list(sheet.submissions.get().answers.order_by("position"))

    page = client.get(url).content.decode()
    assert "<strong>Ответ</strong> номер 1" in page
    assert "Рубрика вопроса 2" in page

    data = {f"score_{a.pk}": 4 for a in answers} | {f"comment_{answers[0].pk}": "ок"}
    client.post(url, {**data, "recommendation": "", "summary": "черновик", "save": "1"})
    scorecard = Scorecard.objects.get(reviewer=reviewer)
    assert scorecard.submitted_at is None
    assert scorecard.scores.count() == 2

    client.post(url, {**data, "recommendation": "yes", "summary": "Берём", "submit": "1"})
    scorecard.refresh_from_db()
    assert scorecard.submitted_at is not None
    assert scorecard.summary == "Берём"

    client.post(url, {**data, "recommendation": "no", "summary": "Передумал", "save": "1"})
    scorecard.refresh_from_db()
    assert scorecard.summary == "Берём"
    assert 'name="submit"' not in client.get(url).content.decode()


def test_submitting_needs_every_score_and_a_recommendation(client, sheet):
    reviewer = member(roles.INTERVIEWER)
    InterviewFactory(application=sheet, interviewers=[reviewer])
    client.force_login(reviewer)
    url = reverse("admin:interviews_application_score", args=[sheet.pk])
    first = sheet.submissions.get().answers.first()

    client.post(url, {f"score_{first.pk}": 3, "recommendation": "", "submit": "1"})

    assert not Scorecard.objects.filter(submitted_at__isnull=False).exists()


def test_interviewer_cannot_open_the_scoring_page_of_someone_elses_candidate(client, sheet):
    outsider = member(roles.INTERVIEWER)
    client.force_login(outsider)

    response = client.get(reverse("admin:interviews_application_score", args=[sheet.pk]))

    assert response.status_code == 404


class TestBlindFeedback:
    @pytest.fixture
    def panel(self, sheet):
        first, second = member(roles.INTERVIEWER), member(roles.INTERVIEWER)
        InterviewFactory(application=sheet, interviewers=[first, second])
        answer = sheet.submissions.get().answers.first()
        save_scorecard(
            application=sheet,
            reviewer=second,
            scores={answer.pk: (2, "слабо")},
            recommendation="strong_no",
            summary="Секретное мнение второго",
            submit=True,
        )
        return sheet, first, second

    def test_others_scorecards_are_not_in_the_querysets_before_submitting(self, panel):
        _application, first, _second = panel

        scorecards = roles.visible_scorecards(first, Scorecard.objects.all())
        scores = roles.visible_scores(first, AnswerScore.objects.all())

        assert list(scorecards) == []
        assert list(scores) == []

    def test_others_opinions_are_not_on_any_page_before_submitting(self, client, panel):
        application, first, second = panel
        client.force_login(first)

        pages = [
            client.get(reverse("admin:interviews_application_score", args=[application.pk])),
            client.get(reverse("admin:interviews_scorecard_changelist")),
            client.get(reverse("admin:interviews_answerscore_changelist")),
            client.get(reverse("admin:interviews_application_changelist")),
            client.get(
                reverse("admin:interviews_application_changelist") + "?recommendation=strong_no"
            ),
        ]

        for response in pages:
            assert response.status_code == 200
            assert "Секретное мнение второго" not in response.content.decode()
        scorecard = Scorecard.objects.get(reviewer=second)
        detail = client.get(reverse("admin:interviews_scorecard_change", args=[scorecard.pk]))
        assert detail.status_code == 302  # not visible: the admin says it does not exist
        assert list(pages[4].context["cl"].result_list) == []

    def test_others_opinions_show_after_submitting_ones_own(self, client, panel):
        application, first, _second = panel
        answer = application.submissions.get().answers.first()
        save_scorecard(
            application=application,
            reviewer=first,
            scores={answer.pk: (5, "")},
            recommendation="yes",
            summary="Моё мнение",
            submit=True,
        )
        client.force_login(first)

        page = client.get(reverse("admin:interviews_application_score", args=[application.pk]))
        changelist = client.get(reverse("admin:interviews_scorecard_changelist"))

        assert "Секретное мнение второго" in page.content.decode()
        assert len(changelist.context["cl"].result_list) == 2
        assert roles.visible_scores(first, AnswerScore.objects.all()).count() == 2

    def test_hr_managers_see_everything_at_once(self, client, panel):
        _application, _first, _second = panel
        manager = member(roles.HR_MANAGER)
        client.force_login(manager)

        changelist = client.get(reverse("admin:interviews_application_changelist"))

        assert roles.visible_scorecards(manager, Scorecard.objects.all()).count() == 1
        assert '<td class="field-recommendation_tally"><div>однозначно нет: 1</div></td>' in (
            changelist.content.decode()
        )


def test_average_and_tally_count_submitted_scorecards_only(admin_client):
    application = ApplicationFactory()
    ScorecardFactory(application=application, recommendation="strong_yes")
    ScorecardFactory(application=application, recommendation="no", submitted_at=None)

    content = admin_client.get(reverse("admin:interviews_application_changelist")).content.decode()

    assert '<td class="field-submitted_scorecards">1</td>' in content
    assert '<td class="field-recommendation_tally"><div>однозначно да: 1</div></td>' in content


def test_recommendations_read_as_words_most_favourable_first(admin_client):
    application = ApplicationFactory()
    for recommendation in ("no", "strong_yes", "no", "yes"):
        ScorecardFactory(application=application, recommendation=recommendation)
    unscored = ApplicationFactory()

    response = admin_client.get(
        reverse("admin:interviews_application_changelist"), HTTP_ACCEPT_LANGUAGE="ru"
    )

    content = response.content.decode()
    assert "<div>однозначно да: 1</div><div>да: 1</div><div>нет: 2</div></td>" in content
    row = next(r for r in response.context["cl"].result_list if r.pk == unscored.pk)
    assert ApplicationAdmin(Application, admin.site).recommendation_tally(row) == "—"


@pytest.mark.parametrize("answers", [2, 6])
def test_scoring_page_query_count_does_not_grow_with_answers(client, answers):
    application = ApplicationFactory()
    submission = SubmissionFactory(
        candidate=application.candidate,
        application=application,
        questionnaire=application.vacancy.questionnaire,
    )
    for n in range(1, answers + 1):
        question = QuestionFactory(questionnaire=submission.questionnaire, number=str(n))
        AnswerFactory(submission=submission, question=question, position=n)
    reviewer = member(roles.INTERVIEWER)
    InterviewFactory(application=application, interviewers=[reviewer])
    client.force_login(reviewer)
    url = reverse("admin:interviews_application_score", args=[application.pk])

    queries = page_queries(client, url)

    assert len(queries) == VIEW_QUERIES["score, as an interviewer"], listing(queries)


@pytest.mark.parametrize("reviewers", [1, 4])
def test_scoring_page_query_count_does_not_grow_with_other_reviewers(client, sheet, reviewers):
    # Session, user, permissions, the application, the manager's own scorecard, the sheet,
    # its answers, the other reviewers' scorecards.
    answers = list(sheet.submissions.get().answers.all())
    panel = [member(roles.INTERVIEWER) for _ in range(reviewers)]
    InterviewFactory(application=sheet, interviewers=panel)
    for reviewer in panel:
        save_scorecard(
            application=sheet,
            reviewer=reviewer,
            scores={answer.pk: (3, "") for answer in answers},
            recommendation="yes",
            submit=True,
        )
    client.force_login(member(roles.HR_MANAGER))
    url = reverse("admin:interviews_application_score", args=[sheet.pk])

    queries = page_queries(client, url)

    assert len(queries) == VIEW_QUERIES["score, as an HR manager"], listing(queries)


# -- scores cannot be forged through the admin's forms ----------------------------------


def _score_data(scorecard, answer, score=1):
    return {"scorecard": scorecard.pk, "answer": answer.pk, "score": score, "comment": "подлог"}


def test_nobody_adds_a_score_to_another_reviewers_scorecard(client, sheet):
    scorecard = ScorecardFactory(application=sheet)
    answer = sheet.submissions.get().answers.first()
    client.force_login(member(roles.RECRUITER))

    response = client.post(
        reverse("admin:interviews_answerscore_add"), _score_data(scorecard, answer)
    )

    assert response.status_code == 200  # the form again, with its error
    assert not AnswerScore.objects.exists()


def test_a_reviewer_adds_no_score_to_their_own_submitted_scorecard(client, sheet):
    reviewer = member(roles.INTERVIEWER)
    InterviewFactory(application=sheet, interviewers=[reviewer])
    scorecard = ScorecardFactory(application=sheet, reviewer=reviewer)
    answer = sheet.submissions.get().answers.first()
    client.force_login(reviewer)

    response = client.post(
        reverse("admin:interviews_answerscore_add"), _score_data(scorecard, answer)
    )

    assert response.status_code == 200
    assert not AnswerScore.objects.exists()


def test_a_reviewer_adds_a_score_to_their_own_draft(client, sheet):
    reviewer = member(roles.INTERVIEWER)
    InterviewFactory(application=sheet, interviewers=[reviewer])
    scorecard = ScorecardFactory(application=sheet, reviewer=reviewer, submitted_at=None)
    answer = sheet.submissions.get().answers.first()
    client.force_login(reviewer)

    response = client.post(
        reverse("admin:interviews_answerscore_add"), _score_data(scorecard, answer)
    )

    assert response.status_code == 302
    assert scorecard.scores.get().answer == answer


def test_hr_manager_corrects_a_submitted_score_and_the_history_says_who(client, sheet):
    manager = member(roles.HR_MANAGER)
    score = AnswerScore.objects.create(
        scorecard=ScorecardFactory(application=sheet),
        answer=sheet.submissions.get().answers.first(),
        score=2,
    )
    client.force_login(manager)

    response = client.post(
        reverse("admin:interviews_answerscore_change", args=[score.pk]),
        _score_data(score.scorecard, score.answer, score=5),
    )

    score.refresh_from_db()
    assert response.status_code == 302
    assert score.score == 5
    assert score.history.first().history_user == manager


def test_interviewer_cannot_create_a_scorecard_for_an_application_they_are_not_on(client, sheet):
    interviewer = member(roles.INTERVIEWER)
    InterviewFactory(application=ApplicationFactory(), interviewers=[interviewer])
    client.force_login(interviewer)

    response = client.post(
        reverse("admin:interviews_scorecard_add"),
        {
            "application": sheet.pk,
            "recommendation": "",
            "summary": "подлог",
            "scores-TOTAL_FORMS": 0,
            "scores-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 200
    assert not Scorecard.objects.exists()


def test_scorecard_reviewer_choices_are_active_staff_only(client):
    active = UserFactory(username="active-reviewer")
    UserFactory(username="gone-reviewer", is_active=False)
    UserFactory(username="not-staff-reviewer", is_staff=False)
    client.force_login(member(roles.HR_MANAGER))

    form = client.get(reverse("admin:interviews_scorecard_add")).context["adminform"].form

    offered = set(form.fields["reviewer"].queryset.values_list("username", flat=True))
    assert active.username in offered
    assert not offered & {"gone-reviewer", "not-staff-reviewer"}


@pytest.mark.parametrize("who", [{"is_active": False}, {"is_staff": False}])
def test_an_application_owner_must_be_active_staff(client, who):
    application = ApplicationFactory()
    client.force_login(member(roles.RECRUITER))

    client.post(
        reverse("admin:interviews_application_change", args=[application.pk]),
        {
            "candidate": application.candidate_id,
            "vacancy": application.vacancy_id,
            "stage": application.stage_id,
            "owner": UserFactory(**who).pk,
            "interviews-TOTAL_FORMS": 0,
            "interviews-INITIAL_FORMS": 0,
            "stage_changes-TOTAL_FORMS": 0,
            "stage_changes-INITIAL_FORMS": 0,
            "messages-TOTAL_FORMS": 0,
            "messages-INITIAL_FORMS": 0,
        },
    )

    application.refresh_from_db()
    assert application.owner is None


@pytest.mark.parametrize("who", [{"is_active": False}, {"is_staff": False}])
def test_interviewers_must_be_active_staff(client, who):
    application = ApplicationFactory()
    client.force_login(member(roles.RECRUITER))

    client.post(
        reverse("admin:interviews_interview_add"),
        {
            "application": application.pk,
            "kind": "technical",
            "round": 1,
            "scheduled_at_0": "2030-01-10",
            "scheduled_at_1": "10:00",
            "duration_minutes": 60,
            "interviewers": [UserFactory(**who).pk],
            "status": "planned",
        },
    )

    assert not application.interviews.exists()


def test_with_feedback_hides_what_others_said_until_the_users_own_scorecard_is_in():
    application = ScorecardFactory(recommendation=Scorecard.Recommendation.YES).application
    reviewer = member(roles.RECRUITER)
    before = Application.objects.with_feedback(reviewer).get(pk=application.pk)

    ScorecardFactory(application=application, reviewer=reviewer)
    after = Application.objects.with_feedback(reviewer).get(pk=application.pk)

    assert (before._submitted, before._yes, before._hidden) == (1, None, True)
    assert (after._submitted, after._yes, after._hidden) == (2, 2, False)
