"""The import writes in bulk what the ORM writes one row at a time: the same latest
revision, the same opened application, the same contact fields, the same audit history."""

import pytest
from django.core.management import call_command

from interviews import importing
from interviews.exports.markdown import submissions_for_export
from interviews.models import Application, Candidate, Stage, StageChange, Submission
from interviews.scoring import latest_submission
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    QuestionnaireFactory,
    SubmissionFactory,
    UserFactory,
    VacancyFactory,
)

pytestmark = pytest.mark.django_db

SHEET = """---
name: Анна Смирнова
email: anna@example.com
---
# ZvonokTest
#### 1. Какой опыт в коммерческой разработки на Python?
Три года.
"""


@pytest.fixture
def revised_after_linking():
    """r1 linked to the application, r2 (the same questionnaire) imported without it."""
    questionnaire = QuestionnaireFactory()
    application = ApplicationFactory(vacancy=VacancyFactory(questionnaire=questionnaire))
    candidate = application.candidate
    SubmissionFactory(
        candidate=candidate, questionnaire=questionnaire, application=application, revision=1
    )
    newest = SubmissionFactory(candidate=candidate, questionnaire=questionnaire, revision=2)
    return application, newest


def test_the_sheet_scored_is_the_latest_revision_even_when_an_earlier_one_was_linked(
    revised_after_linking,
):
    application, newest = revised_after_linking

    assert latest_submission(application) == newest


def test_an_export_by_vacancy_never_offers_a_superseded_revision(revised_after_linking):
    application, _newest = revised_after_linking

    exported = submissions_for_export(vacancy=application.vacancy.slug)

    assert list(exported) == []


def test_latest_revisions_keeps_one_row_per_sheet_without_a_questionnaire():
    candidate = CandidateFactory()
    SubmissionFactory(candidate=candidate, questionnaire=None, revision=1)
    newest = SubmissionFactory(candidate=candidate, questionnaire=None, revision=2)

    assert list(Submission.objects.latest_revisions()) == [newest]


def test_open_many_opens_an_application_as_save_does():
    by = UserFactory()
    saved = ApplicationFactory()
    candidate, vacancy = CandidateFactory(), saved.vacancy

    opened = Application.objects.open_many({(candidate.pk, vacancy.pk)}, by=by, source="import")

    application = Application.objects.get(pk=opened[(candidate.pk, vacancy.pk)])
    assert application.stage == saved.stage == Stage.initial()
    change = StageChange.objects.get(application=application)
    assert (change.to_stage, change.by, change.comment) == (application.stage, by, "import")
    record = application.history.get()
    assert (record.history_type, record.history_user) == ("+", by)


def test_open_many_returns_the_applications_already_open():
    existing = ApplicationFactory()

    opened = Application.objects.open_many({(existing.candidate_id, existing.vacancy_id)})

    assert opened == {(existing.candidate_id, existing.vacancy_id): existing.pk}
    assert Application.objects.count() == 1


def test_an_imported_candidate_and_application_have_their_creation_in_the_history():
    call_command("loaddata", "zvonok_python", verbosity=0)
    user = UserFactory()

    importing.import_bytes(
        SHEET.encode(), source_name="a.md", vacancy="python-developer", imported_by=user
    )

    candidate = Candidate.objects.get()
    assert [(r.history_type, r.history_user, r.email) for r in candidate.history.all()] == [
        ("+", user, "anna@example.com")
    ]
    application = Application.objects.get()
    assert [(r.history_type, r.history_user) for r in application.history.all()] == [("+", user)]


def test_a_saved_candidate_keeps_the_contact_fields_an_import_would_store():
    phone, handle = "1" * 50, "@" + "h" * 120

    candidate = CandidateFactory(phone=phone, telegram=handle, email=" A@Example.COM ")
    candidate.refresh_from_db()

    assert (candidate.email, candidate.phone, candidate.telegram) == (
        "a@example.com",
        "1" * 40,
        "h" * 100,
    )
    assert Candidate.contact_fields(email=" A@Example.COM ", phone=phone, telegram=handle) == {
        "email": "a@example.com",
        "phone": "1" * 40,
        "telegram": "h" * 100,
    }
