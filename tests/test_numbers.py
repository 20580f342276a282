"""One way to write a figure: the same average reads the same on every page and export,
rounded half up as a person rounds."""

import codecs
import csv
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from interviews.numbers import format_figure, rounded
from interviews.scoring import save_scorecard
from tests.factories import (
    AnswerFactory,
    ApplicationFactory,
    QuestionFactory,
    SubmissionFactory,
    UserFactory,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(2.45, "2,5"), (2.55, "2,6"), (2.57, "2,6"), (Decimal("2.45"), "2,5"), (2, "2,0")],
)
def test_one_decimal_rounds_half_up_as_a_person_expects(value, expected):
    with translation.override("ru"):
        assert format_figure(value) == expected


def test_no_figure_is_a_dash_not_zero():
    assert format_figure(None) == "—"
    assert rounded(None) is None


def _scored_application(scores):
    """An application whose only submitted scorecard gives ``scores`` to its answers."""
    application = ApplicationFactory()
    submission = SubmissionFactory(
        candidate=application.candidate,
        application=application,
        questionnaire=application.vacancy.questionnaire,
    )
    answers = [
        AnswerFactory(
            submission=submission,
            question=QuestionFactory(questionnaire=submission.questionnaire, position=n),
            position=n,
        )
        for n in range(1, len(scores) + 1)
    ]
    save_scorecard(
        application=application,
        reviewer=UserFactory(),
        scores={a.pk: (score, "") for a, score in zip(answers, scores, strict=True)},
        recommendation="yes",
        submit=True,
    )
    return application


@pytest.mark.django_db
def test_the_same_average_reads_the_same_on_list_compare_print_csv_and_xlsx(admin_client):
    # 18 / 7 = 2.571...: the list once truncated it to 2,5 while compare showed 2,6.
    application = _scored_application([3, 3, 3, 3, 2, 2, 2])
    other = ApplicationFactory(vacancy=application.vacancy)
    language = {"HTTP_ACCEPT_LANGUAGE": "ru"}

    listing = admin_client.get(reverse("admin:interviews_application_changelist"), **language)
    compare = admin_client.get(
        reverse("admin:interviews_application_compare") + f"?ids={application.pk},{other.pk}",
        **language,
    )
    printed = admin_client.get(
        reverse("admin:interviews_application_print", args=[application.pk]), **language
    )
    exported = b"".join(
        admin_client.get(reverse("admin:interviews_application_export_csv")).streaming_content
    )
    workbook = admin_client.get(reverse("admin:interviews_application_export_xlsx")).content

    assert '<td class="field-average_score">2,6</td>' in listing.content.decode()
    assert '<td class="score">2,6</td>' in compare.content.decode()
    assert re.search(r"<dd>2,6</dd>", printed.content.decode())
    rows = list(
        csv.reader(io.StringIO(exported.decode("utf-8-sig").lstrip(codecs.BOM_UTF8.decode())))
    )
    row = next(r for r in rows if r[0] == application.candidate.full_name)
    assert row[6] == "2.6"
    sheet = load_workbook(io.BytesIO(workbook)).active
    cells = next(
        r for r in sheet.iter_rows(values_only=True) if r[0] == application.candidate.full_name
    )
    assert cells[6] == 2.6
