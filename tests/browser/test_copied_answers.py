"""Copied answers in a real browser: the side-by-side view and the report at 1366 x 900,
checked by axe-core (WCAG 2.1 AA), and the badge an interviewer sees."""

import pytest
from django.urls import reverse

from interviews import roles
from interviews.models import AnswerMatch
from tests.browser.test_e2e import log_in, member, screenshot
from tests.factories import (
    AnswerFactory,
    ApplicationFactory,
    CandidateFactory,
    InterviewFactory,
    QuestionFactory,
    SubmissionFactory,
    VacancyFactory,
)

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
}

ORIGINAL = (
    "Я бы поставил отправку платежа в очередь задач и повторял попытки с экспоненциальной "
    "задержкой. Каждый запрос несёт ключ идемпотентности, чтобы повтор не списал деньги "
    "дважды. Если сервис не отвечает дольше пяти минут, задача уходит в отдельную очередь, "
    "а дежурный получает уведомление.\n\n```python\nretry_payment(order_id, backoff=2)\n```"
)
COPY = (
    "Если сервис не отвечает дольше пяти минут — задача уходит в отдельную очередь, а "
    "дежурный получает уведомление! Я бы поставил отправку платежа в очередь задач и "
    "повторял попытки с экспоненциальной задержкой; каждый запрос несёт ключ "
    "идемпотентности, чтобы повтор не списал деньги дважды.\n\n"
    "```python\nretry_payment(payment_id, backoff=2)\n```"
)


def violations(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG_21_AA)
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]]


def fits(page):
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.fixture
def copied():
    question = QuestionFactory(
        text="Как бы вы обработали сбой внешнего сервиса при отправке платежа?"
    )
    vacancy = VacancyFactory(title="Python-разработчик", questionnaire=question.questionnaire)
    answers = {}
    for name, body in [
        ("Константинопольская Александра Владимировна", ORIGINAL),
        ("Ли Бо", COPY),
    ]:
        application = ApplicationFactory(
            vacancy=vacancy, candidate=CandidateFactory(full_name=name)
        )
        submission = SubmissionFactory(
            candidate=application.candidate,
            questionnaire=question.questionnaire,
            application=application,
        )
        answers[name] = AnswerFactory(submission=submission, question=question, body=body)
    original, copy = answers.values()
    AnswerMatch.objects.create(answer=copy, other_answer=original, similarity=0.874)
    return original, copy


def test_side_by_side_view_reads_well_and_passes_axe(page, copied, tmp_path):
    original, copy = copied
    log_in(page, member("hr", roles.HR_MANAGER))

    page.goto(reverse("admin:interviews_answer_similar", args=[copy.pk, original.pk]))

    expect(page.locator(".zvonok-similar-column")).to_have_count(2)
    expect(page.locator(".zvonok-similar-text mark").first).to_be_visible()
    expect(page.locator("h1")).to_contain_text("87%")
    columns = page.locator(".zvonok-similar-column")
    left, right = columns.nth(0).bounding_box(), columns.nth(1).bounding_box()
    assert left["x"] + left["width"] <= right["x"]  # side by side, not one under the other
    assert fits(page)
    assert violations(page) == []
    screenshot(page, tmp_path, "copied-side-by-side", full_page=True)


def test_report_reads_well_and_passes_axe(page, copied, tmp_path):
    log_in(page, member("recruiter", roles.RECRUITER))

    page.goto(reverse("admin:interviews_answer_copied"))
    page.select_option("#id_vacancy", label="Python-разработчик")
    page.click(".zvonok-copied-filter [type=submit]")

    expect(page.locator(".zvonok-copied-pairs tbody tr")).to_have_count(1)
    expect(page.locator(".zvonok-copied-top tbody tr")).to_have_count(2)
    assert fits(page)
    assert violations(page) == []
    screenshot(page, tmp_path, "copied-report", full_page=True)
    page.click(".zvonok-copied-pairs .zvonok-copied-badge")
    expect(page.locator(".zvonok-similar-column")).to_have_count(2)


def test_interviewer_sees_the_badge_without_a_link(page, copied, tmp_path):
    _original, copy = copied
    interviewer = member("igor", roles.INTERVIEWER)
    InterviewFactory(application=copy.submission.application, interviewers=[interviewer])
    log_in(page, interviewer)

    page.goto(reverse("admin:interviews_submission_change", args=[copy.submission_id]))

    badge = page.locator(".zvonok-copied-badge")
    expect(badge).to_have_count(1)
    expect(badge).to_contain_text("87%")
    assert badge.evaluate("e => e.tagName") == "SPAN"
    assert "Константинопольская" not in page.content()
    assert violations(page) == []
    screenshot(page, tmp_path, "copied-badge")
