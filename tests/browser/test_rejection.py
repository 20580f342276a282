"""Rejecting applications from the list, in a real browser: the action asks for the
reason on a page of its own that fits a laptop screen, refuses to go on without one, and
moves the applications with it."""

import pytest
from django.urls import reverse

from interviews.models import Application, RejectionReason
from tests.browser.test_e2e import log_in, member

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_hr_rejects_two_applications_with_a_reason(page, examples_imported):
    hr = member("hr-reject", "HR manager")
    log_in(page, hr)
    chosen = RejectionReason.objects.get(name="Кандидат отказался")  # no letter to offer
    page.goto(reverse("admin:interviews_application_changelist"))
    boxes = page.locator("input.action-select")
    boxes.nth(0).check()
    boxes.nth(1).check()
    action = page.locator("select[name=action] option", has_text="«Отказ»").get_attribute("value")
    page.select_option("select[name=action]", action)
    page.click("button[name=index]")

    reason = page.get_by_label("Причина отказа")
    expect(reason).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    page.click("input[name=confirm]")
    expect(page.locator(".errorlist")).to_contain_text("Выберите причину отказа")
    page.get_by_label("Причина отказа").select_option(str(chosen.pk))
    page.click("input[name=confirm]")

    expect(page.locator("ul.messagelist")).to_contain_text("2 заявки переведены")
    assert Application.objects.filter(rejection_reason=chosen, stage__kind="rejected").count() == 2
