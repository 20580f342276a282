"""Letters to a candidate are kept on the candidate's page, read-only, and never shown to
interviewers (they carry the address)."""

import pytest
from django.urls import reverse

from interviews import duplicates, roles
from interviews.models import Message
from tests.factories import ApplicationFactory, CandidateFactory, InterviewFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def written():
    application = ApplicationFactory(candidate__email="anna@example.com")
    message = Message.objects.create(
        candidate=application.candidate,
        application=application,
        to="anna@example.com",
        subject="Приглашение на собеседование",
        body="Здравствуйте, Анна!",
        status=Message.Status.FAILED,
        error="421 try later",
    )
    return application, message


def _page(client, user, candidate):
    client.force_login(user)
    return client.get(reverse("admin:interviews_candidate_change", args=[candidate.pk]))


@pytest.mark.parametrize("role", [roles.HR_MANAGER, roles.RECRUITER])
def test_hr_see_the_candidates_messages_read_only(client, written, role):
    application, _ = written

    response = _page(client, member(role), application.candidate)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Приглашение на собеседование" in html
    assert "421 try later" in html
    assert 'name="messages-0-subject"' not in html
    assert 'name="messages-0-DELETE"' not in html


def test_interviewers_do_not_see_the_messages(client, written):
    application, _ = written
    interviewer = member(roles.INTERVIEWER)
    InterviewFactory(application=application, interviewers=[interviewer])

    response = _page(client, interviewer, application.candidate)

    assert response.status_code == 200
    assert "Приглашение на собеседование" not in response.content.decode()


def test_a_merge_keeps_the_merged_records_messages_on_the_kept_one(written):
    application, message = written
    keep = CandidateFactory()

    duplicates.merge_candidates(keep=keep, merge=application.candidate)

    message.refresh_from_db()
    assert message.candidate == keep
