"""The vacancies' public links for candidates (interviews.applying) and the page they open."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from interviews import applying, roles
from interviews.models import Vacancy
from tests.factories import QuestionFactory, VacancyFactory, member

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:interviews_vacancy_changelist")


def _act(client, action, *vacancies):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [v.pk for v in vacancies]},
        follow=True,
    )


def _messages(response):
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def hr():
    client = Client()
    client.force_login(member(roles.HR_MANAGER))
    return client


def test_turning_on_gives_each_vacancy_its_own_long_random_link(hr, settings):
    settings.LANGUAGE_CODE = "ru"
    first, second = VacancyFactory.create_batch(2)

    response = _act(hr, "turn_on_public_link", first, second)

    assert _messages(response) == ["Публичная ссылка включена: 2 вакансии."]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.apply_token != second.apply_token
    assert len(first.apply_token) >= 40 and len(second.apply_token) >= 40


def test_turning_on_again_keeps_a_link_already_given_out(hr):
    vacancy = VacancyFactory()
    _act(hr, "turn_on_public_link", vacancy)
    vacancy.refresh_from_db()
    token = vacancy.apply_token

    _act(hr, "turn_on_public_link", vacancy)

    vacancy.refresh_from_db()
    assert vacancy.apply_token == token


def test_replacing_the_link_kills_the_old_one(hr, client):
    vacancy = VacancyFactory()
    applying.turn_on(Vacancy.objects.filter(pk=vacancy.pk))
    vacancy.refresh_from_db()
    old = vacancy.apply_token

    _act(hr, "rotate_public_link", vacancy)

    vacancy.refresh_from_db()
    assert vacancy.apply_token and vacancy.apply_token != old
    assert client.get(reverse("apply", args=[old])).status_code == 404
    assert client.get(reverse("apply", args=[vacancy.apply_token])).status_code == 200


def test_turning_off_closes_the_page(hr, client):
    vacancy = VacancyFactory()
    applying.turn_on(Vacancy.objects.filter(pk=vacancy.pk))
    vacancy.refresh_from_db()
    token = vacancy.apply_token

    _act(hr, "turn_off_public_link", vacancy)

    vacancy.refresh_from_db()
    assert vacancy.apply_token == ""
    assert client.get(reverse("apply", args=[token])).status_code == 404


@pytest.mark.parametrize("role, allowed", [(roles.RECRUITER, True), (roles.INTERVIEWER, False)])
def test_only_who_may_change_vacancies_turns_links_on(role, allowed):
    vacancy = VacancyFactory()
    client = Client()
    client.force_login(member(role))

    _act(client, "turn_on_public_link", vacancy)

    vacancy.refresh_from_db()
    assert bool(vacancy.apply_token) is allowed


def test_the_vacancy_page_shows_the_link(hr, settings):
    settings.ZVONOK_BASE_URL = "https://jobs.example.com/"
    vacancy = VacancyFactory()
    change = reverse("admin:interviews_vacancy_change", args=[vacancy.pk])
    assert "Выключена" in hr.get(change).content.decode()

    applying.turn_on(Vacancy.objects.filter(pk=vacancy.pk))
    vacancy.refresh_from_db()

    html = hr.get(change).content.decode()
    assert f'href="https://jobs.example.com/apply/{vacancy.apply_token}/"' in html


def test_the_token_cannot_be_set_through_the_form(hr):
    vacancy = VacancyFactory()
    change = reverse("admin:interviews_vacancy_change", args=[vacancy.pk])
    hr.post(
        change,
        {"title": vacancy.title, "slug": vacancy.slug, "apply_token": "chosen-by-hand"},
    )
    vacancy.refresh_from_db()
    assert vacancy.apply_token == ""


def _open_vacancy(**kwargs):
    vacancy = VacancyFactory(apply_token=applying.new_token(), **kwargs)
    return vacancy, reverse("apply", args=[vacancy.apply_token])


def test_the_page_shows_the_vacancy_and_its_questions_without_login(client):
    vacancy, url = _open_vacancy(title="Бэкенд <b>разработчик</b>")
    QuestionFactory(questionnaire=vacancy.questionnaire, number="1", text="Что такое GIL?")

    response = client.get(url, HTTP_ACCEPT_LANGUAGE="ru")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Бэкенд &lt;b&gt;разработчик&lt;/b&gt;" in html and "Что такое GIL?" in html
    # No admin chrome, nothing from elsewhere.
    assert "admin" not in html and "https://" not in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    "closing",
    [
        {"is_open": False},
        {"apply_closes_at": timezone.now() - timedelta(minutes=1)},
    ],
    ids=["vacancy closed", "closing date passed"],
)
def test_a_closed_link_says_it_is_closed(client, closing):
    _vacancy, url = _open_vacancy(**closing)

    response = client.get(url, HTTP_ACCEPT_LANGUAGE="ru")

    assert response.status_code == 410
    assert "Ссылка закрыта" in response.content.decode()


def test_a_future_closing_date_keeps_the_link_open(client):
    _vacancy, url = _open_vacancy(apply_closes_at=timezone.now() + timedelta(days=1))
    assert client.get(url).status_code == 200


def test_the_page_speaks_the_browsers_language(client):
    _vacancy, url = _open_vacancy(is_open=False)
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This link is closed" in html and 'lang="en"' in html


def test_an_unknown_token_finds_nothing(client):
    VacancyFactory(apply_token=applying.new_token())
    assert client.get(reverse("apply", args=["x" * 43])).status_code == 404
    assert applying.find("") is None
