"""Reading what candidates wrote, at a 1366x900 laptop screen: the submission page
fits the width and shows the rendered answers above the file's technical details;
compare and find-answers show answers as text, never their markdown."""

import pytest
from django.urls import reverse

from interviews.models import Application, Submission

from .test_e2e import log_in, member

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LAPTOP = {"width": 1366, "height": 900}
# What markdown looks like before it is rendered: bold, code, table rows, fences.
MARKERS = ("**", "`", "|", "~~~")


@pytest.fixture
def laptop(browser, live_server):
    context = browser.new_context(viewport=LAPTOP, base_url=live_server.url, locale="ru-RU")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def reader(laptop, examples_imported):
    log_in(laptop, member("reader", is_superuser=True))
    return laptop


def horizontal_overflow(page):
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def test_submission_page_fits_and_shows_answers_above_the_technical_fields(reader):
    # The example with code, lists and bold in its answers.
    submission = Submission.objects.get(source_name__endswith="maria_kuznetsova.md")

    reader.goto(reverse("admin:interviews_submission_change", args=[submission.pk]))

    answers = reader.locator("#answers")
    technical = reader.locator("fieldset.collapse")
    expect(answers.locator(".zvonok-answer").first).to_be_visible()
    assert answers.bounding_box()["y"] < technical.bounding_box()["y"]
    # The file itself is folded away until asked for.
    expect(reader.locator(".field-original_text")).to_be_hidden()
    assert horizontal_overflow(reader) <= 0


def test_compare_previews_show_no_markdown(reader):
    ids = ",".join(
        str(pk) for pk in Application.objects.order_by("pk").values_list("pk", flat=True)
    )

    reader.goto(reverse("admin:interviews_application_compare") + f"?ids={ids}")

    summaries = reader.locator(".zvonok-compare summary").all_inner_texts()
    assert len(summaries) >= 14
    assert [s for s in summaries if any(marker in s for marker in MARKERS)] == []


def test_find_answers_previews_show_no_markdown(reader):
    reader.goto(reverse("admin:interviews_answer_find") + "?q=python")

    headlines = reader.locator(".zvonok-headline").all_inner_texts()
    assert headlines
    assert [h for h in headlines if any(marker in h for marker in MARKERS)] == []
