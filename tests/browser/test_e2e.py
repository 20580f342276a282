"""The admin as a person uses it, in a real browser: logging in, importing answer files,
finding answers, scoring, and candidates' HTML that must stay text. Plus a tour of the
main pages that writes docs/screenshots/ when ZVONOK_SCREENSHOTS=1.

Selectors are field names, ids and CSS classes: the UI is Russian by default and its
wording may change.
"""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from interviews import roles
from interviews.models import Application, Candidate, Scorecard, Stage, Submission, Vacancy
from interviews.scoring import save_scorecard
from tests.browser import realistic
from tests.factories import InterviewFactory, UserFactory

expect = pytest.importorskip("playwright.sync_api").expect

# Transactional: the live server reads the database from another thread (another
# connection on PostgreSQL). The flush after each test would also wipe the stages and
# role groups that migrations create; serialized_rollback puts them back.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
IVAN, MARIA, TIMUR = "ivan_sokolov.md", "maria_kuznetsova.md", "timur_gareev.md"
HOSTILE = """---
name: Ева Хакерова
email: eva@example.com
---
# ZvonokTest
#### 1. Какой опыт в коммерческой разработки на Python?
Пять лет. <script>alert(1)</script>

<img src=x onerror=alert(1)>

[нажми меня](javascript:alert(1))
"""
PASSWORD = "browser-tests-only-password"  # a throwaway test database


def member(username, *groups, **fields):
    """A staff user with a known password, in the given role groups."""
    user = UserFactory(username=username, **fields)
    user.set_password(PASSWORD)
    user.save()
    user.groups.add(*(Group.objects.get(name=name) for name in groups))
    return user


def log_in(page, user):
    page.goto(reverse("admin:login"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form [type=submit]")
    expect(page.locator("#user-tools")).to_be_visible()


def application_of(full_name):
    return Application.objects.get(candidate__full_name=full_name)


def upload_preview(page, vacancy, *names):
    """From the submissions list: "Import answers", choose files and vacancy, preview."""
    page.goto(reverse("admin:interviews_submission_changelist"))
    page.click(f'.object-tools a[href="{reverse("admin:interviews_submission_import")}"]')
    page.set_input_files("input[name=files]", [EXAMPLES / name for name in names])
    page.select_option("select[name=vacancy]", str(vacancy.pk))
    page.click("#content-main form [type=submit].default")
    expect(page.locator(".zvonok-upload .file")).to_have_count(len(names))


# -- logging in ------------------------------------------------------------------------


def test_staff_member_logs_in_and_sees_the_admin_index(page, transactional_db):
    user = member("anna", roles.HR_MANAGER)

    log_in(page, user)

    expect(page.locator("#user-tools")).to_contain_text("anna")
    expect(page.locator("#content-main .app-hiring")).to_be_visible()


def test_wrong_password_keeps_the_user_out(page, transactional_db):
    user = member("anna", roles.HR_MANAGER)

    page.goto(reverse("admin:login"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", "not-the-password")
    page.click("#login-form [type=submit]")

    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator("#user-tools")).to_have_count(0)


# -- import answers --------------------------------------------------------------------


def test_uploaded_files_are_previewed_then_imported_on_confirmation(page, questionnaire):
    log_in(page, member("anna", roles.HR_MANAGER))
    vacancy = Vacancy.objects.get(slug="python-developer")

    upload_preview(page, vacancy, IVAN, MARIA)

    files = page.locator(".zvonok-upload .file")
    expect(files.locator(".status-created")).to_have_count(2)
    expect(files.nth(0)).to_contain_text(IVAN)
    expect(files.nth(1)).to_contain_text(MARIA)
    expect(files.nth(0).locator("tbody tr")).to_have_count(7)  # the seven answers
    assert Submission.objects.count() == 0  # the preview writes nothing

    page.click('form[action$="/import/confirm/"] [type=submit]')

    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page.locator("td.status-created")).to_have_count(2)
    page.goto(reverse("admin:interviews_candidate_changelist"))
    names = page.locator("#result_list tbody .field-full_name")
    expect(names).to_have_count(2)
    assert sorted(names.all_inner_texts()) == ["Иван Соколов", "Мария Кузнецова"]
    assert set(Application.objects.values_list("candidate__full_name", "vacancy__slug")) == {
        ("Иван Соколов", "python-developer"),
        ("Мария Кузнецова", "python-developer"),
    }


def test_a_file_that_is_not_an_answer_sheet_is_imported_only_when_ticked(page, questionnaire):
    log_in(page, member("anna", roles.HR_MANAGER))
    page.goto(reverse("admin:interviews_submission_import"))
    notes = Path(__file__).resolve().parents[1] / "data" / "unstructured.md"
    page.set_input_files("input[name=files]", [EXAMPLES / IVAN, notes])
    page.click("#content-main form [type=submit].default")
    boxes = page.locator(".zvonok-upload .file input[name=accept]")
    expect(boxes).to_have_count(1)
    expect(boxes).not_to_be_checked()

    # The box sits beside its file, outside the confirmation's form: the browser sends it
    # with that form all the same.
    boxes.check()
    page.click('form[action$="/import/confirm/"] [type=submit]')

    expect(page.locator("td.status-created")).to_have_count(2)
    assert Submission.objects.get(source_name="unstructured.md").needs_review
    assert not Submission.objects.get(source_name=IVAN).needs_review


def test_cancelled_upload_imports_nothing(page, questionnaire):
    log_in(page, member("anna", roles.HR_MANAGER))
    upload_preview(page, Vacancy.objects.get(slug="python-developer"), TIMUR)

    page.click('form[action$="/import/cancel/"] [type=submit]')

    expect(page.locator(".messagelist")).to_be_visible()
    assert page.url.endswith(reverse("admin:interviews_submission_changelist"))
    assert Submission.objects.count() == 0


# -- find answers ----------------------------------------------------------------------


def test_search_in_russian_finds_word_forms_and_highlights_them(page, examples_imported):
    log_in(page, member("anna", roles.HR_MANAGER))
    page.goto(reverse("admin:interviews_answer_changelist"))
    page.click(f'.object-tools a[href="{reverse("admin:interviews_answer_find")}"]')

    page.fill("input[name=q]", "генератор")
    page.press("input[name=q]", "Enter")

    results = page.locator(".zvonok-results tbody tr")
    expect(results.first).to_be_visible()
    # "Свой генератор писал…" (Timur), "Генераторы — при импорте…" (Ivan, Maria).
    for name in ("Тимур Гареев", "Иван Соколов", "Мария Кузнецова"):
        expect(page.locator(".zvonok-results tbody th").filter(has_text=name)).not_to_have_count(0)
    marks = page.locator(".zvonok-results mark")
    expect(marks.first).to_be_visible()
    assert all(text.casefold().startswith("генератор") for text in marks.all_inner_texts())


def test_search_with_no_match_says_so(page, examples_imported):
    log_in(page, member("anna", roles.HR_MANAGER))

    page.goto(reverse("admin:interviews_answer_find") + "?q=кобол")

    expect(page.locator(".zvonok-results")).to_have_count(0)
    with translation.override("ru"):  # the UI's language, whether translated yet or not
        expected = gettext("No answers match.")
    expect(page.locator("#content-main")).to_contain_text(expected, timeout=2_000)


# -- scoring ---------------------------------------------------------------------------


def test_interviewer_scores_every_answer_and_submits(page, examples_imported, dialogs):
    application = application_of("Иван Соколов")
    interviewer = member("igor", roles.INTERVIEWER)
    InterviewFactory(application=application, interviewers=[interviewer])
    log_in(page, interviewer)
    page.goto(reverse("admin:interviews_application_score", args=[application.pk]))
    sections = page.locator(".zvonok-score")
    expect(sections).to_have_count(7)
    expect(sections.first.locator(".rubric")).to_be_visible()
    expect(sections.first.locator(".zvonok-answer code").first).to_have_text("bulk_create")

    for select in page.locator("select[name^=score_]").all():
        select.select_option("4")
    page.locator("textarea[name^=comment_]").first.fill("Конкретный пример с bulk_create")
    page.select_option("select[name=recommendation]", "yes")
    page.fill("textarea[name=summary]", "Берём на техническое интервью")
    page.click("input[type=submit][name=submit]")

    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page.locator("select[name^=score_]")).to_have_count(0)  # final: read-only now
    expect(page.locator("#content-main")).to_contain_text("Конкретный пример с bulk_create")
    scorecard = Scorecard.objects.get(application=application, reviewer=interviewer)
    assert scorecard.is_submitted
    assert scorecard.recommendation == "yes"
    assert sorted(scorecard.scores.values_list("score", flat=True)) == [4] * 7
    assert dialogs == []


def test_submitting_without_every_score_keeps_the_form_open(page, examples_imported):
    application = application_of("Иван Соколов")
    interviewer = member("igor", roles.INTERVIEWER)
    InterviewFactory(application=application, interviewers=[interviewer])
    log_in(page, interviewer)
    page.goto(reverse("admin:interviews_application_score", args=[application.pk]))

    page.locator("select[name^=score_]").first.select_option("5")
    page.select_option("select[name=recommendation]", "yes")
    page.click("input[type=submit][name=submit]")

    expect(page.locator("#content-main .errorlist")).to_be_visible()
    expect(page.locator("select[name^=score_]").first).to_have_value("5")
    assert not Scorecard.objects.filter(submitted_at__isnull=False).exists()


# -- candidates' HTML stays text -------------------------------------------------------


@pytest.fixture
def hostile_answer(questionnaire, tmp_path):
    """A sheet whose answer holds a script, an image with onerror and a javascript: link."""
    path = tmp_path / "eva.md"
    path.write_text(HOSTILE, encoding="utf-8")
    call_command("import_answers", str(path), vacancy="python-developer", verbosity=0)
    return Submission.objects.get(candidate__email="eva@example.com").answers.get()


@pytest.mark.parametrize(
    ("where", "container"),
    [
        ("submission", ".zvonok-answer"),
        ("answer", ".zvonok-answer"),
        ("score", ".zvonok-answer"),
        ("find", ".zvonok-headline"),
    ],
)
def test_html_in_an_answer_is_shown_as_text_and_never_runs(
    page, dialogs, hostile_answer, where, container
):
    log_in(page, member("anna", roles.HR_MANAGER))
    url = {
        "submission": reverse(
            "admin:interviews_submission_change", args=[hostile_answer.submission_id]
        ),
        "answer": reverse("admin:interviews_answer_change", args=[hostile_answer.pk]),
        "score": reverse(
            "admin:interviews_application_score", args=[hostile_answer.submission.application_id]
        ),
        "find": reverse("admin:interviews_answer_find") + "?q=alert",
    }[where]

    page.goto(url)
    page.wait_for_load_state("networkidle")  # a broken <img> would have fired onerror
    answer = page.locator(container).first

    expect(answer).to_contain_text("<img src=x onerror=alert(1)>")
    if where != "find":
        # The search shows PostgreSQL's fragment, and ts_headline drops what its parser
        # takes for tags (<script>, </script>): the rendered answer keeps all of it.
        expect(answer).to_contain_text("<script>alert(1)</script>")
        expect(answer).to_contain_text("[нажми меня](javascript:alert(1))")
        answer.get_by_text("нажми меня").click()  # plain text: nothing to follow
    expect(page.locator("script").filter(has_text="alert(1)")).to_have_count(0)
    expect(page.locator('img[src="x"], [onerror]')).to_have_count(0)
    expect(page.locator('a[href^="javascript:" i]')).to_have_count(0)
    assert dialogs == []


# -- the tour, and docs/screenshots/ ---------------------------------------------------


def screenshot(page, tmp_path, name, *, full_page=False):
    """Save ``name``.png: into docs/screenshots/ with ZVONOK_SCREENSHOTS=1, else into the
    test's temporary folder (CI takes them too, so that a page that fails to render fails
    the test, but does not rewrite the committed ones). A page that scrolls sideways
    fails: it does not fit the screen it is shown on."""
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    ), f"{name}: the page scrolls sideways at {page.viewport_size['width']} px"
    folder = SCREENSHOTS if os.environ.get("ZVONOK_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    clip = None
    if full_page:
        # Long pages are cut: a screenshot is to show the page, not to archive it.
        height = min(page.evaluate("document.documentElement.scrollHeight"), 2000)
        clip = {"x": 0, "y": 0, "width": page.viewport_size["width"], "height": height}
    page.screenshot(path=path, full_page=full_page, clip=clip, animations="disabled")
    assert path.stat().st_size > 10_000
    return path


def test_tour_of_the_main_pages(page, questionnaire, tmp_path, dialogs):
    admin = member("admin", is_superuser=True, first_name="Анна", last_name="Смирнова")
    interviewer = member("igor", roles.INTERVIEWER, first_name="Игорь", last_name="Лебедев")
    vacancy = Vacancy.objects.get(slug="python-developer")
    failed = []  # every request answered with an error (a missing icon, a stylesheet)
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    # The admin's navigation sidebar collapsed: the pages' own content is what to show.
    page.add_init_script("localStorage.setItem('django.admin.navSidebarIsOpen', 'false')")
    log_in(page, admin)
    screenshot(page, tmp_path, "home", full_page=True)

    # Upload preview of the three example sheets, then import them.
    upload_preview(page, vacancy, IVAN, MARIA, TIMUR)
    expect(page.locator(".zvonok-upload .status-created")).to_have_count(3)
    screenshot(page, tmp_path, "upload-preview", full_page=True)
    page.click('form[action$="/import/confirm/"] [type=submit]')
    expect(page.locator("td.status-created")).to_have_count(3)

    # Realistic state: stages moved, an interview held and scored, another one drafted;
    # five more candidates with long names, skills and warnings (tests/browser/realistic.py).
    ivan, maria, timur = (
        application_of(n) for n in ("Иван Соколов", "Мария Кузнецова", "Тимур Гареев")
    )
    ivan.move_to(Stage.objects.get(name="Screening"), by=admin)
    ivan.move_to(Stage.objects.get(name="Technical interview"), by=admin)
    maria.move_to(Stage.objects.get(name="Screening"), by=admin)
    timur.move_to(Stage.objects.get(name="Rejected"), by=admin, comment="Мало опыта")
    InterviewFactory(application=ivan, interviewers=[interviewer])
    answers = list(Submission.objects.get(candidate=ivan.candidate).answers.order_by("position"))
    save_scorecard(
        application=ivan,
        reviewer=interviewer,
        scores={a.pk: (score, "") for a, score in zip(answers, [4, 5, 4, 3, 4, 4, 3], strict=True)},
        recommendation="yes",
        summary="Уверенный Django, хорошие примеры оптимизации.",
        submit=True,
    )
    others = realistic.build(tmp_path, admin=admin, interviewer=interviewer)

    page.goto(reverse("admin:interviews_application_changelist"))
    expect(page.locator("#result_list tbody tr")).to_have_count(8)
    screenshot(page, tmp_path, "applications")

    page.goto(reverse("admin:interviews_candidate_changelist"))
    expect(page.locator("#result_list tbody tr")).to_have_count(8)
    screenshot(page, tmp_path, "candidates")

    page.goto(reverse("admin:interviews_submission_change", args=[answers[0].submission_id]))
    expect(page.locator(".zvonok-answer").first).to_be_visible()
    screenshot(page, tmp_path, "submission", full_page=True)

    page.goto(reverse("admin:interviews_application_score", args=[maria.pk]))
    for select, score in zip(page.locator("select[name^=score_]").all()[:3], "543", strict=False):
        select.select_option(score)
    page.locator("textarea[name^=comment_]").first.fill("Потоковая выгрузка генератором: хорошо.")
    screenshot(page, tmp_path, "scoring", full_page=True)

    ids = ",".join(str(a.pk) for a in [ivan, maria, *others[:3]])
    page.goto(reverse("admin:interviews_application_compare") + f"?ids={ids}")
    expect(page.locator(".zvonok-compare .zvonok-candidate")).to_have_count(5)
    screenshot(page, tmp_path, "compare", full_page=True)

    page.goto(reverse("admin:interviews_application_funnel"))
    expect(page.locator(".zvonok-funnel-chart").first).to_be_visible()
    screenshot(page, tmp_path, "funnel", full_page=True)

    page.goto(reverse("admin:interviews_answer_find") + "?q=генератор")
    expect(page.locator(".zvonok-results mark").first).to_be_visible()
    screenshot(page, tmp_path, "find-answers", full_page=True)

    assert Candidate.objects.count() == 8
    assert dialogs == []
    assert failed == []


def test_language_switch_in_the_header_shows_the_admin_in_english(page, transactional_db):
    log_in(page, member("anna", roles.HR_MANAGER))
    with translation.override("ru"):
        russian = gettext("Service tables")
    expect(page.locator("#content-main")).to_contain_text(russian)

    page.click('.zvonok-language button[value="en"]')

    expect(page.locator("#content-main")).to_contain_text("Service tables")
    assert page.url.endswith(reverse("admin:index"))
    expect(page.locator('.zvonok-language button[value="en"]')).to_have_attribute(
        "aria-current", "true"
    )
