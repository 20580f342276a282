"""The main pages on a 1366 x 900 laptop screen, with realistic data (long Russian names,
contacts, skills, warnings): nothing scrolls sideways, with the navigation sidebar open
(a new user's default) or closed. Comparing five applications scrolls the table inside
its frame, the question column staying in view."""

import pytest
from django.urls import reverse

from interviews import roles
from tests.browser import realistic
from tests.browser.test_e2e import log_in, member

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MAIN_LISTS = ["application", "candidate", "submission", "interview", "vacancy"]

# What scrolls sideways: the page itself, or a changelist's table inside its frame.
SIDEWAYS = """() => {
    const wide = (e) => e.scrollWidth > e.clientWidth + 1;
    const found = [];
    if (wide(document.documentElement)) found.push("page");
    document.querySelectorAll("#changelist .results").forEach((e) => {
        if (wide(e)) found.push("list");
    });
    return found;
}"""


def scrolls_sideways(page):
    return page.evaluate(SIDEWAYS)


@pytest.fixture
def hiring_round(questionnaire, tmp_path):
    admin = member("admin", is_superuser=True, first_name="Анна", last_name="Смирнова")
    interviewer = member("igor", roles.INTERVIEWER, first_name="Игорь", last_name="Лебедев")
    applications = realistic.build(tmp_path, admin=admin, interviewer=interviewer)
    return admin, applications


def open_sidebar(page, is_open):
    page.add_init_script(
        f"localStorage.setItem('django.admin.navSidebarIsOpen', '{str(is_open).lower()}')"
    )


@pytest.mark.parametrize("sidebar", [True, False], ids=["sidebar", "no-sidebar"])
@pytest.mark.parametrize("model", MAIN_LISTS)
def test_main_list_fits_a_laptop_screen(page, hiring_round, model, sidebar):
    admin, _applications = hiring_round
    open_sidebar(page, sidebar)
    log_in(page, admin)

    page.goto(reverse(f"admin:interviews_{model}_changelist"))

    expect(page.locator("#result_list tbody tr").first).to_be_visible()
    assert scrolls_sideways(page) == []


def test_every_column_of_the_applications_list_is_in_view(page, hiring_round):
    admin, _applications = hiring_round
    open_sidebar(page, True)
    log_in(page, admin)

    page.goto(reverse("admin:interviews_application_changelist"))

    headers = page.locator("#result_list thead th")
    expect(headers.last).to_be_visible()
    for index in range(headers.count()):
        box = headers.nth(index).bounding_box()
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= page.viewport_size["width"]


@pytest.mark.parametrize("sidebar", [True, False], ids=["sidebar", "no-sidebar"])
def test_comparing_five_applications_scrolls_the_table_not_the_page(page, hiring_round, sidebar):
    admin, applications = hiring_round
    open_sidebar(page, sidebar)
    log_in(page, admin)
    ids = ",".join(str(a.pk) for a in applications)

    page.goto(reverse("admin:interviews_application_compare") + f"?ids={ids}")

    expect(page.locator(".zvonok-compare .zvonok-candidate")).to_have_count(5)
    assert scrolls_sideways(page) == []
    frame = page.locator(".zvonok-compare-wrap").first
    question = page.locator(".zvonok-compare tbody th").first
    before = question.bounding_box()
    scrolled = frame.evaluate("(e) => { e.scrollLeft = e.scrollWidth; return e.scrollLeft; }")
    if sidebar:
        assert scrolled > 0  # five candidates are wider than what is left beside the sidebar
    # The question column stays where it was while the candidates scroll under it.
    assert question.bounding_box()["x"] == before["x"]
    assert page.evaluate("window.scrollX") == 0


def test_the_interview_page_offers_the_candidate_invitation_and_the_calendar_file(
    page, hiring_round
):
    admin, applications = hiring_round
    interview = applications[0].interviews.first()
    open_sidebar(page, True)
    log_in(page, admin)

    page.goto(reverse("admin:interviews_interview_change", args=[interview.pk]))

    expect(page.get_by_label("Отправить приглашение кандидату")).not_to_be_checked()
    expect(page.get_by_role("link", name="Скачать приглашение (.ics)")).to_be_visible()
    assert scrolls_sideways(page) == []
