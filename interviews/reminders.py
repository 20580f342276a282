"""Feedback reminders: e-mail interviewers who have not submitted a scorecard.

An interview is due once it ended (scheduled_at + duration) more than ``hours`` ago, is
planned or done (not cancelled), and one of its interviewers has no submitted scorecard
for its application. Each interviewer gets one e-mail listing all their due interviews;
a FeedbackReminder row per (interview, interviewer) keeps them from being reminded of
the same interview again within REMIND_EVERY. The window is rolling, so the command is
meant to run hourly: a daily cron a few seconds early would otherwise skip a day.

The e-mails go through the outbox (``send_staff_mail``): each is a task, queued when its
reminder rows commit and tried again later when the mail server fails, so one refused
address neither stops the others nor makes the command wait for the server.

The ``send_feedback_reminders`` command and the tests call these functions.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import groupby
from operator import attrgetter

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from .messaging import outbox
from .models import FeedbackReminder, Interview, Scorecard

REMIND_EVERY = timedelta(days=1)
TEMPLATE = "interviews/email/feedback_reminder.txt"

InterviewInterviewer = Interview.interviewers.through


@dataclass(frozen=True, slots=True)
class DueReminder:
    """One interviewer and the interviews they still owe a scorecard for."""

    interviewer: AbstractBaseUser
    interviews: tuple[Interview, ...]

    @property
    def can_be_sent(self) -> bool:
        return bool(self.interviewer.email) and self.interviewer.is_active


@dataclass(slots=True)
class ReminderReport:
    dry_run: bool = False
    sent: list[DueReminder] = field(default_factory=list)
    # Due, but nobody to write to: no e-mail address or a deactivated account.
    skipped: list[DueReminder] = field(default_factory=list)

    @property
    def interviews_sent(self) -> int:
        return sum(len(r.interviews) for r in self.sent)


def find_due_reminders(*, now: datetime, hours: float = 24) -> list[DueReminder]:
    """Interviewers to remind at ``now``, each with their due interviews (oldest first),
    ordered by interviewer. Includes interviewers who cannot be e-mailed (see
    ``DueReminder.can_be_sent``) so that callers can report them."""
    pairs = (
        _due_pairs(now=now, hours=hours)
        .select_related(
            "user", "interview__application__candidate", "interview__application__vacancy"
        )
        .order_by("user_id", "interview__scheduled_at", "interview_id")
    )
    cutoff = now - timedelta(hours=hours)
    due = []
    for _user_id, group in groupby(pairs, key=attrgetter("user_id")):
        # The query only knows when an interview started; its duration is applied here.
        rows = [pair for pair in group if pair.interview.ends_at < cutoff]
        if rows:
            interviews = tuple(pair.interview for pair in rows)
            due.append(DueReminder(interviewer=rows[0].user, interviews=interviews))
    return due


def send_reminders(*, now: datetime, hours: float = 24, dry_run: bool = False) -> ReminderReport:
    """Queue the reminders due at ``now`` and record them. With ``dry_run``, only report
    who would be e-mailed: nothing is queued or written."""
    report = ReminderReport(dry_run=dry_run)
    for due in find_due_reminders(now=now, hours=hours):
        if not due.can_be_sent:
            report.skipped.append(due)
        elif dry_run:
            report.sent.append(due)
        elif (sent := _send_and_record(due, now=now, hours=hours)) is not None:
            report.sent.append(sent)
    return report


def reminder_email(due: DueReminder) -> EmailMessage:
    """The e-mail for ``due``, in the product's language whoever runs the command."""
    base_url = settings.ZVONOK_BASE_URL.rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        items = [
            {
                "candidate": interview.application.candidate.full_name,
                "vacancy": interview.application.vacancy.title,
                "kind": interview.get_kind_display(),
                "starts_at": timezone.localtime(interview.scheduled_at),
                "url": base_url
                + reverse("admin:interviews_application_score", args=[interview.application_id]),
            }
            for interview in due.interviews
        ]
        count = len(items)
        subject = ngettext(
            "Scorecard due for %(count)d interview",
            "Scorecards due for %(count)d interviews",
            count,
        ) % {"count": count}
        body = render_to_string(
            TEMPLATE,
            {
                "name": due.interviewer.get_full_name() or due.interviewer.get_username(),
                "items": items,
                "timezone": timezone.get_current_timezone_name(),
            },
        )
    return EmailMessage(subject=subject, body=body, to=[due.interviewer.email])


def _due_pairs(*, now: datetime, hours: float) -> QuerySet:
    """(interview, interviewer) rows that may be due: started before the cutoff, not
    cancelled, no submitted scorecard, not reminded within REMIND_EVERY."""
    submitted = Scorecard.objects.filter(
        application_id=OuterRef("interview__application_id"),
        reviewer_id=OuterRef("user_id"),
        submitted_at__isnull=False,
    )
    reminded = FeedbackReminder.objects.filter(
        interview_id=OuterRef("interview_id"),
        interviewer_id=OuterRef("user_id"),
        sent_at__gt=now - REMIND_EVERY,
    )
    return (
        InterviewInterviewer.objects.filter(
            # An interview that ended before the cutoff started before it: this much the
            # (status, scheduled_at) index can answer; ends_at is checked in Python.
            interview__status__in=[Interview.Status.PLANNED, Interview.Status.DONE],
            interview__scheduled_at__lt=now - timedelta(hours=hours),
        )
        .exclude(Exists(submitted))
        .exclude(Exists(reminded))
    )


def _send_and_record(due: DueReminder, *, now: datetime, hours: float) -> DueReminder | None:
    """Queue one interviewer's e-mail and record it in one transaction; None if another
    run got there first. Returns what was actually queued."""
    with transaction.atomic():
        # Two runs at once would both see "not reminded yet": the interviewer's row
        # serialises them, and the second one re-reads below after the first commits.
        # (SQLite ignores the lock; it is for development only.)
        lock = get_user_model().objects.select_for_update().filter(pk=due.interviewer.pk)
        list(lock.values_list("pk", flat=True))
        still_due = set(
            _due_pairs(now=now, hours=hours)
            .filter(user_id=due.interviewer.pk, interview_id__in=[i.pk for i in due.interviews])
            .values_list("interview_id", flat=True)
        )
        interviews = tuple(i for i in due.interviews if i.pk in still_due)
        if not interviews:
            return None
        due = DueReminder(interviewer=due.interviewer, interviews=interviews)
        # Queued once the rows commit: a failed commit queues nothing and the next run
        # tries again. A letter the server still refuses after the outbox's last try is
        # lost for the day (logged); the next reminder comes after REMIND_EVERY.
        letter = reminder_email(due)
        outbox.send_staff_mail(to=letter.to, subject=letter.subject, body=letter.body)
        FeedbackReminder.objects.bulk_create(
            FeedbackReminder(interview=i, interviewer=due.interviewer, sent_at=now)
            for i in interviews
        )
    return due
