"""Writing to candidates in a real browser: from the applications list to the write page,
a template chosen, each letter read and one edited, sent. The page fits a 1366 x 900
screen and passes axe-core's WCAG 2.1 AA rules with the letters shown."""

import re

import pytest
from django.urls import reverse

from interviews import roles
from interviews.models import Candidate, Message, MessageTemplate
from tests.browser import realistic
from tests.browser.test_e2e import log_in, member, screenshot

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def violations(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG_21_AA)
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]]


def test_a_recruiter_writes_to_the_selected_candidates(page, questionnaire, tmp_path, dialogs):
    admin = member("admin", is_superuser=True, first_name="Анна", last_name="Смирнова")
    interviewer = member("igor", roles.INTERVIEWER, first_name="Игорь", last_name="Лебедев")
    applications = realistic.build(tmp_path, admin=admin, interviewer=interviewer)
    without_address = applications[-1].candidate
    Candidate.objects.filter(pk=without_address.pk).update(email="")
    recruiter = member("rita", roles.RECRUITER, first_name="Рита", last_name="Волкова")
    rejection = MessageTemplate.objects.get(name="Отказ")
    log_in(page, recruiter)

    page.goto(reverse("admin:interviews_application_changelist"))
    page.check("#action-toggle")
    page.select_option("select[name=action]", "write_to_candidates")
    page.click("button[name=index]")
    expect(page).to_have_url(re.compile(re.escape(reverse("admin:interviews_application_write"))))
    expect(page.locator("#zvonok-skipped li")).to_have_text([re.compile(without_address.full_name)])
    page.select_option("#id_template", str(rejection.pk))
    page.fill("#id_reason", "Сейчас нам нужен опыт с платёжными системами.")
    page.click("#zvonok-choose [type=submit]")

    letters = page.locator(".zvonok-letter")
    expect(letters).to_have_count(len(applications) - 1)
    expect(letters.first.locator("textarea")).to_contain_text("платёжными системами")
    assert violations(page) == []
    screenshot(page, tmp_path, "write-to-candidates", full_page=True)
    page.fill("#id_form-1-body", "Только для второго кандидата.")
    page.click("#zvonok-letters [type=submit]")

    expect(page.locator(".messagelist .success")).to_have_text(
        "4 письма поставлены в очередь на отправку."
    )
    sent = Message.objects.filter(status=Message.Status.SENT)
    assert sent.count() == len(applications) - 1
    assert sent.filter(body="Только для второго кандидата.\n").count() == 1
    assert not Message.objects.filter(candidate=without_address).exists()
    assert dialogs == []
