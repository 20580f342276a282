"""What HR staff and interviewers see of copied answers: the badge on the submission,
scoring, comparison and print pages, the side-by-side view, the report, the submissions'
filter and the known sources (interviews.admin.copying)."""

import re

import pytest
from django.urls import reverse

from interviews import roles
from interviews.admin import copying as copying_admin
from interviews.importing import import_bytes
from interviews.models import AnswerMatch, KnownSource, SourceAnswer, Submission
from tests.factories import (
    AnswerFactory,
    ApplicationFactory,
    CandidateFactory,
    InterviewFactory,
    QuestionFactory,
    SubmissionFactory,
    VacancyFactory,
    member,
)
from tests.queries import VIEW_QUERIES, listing, page_queries
from tests.test_copied_answers import COPY, ORIGINAL, QUESTION_1, sheet
from tests.test_copied_answers import questionnaire as questionnaire  # a fixture

pytestmark = pytest.mark.django_db

COPIED_TEXT = "Копия: я бы поставил отправку платежа в очередь задач и повторял попытки."
OTHER_TEXT = "Оригинал: я бы поставил отправку платежа в очередь задач и повторял попытки!"
BADGE = re.compile(r'<(a|span) class="zvonok-copied-badge"([^>]*)>([^<]*)</\1>')


def match(answer, other, similarity):
    """A stored pair, the later answer first (as interviews.copying stores it)."""
    later, earlier = sorted([answer, other], key=lambda a: -a.pk)
    return AnswerMatch.objects.create(answer=later, other_answer=earlier, similarity=similarity)


@pytest.fixture
def world():
    """Анна's answer is 92% like Борис's; an interviewer is on Анна's panel and on Вера's
    (so that they can compare two applications), not on Борис's."""
    question = QuestionFactory(text="Как обработать сбой внешнего сервиса?")
    vacancy = VacancyFactory(questionnaire=question.questionnaire)
    people = {}
    for key, name, email, body in [
        ("anna", "Анна Копирова", "anna@example.com", COPIED_TEXT),
        ("boris", "Борис Оригиналов", "boris@example.com", OTHER_TEXT),
        ("vera", "Вера Третья", "vera@example.com", "Совсем другой ответ про очереди."),
    ]:
        application = ApplicationFactory(
            vacancy=vacancy, candidate=CandidateFactory(full_name=name, email=email)
        )
        submission = SubmissionFactory(
            candidate=application.candidate,
            questionnaire=question.questionnaire,
            application=application,
        )
        answer = AnswerFactory(submission=submission, question=question, body=body, position=1)
        people[key] = {"application": application, "submission": submission, "answer": answer}
    interviewer = member(roles.INTERVIEWER)
    for key in ("anna", "vera"):
        InterviewFactory(application=people[key]["application"], interviewers=[interviewer])
    people["match"] = match(people["anna"]["answer"], people["boris"]["answer"], 0.92)
    people["interviewer"] = interviewer
    people["question"] = question
    people["vacancy"] = vacancy
    return people


def login(client, world, role):
    user = world["interviewer"] if role == roles.INTERVIEWER else member(role)
    client.force_login(user)
    return user


def similar_url(answer, other):
    return reverse("admin:interviews_answer_similar", args=[answer.pk, other.pk])


def page_url(world, page):
    anna = world["anna"]
    if page == "submission":
        return reverse("admin:interviews_submission_change", args=[anna["submission"].pk])
    if page == "score":
        return reverse("admin:interviews_application_score", args=[anna["application"].pk])
    if page == "print":
        return reverse("admin:interviews_application_print", args=[anna["application"].pk])
    ids = f"{anna['application'].pk},{world['vera']['application'].pk}"
    return reverse("admin:interviews_application_compare") + f"?ids={ids}"


PAGES = ["submission", "score", "compare", "print"]


# -- badges ----------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", [roles.HR_MANAGER, roles.RECRUITER])
def test_hr_sees_the_badge_with_its_figure_and_a_link_to_both_answers(client, world, page, role):
    login(client, world, role)

    content = client.get(page_url(world, page)).content.decode()

    badges = BADGE.findall(content)
    assert len(badges) == 1, badges
    tag, attributes, text = badges[0]
    assert tag == "a"
    assert "92%" in text
    link = similar_url(world["anna"]["answer"], world["boris"]["answer"])
    assert f'href="{link}"' in attributes


@pytest.mark.parametrize("page", PAGES)
def test_interviewer_sees_the_figure_and_nothing_of_the_other_answer(client, world, page):
    login(client, world, roles.INTERVIEWER)

    response = client.get(page_url(world, page))

    assert response.status_code == 200
    content = response.content.decode()
    badges = BADGE.findall(content)
    assert [(tag, "92%" in text) for tag, _attributes, text in badges] == [("span", True)]
    assert "href" not in badges[0][1]
    boris = world["boris"]
    for secret in (
        "Борис Оригиналов",
        "boris@example.com",
        OTHER_TEXT,
        "Оригинал:",
        "/similar/",
        "/source/",
        reverse("admin:interviews_submission_change", args=[boris["submission"].pk]),
    ):
        assert secret not in content, secret


def test_russian_badge_reads_as_a_share_of_the_answer(client, world):
    login(client, world, roles.HR_MANAGER)

    content = client.get(page_url(world, "submission"), HTTP_ACCEPT_LANGUAGE="ru")

    assert BADGE.findall(content.content.decode())[0][2] == "совпадает на 92%"


def test_english_badge(client, world):
    login(client, world, roles.HR_MANAGER)
    client.cookies["django_language"] = "en"

    content = client.get(page_url(world, "submission")).content.decode()

    assert BADGE.findall(content)[0][2] == "92% alike"


def test_answers_without_matches_have_no_badge(client, world):
    AnswerMatch.objects.all().delete()
    login(client, world, roles.HR_MANAGER)

    pages = [client.get(page_url(world, page)).content.decode() for page in PAGES]

    assert [BADGE.findall(content) for content in pages] == [[]] * len(PAGES)


def test_each_match_of_an_answer_is_a_badge_closest_first(client, world):
    match(world["anna"]["answer"], world["vera"]["answer"], 0.4)
    login(client, world, roles.HR_MANAGER)

    content = client.get(page_url(world, "submission")).content.decode()

    assert ["92%" in text or "40%" in text for _tag, _attrs, text in BADGE.findall(content)] == [
        True,
        True,
    ]
    assert [text[-3:] for _tag, _attrs, text in BADGE.findall(content)] == ["92%", "40%"]


def test_interviewer_sees_one_badge_however_many_matches(client, world):
    match(world["anna"]["answer"], world["vera"]["answer"], 0.4)
    login(client, world, roles.INTERVIEWER)

    content = client.get(page_url(world, "submission")).content.decode()

    assert [text[-3:] for _tag, _attrs, text in BADGE.findall(content)] == ["92%"]
    assert "Вера Третья" not in content.split('id="answers"', 1)[1]


def test_a_badge_for_a_known_source_links_to_the_source_view(client, world):
    anna = world["anna"]["answer"]
    source = KnownSource.objects.create(
        questionnaire=world["question"].questionnaire, title="Ответы на тест Zvonok"
    )
    source_answer = SourceAnswer.objects.create(
        source=source, question=world["question"], text=COPIED_TEXT
    )
    AnswerMatch.objects.all().delete()
    AnswerMatch.objects.create(answer=anna, source_answer=source_answer, similarity=1.0)
    login(client, world, roles.HR_MANAGER)

    content = client.get(page_url(world, "submission")).content.decode()

    ((_tag, attributes, text),) = BADGE.findall(content)
    url = reverse("admin:interviews_answer_similar_source", args=[anna.pk, source_answer.pk])
    assert f'href="{url}"' in attributes
    assert "100%" in text


def test_sheets_imported_with_a_copied_answer_show_the_badge(client, questionnaire):
    vacancy = VacancyFactory(questionnaire=questionnaire)
    for name, email, first, second in [
        ("Анна", "a@example.com", ORIGINAL, "Не знаю."),
        ("Борис", "b@example.com", COPY, "Не сталкивался."),
    ]:
        report = import_bytes(
            sheet(name, email, first, second), source_name=f"{email}.md", vacancy=vacancy.slug
        )
        assert report.error is None, report.error
    copy = Submission.objects.get(candidate__email="b@example.com")
    client.force_login(member(roles.HR_MANAGER))

    content = client.get(
        reverse("admin:interviews_submission_change", args=[copy.pk])
    ).content.decode()

    ((_tag, _attributes, text),) = BADGE.findall(content)
    similarity = AnswerMatch.objects.get().similarity
    assert text.endswith(f"{round(similarity * 100)}%")


# -- the side-by-side view -------------------------------------------------------------


@pytest.mark.parametrize("role", [roles.HR_MANAGER, roles.RECRUITER])
def test_side_by_side_names_both_candidates_and_marks_what_they_share(client, world, role):
    login(client, world, role)
    anna, boris = world["anna"], world["boris"]

    response = client.get(similar_url(anna["answer"], boris["answer"]))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Анна Копирова" in content and "Борис Оригиналов" in content
    for side in (anna, boris):
        url = reverse("admin:interviews_submission_change", args=[side["submission"].pk])
        assert f'href="{url}"' in content
    shared = "я бы поставил отправку платежа в очередь задач и повторял попытки"
    assert content.count(f"<mark>{shared}</mark>") == 2
    assert "<mark>Копия" not in content and "<mark>Оригинал" not in content


def test_side_by_side_opens_either_way_round(admin_client, world):
    response = admin_client.get(similar_url(world["boris"]["answer"], world["anna"]["answer"]))

    assert response.status_code == 200


def test_interviewer_may_not_open_the_side_by_side_view(client, world):
    login(client, world, roles.INTERVIEWER)

    response = client.get(similar_url(world["anna"]["answer"], world["boris"]["answer"]))

    assert response.status_code == 403
    assert "Борис Оригиналов" not in response.content.decode()


def test_two_answers_that_are_no_stored_pair_are_not_shown(admin_client, world):
    response = admin_client.get(similar_url(world["anna"]["answer"], world["vera"]["answer"]))

    assert response.status_code == 404


def test_side_by_side_escapes_what_candidates_wrote(admin_client, world):
    hostile = "<script>alert(1)</script> я бы поставил отправку платежа в очередь"
    world["anna"]["answer"].body = hostile
    world["anna"]["answer"].save()

    content = admin_client.get(
        similar_url(world["anna"]["answer"], world["boris"]["answer"])
    ).content.decode()

    assert "<script>alert(1)" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_side_by_side_with_a_known_source(client, world):
    source = KnownSource.objects.create(
        questionnaire=world["question"].questionnaire,
        title="Публичные ответы",
        url="https://example.com/answers",
    )
    source_answer = SourceAnswer.objects.create(
        source=source, question=world["question"], text=OTHER_TEXT
    )
    anna = world["anna"]["answer"]
    AnswerMatch.objects.create(answer=anna, source_answer=source_answer, similarity=0.8)
    url = reverse("admin:interviews_answer_similar_source", args=[anna.pk, source_answer.pk])
    login(client, world, roles.RECRUITER)

    content = client.get(url).content.decode()

    assert "Публичные ответы" in content and "Анна Копирова" in content
    assert 'href="https://example.com/answers" rel="noopener noreferrer nofollow"' in content
    assert reverse("admin:interviews_knownsource_change", args=[source.pk]) in content
    client.force_login(world["interviewer"])
    assert client.get(url).status_code == 403


def test_side_by_side_query_count(admin_client, world):
    queries = page_queries(
        admin_client, similar_url(world["anna"]["answer"], world["boris"]["answer"])
    )

    assert len(queries) == VIEW_QUERIES["similar answers"], listing(queries)


# -- the report ------------------------------------------------------------------------


REPORT = "admin:interviews_answer_copied"


def test_report_lists_pairs_closest_first_and_the_most_flagged_candidates(client, world):
    match(world["vera"]["answer"], world["anna"]["answer"], 0.5)
    login(client, world, roles.HR_MANAGER)

    response = client.get(reverse(REPORT), {"vacancy": world["vacancy"].pk})

    assert response.status_code == 200
    pairs = response.context["pairs"]
    assert [p["match"].similarity for p in pairs] == [0.92, 0.5]
    stored = world["match"]
    assert pairs[0]["url"] == similar_url(stored.answer, stored.other_answer)
    assert response.context["top"][0][1:] == ("Анна Копирова", 1)
    assert {name for _id, name, _n in response.context["top"]} == {
        "Анна Копирова",
        "Борис Оригиналов",
        "Вера Третья",
    }
    content = response.content.decode()
    assert content.index("92%") < content.index("50%")


def test_report_is_paginated(client, world, monkeypatch):
    monkeypatch.setattr(copying_admin, "PAIRS_PER_PAGE", 1)
    match(world["vera"]["answer"], world["anna"]["answer"], 0.5)
    login(client, world, roles.RECRUITER)

    second = client.get(reverse(REPORT), {"p": 2})

    assert [p["match"].similarity for p in second.context["pairs"]] == [0.5]
    assert "p=1" in second.content.decode()


def test_report_for_another_vacancy_lists_nothing(admin_client, world):
    elsewhere = VacancyFactory(questionnaire=world["question"].questionnaire)

    response = admin_client.get(reverse(REPORT), {"vacancy": elsewhere.pk})

    assert response.context["pairs"] == []
    assert response.context["top"] == []


def test_interviewer_may_not_open_the_report(client, world):
    login(client, world, roles.INTERVIEWER)

    assert client.get(reverse(REPORT)).status_code == 403


@pytest.mark.parametrize("model", ["vacancy", "questionnaire"])
def test_vacancy_and_questionnaire_pages_link_to_their_report_for_hr_only(client, world, model):
    obj = world["vacancy"] if model == "vacancy" else world["question"].questionnaire
    url = reverse(f"admin:interviews_{model}_change", args=[obj.pk])
    report = f"{reverse(REPORT)}?{model}={obj.pk}"

    login(client, world, roles.RECRUITER)
    assert report in client.get(url).content.decode()
    login(client, world, roles.INTERVIEWER)
    assert report not in client.get(url).content.decode()


def test_report_query_count(admin_client, world):
    match(world["vera"]["answer"], world["anna"]["answer"], 0.5)

    queries = page_queries(admin_client, reverse(REPORT), {"vacancy": world["vacancy"].pk})

    assert len(queries) == VIEW_QUERIES["copied answers"], listing(queries)


# -- the submissions' filter -----------------------------------------------------------


@pytest.mark.parametrize("role", roles.ROLES)
@pytest.mark.parametrize("value", ["yes", "no"])
def test_copied_filter_lists_only_the_sheets_the_role_may_see(client, world, role, value):
    login(client, world, role)

    response = client.get(reverse("admin:interviews_submission_changelist"), {"copied": value})

    listed = {s.candidate.full_name for s in response.context["cl"].result_list}
    expected = {
        ("yes", roles.INTERVIEWER): {"Анна Копирова"},
        ("no", roles.INTERVIEWER): {"Вера Третья"},
    }.get(
        (value, role),
        {"Анна Копирова", "Борис Оригиналов"} if value == "yes" else {"Вера Третья"},
    )
    assert listed == expected


# -- known sources ---------------------------------------------------------------------


PASTED = f"# Ответы на тест\n\n## 1. Как обработать сбой?\n\n{COPIED_TEXT} Ещё пара слов.\n"


def test_hr_manager_adds_a_known_source_by_pasting_and_it_is_compared(client, world):
    question = world["question"]
    question.number = "1"
    question.save()
    user = login(client, world, roles.HR_MANAGER)

    response = client.post(
        reverse("admin:interviews_knownsource_add"),
        {
            "questionnaire": question.questionnaire_id,
            "title": "Гист с ответами",
            "url": "https://gist.example.com/answers",
            "text": PASTED,
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    source = KnownSource.objects.get()
    assert (source.title, source.created_by) == ("Гист с ответами", user)
    (answer,) = source.answers.all()
    assert (answer.question, COPIED_TEXT in answer.text) == (question, True)


def test_pasted_text_without_answers_is_refused_with_a_reason(client, world):
    login(client, world, roles.HR_MANAGER)

    response = client.post(
        reverse("admin:interviews_knownsource_add"),
        {"questionnaire": world["question"].questionnaire_id, "title": "Пусто", "text": "просто"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["text"]
    assert not KnownSource.objects.exists()


@pytest.mark.parametrize(("role", "status"), [(roles.RECRUITER, 403), (roles.INTERVIEWER, 403)])
def test_only_hr_managers_add_known_sources(client, world, role, status):
    login(client, world, role)

    response = client.post(
        reverse("admin:interviews_knownsource_add"),
        {"questionnaire": world["question"].questionnaire_id, "title": "X", "text": PASTED},
    )

    assert response.status_code == status
    assert not KnownSource.objects.exists()


def test_interviewer_does_not_see_known_sources(client, world):
    login(client, world, roles.INTERVIEWER)

    assert client.get(reverse("admin:interviews_knownsource_changelist")).status_code == 403


def test_a_pasted_source_is_compared_with_the_answers_already_imported(client, questionnaire):
    report = import_bytes(sheet("Анна", "a@example.com", ORIGINAL, "Не знаю."), source_name="a.md")
    assert report.error is None, report.error
    client.force_login(member(roles.HR_MANAGER))
    pasted = f"# Ответы на тест\n\n## 1. {QUESTION_1}\n\n{COPY}\n"

    response = client.post(
        reverse("admin:interviews_knownsource_add"),
        {"questionnaire": questionnaire.pk, "title": "Репозиторий с ответами", "text": pasted},
    )

    assert response.status_code == 302
    (found,) = AnswerMatch.objects.filter(source_answer__source__title="Репозиторий с ответами")
    assert found.answer.submission_id == report.submission_id
    assert found.answer.position == 1


def test_recruiter_reads_a_known_source_and_its_answers(client, world):
    source = KnownSource.objects.create(
        questionnaire=world["question"].questionnaire, title="Публичные ответы"
    )
    SourceAnswer.objects.create(source=source, question=world["question"], text=OTHER_TEXT)
    login(client, world, roles.RECRUITER)

    response = client.get(reverse("admin:interviews_knownsource_change", args=[source.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Публичные ответы" in content and OTHER_TEXT in content
    assert 'name="text"' not in content


def test_report_for_a_questionnaire_lists_its_pairs_alone(admin_client, world):
    other = QuestionFactory()

    mine = admin_client.get(reverse(REPORT), {"questionnaire": world["question"].questionnaire_id})
    theirs = admin_client.get(reverse(REPORT), {"questionnaire": other.questionnaire_id})

    assert [p["match"] for p in mine.context["pairs"]] == [world["match"]]
    assert theirs.context["pairs"] == []
