"""A large upload imported in the background, in a real browser: the page that follows the
job follows the progress (a script file: no inline script under the Content-Security-Policy,
no meta refresh under WCAG) until the worker is done, then shows the report; it
fits a 1366 x 900 screen and passes axe-core's WCAG 2.1 AA rules at every step."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from interviews.models import Submission, UploadJob
from tests.browser.test_e2e import EXAMPLES, IVAN, MARIA, TIMUR, log_in, member, screenshot

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


@pytest.fixture
def queue_in_database(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.ZVONOK_UPLOAD_TASK_MIN_FILES = 3


def test_the_upload_page_follows_the_background_import_to_its_report(
    page, questionnaire, queue_in_database, tmp_path, dialogs
):
    admin = member("admin", is_superuser=True, first_name="Анна", last_name="Смирнова")
    log_in(page, admin)
    page.goto(reverse("admin:interviews_submission_import"))
    page.set_input_files("input[name=files]", [EXAMPLES / n for n in (IVAN, MARIA, TIMUR)])
    page.click("#content-main form [type=submit].default")
    expect(page.locator(".zvonok-upload .file")).to_have_count(3)

    page.click('form[action$="/import/confirm/"] [type=submit]')

    job = UploadJob.objects.get()
    job_page = reverse("admin:interviews_uploadjob_change", args=[job.pk])
    expect(page).to_have_url(re.compile(re.escape(job_page) + "$"))
    expect(page.locator("p.status")).to_contain_text("0 из 3")
    expect(page.locator("progress#zvonok-job-progress")).to_have_attribute("max", "3")
    assert Submission.objects.count() == 0
    assert violations(page) == []
    screenshot(page, tmp_path, "upload-job-queued")

    call_command(
        "db_worker", batch=True, interval=0, startup_delay=False, reload=False, verbosity=0
    )

    # No click: the page asks for the progress itself and brings the report.
    expect(page.locator(".zvonok-upload table tbody tr")).to_have_count(3)
    expect(page.locator("p.status")).to_contain_text("3 из 3")
    expect(page.locator("#content h2")).to_have_text("Импорт ответов: готово")
    assert page.locator("[data-refresh-seconds]").count() == 0
    for submission in Submission.objects.all():
        link = reverse("admin:interviews_submission_change", args=[submission.pk])
        expect(page.locator(f'.zvonok-upload a[href="{link}"]')).to_have_count(1)
    assert violations(page) == []
    screenshot(page, tmp_path, "upload-job-done", full_page=True)
    assert dialogs == []


def test_a_running_import_reads_well(page, transactional_db, tmp_path):
    admin = member("admin", is_superuser=True, first_name="Анна", last_name="Смирнова")
    job = UploadJob.objects.create(
        created_by=admin, token="a" * 32, total_files=120, files_done=40, status="running"
    )
    log_in(page, admin)

    page.goto(reverse("admin:interviews_uploadjob_change", args=[job.pk]))

    expect(page.locator("p.status")).to_contain_text("40 из 120")
    assert violations(page) == []
    screenshot(page, tmp_path, "upload-job-running")
