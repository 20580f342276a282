"""A candidate hands in answers on a vacancy's public page, in a real browser: fill in,
see the preview, send, confirm from the e-mail, and HR finds the candidate in the admin."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from interviews import applying, roles
from interviews.models import Submission, Vacancy
from tests.browser.test_e2e import log_in, member

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHEET = """# ZvonokTest
## Ответы на вопросы
#### 1. Какой опыт в коммерческой разработки на Python?
Три года в продакшене.
"""


@pytest.fixture
def vacancy(questionnaire, live_server, settings):
    settings.ZVONOK_BASE_URL = live_server.url
    vacancy = Vacancy.objects.get(slug="python-developer")
    vacancy.apply_token = applying.new_token()
    vacancy.save()
    return vacancy


def hand_in(page, vacancy, text):
    page.goto(reverse("apply", args=[vacancy.apply_token]))
    page.fill("#id_full_name", "Анна Смирнова")
    page.fill("#id_email", "anna@example.com")
    page.fill("#id_text", text)
    page.check("#id_consent")
    page.click("form.apply button[type=submit]")
    expect(page.locator("#preview")).to_contain_text("Три года в продакшене.")
    expect(page.locator("#preview li.missing").first).to_be_visible()
    page.click("form.send button[type=submit]")
    expect(page.locator("main")).to_contain_text("Мы отправили ссылку")
    link = re.search(r"https?://\S+/apply/confirm/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.click("main form button[type=submit]")
    expect(page.locator("main")).to_contain_text("Спасибо")


def test_a_candidate_hands_in_answers_and_hr_finds_them(page, vacancy):
    hand_in(page, vacancy, SHEET)
    hand_in(page, vacancy, SHEET + "\nДобавлено позже.\n")

    assert sorted(Submission.objects.values_list("revision", flat=True)) == [1, 2]
    log_in(page, member("hr", roles.HR_MANAGER))
    page.goto(reverse("admin:interviews_candidate_changelist"))
    expect(page.locator("#result_list")).to_contain_text("Анна Смирнова")
    assert page.locator("#result_list tbody tr").count() == 1


def test_a_closed_link_says_it_is_closed(page, vacancy):
    vacancy.is_open = False
    vacancy.save()

    response = page.goto(reverse("apply", args=[vacancy.apply_token]))

    assert response.status == 410
    expect(page.locator("main")).to_contain_text("Ссылка закрыта")
