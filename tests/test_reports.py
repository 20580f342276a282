"""Report pages: applications compared side by side, all answers to one question, and
the hiring funnel; with blind feedback respected and query counts that do not grow."""

import html
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from interviews import reports, roles, scoring
from interviews.models import (
    Answer,
    AnswerScore,
    Application,
    Question,
    RejectionReason,
    Stage,
    StageChange,
    Submission,
    Vacancy,
)
from interviews.scoring import latest_submission, save_scorecard
from tests.factories import (
    AnswerFactory,
    ApplicationFactory,
    CandidateFactory,
    InterviewFactory,
    SubmissionFactory,
    UserFactory,
    VacancyFactory,
)
from tests.queries import VIEW_QUERIES, listing, page_queries

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
IVAN, MARIA, TIMUR = "Иван Соколов", "Мария Кузнецова", "Тимур Гареев"


@pytest.fixture(autouse=True)
def _russian(settings):
    # The admin ships in Russian: numbers below are written as it formats them ("4,5").
    settings.LANGUAGE_CODE = "ru"


@pytest.fixture
def vacancy():
    """The shipped questionnaire and vacancy, with the three example sheets imported."""
    call_command("loaddata", "zvonok_python", verbosity=0)
    call_command("import_answers", str(EXAMPLES), "--vacancy", "python-developer", verbosity=0)
    return Vacancy.objects.get(slug="python-developer")


@pytest.fixture
def apps(vacancy):
    """Name -> application, for the three imported candidates."""
    return {
        a.candidate.full_name: a
        for a in Application.objects.filter(vacancy=vacancy).select_related("candidate")
    }


@pytest.fixture
def reviewer():
    user = UserFactory(username="reviewer", is_staff=True)
    user.groups.add(Group.objects.get(name=roles.INTERVIEWER))
    return user


@pytest.fixture
def reviewer_client(reviewer):
    # Its own client: admin_client is the shared ``client`` fixture, logged in as root.
    client = Client()
    client.force_login(reviewer)
    return client


# -- helpers ---------------------------------------------------------------------------


class _Tables(HTMLParser):
    """The text of every cell of every <table>, row by row, keyed by the table's class.
    Tables nested in a cell (a candidate's markdown table) only add to that cell's text."""

    def __init__(self):
        super().__init__()
        self.tables = {}
        self._open = []  # [class, rows, text of the open cell or None]

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._open.append([dict(attrs).get("class") or "", [], None])
        elif self._open and tag == "tr":
            self._open[-1][1].append([])
        elif self._open and tag in ("td", "th"):
            self._open[-1][2] = []

    def handle_endtag(self, tag):
        if not self._open:
            return
        table = self._open[-1]
        if tag in ("td", "th") and table[2] is not None:
            table[1][-1].append(" ".join("".join(table[2]).split()))
            table[2] = None
        elif tag == "table":
            self._open.pop()
            self.tables.setdefault(table[0], table[1])

    def handle_data(self, data):
        for table in self._open:
            if table[2] is not None:
                table[2].append(data)


def _table(response, css_class):
    assert response.status_code == 200
    parser = _Tables()
    parser.feed(response.content.decode())
    return parser.tables[css_class]


def _compare_url(*applications):
    ids = ",".join(str(a.pk) for a in applications)
    return reverse("admin:interviews_application_compare") + f"?ids={ids}"


def _score(application, reviewer, score, *, submit=True):
    """``reviewer`` scores every answer of the application's sheet with ``score``."""
    answers = latest_submission(application).answers.all()
    return save_scorecard(
        application=application,
        reviewer=reviewer,
        scores={a.pk: (score, "") for a in answers},
        recommendation="yes",
        submit=submit,
    )


def _add_candidates(vacancy, n, *, body="Ответ кандидата {i} на вопрос {number}."):
    """n more candidates on the vacancy, each with a sheet answering every question."""
    questions = list(vacancy.questionnaire.questions.all())
    added = []
    for i in range(n):
        application = ApplicationFactory(vacancy=vacancy)
        submission = SubmissionFactory(
            candidate=application.candidate,
            questionnaire=vacancy.questionnaire,
            application=application,
        )
        for q in questions:
            AnswerFactory(
                submission=submission,
                question=q,
                label=f"{q.number}.",
                question_text=q.text,
                body=body.format(i=i, number=q.number),
                position=q.position,
            )
        added.append(application)
    return added


def _walk(application, steps):
    """Move the application through ``[(stage name, days ago), ...]``; the first step
    dates the change recorded when it was created."""
    for name, _days in steps[1:]:
        application.move_to(Stage.objects.get(name=name))
    changes = list(application.stage_changes.order_by("at", "id"))
    assert [c.to_stage.name for c in changes] == [name for name, _days in steps]
    now = timezone.now()
    for change, (_name, days) in zip(changes, steps, strict=True):
        StageChange.objects.filter(pk=change.pk).update(at=now - timedelta(days=days))


# -- comparison ------------------------------------------------------------------------


def test_comparison_has_a_column_per_candidate_and_a_row_per_question(admin_client, apps):
    url = _compare_url(apps[IVAN], apps[MARIA], apps[TIMUR])

    table = _table(admin_client.get(url), "zvonok-compare")

    header, *rows, footer = table
    assert [cell.split(" ", 2)[:2] for cell in header[1:]] == [
        IVAN.split(),
        MARIA.split(),
        TIMUR.split(),
    ]
    questions = list(Question.objects.filter(questionnaire__slug="zvonok-python"))
    assert [row[0].split(" ", 1)[0] for row in rows] == [f"{q.number}." for q in questions]
    assert all(len(row) == 4 for row in rows)
    assert "Около трёх лет" in rows[0][1]
    assert "Около 5 лет" in rows[0][2]
    assert len(footer) == 4


def test_comparison_renders_answers_as_safe_html_in_details(admin_client, apps):
    answer = latest_submission(apps[IVAN]).answers.get(question__number="1")
    answer.body = "Пишу **генераторы**. <script>alert(1)</script>"
    answer.save()
    apps[MARIA].candidate.full_name = "<b>Мария</b>"
    apps[MARIA].candidate.save()

    response = admin_client.get(_compare_url(apps[IVAN], apps[MARIA]))

    content = response.content.decode()
    assert "<strong>генераторы</strong>" in content
    assert "<script>alert(1)" not in content
    assert "&lt;b&gt;Мария&lt;/b&gt;" in content
    assert content.count("<details>") == 14  # 7 questions × 2 candidates


def test_comparison_shows_average_scores_to_hr(admin_client, apps):
    alice, boris = UserFactory(username="alice"), UserFactory(username="boris")
    _score(apps[IVAN], alice, 4)
    _score(apps[IVAN], boris, 5)
    _score(apps[MARIA], alice, 3)
    _score(apps[MARIA], boris, 2, submit=False)  # a draft does not count

    table = _table(
        admin_client.get(_compare_url(apps[IVAN], apps[MARIA], apps[TIMUR])), "zvonok-compare"
    )

    first_question = table[1]
    assert "4,5 / 5" in first_question[1]
    assert "3,0 / 5" in first_question[2]
    assert "Средний балл" not in first_question[3] and "/ 5" not in first_question[3]
    assert table[-1][1:] == ["4,5", "3,0", "—"]


MARKDOWN_MARKERS = ("**", "`", "|", "#")


def _summaries(response):
    return [
        html.unescape(re.sub(r"<[^>]+>", "", summary))
        for summary in re.findall(r"<summary>(.*?)</summary>", response.content.decode(), re.S)
    ]


def test_comparison_previews_are_rendered_text_cut_on_a_word(admin_client, apps):
    answer = latest_submission(apps[IVAN]).answers.get(question__number="1")
    answer.body = (
        "**Ответ:** `dict` и таблица:\n\n| язык | лет |\n|---|---|\n| Python | 5 |\n\n"
        "```python\nprint(1)\n```\n\nДальше длинное пояснение про генераторы и итераторы."
    )
    answer.save()

    summaries = _summaries(admin_client.get(_compare_url(apps[IVAN], apps[MARIA])))

    assert len(summaries) == 14
    first = " ".join(summaries[0].split())
    assert first.startswith("Ответ: dict и таблица: язык лет Python 5 print(1)")
    assert first.endswith("…") and len(first) <= reports.PREVIEW_LENGTH
    # A word is not cut: what precedes the ellipsis is a word of the answer.
    assert first[:-1].split()[-1] in answer.body
    for summary in summaries:
        assert not any(marker in summary for marker in MARKDOWN_MARKERS), summary
        assert "Средний балл" not in summary  # nothing is scored yet


def test_comparison_previews_show_the_score_when_there_is_one(admin_client, apps):
    _score(apps[IVAN], UserFactory(username="alice"), 4)

    summaries = _summaries(admin_client.get(_compare_url(apps[IVAN], apps[MARIA])))

    ivan, maria = summaries[0], summaries[1]
    assert " ".join(ivan.split()).startswith("Средний балл: 4,0 / 5 · ")
    assert "Средний балл" not in maria


def test_comparison_hides_scores_from_a_reviewer_who_has_not_submitted(
    reviewer_client, reviewer, apps
):
    for application in apps.values():
        InterviewFactory(application=application, interviewers=[reviewer])
    _score(apps[IVAN], UserFactory(username="alice"), 4)
    _score(apps[MARIA], UserFactory(username="boris"), 3)
    _score(apps[IVAN], reviewer, 2, submit=False)

    table = _table(
        reviewer_client.get(_compare_url(apps[IVAN], apps[MARIA], apps[TIMUR])), "zvonok-compare"
    )

    _header, *rows, footer = table
    for row in rows:
        assert all("/ 5" not in cell for cell in row[1:])
    assert footer[1:] == ["—", "—", "—"]


def test_comparison_shows_scores_to_a_reviewer_once_they_submitted_theirs(
    reviewer_client, reviewer, apps
):
    for application in apps.values():
        InterviewFactory(application=application, interviewers=[reviewer])
    _score(apps[IVAN], UserFactory(username="alice"), 4)
    _score(apps[MARIA], UserFactory(username="boris"), 3)
    _score(apps[IVAN], reviewer, 2)

    table = _table(reviewer_client.get(_compare_url(apps[IVAN], apps[MARIA])), "zvonok-compare")

    assert "3,0 / 5" in table[1][1]  # (4 + 2) / 2: theirs and alice's
    assert table[-1][1:] == ["3,0", "—"]  # Maria's stays hidden: not scored by them


def test_comparison_leaves_out_applications_an_interviewer_may_not_open(
    reviewer_client, reviewer, apps
):
    InterviewFactory(application=apps[IVAN], interviewers=[reviewer])
    InterviewFactory(application=apps[TIMUR], interviewers=[reviewer])

    response = reviewer_client.get(_compare_url(apps[IVAN], apps[MARIA], apps[TIMUR]))

    header = _table(response, "zvonok-compare")[0]
    assert len(header) == 3
    assert IVAN in header[1] and TIMUR in header[2]
    assert MARIA not in response.content.decode()


def test_comparison_refuses_a_single_application(admin_client, apps):
    response = admin_client.get(_compare_url(apps[IVAN]), follow=True)

    assert response.redirect_chain == [(reverse("admin:interviews_application_changelist"), 302)]
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_comparison_refuses_applications_on_different_questionnaires(admin_client, apps):
    other = ApplicationFactory(vacancy=VacancyFactory())  # its own questionnaire

    response = admin_client.get(_compare_url(apps[IVAN], other), follow=True)

    assert response.redirect_chain == [(reverse("admin:interviews_application_changelist"), 302)]
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    with pytest.raises(reports.ComparisonError):
        reports.comparison(
            applications=[apps[IVAN], other], scores_queryset=AnswerScore.objects.all()
        )


def test_comparison_puts_unmatched_answers_in_labelled_rows_at_the_bottom(admin_client, apps):
    sheet = latest_submission(apps[TIMUR])
    AnswerFactory(
        submission=sheet,
        question=None,
        label="8.",
        question_text="Бонус: ваш любимый PEP?",
        body="PEP 8, конечно.",
        position=99,
    )

    table = _table(admin_client.get(_compare_url(apps[IVAN], apps[TIMUR])), "zvonok-compare")

    extra = table[-2]
    assert extra[0].startswith("8. Бонус: ваш любимый PEP?")
    assert "PEP 8" not in extra[1]
    assert "PEP 8, конечно." in extra[2]
    assert len(table) == 1 + 7 + 1 + 1


def test_comparison_uses_the_latest_revision_of_each_sheet(admin_client, apps):
    old = latest_submission(apps[IVAN])
    new = SubmissionFactory(
        candidate=old.candidate,
        questionnaire=old.questionnaire,
        application=apps[IVAN],
        revision=2,
    )
    question = Question.objects.get(questionnaire=old.questionnaire, number="1")
    AnswerFactory(submission=new, question=question, body="Уже четыре года.", position=1)

    table = _table(admin_client.get(_compare_url(apps[IVAN], apps[MARIA])), "zvonok-compare")

    assert "Уже четыре года." in table[1][1]
    assert "Около трёх лет" not in table[1][1]


def test_latest_submissions_takes_the_latest_revision_linked_then_the_questionnaires(apps):
    ivan = apps[IVAN]
    unlinked = SubmissionFactory(candidate=ivan.candidate, questionnaire=ivan.vacancy.questionnaire,
                                 revision=5)  # fmt: skip
    loose = ApplicationFactory(candidate=unlinked.candidate)  # another vacancy, no sheet
    SubmissionFactory(candidate=apps[MARIA].candidate, questionnaire=None)
    Submission.objects.filter(candidate=apps[TIMUR].candidate).update(application=None)
    applications = list(
        Application.objects.select_related("vacancy").filter(
            pk__in=[ivan.pk, apps[MARIA].pk, apps[TIMUR].pk, loose.pk]
        )
    )

    bulk = scoring.latest_submissions(applications)

    assert bulk == {
        # a newer revision of the linked sheet supersedes it, linked or not
        ivan.pk: unlinked,
        apps[MARIA].pk: Submission.objects.get(application=apps[MARIA]),
        # nothing linked: the newest on the vacancy's questionnaire
        apps[TIMUR].pk: Submission.objects.get(candidate=apps[TIMUR].candidate),
        # nothing on this vacancy's questionnaire
        loose.pk: None,
    }
    assert latest_submission(ivan) == bulk[ivan.pk]


def test_comparison_query_count_does_not_grow_with_applications(admin_client, apps, vacancy):
    # Session, user, applications, submissions, questions, answers, scores, skills.
    alice = UserFactory(username="alice")
    for application in apps.values():
        _score(application, alice, 4)
    few = page_queries(admin_client, _compare_url(*apps.values()))

    more = _add_candidates(vacancy, 3)
    for application in more:
        _score(application, alice, 3)
    many = page_queries(admin_client, _compare_url(*apps.values(), *more))

    assert (len(few), len(many)) == (VIEW_QUERIES["compare"],) * 2, listing(many)
    response = admin_client.get(_compare_url(*apps.values(), *more))
    assert len(_table(response, "zvonok-compare")[0]) == 1 + 6


def test_comparison_query_count_for_a_reviewer_does_not_grow(
    reviewer_client, reviewer, apps, vacancy
):
    # As for HR, plus the reviewer's permissions (their roles come with the user).
    more = _add_candidates(vacancy, 3)
    for application in [*apps.values(), *more]:
        InterviewFactory(application=application, interviewers=[reviewer])
    few = page_queries(reviewer_client, _compare_url(*apps.values()))
    many = page_queries(reviewer_client, _compare_url(*apps.values(), *more))

    assert (len(few), len(many)) == (VIEW_QUERIES["compare, as a reviewer"],) * 2, listing(many)


# -- all answers to one question -------------------------------------------------------


def _answers_url(number="1"):
    question = Question.objects.get(questionnaire__slug="zvonok-python", number=number)
    return reverse("admin:interviews_question_answers", args=[question.pk])


def test_question_answers_lists_each_candidates_latest_answer(admin_client, apps):
    alice, boris = UserFactory(username="alice"), UserFactory(username="boris")
    _score(apps[MARIA], alice, 5)
    _score(apps[MARIA], boris, 4)
    old = latest_submission(apps[TIMUR])
    new = SubmissionFactory(candidate=old.candidate, questionnaire=old.questionnaire,
                            application=apps[TIMUR], revision=2)  # fmt: skip
    question = Question.objects.get(questionnaire=old.questionnaire, number="2")
    AnswerFactory(submission=new, question=question, body="Профилировал *py-spy*.", position=2)

    response = admin_client.get(_answers_url("2"))

    _header, *rows = _table(response, "zvonok-answers")
    assert [row[0].split(" ", 2)[:2] for row in rows] == [
        IVAN.split(),
        MARIA.split(),
        TIMUR.split(),
    ]
    assert "py-spy показал" in rows[0][1]
    assert rows[1][2] == "4,5 / 5"
    assert rows[2][1] == "Профилировал py-spy."  # revision 2 only
    assert rows[0][2] == rows[2][2] == "—"
    content = response.content.decode()
    assert "<em>py-spy</em>" in content
    assert reverse("admin:interviews_submission_change", args=[new.pk]) in content
    assert reverse("admin:interviews_application_change", args=[apps[MARIA].pk]) in content


def test_question_answers_shows_an_interviewer_only_their_candidates(
    reviewer_client, reviewer, apps
):
    InterviewFactory(application=apps[MARIA], interviewers=[reviewer])
    _score(apps[MARIA], UserFactory(username="alice"), 5)

    response = reviewer_client.get(_answers_url())

    _header, *rows = _table(response, "zvonok-answers")
    assert len(rows) == 1
    assert MARIA in rows[0][0]
    assert rows[0][2] == "—"  # blind feedback: they have not scored Maria yet
    assert IVAN not in response.content.decode()


def test_question_answers_are_paginated_by_fifty(admin_client, vacancy):
    _add_candidates(vacancy, 48)  # 51 with the three imported

    first = _table(admin_client.get(_answers_url()), "zvonok-answers")
    second = _table(admin_client.get(_answers_url() + "?p=2"), "zvonok-answers")

    assert (len(first), len(second)) == (1 + 50, 1 + 1)


def test_question_answers_query_count_does_not_grow(admin_client, apps, vacancy):
    # Session, user, question, count, answers, scores.
    url = _answers_url()
    alice = UserFactory(username="alice")
    for application in apps.values():
        _score(application, alice, 4)
    few = page_queries(admin_client, url)

    for application in _add_candidates(vacancy, 3):
        _score(application, alice, 3)
    many = page_queries(admin_client, url)

    assert (len(few), len(many)) == (VIEW_QUERIES["answers to a question"],) * 2, listing(many)
    assert len(_table(admin_client.get(url), "zvonok-answers")) == 1 + 6


# -- funnel ----------------------------------------------------------------------------


@pytest.fixture
def hiring():
    """Five applications with a known history (days ago), on one vacancy:

    A hh.ru     New 20, Screening 15, Technical 11, Final 1        (now in Final)
    B hh.ru     New 20, Screening 18, Technical 12, Rejected 4     (Rejected)
    C referral  New 12, Screening 10, Rejected 5                   (Rejected)
    D referral  New 3                                              (New)
    E (none)    New 9, Technical 7 — skipped screening             (Technical)
    """
    vacancy = VacancyFactory(title="Бэкенд-разработчик")
    paths = {
        ("A", "hh.ru"): [("New", 20), ("Screening", 15), ("Technical interview", 11),
                         ("Final interview", 1)],
        ("B", "hh.ru"): [("New", 20), ("Screening", 18), ("Technical interview", 12),
                         ("Rejected", 4)],
        ("C", "referral"): [("New", 12), ("Screening", 10), ("Rejected", 5)],
        ("D", "referral"): [("New", 3)],
        ("E", ""): [("New", 9), ("Technical interview", 7)],
    }  # fmt: skip
    for (name, source), steps in paths.items():
        candidate = CandidateFactory(full_name=f"Кандидат {name}", source=source)
        _walk(ApplicationFactory(candidate=candidate, vacancy=vacancy), steps)
    return vacancy


def _funnel_url(vacancy=None):
    url = reverse("admin:interviews_application_funnel")
    return url if vacancy is None else f"{url}?vacancy={vacancy.pk}"


def test_funnel_shows_counts_conversion_and_median_per_stage(admin_client, hiring):
    response = admin_client.get(_funnel_url())

    # Stage, now in it, ever reached, went on to the next stage, median days.
    _header, *rows = _table(response, "zvonok-stages")
    assert rows == [
        # 3 of the 5 that were New reached Screening.
        # Stays in New: 5, 2, 2, 3 (D, until now) and 2 days.
        ["Новый", "1", "5", f"{round(100 * 3 / 5)}% → Скрининг", "2,0"],
        # Of A, B, C in Screening, A and B reached the technical interview (E skipped
        # Screening, so it is not counted); stays of 4, 6 and 5 days.
        ["Скрининг", "0", "3", f"{round(100 * 2 / 3)}% → Техническое интервью", "5,0"],
        # Of A, B, E only A reached the final interview; stays 10, 8 and 7 (E, until now).
        ["Техническое интервью", "1", "3", f"{round(100 * 1 / 3)}% → Финальное интервью",
         "8,0"],
        ["Финальное интервью", "1", "1", "0% → Оффер", "1,0"],
        ["Оффер", "0", "0", "—", "—"],
        ["Принят", "0", "0", "—", "—"],
        ["Отказ", "2", "2", "—", "—"],
    ]  # fmt: skip


def test_funnel_breaks_applications_down_by_source(admin_client, hiring):
    response = admin_client.get(_funnel_url())

    header, *rows = _table(response, "zvonok-sources")
    assert header[1:-1] == [s.name_ru for s in Stage.objects.all()]
    # New, Screening, Technical, Final, Offer, Hired, Rejected, total
    assert rows == [
        ["hh.ru", "0", "0", "0", "1", "0", "0", "1", "2"],
        ["referral", "1", "0", "0", "0", "0", "0", "1", "2"],
        ["не указан", "0", "0", "1", "0", "0", "0", "0", "1"],  # "unknown", in Russian
    ]


def test_funnel_draws_an_svg_bar_per_stage(admin_client, hiring):
    response = admin_client.get(_funnel_url())

    content = response.content.decode()
    start = content.index('<svg class="zvonok-funnel-chart"')
    svg = content[start : content.index("</svg>", start)]
    assert svg.count("<rect") == Stage.objects.count()
    assert 'width="360"' in svg  # the largest stage (Rejected, 2) fills the bar area
    assert 'width="180"' in svg  # one application: half of it


def test_funnel_filters_by_vacancy(admin_client, hiring):
    other = ApplicationFactory(vacancy=VacancyFactory(title="Аналитик")).vacancy

    all_vacancies = admin_client.get(_funnel_url()).content.decode()
    one = admin_client.get(_funnel_url(other)).content.decode()

    assert "<h2>Бэкенд-разработчик</h2>" in all_vacancies
    assert "<h2>Аналитик</h2>" in all_vacancies
    assert "<h2>Аналитик</h2>" in one
    assert "<h2>Бэкенд-разработчик</h2>" not in one


def test_funnel_median_counts_the_current_stay_until_now(hiring):
    now = timezone.now() + timedelta(days=30)

    (result,) = reports.funnel(vacancy_ids=[hiring.pk], now=now)

    technical = next(r for r in result.stages if r.stage.name == "Technical interview")
    # Stays in Technical: A 10 days, B 8, and E 7 + 30 = 37 (still there).
    assert technical.median_days == pytest.approx(10)
    assert result.total == 5


def _history(application, steps):
    """Replace the application's StageChange history with ``[(stage name, at), ...]``,
    recorded in that order, and leave it in the last stage."""
    stages = {s.name: s for s in Stage.objects.all()}
    application.stage_changes.all().delete()
    previous = None
    for name, at in steps:
        StageChange.objects.create(
            application=application, from_stage=previous, to_stage=stages[name], at=at
        )
        previous = stages[name]
    Application.objects.filter(pk=application.pk).update(
        stage=previous, stage_changed_at=steps[-1][1]
    )


DAY = 86_400_000_000  # microseconds


@pytest.fixture
def varied():
    """Three vacancies whose histories take every branch of the funnel's figures; times
    in days and microseconds after ``start``, ``now`` 60 days after it.

    Backend  A  New, Screening, Technical, Final, Offer, Hired
             B  New, Technical (skipped Screening), Rejected
             C  New, Screening, New (moved back), Screening, Technical (open)
             D  New (open)
             E  New, then Screening and Technical at the same instant (open)
    Analyst  three applications, one jumping to Offer and coming back to Screening
    Designer one moved out of every stage (no current stage), one with no history
    """
    start = timezone.now() - timedelta(days=90)

    def at(days, microseconds=0):
        return start + timedelta(days=days, microseconds=microseconds)

    backend, analyst, designer = (
        VacancyFactory(title=title) for title in ("Бэкенд", "Аналитик", "Дизайнер")
    )
    VacancyFactory(title="Без откликов")  # no applications: left out of the funnel
    histories = [
        (backend, [("New", at(0, 1)), ("Screening", at(3, 3)), ("Technical interview", at(9, 10)),
                   ("Final interview", at(12, 7)), ("Offer", at(20, 1)), ("Hired", at(25))]),
        (backend, [("New", at(1, 2)), ("Technical interview", at(4, 5)), ("Rejected", at(8, 9))]),
        (backend, [("New", at(2)), ("Screening", at(5, 1)), ("New", at(6, 2)),
                   ("Screening", at(7, 3)), ("Technical interview", at(11, 4))]),
        (backend, [("New", at(30, 11))]),
        (backend, [("New", at(3)), ("Screening", at(4)), ("Technical interview", at(4))]),
        (analyst, [("New", at(0, 5)), ("Screening", at(2, 8)), ("Rejected", at(3, 1))]),
        (analyst, [("New", at(1, 3)), ("Screening", at(6, 6))]),
        (analyst, [("New", at(5, 5)), ("Offer", at(50, 1)), ("Screening", at(51, 2))]),
        (designer, [("New", at(10, 1)), ("Screening", at(11, 1))]),
    ]  # fmt: skip
    for vacancy, steps in histories:
        _history(ApplicationFactory(vacancy=vacancy), steps)
    Application.objects.filter(vacancy=designer).update(stage=None)
    ApplicationFactory(vacancy=designer).stage_changes.all().delete()
    # Backend's rejection has a reason, analyst's none.
    Application.objects.filter(vacancy=backend, stage__name="Rejected").update(
        rejection_reason=RejectionReason.objects.get(name="Другое")
    )
    return {"backend": backend, "analyst": analyst, "designer": designer, "now": at(60)}


def test_funnel_counts_each_application_once_per_stage_and_medians_to_the_microsecond(varied):
    _analyst, backend, designer = reports.funnel(now=varied["now"])

    new, screening, technical, final, *_rest = backend.stages
    # New: A, B, C (twice), D, E; of them A, C and E reached Screening. Stays of 1 day,
    # 1 day 1 µs, 3 days 1, 2 and 3 µs, and D's 30 days: the median falls between two
    # microseconds.
    assert (new.reached, new.conversion) == (5, 100 * 3 / 5)
    assert new.median_days == (3 * DAY + 1.5) / DAY
    # Screening: A, C (twice) and E, all of whom reached Technical; E left it at once.
    assert (screening.reached, screening.conversion) == (3, 100.0)
    assert screening.median_days == (2.5 * DAY + 1) / DAY
    # Technical: A, B, C and E; only A reached Final.
    assert (technical.reached, technical.conversion) == (4, 25.0)
    assert (final.reached, final.conversion, final.median_days) == (1, 100.0, (8 * DAY - 6) / DAY)
    # An application out of every stage counts in the total and its history still counts.
    assert designer.total == 2
    assert [(r.current, r.reached) for r in designer.stages[:2]] == [(1, 1), (0, 1)]


def _funnel_both_ways(monkeypatch, **kwargs):
    """(from the summary on PostgreSQL, computed in Python from the whole history)."""
    in_database = reports.funnel(**kwargs)
    with monkeypatch.context() as patched:
        patched.setattr(reports, "_stage_figures", reports._stage_figures_in_python)
        patched.setattr(reports, "_current_counts", reports._current_counts_in_python)
        in_python = reports.funnel(**kwargs)
    return in_database, in_python


def test_funnel_in_postgresql_equals_the_python_computation(on_postgres, varied, monkeypatch):
    now = varied["now"]
    analyst = [varied["analyst"].pk]
    with CaptureQueriesContext(connection) as queries:
        in_database, in_python = _funnel_both_ways(monkeypatch, now=now)
    analyst_in_database, analyst_in_python = _funnel_both_ways(
        monkeypatch, vacancy_ids=analyst, now=now
    )

    summary_reads = [q["sql"] for q in queries.captured_queries if "interviews_funnel_" in q["sql"]]
    assert len(summary_reads) == 2  # the counts and the stage figures, once each
    # Dataclass equality: every field, floats to the last bit.
    assert in_database == in_python
    assert analyst_in_database == analyst_in_python
    assert [[(row.reason, row.count) for row in funnel.rejections] for funnel in in_database] == [
        [("", 1)],
        [("Другое", 1)],
        [],
    ]
    assert [f.vacancy.title for f in in_database] == ["Аналитик", "Бэкенд", "Дизайнер"]
    assert [f.vacancy.title for f in analyst_in_database] == ["Аналитик"]


def _move_back_and_forth(varied):
    application = Application.objects.filter(vacancy=varied["backend"]).order_by("pk").last()
    application.move_to(Stage.objects.get(name="Screening"))
    application.move_to(Stage.objects.get(name="New"))


def _rewrite_history(varied):
    change = StageChange.objects.filter(application__vacancy=varied["analyst"]).order_by("pk")[1]
    StageChange.objects.filter(pk=change.pk).update(at=change.at - timedelta(days=2))


def _delete_a_change(varied):
    StageChange.objects.filter(application__vacancy=varied["backend"]).order_by("pk")[2].delete()


def _move_to_another_vacancy(varied):
    application = Application.objects.filter(vacancy=varied["backend"]).order_by("pk").first()
    application.vacancy = varied["analyst"]
    application.save()


def _edit_a_source(varied):
    candidate = Application.objects.filter(vacancy=varied["analyst"]).first().candidate
    candidate.source = "  linkedin  "
    candidate.save()


def _move_many_at_once(varied):
    Application.objects.filter(vacancy=varied["analyst"]).update(
        stage=Stage.objects.get(name="Offer")
    )


def _give_reasons_at_once(varied):
    # Rejected and not: a reason kept on an application moved on is not a rejection.
    Application.objects.filter(vacancy=varied["analyst"]).update(
        rejection_reason=RejectionReason.objects.get(name="Вакансия закрыта")
    )


def _reject_with_a_reason_then_change_it(varied):
    application = Application.objects.filter(vacancy=varied["backend"]).order_by("pk").last()
    application.move_to(
        Stage.objects.get(name="Rejected"), reason=RejectionReason.objects.get(name="Другое")
    )
    application.rejection_reason = RejectionReason.objects.get(name="Недостаточный опыт")
    application.save()


def _merge_candidates(varied):
    from interviews import duplicates

    kept = Application.objects.filter(vacancy=varied["analyst"]).order_by("pk").first()
    twin = ApplicationFactory(vacancy=varied["analyst"])
    twin.move_to(Stage.objects.get(name="Screening"))
    other = ApplicationFactory(candidate=twin.candidate, vacancy=varied["designer"])
    other.move_to(Stage.objects.get(name="Rejected"))
    duplicates.merge_candidates(keep=kept.candidate, merge=twin.candidate, stages_from="merge")


def _delete_a_candidate(varied):
    Application.objects.filter(vacancy=varied["backend"]).order_by("pk").first().candidate.delete()


def _import_with_a_vacancy(varied):
    from interviews import importing

    Vacancy.objects.filter(pk=varied["designer"].pk).update(slug="designer")
    for name in ("Анна", "Борис"):
        importing.import_bytes(
            f"---\nname: {name}\n---\n## 1. Вопрос\n\nОтвет.\n".encode(),
            source_name=f"{name}.md",
            vacancy="designer",
        )


@pytest.mark.parametrize(
    "change",
    [
        _move_back_and_forth,
        _rewrite_history,
        _delete_a_change,
        _move_to_another_vacancy,
        _edit_a_source,
        _move_many_at_once,
        _give_reasons_at_once,
        _reject_with_a_reason_then_change_it,
        _merge_candidates,
        _delete_a_candidate,
        _import_with_a_vacancy,
    ],
)
def test_funnel_summary_follows_every_way_the_data_changes(
    on_postgres, varied, monkeypatch, change
):
    change(varied)

    in_database, in_python = _funnel_both_ways(monkeypatch, now=varied["now"])

    assert in_database == in_python


def _summary_rows():
    with connection.cursor() as cursor:
        rows = {}
        for table in ("interviews_funnel_now", "interviews_funnel_stage", "interviews_funnel_pair"):
            cursor.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3")
            rows[table] = cursor.fetchall()
    return rows


def test_funnel_summary_rebuilt_from_scratch_equals_the_one_kept_up_to_date(on_postgres, varied):
    _move_back_and_forth(varied)
    _merge_candidates(varied)
    kept = _summary_rows()

    with connection.cursor() as cursor:
        cursor.execute("SELECT interviews_funnel_rebuild()")

    assert _summary_rows() == kept
    assert all(kept.values())


def test_funnel_summary_is_emptied_with_the_tables_it_sums_up(on_postgres, varied):
    with connection.cursor() as cursor:
        # The deferred foreign-key checks first: a table with checks pending cannot be
        # truncated (``flush`` runs outside any transaction, so it has none).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE interviews_application, interviews_stagechange CASCADE")

    assert _summary_rows() == {
        "interviews_funnel_now": [],
        "interviews_funnel_stage": [],
        "interviews_funnel_pair": [],
    }


def test_funnel_query_count_does_not_grow(admin_client):
    # Session, user, stages, vacancies, counts, the stage-change figures, and the
    # vacancies of the filter's drop-down (rendered after the request's transaction).
    vacancy = VacancyFactory()
    for i in range(3):
        _walk(ApplicationFactory(vacancy=vacancy), [("New", 5), ("Screening", i)])
    few = page_queries(admin_client, _funnel_url())

    for i in range(3):
        _walk(ApplicationFactory(), [("New", 5), ("Screening", 4), ("Rejected", i)])
    many = page_queries(admin_client, _funnel_url())

    assert (len(few), len(many)) == (VIEW_QUERIES["funnel"],) * 2, listing(many)
    response = admin_client.get(_funnel_url())
    assert response.content.decode().count('<svg class="zvonok-funnel-chart"') == 4


def test_funnel_is_refused_to_interviewers(reviewer_client):
    response = reviewer_client.get(_funnel_url())

    assert response.status_code == 403


def test_changelist_links_to_the_funnel_for_hr_only(admin_client, reviewer_client):
    funnel = _funnel_url()
    changelist = reverse("admin:interviews_application_changelist")

    assert funnel in admin_client.get(changelist).content.decode()
    assert funnel not in reviewer_client.get(changelist).content.decode()


def test_answers_without_a_question_are_kept_out_of_question_pages(admin_client, apps):
    Answer.objects.filter(submission__candidate=apps[IVAN].candidate).update(question=None)

    _header, *rows = _table(admin_client.get(_answers_url()), "zvonok-answers")

    assert [row[0].split(" ", 2)[:2] for row in rows] == [MARIA.split(), TIMUR.split()]


def test_comparison_shows_the_self_assessed_skills_matrix(admin_client):
    from interviews.models import SkillClaim

    call_command("loaddata", "zvonok_python", verbosity=0)
    call_command("import_answers", str(EXAMPLES), "--vacancy", "python-developer", verbosity=0)
    ids = ",".join(str(pk) for pk in Application.objects.values_list("pk", flat=True))

    content = admin_client.get(
        reverse("admin:interviews_application_compare") + f"?ids={ids}",
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()

    timur = SkillClaim.objects.get(candidate__full_name="Тимур Гареев", skill="Django")
    assert "Self-assessed skills" in content
    assert f"{timur.value:g}/{timur.scale}" in content
