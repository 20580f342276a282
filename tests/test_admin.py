"""Every admin page of the app answers, and costs the same few queries whatever the
number of rows on it: the counts of the lists, add, change and history pages and of the
admin's index are pinned here (as production runs them: see tests/queries.py)."""

import functools
import re
import secrets

import pytest
from django.apps import apps
from django.contrib.admin import site
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from interviews import roles
from interviews.models import (
    KnownSource,
    RejectionReason,
    SkillClaim,
    SourceAnswer,
    Stage,
    UploadJob,
)
from tests.factories import (
    AnswerFactory,
    AnswerScoreFactory,
    ApplicationFactory,
    CandidateFactory,
    InterviewFactory,
    MessageFactory,
    QuestionFactory,
    QuestionnaireFactory,
    ScorecardFactory,
    SubmissionFactory,
    UserFactory,
    VacancyFactory,
    member,
)
from tests.queries import (
    PAGE_BUDGET,
    VIEW_QUERIES,
    listing,
    page_queries,
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
        "rejectionreason": lambda: RejectionReason.objects.create(
            name=f"Причина {RejectionReason.objects.count()}"
        ),
        "message": MessageFactory,
        "uploadjob": lambda: _upload_job(1),
        "knownsource": lambda: _known_source(1),
    }
    return [makers[model_name]() for _ in range(n)]


def _upload_job(files):
    """A finished background import whose report names ``files`` imported sheets."""
    submissions = [AnswerFactory().submission for _ in range(files)]
    return UploadJob.objects.create(
        created_by=UserFactory(),
        token=secrets.token_urlsafe(24),
        status=UploadJob.Status.DONE,
        total_files=files,
        files_done=files,
        summary={"files": files, "created": files, "revised": 0, "unchanged": 0, "failed": 0},
        results=[
            {
                "path": f"{s.pk}.md",
                "status": "created",
                "questionnaire": s.questionnaire.slug,
                "submission_id": s.pk,
                "error": None,
                "warnings": ["checked"],
            }
            for s in submissions
        ],
    )


def _known_source(answers):
    question = QuestionFactory()
    source = KnownSource.objects.create(
        questionnaire=question.questionnaire, title="Ответы", created_by=UserFactory()
    )
    for n in range(answers):
        question = QuestionFactory(questionnaire=source.questionnaire)
        SourceAnswer.objects.create(source=source, question=question, text=f"Ответ {n}")
    return source


def _make_object(model_name, rows):  # noqa: C901 - one branch per model, a table of recipes
    """One row of the model whose pages show ``rows`` related rows: questions of a
    questionnaire, applications and sheets of a candidate, answers of a sheet, ..."""
    if model_name == "questionnaire":
        questionnaire = QuestionnaireFactory()
        QuestionFactory.create_batch(rows, questionnaire=questionnaire)
        return questionnaire
    if model_name == "question":
        question = QuestionFactory()
        AnswerFactory.create_batch(rows, question=question)
        return question
    if model_name == "vacancy":
        vacancy = VacancyFactory()
        ApplicationFactory.create_batch(rows, vacancy=vacancy)
        return vacancy
    if model_name == "candidate":
        candidate = CandidateFactory()
        for _ in range(rows):
            application = ApplicationFactory(candidate=candidate, owner=UserFactory())
            answer = AnswerFactory(submission__candidate=candidate)
            SkillClaim.objects.create(
                candidate=candidate,
                submission=answer.submission,
                answer=answer,
                skill=f"Skill {answer.pk}",
                value=7,
                scale=10,
            )
        return candidate
    if model_name == "application":
        application = ApplicationFactory(owner=UserFactory())
        stages = list(Stage.objects.all())
        for n in range(rows):
            InterviewFactory(application=application, interviewers=[UserFactory()])
            application.move_to(stages[(n + 1) % len(stages)], by=UserFactory())
        return application
    if model_name == "submission":
        application = ApplicationFactory()
        submission = SubmissionFactory(
            candidate=application.candidate,
            questionnaire=application.vacancy.questionnaire,
            application=application,
            imported_by=UserFactory(),
        )
        for n in range(rows):
            question = QuestionFactory(questionnaire=submission.questionnaire)
            AnswerFactory(submission=submission, question=question, position=n + 1)
        return submission
    if model_name == "answer":
        answer = AnswerFactory(question=QuestionFactory())
        AnswerScoreFactory.create_batch(rows, answer=answer)
        return answer
    if model_name == "stage":
        stage = Stage.objects.create(name=f"Stage {Stage.objects.count()}", order=99)
        for application in ApplicationFactory.create_batch(rows):
            application.move_to(stage)
        return stage
    if model_name == "stagechange":
        application = _make_object("application", rows)
        return application.stage_changes.last()
    if model_name == "interview":
        return InterviewFactory(interviewers=UserFactory.create_batch(rows))
    if model_name == "scorecard":
        application = ApplicationFactory()
        scorecard = ScorecardFactory(
            application=application, interview=InterviewFactory(application=application)
        )
        for n in range(rows):
            AnswerScoreFactory(
                scorecard=scorecard,
                answer=AnswerFactory(question=QuestionFactory(), position=n + 1),
            )
        return scorecard
    if model_name == "answerscore":
        scorecard = _make_object("scorecard", rows)
        return scorecard.scores.first()
    if model_name == "message":
        message = MessageFactory()
        MessageFactory.create_batch(rows, application=message.application)
        return message
    if model_name == "uploadjob":
        return _upload_job(rows)
    if model_name == "knownsource":
        return _known_source(rows)
    raise AssertionError(model_name)


def _add_versions(obj, n):
    """n more entries in the object's history: versions where django-simple-history keeps
    them, the admin's log entries elsewhere."""
    for i in range(n):
        if hasattr(obj, "history"):
            obj.save()
        else:
            LogEntry.objects.create(
                user=UserFactory(),
                content_type=ContentType.objects.get_for_model(obj),
                object_id=str(obj.pk),
                object_repr=str(obj)[:200],
                action_flag=CHANGE,
                change_message=f"Change {i}",
            )
    return obj


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
    "message",
    "uploadjob",
    "knownsource",
]
AUDITED = ["candidate", "application", "answer", "stage", "scorecard", "answerscore"]


def _url(model_name, page, *args):
    return reverse(f"admin:interviews_{model_name}_{page}", args=args)


def _counts(client, urls):
    """The production queries of each page; the SQL of the first one that differs from
    the first page's count goes into the assertion message."""
    pages = [page_queries(client, url) for url in urls]
    odd = next((p for p in pages if len(p) != len(pages[0])), pages[-1])
    return [len(p) for p in pages], listing(odd)


# Queries of each kind of page, per model, as production runs them. Pinned so that a
# regression (an N+1, a new filter query) fails here; constant whatever the rows.
# A list: session, user, count, rows, filter choices, ...
CHANGELIST_QUERIES = {
    "questionnaire": 5,
    "question": 6,
    "vacancy": 6,
    "candidate": 6,
    "application": 8,
    "submission": 5,
    "answer": 6,
    "stage": 5,
    "stagechange": 7,
    "interview": 8,
    "scorecard": 6,
    "answerscore": 5,
    "message": 4,
    "uploadjob": 5,
    "knownsource": 6,
}


# An add page: session, user, the choices of each plain select (the scorecard's reviewer,
# the application's and the empty inline row's stage, owners and interviewers: users are
# selects of active staff, as no role may search the users' admin).
ADD_PAGE_QUERIES = {
    "questionnaire": 2,
    "question": 2,
    "vacancy": 3,
    "candidate": 4,
    "application": 4,
    "submission": 2,
    "answer": 2,
    "stage": 2,
    "interview": 3,
    "scorecard": 3,
    "answerscore": 2,
    "knownsource": 3,
}
# A change page: session, user, the object joined with the rows its title and widgets
# name, each inline's rows, the choices of each plain select (once for all inline rows).
CHANGE_PAGE_QUERIES = {
    "questionnaire": 4,
    "question": 3,
    "vacancy": 4,
    "candidate": 9,  # + possible duplicates, + its messages
    "application": 9,  # + stage history, + its messages
    "submission": 5,  # + the badges of copied answers
    "answer": 3,
    "stage": 3,
    "stagechange": 3,
    "interview": 5,
    "scorecard": 5,
    "answerscore": 3,
    "message": 3,
    "uploadjob": 5,  # + the report's sheets with their candidates, + questionnaires' titles
    "knownsource": 4,
}
# The history page: the admin's log entries, or django-simple-history's versions with
# what changed between them.
HISTORY_PAGE_QUERIES = {
    "questionnaire": 5,
    "question": 5,
    "vacancy": 5,
    "candidate": 6,
    "application": 6,
    "submission": 5,
    "answer": 6,
    "stage": 6,
    "stagechange": 5,
    "interview": 6,
    "scorecard": 6,
    "answerscore": 6,
    "message": 5,
    "uploadjob": 5,
    "knownsource": 5,
}
# One past version of an audited row (django-simple-history's page of it).
HISTORY_VERSION_QUERIES = {
    "candidate": 4,
    "application": 8,
    "answer": 6,
    "stage": 4,
    "scorecard": 6,
    "answerscore": 5,
}
# The admin's home page and the app's page.
SITE_PAGE_QUERIES = {"admin:index": 3, "admin:app_list": 2}
# Every role but the superuser's costs one query more on every page: its permissions
# (its roles come with the user's row; interviews.backends).
ROLE_QUERIES = 1


@pytest.mark.parametrize("model_name", MODELS)
def test_changelist_query_count_does_not_grow_with_rows(admin_client, model_name):
    url = _url(model_name, "changelist")
    _make_rows(model_name, 1)
    few = page_queries(admin_client, url)

    _make_rows(model_name, 6)
    many = page_queries(admin_client, url)

    assert (len(few), len(many)) == (CHANGELIST_QUERIES[model_name],) * 2, listing(many)


@pytest.mark.parametrize("model_name", sorted(ADD_PAGE_QUERIES))
def test_add_page_query_count_does_not_grow_with_rows(admin_client, model_name):
    url = _url(model_name, "add")
    _make_rows(model_name, 1)
    few = page_queries(admin_client, url)

    _make_rows(model_name, 6)
    many = page_queries(admin_client, url)

    assert (len(few), len(many)) == (ADD_PAGE_QUERIES[model_name],) * 2, listing(many)


@pytest.mark.parametrize("model_name", MODELS)
def test_change_page_query_count_does_not_grow_with_rows(admin_client, model_name):
    few, many = _make_object(model_name, 1), _make_object(model_name, 6)

    counts, sql = _counts(admin_client, [_url(model_name, "change", o.pk) for o in (few, many)])

    assert counts == [CHANGE_PAGE_QUERIES[model_name]] * 2, sql


@pytest.mark.parametrize("model_name", MODELS)
def test_history_page_query_count_does_not_grow_with_versions(admin_client, model_name):
    few = _add_versions(_make_object(model_name, 1), 1)
    many = _add_versions(_make_object(model_name, 6), 6)

    counts, sql = _counts(admin_client, [_url(model_name, "history", o.pk) for o in (few, many)])

    assert counts == [HISTORY_PAGE_QUERIES[model_name]] * 2, sql


@pytest.mark.parametrize("model_name", AUDITED)
def test_history_version_page_query_count_does_not_grow_with_rows(admin_client, model_name):
    objects = [_add_versions(_make_object(model_name, rows), 1) for rows in (1, 6)]
    urls = [
        _url(model_name, "simple_history", o.pk, o.history.earliest().history_id) for o in objects
    ]

    counts, sql = _counts(admin_client, urls)

    assert counts == [HISTORY_VERSION_QUERIES[model_name]] * 2, sql


@pytest.mark.parametrize("name", sorted(SITE_PAGE_QUERIES))
def test_index_page_query_count_does_not_grow_with_rows(admin_client, name):
    url = reverse(name, kwargs={"app_label": "interviews"} if name == "admin:app_list" else {})
    few = page_queries(admin_client, url)

    for model_name in MODELS:
        _make_rows(model_name, 3)
    many = page_queries(admin_client, url)

    assert (len(few), len(many)) == (SITE_PAGE_QUERIES[name],) * 2, listing(many)


# Every autocomplete widget of the app's forms: (model, field) as the widget asks.
AUTOCOMPLETE_FIELDS = [
    ("question", "questionnaire"),
    ("vacancy", "questionnaire"),
    ("application", "candidate"),
    ("application", "vacancy"),
    ("application", "rejection_reason"),
    ("submission", "candidate"),
    ("submission", "questionnaire"),
    ("submission", "application"),
    ("answer", "submission"),
    ("answer", "question"),
    ("interview", "application"),
    ("scorecard", "application"),
    ("scorecard", "interview"),
]


def test_every_autocomplete_field_is_pinned():
    declared = {
        (model._meta.model_name, field)
        for model, model_admin in site._registry.items()
        if model._meta.app_label == "interviews"
        for field in model_admin.autocomplete_fields
    }

    assert declared == set(AUTOCOMPLETE_FIELDS)


@pytest.mark.parametrize(("model_name", "field"), AUTOCOMPLETE_FIELDS)
def test_autocomplete_query_count_does_not_grow_with_rows(admin_client, model_name, field):
    # Session, user, the count, one page of results named without a query each.
    url = reverse("admin:autocomplete") + (
        f"?app_label=interviews&model_name={model_name}&field_name={field}&term="
    )
    target = apps.get_model("interviews", model_name)._meta.get_field(field).related_model
    if target is get_user_model():
        make = UserFactory
    else:
        make = functools.partial(_make_rows, target._meta.model_name, 1)
    make()
    few = page_queries(admin_client, url)

    for _ in range(6):
        make()
    many = page_queries(admin_client, url)

    assert (len(few), len(many)) == (VIEW_QUERIES["autocomplete"],) * 2, listing(many)


def _hr_manager_client():
    user = UserFactory()
    user.groups.add(Group.objects.get(name=roles.HR_MANAGER))
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("model_name", MODELS)
def test_a_role_costs_its_permissions_query_on_each_list(admin_client, model_name):
    # HR managers see every row, as a superuser does: the pages differ by the role alone.
    url = _url(model_name, "changelist")
    _make_rows(model_name, 3)

    superuser = page_queries(admin_client, url)
    hr_manager = page_queries(_hr_manager_client(), url)

    assert len(hr_manager) == len(superuser) + ROLE_QUERIES, listing(hr_manager)


@pytest.mark.parametrize("model_name", MODELS)
def test_a_role_costs_its_permissions_query_on_each_change_page(model_name):
    url = _url(model_name, "change", _make_object(model_name, 3).pk)

    queries = page_queries(_hr_manager_client(), url)

    assert len(queries) == CHANGE_PAGE_QUERIES[model_name] + ROLE_QUERIES, listing(queries)


def test_every_pinned_page_is_within_the_budget():
    # The most each page can cost: pages are pinned for a superuser unless their name says
    # "as" a role; a role adds its permissions query.
    model_pages = {
        "list": CHANGELIST_QUERIES,
        "add": ADD_PAGE_QUERIES,
        "change": CHANGE_PAGE_QUERIES,
        "history": HISTORY_PAGE_QUERIES,
        "version": HISTORY_VERSION_QUERIES,
        "site": SITE_PAGE_QUERIES,
    }
    worst = {
        **{
            f"{kind}: {page}": n + ROLE_QUERIES
            for kind, table in model_pages.items()
            for page, n in table.items()
        },
        **{
            f"view: {page}": n + (0 if ", as " in page else ROLE_QUERIES)
            for page, n in VIEW_QUERIES.items()
        },
    }

    assert {page: n for page, n in worst.items() if n > PAGE_BUDGET} == {}


def _selected_options(content):
    return re.findall(r'<option value="(\d+)" selected>([^<]*)</option>', content)


def test_autocomplete_widgets_label_the_rows_the_object_holds(admin_client):
    application = ApplicationFactory(owner=UserFactory(username="hr-owner"))
    interview = InterviewFactory(interviewers=UserFactory.create_batch(2))

    application_page = admin_client.get(_url("application", "change", application.pk))
    interview_page = admin_client.get(_url("interview", "change", interview.pk))

    chosen = [application.candidate, application.vacancy, application.stage, application.owner]
    assert _selected_options(application_page.content.decode()) == [
        (str(obj.pk), escape(str(obj))) for obj in chosen
    ]
    chosen = [interview.application, *interview.interviewers.all()]
    assert sorted(_selected_options(interview_page.content.decode())) == sorted(
        (str(obj.pk), escape(str(obj))) for obj in chosen
    )


def test_a_resubmitted_form_labels_the_newly_chosen_row(admin_client):
    application = ApplicationFactory()
    other = VacancyFactory(title="Другая вакансия")
    data = {
        "candidate": application.candidate_id,
        "vacancy": other.pk,
        "stage": "",
        "owner": UserFactory().pk + 1000,  # no such user: the form is shown again
        "interviews-TOTAL_FORMS": 0,
        "interviews-INITIAL_FORMS": 0,
        "stage_changes-TOTAL_FORMS": 0,
        "stage_changes-INITIAL_FORMS": 0,
        "messages-TOTAL_FORMS": 0,
        "messages-INITIAL_FORMS": 0,
    }

    response = admin_client.post(_url("application", "change", application.pk), data)

    assert response.status_code == 200
    assert (str(other.pk), other.title) in _selected_options(response.content.decode())


def test_raw_id_widgets_label_and_link_the_rows_the_object_holds(admin_client):
    scorecard = _make_object("scorecard", 2)

    content = admin_client.get(_url("scorecard", "change", scorecard.pk)).content.decode()

    for score in scorecard.scores.select_related("answer"):
        url = _url("answer", "change", score.answer_id)
        assert f'<strong><a href="{url}">{escape(str(score.answer))}</a></strong>' in content


def test_inline_rows_each_select_their_own_stage(admin_client):
    candidate = CandidateFactory()
    ApplicationFactory(candidate=candidate)
    ApplicationFactory(candidate=candidate).move_to(Stage.objects.get(name="Offer"))

    content = admin_client.get(_url("candidate", "change", candidate.pk)).content.decode()

    stages = [label for _pk, label in _selected_options(content) if label in ("Новый", "Оффер")]
    assert sorted(stages) == ["Новый", "Оффер"]


# -- submissions that need review ---------------------------------------------------------------


def test_submissions_that_need_review_are_filtered_in_russian(admin_client):
    marked = SubmissionFactory(needs_review=True)
    SubmissionFactory()
    url = _url("submission", "changelist")

    page = admin_client.get(url, {"needs_review": "yes"}, HTTP_ACCEPT_LANGUAGE="ru")
    others = admin_client.get(url, {"needs_review": "no"})

    assert [s.pk for s in page.context["cl"].result_list] == [marked.pk]
    assert marked.pk not in [s.pk for s in others.context["cl"].result_list]
    html = page.content.decode()
    assert "проверка" in html and "требует проверки" in html and "проверка не нужна" in html


def test_needs_review_filter_costs_the_changelist_queries(admin_client):
    url = _url("submission", "changelist")
    SubmissionFactory(needs_review=True)
    few = page_queries(admin_client, url, {"needs_review": "yes"})

    SubmissionFactory.create_batch(5, needs_review=True)
    many = page_queries(admin_client, url, {"needs_review": "yes"})

    assert (len(few), len(many)) == (CHANGELIST_QUERIES["submission"],) * 2, listing(many)


def test_review_mark_can_be_cleared_once_the_sheet_is_reviewed(admin_client, settings):
    settings.LANGUAGE_CODE = "ru"
    marked, other = SubmissionFactory.create_batch(2, needs_review=True)
    action = {"action": "mark_reviewed", "_selected_action": [marked.pk]}

    # Interviewers read sheets but change none.
    interviewer = Client()
    interviewer.force_login(member(roles.INTERVIEWER))
    interviewer.post(_url("submission", "changelist"), action)
    marked.refresh_from_db()
    assert marked.needs_review

    response = admin_client.post(_url("submission", "changelist"), action, follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "Отмечено как проверенное: 1 лист ответов."
    ]
    marked.refresh_from_db()
    other.refresh_from_db()
    assert (marked.needs_review, other.needs_review) == (False, True)
