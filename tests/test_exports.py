"""Exports: the application changelist as CSV and XLSX (with its filters applied), answer
sheets as markdown from admin actions, and the print page of an application."""

import codecs
import csv
import io
import zipfile
from pathlib import Path

import pytest
from django.contrib.admin import site
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from openpyxl import load_workbook

from interviews import roles, sheets
from interviews.admin.exports import export_answers
from interviews.exports.markdown import export_filename
from interviews.models import Application, Stage, Submission
from interviews.rendering import render_markdown
from interviews.scoring import latest_submission, save_scorecard
from tests.factories import ApplicationFactory, InterviewFactory, UserFactory, member
from tests.queries import VIEW_QUERIES, listing, page_queries

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.django_db

CSV_URL = "admin:interviews_application_export_csv"
EXCEL_CSV_URL = "admin:interviews_application_export_csv_excel"
XLSX_URL = "admin:interviews_application_export_xlsx"
HEADER = [
    "Candidate",
    "Vacancy",
    "Stage",
    "Days in stage",
    "Owner",
    "Submitted scorecards",
    "Average score",
    "Strong yes",
    "Yes",
    "No",
    "Strong no",
]


@pytest.fixture
def applications():
    """The three example candidates' applications to "Python-разработчик", by name."""
    call_command("loaddata", "zvonok_python", verbosity=0)
    call_command(
        "import_answers", str(ROOT / "examples"), "--vacancy", "python-developer", verbosity=0
    )
    return {a.candidate.full_name: a for a in Application.objects.select_related("candidate")}


@pytest.fixture
def scored(applications):
    """Тимур Гареев's application with one submitted scorecard: strong yes, a 4."""
    application = applications["Тимур Гареев"]
    answer = latest_submission(application).answers.order_by("position").first()
    save_scorecard(
        application=application,
        reviewer=UserFactory(username="panelist"),
        scores={answer.pk: (4, "Секретный комментарий к ответу")},
        recommendation="strong_yes",
        summary="Секретное резюме",
        submit=True,
    )
    return application


def login(client, role):
    user = member(role)
    client.force_login(user)
    return user


def get(client, name, query="", **kwargs):
    return client.get(reverse(name, **kwargs) + query, HTTP_ACCEPT_LANGUAGE="en")


def csv_rows(response, delimiter=","):
    content = b"".join(response.streaming_content)
    assert content.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=delimiter))


def action_names(response):
    form = response.context["action_form"]
    return {name for name, _label in form.fields["action"].choices} if form else set()


def post_action(client, changelist, objects):
    return client.post(
        reverse(changelist),
        {"action": "export_answers", "index": 0, ACTION_CHECKBOX_NAME: [o.pk for o in objects]},
        HTTP_ACCEPT_LANGUAGE="en",
    )


# -- CSV and XLSX ----------------------------------------------------------------------


def test_csv_has_a_bom_a_header_and_cyrillic_names(client, applications):
    login(client, roles.HR_MANAGER)

    response = get(client, CSV_URL)

    rows = csv_rows(response)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="applications-' in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith('.csv"')
    assert rows[0] == HEADER
    assert sorted(row[0] for row in rows[1:]) == sorted(applications)
    assert {row[1] for row in rows[1:]} == {"Python-разработчик"}


def test_csv_contains_only_applications_matching_the_stage_filter(client, applications):
    screening = Stage.objects.get(name="Screening")
    applications["Мария Кузнецова"].move_to(screening)
    login(client, roles.HR_MANAGER)

    rows = csv_rows(get(client, CSV_URL, f"?stage__id__exact={screening.pk}"))

    assert [(row[0], row[2]) for row in rows[1:]] == [("Мария Кузнецова", "Screening")]


def test_csv_contains_only_applications_matching_the_vacancy_filter(client, applications):
    other = ApplicationFactory()
    login(client, roles.HR_MANAGER)

    rows = csv_rows(get(client, CSV_URL, f"?vacancy__id__exact={other.vacancy_id}"))

    assert [row[0] for row in rows[1:]] == [other.candidate.full_name]


def test_csv_contains_only_applications_matching_the_search(client, applications):
    login(client, roles.RECRUITER)

    rows = csv_rows(get(client, CSV_URL, "?q=Гареев"))

    assert [row[0] for row in rows[1:]] == ["Тимур Гареев"]


def test_csv_keeps_the_changelist_ordering_and_ignores_its_page(client, applications):
    login(client, roles.HR_MANAGER)

    # Column 1 is the candidate (column 0 holds the action checkboxes).
    ascending = csv_rows(get(client, CSV_URL, "?o=1&p=2"))
    descending = csv_rows(get(client, CSV_URL, "?o=-1"))

    names = sorted(applications)
    assert [row[0] for row in ascending[1:]] == names
    assert [row[0] for row in descending[1:]] == names[::-1]


def test_an_unknown_filter_sends_back_to_the_changelist(client, applications):
    login(client, roles.HR_MANAGER)

    response = get(client, CSV_URL, "?candidate__password=x")

    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_xlsx_has_a_bold_header_and_numbers_as_numbers(client, scored):
    login(client, roles.HR_MANAGER)

    response = get(client, XLSX_URL)

    sheet = load_workbook(io.BytesIO(response.content)).active
    header, *rows = sheet.iter_rows()
    assert response["Content-Disposition"].endswith('.xlsx"')
    assert [cell.value for cell in header] == HEADER
    assert all(cell.font.b for cell in header)
    assert sheet.column_dimensions["A"].width > 20
    timur = next(row for row in rows if row[0].value == "Тимур Гареев")
    assert [cell.value for cell in timur[5:]] == [1, 4.0, 1, 0, 0, 0]
    assert timur[3].data_type == "n"
    assert all(cell.data_type == "n" for cell in timur[5:])


def test_text_that_looks_like_a_formula_is_exported_as_text(client, applications):
    application = applications["Иван Соколов"]
    application.candidate.full_name = '=HYPERLINK("http://evil.example","Иван")'
    application.candidate.save()
    login(client, roles.HR_MANAGER)

    rows = csv_rows(get(client, CSV_URL, "?q=HYPERLINK"))
    sheet = load_workbook(io.BytesIO(get(client, XLSX_URL, "?q=HYPERLINK").content)).active

    assert rows[1][0] == "'" + application.candidate.full_name
    assert sheet["A2"].data_type == "s"
    assert sheet["A2"].value == application.candidate.full_name


def test_a_recruiter_can_export(client, applications):
    login(client, roles.RECRUITER)

    csv_response = get(client, CSV_URL)
    xlsx_response = get(client, XLSX_URL)

    assert csv_response.status_code == 200
    assert len(csv_rows(csv_response)) == 1 + len(applications)
    assert xlsx_response.status_code == 200


@pytest.mark.parametrize("url", [CSV_URL, EXCEL_CSV_URL, XLSX_URL])
def test_an_interviewer_cannot_export(client, applications, url):
    interviewer = login(client, roles.INTERVIEWER)
    InterviewFactory(application=applications["Тимур Гареев"], interviewers=[interviewer])

    response = get(client, url)

    assert response.status_code == 403


def test_blind_feedback_exports_empty_for_a_recruiter_without_a_scorecard(client, scored):
    login(client, roles.RECRUITER)

    rows = csv_rows(get(client, CSV_URL, "?q=Гареев"))

    assert rows[1][5:] == ["1", "", "", "", "", ""]


def test_an_hr_manager_exports_every_figure(client, scored):
    login(client, roles.HR_MANAGER)

    rows = csv_rows(get(client, CSV_URL, "?q=Гареев"))

    assert rows[1][5:] == ["1", "4.0", "1", "0", "0", "0"]


def test_csv_for_excel_has_semicolons_and_decimal_commas_and_the_same_cells(client, scored):
    login(client, roles.HR_MANAGER)

    response = get(client, EXCEL_CSV_URL, "?q=Гареев")
    content = b"".join(response.streaming_content)
    excel = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    tools = csv_rows(get(client, CSV_URL, "?q=Гареев"))

    assert content.startswith(codecs.BOM_UTF8)
    assert content.decode("utf-8-sig").splitlines()[0] == ";".join(HEADER)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert excel[0] == HEADER
    assert excel[1][5:] == ["1", "4,0", "1", "0", "0", "0"]
    assert [row[:5] for row in excel] == [row[:5] for row in tools]


def test_csv_with_commas_for_tools_keeps_commas_and_decimal_points(client, scored):
    login(client, roles.HR_MANAGER)

    response = get(client, CSV_URL, "?q=Гареев")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()

    assert lines[0] == ",".join(HEADER)
    assert lines[1].endswith(",1,4.0,1,0,0,0")


@pytest.mark.parametrize(
    ("url", "page"),
    [(CSV_URL, "export csv"), (EXCEL_CSV_URL, "export csv"), (XLSX_URL, "export xlsx")],
)
def test_export_costs_the_same_queries_whatever_the_row_count(client, applications, url, page):
    # Session, user, permissions, the filters' choices (vacancies, stages, owners), the
    # stages of the move actions, the count, the rows.
    login(client, roles.HR_MANAGER)
    few = page_queries(client, reverse(url))

    for _ in range(5):
        ApplicationFactory(vacancy=applications["Иван Соколов"].vacancy)
    many = page_queries(client, reverse(url))

    expected = VIEW_QUERIES[f"{page}, as an HR manager"]
    assert (len(few), len(many)) == (expected, expected), listing(many)


# -- links and actions -----------------------------------------------------------------


def test_export_links_carry_the_changelist_query_string(client, applications):
    login(client, roles.RECRUITER)
    stage = Stage.objects.get(name="New")

    content = get(
        client, "admin:interviews_application_changelist", f"?stage__id__exact={stage.pk}&q=a"
    ).content.decode()

    for name in (CSV_URL, EXCEL_CSV_URL, XLSX_URL):
        assert f'href="{reverse(name)}?stage__id__exact={stage.pk}&amp;q=a"' in content


def test_an_interviewer_sees_no_export_links(client, applications):
    interviewer = login(client, roles.INTERVIEWER)
    InterviewFactory(application=applications["Тимур Гареев"], interviewers=[interviewer])

    content = get(client, "admin:interviews_application_changelist").content.decode()

    assert "Тимур Гареев" in content
    assert reverse(CSV_URL) not in content
    assert reverse(EXCEL_CSV_URL) not in content
    assert reverse(XLSX_URL) not in content


@pytest.mark.parametrize("model", ["application", "submission"])
def test_a_recruiter_is_offered_the_markdown_action(client, applications, model):
    login(client, roles.RECRUITER)

    response = get(client, f"admin:interviews_{model}_changelist")

    assert "export_answers" in action_names(response)


@pytest.mark.parametrize("model", ["application", "submission"])
def test_an_interviewer_is_not_offered_the_markdown_action(client, applications, model):
    interviewer = login(client, roles.INTERVIEWER)
    InterviewFactory(application=applications["Тимур Гареев"], interviewers=[interviewer])

    response = get(client, f"admin:interviews_{model}_changelist")

    assert response.status_code == 200
    assert "export_answers" not in action_names(response)


def test_the_markdown_action_itself_refuses_an_interviewer(applications):
    interviewer = member(roles.INTERVIEWER)
    request = RequestFactory().post("/")
    request.user = interviewer

    with pytest.raises(PermissionDenied):
        export_answers(site._registry[Submission], request, Submission.objects.all())


def test_an_interviewer_posting_the_action_gets_no_file(client, applications):
    interviewer = login(client, roles.INTERVIEWER)
    InterviewFactory(application=applications["Тимур Гареев"], interviewers=[interviewer])

    response = post_action(
        client, "admin:interviews_submission_changelist", Submission.objects.all()
    )

    assert "Content-Disposition" not in response


# -- markdown --------------------------------------------------------------------------


def test_one_submission_downloads_as_a_markdown_file(client, applications):
    submission = latest_submission(applications["Иван Соколов"])
    login(client, roles.RECRUITER)

    response = post_action(client, "admin:interviews_submission_changelist", [submission])

    text = response.content.decode()
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert text.startswith("---\nname: Иван Соколов\n")
    for answer in submission.answers.all():
        assert answer.body.strip() in text


def test_several_submissions_download_as_a_zip_that_parses_back(client, applications):
    submissions = [latest_submission(a) for a in applications.values()][:2]
    login(client, roles.HR_MANAGER)

    response = post_action(client, "admin:interviews_submission_changelist", submissions)

    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert response["Content-Type"] == "application/zip"
    assert sorted(archive.namelist()) == sorted(export_filename(s) for s in submissions)
    for submission in submissions:
        sheet = sheets.parse(archive.read(export_filename(submission)).decode())
        expected = [a.body.strip() for a in submission.answers.order_by("position")]
        assert [section.body.strip() for section in sheet.sections] == expected


def test_the_application_action_exports_each_latest_submission(client, applications):
    chosen = [applications["Тимур Гареев"], applications["Мария Кузнецова"]]
    login(client, roles.RECRUITER)

    response = post_action(client, "admin:interviews_application_changelist", chosen)

    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert sorted(names) == sorted(export_filename(latest_submission(a)) for a in chosen)


def test_the_application_action_without_answers_only_warns(client, applications):
    empty = ApplicationFactory()
    login(client, roles.RECRUITER)

    response = post_action(client, "admin:interviews_application_changelist", [empty])

    assert response.status_code == 302
    assert "Content-Disposition" not in response


# -- print page ------------------------------------------------------------------------


def print_url(application):
    return reverse("admin:interviews_application_print", args=[application.pk])


def test_print_page_shows_rendered_answers_with_questions_and_rubrics(client, applications):
    application = applications["Иван Соколов"]
    login(client, roles.RECRUITER)

    response = client.get(print_url(application), HTTP_ACCEPT_LANGUAGE="en")

    content = response.content.decode()
    assert response.status_code == 200
    assert "ivan.sokolov@example.com" in content
    answers = latest_submission(application).answers.select_related("question")
    assert answers.count() == 7
    for answer in answers:
        assert str(render_markdown(answer.body)) in content
        assert str(render_markdown(answer.question.rubric)) in content
        assert answer.question.text in content
    assert "<code>bulk_create</code>" in content
    assert "@media print" in content


def test_print_page_hides_other_reviewers_until_the_reviewer_submits(client, scored):
    interviewer = login(client, roles.INTERVIEWER)
    InterviewFactory(application=scored, interviewers=[interviewer])

    content = client.get(print_url(scored), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Секретный комментарий к ответу" not in content
    assert "Секретное резюме" not in content
    assert "panelist" not in content
    assert "hidden until you submit" in content


def test_print_page_shows_other_reviewers_once_the_reviewer_submitted(client, scored):
    recruiter = login(client, roles.RECRUITER)
    save_scorecard(
        application=scored, reviewer=recruiter, scores={}, recommendation="no", submit=True
    )

    content = client.get(print_url(scored), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Секретный комментарий к ответу" in content
    assert "Секретное резюме" in content


def test_print_page_shows_every_scorecard_to_an_hr_manager(client, scored):
    login(client, roles.HR_MANAGER)

    content = client.get(print_url(scored), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Секретный комментарий к ответу" in content
    assert "Секретное резюме" in content
    assert "4 / 5" in content


def test_print_page_hides_contacts_from_an_interviewer(client, applications):
    application = applications["Иван Соколов"]
    interviewer = login(client, roles.INTERVIEWER)
    InterviewFactory(application=application, interviewers=[interviewer])

    response = client.get(print_url(application), HTTP_ACCEPT_LANGUAGE="en")

    content = response.content.decode()
    assert response.status_code == 200
    assert "Иван Соколов" in content
    assert "ivan.sokolov@example.com" not in content


def test_an_interviewer_cannot_print_an_application_they_are_not_on(client, applications):
    interviewer = login(client, roles.INTERVIEWER)
    InterviewFactory(application=applications["Тимур Гареев"], interviewers=[interviewer])

    response = client.get(print_url(applications["Иван Соколов"]))

    assert response.status_code == 404


def test_print_page_query_count_does_not_grow_with_answers_or_scorecards(client, scored):
    # Session, user, permissions, the application, its sheet, the answers, the
    # scorecards, their scores, the sheet's questionnaire.
    login(client, roles.HR_MANAGER)
    few = page_queries(client, print_url(scored))

    answers = latest_submission(scored).answers.all()
    for n in range(3):
        save_scorecard(
            application=scored,
            reviewer=UserFactory(username=f"panelist-{n}"),
            scores={answer.pk: (3, f"Комментарий {n}") for answer in answers},
            recommendation="yes",
            submit=True,
        )
    many = page_queries(client, print_url(scored))

    assert (len(few), len(many)) == (VIEW_QUERIES["print, as an HR manager"],) * 2, listing(many)


def test_the_change_page_links_to_the_print_page(client, applications):
    application = applications["Иван Соколов"]
    login(client, roles.RECRUITER)

    content = client.get(
        reverse("admin:interviews_application_change", args=[application.pk])
    ).content.decode()

    assert f'href="{print_url(application)}"' in content
