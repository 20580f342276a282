"""The audit history: who changed which field from what to what."""

import pytest
from django.contrib.admin import site
from django.test import Client
from django.urls import reverse

from interviews import roles
from interviews.admin.common import AuditedAdmin
from interviews.models import Stage
from tests.factories import (
    AnswerFactory,
    AnswerScoreFactory,
    ApplicationFactory,
    CandidateFactory,
    ScorecardFactory,
    member,
)

pytestmark = pytest.mark.django_db


def test_history_page_shows_who_changed_which_field_from_what_to_what(admin_client, admin_user):
    candidate = CandidateFactory(full_name="Иван Петров", phone="+79000000001")
    url = reverse("admin:interviews_candidate_change", args=[candidate.pk])
    admin_client.post(
        url,
        {
            "full_name": "Иван Петров",
            "email": candidate.email,
            "phone": "+79000000002",
            "telegram": candidate.telegram,
            "source": candidate.source,
            "notes": "",
            "applications-TOTAL_FORMS": 0,
            "applications-INITIAL_FORMS": 0,
            "submissions-TOTAL_FORMS": 0,
            "submissions-INITIAL_FORMS": 0,
            "messages-TOTAL_FORMS": 0,
            "messages-INITIAL_FORMS": 0,
        },
    )

    content = admin_client.get(
        reverse("admin:interviews_candidate_history", args=[candidate.pk])
    ).content.decode()

    assert candidate.history.count() == 2
    assert candidate.history.first().history_user == admin_user
    assert "+79000000001" in content and "+79000000002" in content
    assert admin_user.username in content


def test_stage_moves_are_in_the_application_history(admin_client, admin_user):
    application = ApplicationFactory()
    application.move_to(Stage.objects.get(name="Offer"), by=admin_user)

    record = application.history.first()
    delta = record.diff_against(record.prev_record)
    assert "stage" in delta.changed_fields


def test_interviewers_cannot_read_history(client):
    interviewer = member(roles.INTERVIEWER)
    candidate = CandidateFactory()
    client.force_login(interviewer)

    response = client.get(reverse("admin:interviews_candidate_history", args=[candidate.pk]))

    assert response.status_code == 403


def test_recruiters_cannot_read_scorecard_history(client):
    recruiter = member(roles.RECRUITER)
    scorecard = ScorecardFactory()
    client.force_login(recruiter)

    response = client.get(reverse("admin:interviews_scorecard_history", args=[scorecard.pk]))

    assert response.status_code == 403


# -- ids in the URL that cannot be ids ---------------------------------------------------

AUDITED_ROWS = {
    "answer": AnswerFactory,
    "answerscore": AnswerScoreFactory,
    "application": ApplicationFactory,
    "candidate": CandidateFactory,
    "scorecard": ScorecardFactory,
    "stage": lambda: Stage.objects.create(name="Test task", order=99),
}


def test_every_audited_admin_is_covered():
    audited = {
        model._meta.model_name
        for model, model_admin in site._registry.items()
        if isinstance(model_admin, AuditedAdmin)
    }

    assert audited == set(AUDITED_ROWS)


@pytest.mark.parametrize("model_name", sorted(AUDITED_ROWS))
def test_history_pages_answer_404_for_an_id_that_cannot_be_one(model_name, admin_user):
    row = AUDITED_ROWS[model_name]()
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)

    statuses = [
        client.get(reverse(f"admin:interviews_{model_name}_history", args=["abc"])).status_code,
        client.get(
            reverse(f"admin:interviews_{model_name}_simple_history", args=[row.pk, "abc"])
        ).status_code,
    ]

    assert statuses == [404, 404]
