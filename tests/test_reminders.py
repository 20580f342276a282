"""send_feedback_reminders, through call_command so that argument parsing is covered too."""

import io
import smtplib
from datetime import UTC, timedelta

import pytest
from django.core.mail import EmailMessage
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django_tasks import default_task_backend

from interviews import reminders
from interviews.messaging import outbox
from interviews.models import FeedbackReminder, Interview, Scorecard
from tests.factories import ApplicationFactory, CandidateFactory, UserFactory, VacancyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.ZVONOK_BASE_URL = "https://zvonok.example.com/"
    settings.TIME_ZONE = "Europe/Moscow"


@pytest.fixture
def interviewer(db):
    return UserFactory(username="ivan", email="ivan@example.com")


@pytest.fixture
def application(db):
    return ApplicationFactory(
        candidate=CandidateFactory(full_name="Анна Смирнова"),
        vacancy=VacancyFactory(title="Python-разработчик", slug="python"),
    )


def make_interview(application, *interviewers, ended_hours_ago=25, duration=60, **kwargs):
    ends_at = timezone.now() - timedelta(hours=ended_hours_ago)
    interview = Interview.objects.create(
        application=application,
        scheduled_at=ends_at - timedelta(minutes=duration),
        duration_minutes=duration,
        **kwargs,
    )
    interview.interviewers.add(*interviewers)
    return interview


def run(*args, **kwargs):
    out, err = io.StringIO(), io.StringIO()
    # The e-mails are queued when the reminders commit, which the test's transaction
    # never does: its callbacks run here as a commit would run them.
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_feedback_reminders", *args, stdout=out, stderr=err, **kwargs)
    return out.getvalue(), err.getvalue()


def score_url(application):
    path = reverse("admin:interviews_application_score", args=[application.pk])
    return f"https://zvonok.example.com{path}"


def test_interview_ended_a_day_ago_without_scorecard_mails_its_interviewer(
    mailoutbox, application, interviewer
):
    interview = make_interview(application, interviewer)

    run()

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["ivan@example.com"]
    assert mail.from_email == "zvonok@localhost"
    assert "Анна Смирнова" in mail.body
    assert "Python-разработчик" in mail.body
    assert score_url(application) in mail.body
    reminder = FeedbackReminder.objects.get()
    assert (reminder.interview, reminder.interviewer) == (interview, interviewer)


def test_mail_shows_interview_time_in_local_time(mailoutbox, application, interviewer):
    starts = (timezone.now() - timedelta(hours=30)).astimezone(UTC)
    starts = starts.replace(minute=7, second=0, microsecond=0)
    Interview.objects.create(
        application=application, scheduled_at=starts, duration_minutes=60
    ).interviewers.add(interviewer)

    run()

    moscow = (starts + timedelta(hours=3)).strftime("%H:%M")  # UTC+3 all year
    assert moscow in mailoutbox[0].body
    assert starts.strftime("%H:%M") not in mailoutbox[0].body


def test_draft_scorecard_is_still_reminded(mailoutbox, application, interviewer):
    make_interview(application, interviewer)
    Scorecard.objects.create(application=application, reviewer=interviewer, summary="Черновик")

    run()

    assert [m.to for m in mailoutbox] == [["ivan@example.com"]]


def test_submitted_scorecard_is_not_reminded(mailoutbox, application, interviewer):
    make_interview(application, interviewer)
    Scorecard.objects.create(
        application=application,
        reviewer=interviewer,
        recommendation=Scorecard.Recommendation.YES,
        submitted_at=timezone.now(),
    )

    run()

    assert mailoutbox == []
    assert not FeedbackReminder.objects.exists()


def test_scorecard_submitted_by_another_reviewer_does_not_count(
    mailoutbox, application, interviewer
):
    colleague = UserFactory(username="olga")
    make_interview(application, interviewer, colleague)
    Scorecard.objects.create(
        application=application,
        reviewer=colleague,
        recommendation=Scorecard.Recommendation.NO,
        submitted_at=timezone.now(),
    )

    run()

    assert [m.to for m in mailoutbox] == [["ivan@example.com"]]


def test_interview_ended_two_hours_ago_is_not_due_by_default(mailoutbox, application, interviewer):
    make_interview(application, interviewer, ended_hours_ago=2)

    run()

    assert mailoutbox == []


def test_hours_option_makes_a_recent_interview_due(mailoutbox, application, interviewer):
    make_interview(application, interviewer, ended_hours_ago=2)

    run("--hours", "1")

    assert [m.to for m in mailoutbox] == [["ivan@example.com"]]


def test_duration_counts_towards_the_end_of_an_interview(mailoutbox, application, interviewer):
    # Started 25 hours ago, but lasted three: it ended 22 hours ago.
    make_interview(application, interviewer, ended_hours_ago=22, duration=180)

    run()

    assert mailoutbox == []


def test_cancelled_interview_is_not_reminded(mailoutbox, application, interviewer):
    make_interview(application, interviewer, status=Interview.Status.CANCELLED)

    run()

    assert mailoutbox == []


def test_done_interview_is_reminded(mailoutbox, application, interviewer):
    make_interview(application, interviewer, status=Interview.Status.DONE)

    run()

    assert len(mailoutbox) == 1


def test_second_run_sends_nothing(mailoutbox, application, interviewer):
    make_interview(application, interviewer)
    run()

    run()

    assert len(mailoutbox) == 1
    assert FeedbackReminder.objects.count() == 1


def test_reminded_again_a_day_later(mailoutbox, application, interviewer):
    make_interview(application, interviewer)
    run()
    FeedbackReminder.objects.update(sent_at=timezone.now() - timedelta(hours=25))

    run()

    assert len(mailoutbox) == 2
    assert FeedbackReminder.objects.count() == 2


def test_due_again_when_now_is_a_day_after_the_reminder(application, interviewer):
    make_interview(application, interviewer)
    now = timezone.now()
    reminders.send_reminders(now=now)

    today = reminders.find_due_reminders(now=now + timedelta(hours=23))
    tomorrow = reminders.find_due_reminders(now=now + timedelta(hours=25))

    assert today == []
    assert [due.interviewer for due in tomorrow] == [interviewer]


def test_dry_run_lists_who_would_be_mailed_and_sends_and_records_nothing(
    mailoutbox, application, interviewer
):
    make_interview(application, interviewer)

    out, _err = run("--dry-run")

    assert mailoutbox == []
    assert not FeedbackReminder.objects.exists()
    assert "would e-mail ivan <ivan@example.com>" in out


def test_each_interviewer_of_one_interview_gets_their_own_mail(
    mailoutbox, application, interviewer
):
    colleague = UserFactory(username="olga", email="olga@example.com")
    interview = make_interview(application, interviewer, colleague)

    run()

    assert sorted(m.to[0] for m in mailoutbox) == ["ivan@example.com", "olga@example.com"]
    recorded = FeedbackReminder.objects.filter(interview=interview)
    assert sorted(recorded.values_list("interviewer__username", flat=True)) == ["ivan", "olga"]


def test_one_mail_lists_all_pending_interviews_of_an_interviewer(
    mailoutbox, application, interviewer
):
    other = ApplicationFactory(candidate=CandidateFactory(full_name="Пётр Иванов"))
    first = make_interview(application, interviewer, ended_hours_ago=30)
    second = make_interview(other, interviewer)

    run()

    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "Анна Смирнова" in body and "Пётр Иванов" in body
    assert score_url(application) in body and score_url(other) in body
    recorded = FeedbackReminder.objects.values_list("interview", flat=True)
    assert sorted(recorded) == sorted([first.pk, second.pk])


def test_interviewer_without_email_is_skipped_and_reported(mailoutbox, application, interviewer):
    make_interview(application, interviewer, UserFactory(username="noaddress", email=""))

    out, _err = run()

    assert [m.to for m in mailoutbox] == [["ivan@example.com"]]
    assert "skipped noaddress: no e-mail address" in out
    assert list(FeedbackReminder.objects.values_list("interviewer__username", flat=True)) == [
        "ivan"
    ]


def test_inactive_interviewer_is_skipped(mailoutbox, application):
    make_interview(application, UserFactory(username="left", is_active=False))

    out, _err = run()

    assert mailoutbox == []
    assert "skipped left: account is inactive" in out


def test_a_refused_mail_is_tried_again_and_does_not_stop_the_others(
    mailoutbox, application, interviewer, monkeypatch
):
    refused = UserFactory(username="refused", email="refused@example.com")
    make_interview(application, refused, interviewer)
    send = EmailMessage.send
    tries = []

    def refuse(self, fail_silently=False):
        if self.to == ["refused@example.com"]:
            tries.append(self.subject)
            raise smtplib.SMTPRecipientsRefused({"refused@example.com": (550, b"no")})
        return send(self, fail_silently)

    monkeypatch.setattr(EmailMessage, "send", refuse)

    out, _err = run()

    assert [m.to for m in mailoutbox] == [["ivan@example.com"]]
    # The immediate task backend cannot wait between tries: they follow at once.
    assert len(tries) == outbox.TRIES
    assert "2 e-mails about 2 interviews queued" in out


def test_reminders_are_queued_for_the_task_workers(application, interviewer, settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}
    }
    default_task_backend.clear()
    make_interview(application, interviewer)

    run()

    [queued] = default_task_backend.results
    assert queued.task.func is outbox.deliver_staff_mail.func
    assert queued.args[0] == ["ivan@example.com"]
    assert FeedbackReminder.objects.count() == 1
    default_task_backend.clear()


def test_negative_hours_is_refused(db):
    with pytest.raises(CommandError, match="--hours"):
        run("--hours", "-1")
