"""Full-text search over answers: the PostgreSQL search (morphology, ё/е, websearch
syntax, ranking, highlighting), the SQLite fallback, the admin changelist searches and the
"find answers" page."""

import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.urls import reverse

from interviews import roles, search
from interviews.admin.search import SearchPaginator, highlight
from interviews.models import Answer
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

FIND_URL = "/admin/interviews/answer/find/"


@pytest.fixture
def on_sqlite(db):
    if connection.vendor != "sqlite":
        pytest.skip("the fallback search of the SQLite demo database")


@pytest.fixture
def interviewer(db):
    user = UserFactory(username="interviewer")
    user.groups.add(Group.objects.get(name=roles.INTERVIEWER))
    return user


@pytest.fixture
def interviewer_client(interviewer):
    # Its own client: admin_client is the shared ``client`` fixture, logged in as root.
    client = Client()
    client.force_login(interviewer)
    return client


def _answer(body, *, candidate=None, question_text="Вопрос", **kwargs):
    submission = SubmissionFactory(candidate=candidate or CandidateFactory())
    return AnswerFactory(submission=submission, body=body, question_text=question_text, **kwargs)


def _found(query):
    return list(search.search_answers(Answer.objects.all(), query).values_list("pk", flat=True))


# -- PostgreSQL ------------------------------------------------------------------------


def test_search_finds_other_forms_of_a_word(on_postgres):
    answer = _answer("Умею оптимизировать медленные запросы.")
    _answer("Люблю писать тесты.")

    assert _found("оптимизировал") == [answer.pk]


@pytest.mark.parametrize(
    ("body", "query"),
    [
        ("Веду учёт задач в трекере.", "учет"),
        ("Веду учет задач в трекере.", "учёт"),
        ("Наряжали ёлку всей командой.", "елка"),
        ("Наряжали елку всей командой.", "ЁЛКА"),
    ],
)
def test_yo_and_ye_find_each_other(on_postgres, body, query):
    answer = _answer(body)

    assert _found(query) == [answer.pk]


def test_query_of_stop_words_only_finds_nothing(on_postgres):
    # "еще" is in PostgreSQL's Russian stop list and "ещё" is folded to it: such words
    # are in every other answer and are not indexed at all.
    _answer("Ещё я пишу на Go, и еще на Rust.")

    assert _found("ещё") == []
    assert _found("и еще") == []


def test_quoted_phrase_needs_the_words_together(on_postgres):
    together = _answer("Пишу быстрый код без лишних аллокаций.")
    _answer("Код бывает не очень быстрый.")

    assert _found('"быстрый код"') == [together.pk]


def test_minus_leaves_out_answers_with_the_word(on_postgres):
    plain = _answer("Пишу на Python и немного на Go.")
    _answer("Пишу на Python и Django.")

    assert _found("python -django") == [plain.pk]


def test_or_finds_either_word(on_postgres):
    kotlin = _answer("Пишу на Kotlin.")
    scala = _answer("Пишу на Scala.")
    _answer("Пишу на Java.")

    assert sorted(_found("kotlin or scala")) == sorted([kotlin.pk, scala.pk])


def test_more_mentions_rank_higher(on_postgres):
    once = _answer("Кэширование помогает, но есть и другие способы ускорить сервис.")
    thrice = _answer("Кэширование ответов, кэширование запросов и кэширование шаблонов.")

    assert _found("кэширование") == [thrice.pk, once.pk]


def test_match_in_the_answer_ranks_above_match_in_the_question(on_postgres):
    in_question = _answer("Расскажу на собеседовании.", question_text="Что такое индекс?")
    in_answer = _answer("Индекс ускоряет поиск строк.", question_text="Что вы знаете о базах?")

    assert _found("индекс") == [in_answer.pk, in_question.pk]


def test_headline_marks_the_words_found(on_postgres):
    _answer("Сначала я оптимизировал запросы, потом добавил кэш.")

    (answer,) = search.search_answers(Answer.objects.all(), "оптимизировать")

    assert f"{search.START}оптимизировал{search.STOP}" in answer.headline


def test_find_page_highlights_matches_and_escapes_the_answer(on_postgres, admin_client):
    # ts_headline leaves out whole tags like <script>; an unfinished one stays in the text.
    _answer("Умею оптимизировать <img src=x onerror=alert(1)// код.")

    content = admin_client.get(FIND_URL, {"q": "оптимизировал"}).content.decode()

    assert "<mark>оптимизировать</mark>" in content
    assert "&lt;img src=x onerror=alert" in content
    assert "<img src=x" not in content


def test_find_page_lists_best_matches_first(on_postgres, admin_client):
    _answer("Кэширование помогает.", candidate=CandidateFactory(full_name="Анна Первая"))
    _answer(
        "Кэширование, кэширование и кэширование.",
        candidate=CandidateFactory(full_name="Борис Второй"),
    )

    content = admin_client.get(FIND_URL, {"q": "кэширование"}).content.decode()

    assert content.index("Борис Второй") < content.index("Анна Первая")


# -- SQLite fallback -------------------------------------------------------------------


def test_fallback_is_case_insensitive_for_cyrillic(on_sqlite):
    answer = _answer("Оптимизация ЗАПРОСОВ к базе.")

    assert _found("оптимизация запросов") == [answer.pk]
    assert _found("ОПТИМИЗАЦИЯ Запросов") == [answer.pk]


def test_fallback_needs_every_word(on_sqlite):
    both = _answer("Настроил репликацию и резервное копирование.")
    _answer("Настроил репликацию.")

    assert _found("репликацию копирование") == [both.pk]


def test_fallback_matches_yo_and_ye(on_sqlite):
    yo = _answer("Ещё пишу на Go.")
    ye = _answer("Еще пишу на Rust.")

    assert sorted(_found("еще")) == sorted(_found("ЕЩЁ")) == sorted([yo.pk, ye.pk])


def test_fallback_minus_leaves_out_answers_with_the_word(on_sqlite):
    plain = _answer("Пишу на Python и немного на Go.")
    _answer("Пишу на Python и Django.")

    assert _found("python -django") == [plain.pk]


def test_fallback_find_page_highlights_matches(on_sqlite, admin_client):
    _answer("Сначала ОПТИМИЗАЦИЯ <i>запросов</i>, потом кэш.")

    content = admin_client.get(FIND_URL, {"q": "оптимизация"}).content.decode()

    assert "<mark>ОПТИМИЗАЦИЯ</mark>" in content
    assert "&lt;i&gt;запросов&lt;/i&gt;" in content


def test_find_page_shows_answers_as_rendered_text_without_markdown(admin_client):
    # On either database: PostgreSQL's headline and the Python one are both cut out of
    # the markdown as written, fences and tables included.
    _answer(
        "**Ответ:** храню кэш в `dict`:\n\n| ключ | значение |\n|---|---|\n| id | кэш |\n\n"
        "```python\ncache = {}  # кэш\n```\n"
    )

    content = admin_client.get(FIND_URL, {"q": "кэш"}).content.decode()

    (headline,) = re.findall(r'<div class="zvonok-headline">(.*?)</div>', content, re.S)
    assert "<mark>" in headline
    text = re.sub(r"</?mark>", "", headline)
    assert "Ответ: храню" in text
    assert not any(marker in text for marker in ("**", "`", "|", "---")), text


# -- fragments (no database) -----------------------------------------------------------


def test_python_headline_marks_every_match_keeping_the_text():
    fragment = search.python_headline("Учёт времени: УЧЕТ задач и учёт ошибок.", "учет")

    assert fragment == (
        f"{search.START}Учёт{search.STOP} времени: {search.START}УЧЕТ{search.STOP} задач "
        f"и {search.START}учёт{search.STOP} ошибок."
    )


def test_python_headline_cuts_long_text_around_the_first_match():
    text = "вступление " * 40 + "главное слово " + "заключение " * 40

    fragment = search.python_headline(text, "главное", length=100)

    assert fragment.startswith("…") and fragment.endswith("…")
    assert f"{search.START}главное{search.STOP} слово" in fragment
    assert len(fragment) <= 102


def test_highlight_escapes_text_and_balances_marks():
    start, stop = search.START, search.STOP

    html = highlight(f"<b>{start}x{start}y{stop} & {stop}{start}z")

    assert html == "&lt;b&gt;<mark>xy</mark> &amp; <mark>z</mark>"


# -- admin changelist searches (both databases) ----------------------------------------


def test_candidate_search_finds_a_word_in_their_answers(admin_client):
    wanted = CandidateFactory(full_name="Искомый Кандидат")
    _answer("Поднимал кластер Kubernetes с нуля.", candidate=wanted)
    _answer("Писал вёрстку.", candidate=CandidateFactory(full_name="Другой Человек"))

    response = admin_client.get(
        reverse("admin:interviews_candidate_changelist"), {"q": "kubernetes"}
    )

    assert list(response.context["cl"].result_list) == [wanted]


def test_candidate_with_many_matching_answers_is_listed_once(admin_client):
    wanted = CandidateFactory()
    for _ in range(3):
        _answer("Поднимал кластер Kubernetes.", candidate=wanted)

    response = admin_client.get(
        reverse("admin:interviews_candidate_changelist"), {"q": "kubernetes"}
    )

    assert list(response.context["cl"].result_list) == [wanted]


def test_candidate_search_still_finds_by_name(admin_client):
    wanted = CandidateFactory(full_name="Искомый Кандидат")
    _answer("Писал вёрстку.", candidate=wanted)
    CandidateFactory(full_name="Другой Человек")

    response = admin_client.get(reverse("admin:interviews_candidate_changelist"), {"q": "Искомый"})

    assert list(response.context["cl"].result_list) == [wanted]


@pytest.mark.parametrize("typed", ["соколов", "СОКОЛОВ", "сОкОлОв", "Соколов"])
def test_candidate_and_application_search_ignore_the_case_of_cyrillic(admin_client, typed):
    # SQLite's own LIKE ignores the case of ASCII letters only; PostgreSQL's of all.
    wanted = CandidateFactory(full_name="Иван Соколов", email="ivan@example.com")
    CandidateFactory(full_name="Пётр Орлов")
    application = ApplicationFactory(candidate=wanted)
    ApplicationFactory(candidate__full_name="Анна Белова")

    candidates = admin_client.get(reverse("admin:interviews_candidate_changelist"), {"q": typed})
    applications = admin_client.get(
        reverse("admin:interviews_application_changelist"), {"q": typed}
    )

    assert list(candidates.context["cl"].result_list) == [wanted]
    assert list(applications.context["cl"].result_list) == [application]


def test_caseless_lookups_keep_like_wildcards_literal(db):
    from interviews.models import Candidate

    wanted = CandidateFactory(full_name="Ёлкин_Сто%")
    CandidateFactory(full_name="ЁлкинXСтоY")

    assert list(Candidate.objects.filter(full_name__icontains="ёлкин_сто%")) == [wanted]
    assert list(Candidate.objects.filter(full_name__iexact="ёлкин_сто%")) == [wanted]
    assert list(Candidate.objects.filter(full_name__istartswith="ёлкин_")) == [wanted]
    assert list(Candidate.objects.filter(full_name__iendswith="_сто%")) == [wanted]


def _sheet_answer(application, body):
    """An answer on a sheet for the application's vacancy's questionnaire."""
    submission = SubmissionFactory(
        candidate=application.candidate, questionnaire=application.vacancy.questionnaire
    )
    return AnswerFactory(submission=submission, body=body, question_text="Вопрос")


def test_application_search_finds_a_word_in_the_candidates_answers(admin_client):
    application = ApplicationFactory(candidate=CandidateFactory(full_name="Искомый Кандидат"))
    _sheet_answer(application, "Поднимал кластер Kubernetes с нуля.")
    _sheet_answer(ApplicationFactory(), "Писал вёрстку.")
    url = reverse("admin:interviews_application_changelist")

    response = admin_client.get(url, {"q": "kubernetes"})

    assert list(response.context["cl"].result_list) == [application]


def test_application_search_looks_only_at_that_applications_sheets(admin_client):
    backend = ApplicationFactory()
    frontend = ApplicationFactory(candidate=backend.candidate)
    _sheet_answer(backend, "Поднимал кластер Kubernetes с нуля.")
    _sheet_answer(frontend, "Писал вёрстку.")
    url = reverse("admin:interviews_application_changelist")

    response = admin_client.get(url, {"q": "kubernetes"})

    assert list(response.context["cl"].result_list) == [backend]


def test_answer_search_finds_by_text_and_by_candidate_name(admin_client):
    by_text = _answer("Поднимал кластер Kubernetes с нуля.")
    by_name = _answer("Писал вёрстку.", candidate=CandidateFactory(full_name="Kubernetes Фанат"))
    _answer("Писал тесты.")
    url = reverse("admin:interviews_answer_changelist")

    response = admin_client.get(url, {"q": "kubernetes"})

    assert set(response.context["cl"].result_list) == {by_text, by_name}


def test_interviewer_finds_by_answer_only_candidates_they_may_see(interviewer, interviewer_client):
    mine = ApplicationFactory()
    InterviewFactory(application=mine, interviewers=[interviewer])
    _answer("Поднимал кластер Kubernetes.", candidate=mine.candidate)
    _answer("Тоже поднимал Kubernetes.")  # a candidate they do not interview
    url = reverse("admin:interviews_candidate_changelist")

    response = interviewer_client.get(url, {"q": "kubernetes"})

    assert list(response.context["cl"].result_list) == [mine.candidate]


def test_interviewer_cannot_find_a_candidate_by_email(interviewer, interviewer_client):
    application = ApplicationFactory(candidate=CandidateFactory(email="secret@example.com"))
    InterviewFactory(application=application, interviewers=[interviewer])
    _answer("Поднимал кластер Kubernetes.", candidate=application.candidate)
    url = reverse("admin:interviews_candidate_changelist")

    response = interviewer_client.get(url, {"q": "secret@example.com"})

    assert list(response.context["cl"].result_list) == []


def test_autocomplete_looks_at_names_only(admin_client):
    application = ApplicationFactory(candidate=CandidateFactory(full_name="Искомый Кандидат"))
    _sheet_answer(application, "Поднимал кластер Kubernetes.")
    # The application picker of the submission form searches applications.
    params = {"app_label": "interviews", "model_name": "submission", "field_name": "application"}
    url = reverse("admin:autocomplete")

    by_word = admin_client.get(url, {**params, "term": "kubernetes"})
    by_name = admin_client.get(url, {**params, "term": "Искомый"})

    assert by_word.json()["results"] == []
    assert [r["id"] for r in by_name.json()["results"]] == [str(application.pk)]


# -- the find-answers page (both databases) --------------------------------------------


def test_find_page_is_linked_from_the_answer_changelist(admin_client):
    content = admin_client.get(reverse("admin:interviews_answer_changelist")).content.decode()

    assert reverse("admin:interviews_answer_find") == FIND_URL
    assert f'href="{FIND_URL}"' in content


def test_find_page_without_a_query_lists_nothing(admin_client):
    _answer("Поднимал кластер Kubernetes.")

    response = admin_client.get(FIND_URL)

    assert response.status_code == 200
    assert response.context["page"] is None


def test_find_page_links_the_application_or_else_the_sheet(admin_client):
    application = ApplicationFactory()
    linked = _answer("Поднимал Kubernetes.", candidate=application.candidate)
    linked.submission.application = application
    linked.submission.save()
    loose = _answer("Тоже поднимал Kubernetes.")

    content = admin_client.get(FIND_URL, {"q": "kubernetes"}).content.decode()

    assert reverse("admin:interviews_application_change", args=[application.pk]) in content
    assert reverse("admin:interviews_submission_change", args=[loose.submission_id]) in content
    assert reverse("admin:interviews_submission_change", args=[linked.submission_id]) not in content


def test_find_page_filters_by_vacancy(admin_client):
    vacancy = VacancyFactory()
    application = ApplicationFactory(vacancy=vacancy)
    submission = SubmissionFactory(
        candidate=application.candidate, questionnaire=vacancy.questionnaire
    )
    wanted = AnswerFactory(submission=submission, body="Поднимал Kubernetes.")
    _answer("Тоже поднимал Kubernetes.")

    response = admin_client.get(FIND_URL, {"q": "kubernetes", "vacancy": vacancy.pk})

    assert [row["answer"] for row in response.context["rows"]] == [wanted]


def test_find_page_shows_interviewers_only_their_candidates(interviewer, interviewer_client):
    mine = ApplicationFactory()
    InterviewFactory(application=mine, interviewers=[interviewer])
    wanted = _answer("Поднимал Kubernetes.", candidate=mine.candidate)
    _answer("Тоже поднимал Kubernetes.")

    response = interviewer_client.get(FIND_URL, {"q": "kubernetes"})

    assert [row["answer"] for row in response.context["rows"]] == [wanted]


def test_find_page_needs_the_view_permission(db):
    client = Client()
    client.force_login(UserFactory(username="nobody"))

    response = client.get(FIND_URL, {"q": "kubernetes"})

    assert response.status_code == 403


@pytest.mark.parametrize("matching", [1, 30])
def test_find_page_query_count_does_not_grow_with_results(admin_client, matching):
    # Session, user, the count, the page of answers, the three filters' choices.
    for _ in range(matching):
        application = ApplicationFactory()
        answer = _answer("Поднимал кластер Kubernetes.", candidate=application.candidate)
        answer.submission.application = application
        answer.submission.save()

    queries = page_queries(admin_client, FIND_URL, {"q": "kubernetes"})

    assert len(queries) == VIEW_QUERIES["find answers"], listing(queries)
    response = admin_client.get(FIND_URL, {"q": "kubernetes"})
    assert len(response.context["rows"]) == min(matching, 25)


def test_find_page_next_page_keeps_the_query(admin_client):
    for _ in range(26):
        _answer("Поднимал кластер Kubernetes.")

    first = admin_client.get(FIND_URL, {"q": "kubernetes"}).content.decode()
    second = admin_client.get(FIND_URL, {"q": "kubernetes", "p": 2})

    assert "?q=kubernetes&amp;p=2" in first
    assert len(second.context["rows"]) == 1


@pytest.mark.django_db
def test_a_search_matching_nothing_says_so(admin_client):
    response = admin_client.get(
        reverse("admin:interviews_answer_find") + "?q=несуществующееслово",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert "0 answers found" in response.content.decode()


def test_find_page_ranks_a_few_matches_and_puts_the_newest_first_past_the_limit(
    admin_client, on_postgres, monkeypatch
):
    monkeypatch.setattr(SearchPaginator, "exact_up_to", 2)
    # The oldest answer is the best match (the word twice, in a short answer).
    best = _answer("Kubernetes и ещё раз Kubernetes.")
    _answer("Немного работал с Kubernetes в прошлом проекте, а в основном писал сервисы.")

    ranked = admin_client.get(FIND_URL, {"q": "kubernetes"})
    newest = _answer("Про Kubernetes только читал статьи и смотрел доклады коллег.")
    by_date = admin_client.get(FIND_URL, {"q": "kubernetes"})

    assert (ranked.context["ranked"], ranked.context["rows"][0]["answer"]) == (True, best)
    assert (by_date.context["ranked"], by_date.context["rows"][0]["answer"]) == (False, newest)
    assert by_date.context["page"].paginator.count_is_estimate
    assert "сначала показаны самые новые" in by_date.content.decode()


# -- counting matches: a phrase checked on the answers that have its words ----------------


@pytest.fixture
def phrases(on_postgres):
    bodies = [
        "Пишу асинхронный код на asyncio каждый день.",
        "Асинхронного кода много, код-ревью помогает.",
        "Код бывает асинхронным, но не этот код.",  # both words, not as a phrase
        "Код-ревью делаю сам, а асинхронный код пишут коллеги.",
        "Только синхронный код.",
        "Про очередь сообщений и код-ревью.",
        "Очередь: сообщений нет.",
    ]
    for body in bodies:
        _answer(body)


QUERIES = [
    '"асинхронный код"',
    "код-ревью",
    '"очередь сообщений"',
    '"асинхронный код" -ревью',
    'код -"асинхронный код"',
    "асинхронный код",
    "несуществующее",
]


@pytest.mark.parametrize("query", QUERIES)
def test_matches_counted_through_the_words_of_a_phrase_are_the_matches(phrases, query):
    answers = Answer.objects.all()

    count = search.count_matches(answers, query, exact_up_to=100)

    assert count == (search.answers_matching(query, answers).count(), False)


@pytest.mark.parametrize("query", QUERIES)
def test_the_words_of_a_query_find_every_answer_the_query_finds(phrases, query):
    words = search._WordsQuery(search.fold_yo(query), config=search.CONFIG, search_type="websearch")

    candidates = set(Answer.objects.filter(search_vector=words).values_list("pk", flat=True))

    assert set(search.answers_matching(query).values_list("pk", flat=True)) <= candidates


def test_a_phrase_with_more_candidates_than_are_checked_is_estimated(phrases, monkeypatch):
    monkeypatch.setattr(search, "PHRASE_CANDIDATES", 2)

    count, estimated = search.count_matches(
        Answer.objects.all(), '"асинхронный код"', exact_up_to=100
    )

    assert estimated
    assert count >= 1


def test_find_page_counts_a_phrase_and_ranks_its_matches(admin_client, phrases):
    response = admin_client.get(FIND_URL, {"q": '"асинхронный код"'})

    found = [row["answer"].body for row in response.context["rows"]]
    assert response.context["ranked"]
    assert response.context["page"].paginator.count == 3
    assert sorted(found) == sorted(
        search.answers_matching('"асинхронный код"').values_list("body", flat=True)
    )
