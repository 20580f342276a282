"""The outbox: letters to candidates and staff, delivered by background tasks.

A letter to a candidate is a ``Message`` row first (``queue_message``) and a delivery
task second, queued once the row is committed, so that a worker never looks for a row
that is not there yet. Staff mail (reminders, interviewers' invitations) is not kept:
``send_staff_mail`` queues a task carrying the letter itself.

The task queue has no retries of its own: a try that fails on the mail server or the
network queues the next try itself, later by ``RETRY_DELAYS``; after ``TRIES`` tries a
message is failed with the last error, and HR may send it again (``send_again``). A
delivery task only sends a message still queued, under its row lock, so a task that runs
twice (a worker restarted mid-batch, a retry racing "send again") sends the letter once.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from email.mime.text import MIMEText

import icalendar
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import task

from interviews import applying
from interviews.models import Application, Message, MessageTemplate

from .templates import message_context, render_message

logger = logging.getLogger(__name__)

#: Waits before the second and the third try; there is no fourth.
RETRY_DELAYS = (datetime.timedelta(minutes=1), datetime.timedelta(minutes=5))
TRIES = len(RETRY_DELAYS) + 1
#: What a try may fail with and still be worth trying again: the server's answer
#: (smtplib's errors) or the network (refused, reset, timed out, no such host).
RETRYABLE = (smtplib.SMTPException, OSError)
#: The template variables a caller adds to what the application gives.
EXTRA_VARIABLES = frozenset({"interview_time", "call_link", "reason"})
ATTACHMENT_NAME = "invite.ics"
#: Message.subject's length in the database.
MAX_SUBJECT_CHARS = Message._meta.get_field("subject").max_length

# Patronymics end so ("Иванович", "Ильинична", "Кузьмич"); with one, a three-word name is
# written family name first, as Russian forms and documents put it.
_PATRONYMIC_ENDINGS = ("ич", "вна", "чна")


class NoAddress(ValueError):
    """The candidate has no e-mail address to write to."""


def first_name(full_name: str) -> str:
    """The name a letter greets: the first word, or the second of "Фамилия Имя Отчество"."""
    words = full_name.split()
    if not words:
        return ""
    if len(words) == 3 and words[2].lower().endswith(_PATRONYMIC_ENDINGS):
        return words[1]
    return words[0]


def compose(
    template: MessageTemplate, application: Application, *, extra: dict[str, str] | None = None
) -> tuple[str, str]:
    """(subject, body) rendered for this application's candidate with the allowed context
    (first_name, vacancy, apply_link) plus ``extra`` (interview_time, call_link, reason).

    ``interview_time`` may be an aware datetime instead of a string: it is then written
    in the template's language and the site's time zone, with the zone's name.
    """
    extra = dict(extra or {})
    unknown = set(extra) - EXTRA_VARIABLES
    if unknown:
        raise ValueError(f"unknown template variables: {', '.join(sorted(unknown))}")
    when = extra.pop("interview_time", "")
    vacancy = application.vacancy
    context = message_context(
        first_name=first_name(application.candidate.full_name),
        vacancy=vacancy.title,
        apply_link=applying.link(vacancy),
        interview_time=when if isinstance(when, datetime.datetime) else None,
        time_zone=settings.TIME_ZONE,
        language=template.language,
        **extra,
    )
    if isinstance(when, str) and when:
        context["interview_time"] = when
    return render_message(template.subject, template.body, context)


def queue_message(
    *,
    application: Application,
    subject: str,
    body: str,
    template: MessageTemplate | None = None,
    sender=None,
    calendar: str = "",
) -> Message:
    """Creates Message(status=queued, to=candidate's e-mail, candidate, application,
    template, sender, calendar) and enqueues its delivery after commit. ``calendar`` is an
    iCalendar text (with METHOD) sent as an ``invite.ics`` attachment (text/calendar;
    method=<its METHOD>).

    Raises NoAddress when the candidate has no e-mail, ValueError for a subject that is
    not one line of at most MAX_SUBJECT_CHARS or a calendar without METHOD.
    """
    candidate = application.candidate
    if not candidate.email:
        raise NoAddress(f"candidate {candidate.pk} has no e-mail address")
    _check_subject(subject)
    if calendar:
        calendar_method(calendar)
    message = Message.objects.create(
        candidate=candidate,
        application=application,
        template=template,
        to=candidate.email,
        subject=subject,
        body=body,
        sender=sender,
        calendar=calendar,
        status=Message.Status.QUEUED,
    )
    _enqueue_after_commit(deliver_message, message.pk)
    return message


def send_again(messages: QuerySet[Message]) -> int:
    """Queue the failed ones among ``messages`` for delivery again, with three new tries.
    Returns how many were queued; sent and queued messages are left as they are."""
    chosen = list(messages.values_list("pk", flat=True))
    with transaction.atomic():
        # A plain query for the lock: an admin list's joins are not for locking.
        ids = list(
            Message.objects.select_for_update()
            .filter(pk__in=chosen, status=Message.Status.FAILED)
            .values_list("pk", flat=True)
        )
        Message.objects.filter(pk__in=ids).update(status=Message.Status.QUEUED, error="")
        for pk in ids:
            _enqueue_after_commit(deliver_message, pk)
    return len(ids)


def send_staff_mail(*, to: list[str], subject: str, body: str, calendar: str = "") -> None:
    """Mail to staff (interviewers: reminders, interview invitations), delivered by a task
    with the same retry policy; not stored as a candidate Message."""
    if not to:
        raise ValueError("send_staff_mail needs at least one address")
    _check_subject(subject)
    if calendar:
        calendar_method(calendar)
    _enqueue_after_commit(deliver_staff_mail, list(to), subject, body, calendar)


def calendar_method(calendar: str) -> str:
    """The METHOD of an iCalendar text (REQUEST, CANCEL, …); ValueError without one."""
    try:
        parsed = icalendar.Calendar.from_ical(calendar)
    except ValueError as exc:
        raise ValueError(f"not an iCalendar text: {exc}") from exc
    method = str(parsed.get("method", "")).strip().upper()
    if not method:
        raise ValueError("the calendar has no METHOD")
    return method


def email(*, to: list[str], subject: str, body: str, calendar: str = "") -> EmailMessage:
    """The letter as Django sends it, from DEFAULT_FROM_EMAIL, with the calendar attached."""
    mail = EmailMessage(subject=subject, body=body, to=to)
    if calendar:
        part = MIMEText(calendar, "calendar", "utf-8")
        # Mail clients offer "accept / decline" for an invitation by this parameter.
        part.set_param("method", calendar_method(calendar))
        part.add_header("Content-Disposition", "attachment", filename=ATTACHMENT_NAME)
        mail.attach(part)
    return mail


@task()
def deliver_message(message_id: int, attempt: int = 1) -> str:
    """Send one queued message; what happened is the task's result."""
    unexpected = None
    with transaction.atomic():
        # The row lock is held while the mail server answers: a second task for the same
        # message waits here, then finds it sent. (SQLite ignores it; development only.)
        message = (
            Message.objects.select_for_update()
            .filter(pk=message_id, status=Message.Status.QUEUED)
            .first()
        )
        if message is None:
            return "nothing to send"
        if not message.to:
            # Anonymised while it waited: the address is gone, and so is the reason to write.
            message.status = Message.Status.FAILED
            message.error = "no address"
            message.save(update_fields=["status", "error"])
            return "no address"
        try:
            email(
                to=[message.to],
                subject=message.subject,
                body=message.body,
                calendar=message.calendar,
            ).send()
        except RETRYABLE as exc:
            message.error = describe(exc)
            if attempt < TRIES:
                message.save(update_fields=["error"])
                delay = RETRY_DELAYS[attempt - 1]
                _enqueue_after_commit(deliver_message, message_id, attempt + 1, delay=delay)
                return f"try {attempt} of {TRIES} failed, tried again later"
            message.status = Message.Status.FAILED
            message.save(update_fields=["status", "error"])
            return f"failed after {TRIES} tries"
        except Exception as exc:
            # Not the server's fault (a bug, a letter that cannot be encoded): another try
            # would fail the same way. The message says so, and the task, raising once
            # the row is saved, keeps the traceback.
            message.status = Message.Status.FAILED
            message.error = describe(exc)
            message.save(update_fields=["status", "error"])
            unexpected = exc
        else:
            message.status = Message.Status.SENT
            message.sent_at = timezone.now()
            message.error = ""
            message.save(update_fields=["status", "sent_at", "error"])
            return "sent"
    raise unexpected


@task()
def deliver_staff_mail(
    to: list[str], subject: str, body: str, calendar: str = "", attempt: int = 1
) -> str:
    """Send one letter to staff; after the last try the error is logged and raised."""
    try:
        email(to=to, subject=subject, body=body, calendar=calendar).send()
    except RETRYABLE as exc:
        if attempt < TRIES:
            _enqueue_after_commit(
                deliver_staff_mail,
                to,
                subject,
                body,
                calendar,
                attempt + 1,
                delay=RETRY_DELAYS[attempt - 1],
            )
            return f"try {attempt} of {TRIES} failed, tried again later: {describe(exc)}"
        logger.error("mail to %s failed after %s tries: %s", ", ".join(to), TRIES, describe(exc))
        raise
    return "sent"


def describe(exc: BaseException) -> str:
    """One line for the error column: the server's code and words, or the exception."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}".strip()
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{address}: {code} {_text(text)}" for address, (code, text) in exc.recipients.items()
        )
    return f"{type(exc).__name__}: {exc}"


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _check_subject(subject: str) -> None:
    if "\n" in subject or "\r" in subject:
        raise ValueError("a subject is one line")
    if len(subject) > MAX_SUBJECT_CHARS:
        raise ValueError(f"a subject has at most {MAX_SUBJECT_CHARS} characters")


def _enqueue_after_commit(task_, *args, delay: datetime.timedelta | None = None) -> None:
    def enqueue():
        queued = task_
        # The immediate backend (development, `make run`) runs a task where it is queued
        # and cannot wait: there the next try follows at once.
        if delay is not None and task_.get_backend().supports_defer:
            queued = task_.using(run_after=timezone.now() + delay)
        queued.enqueue(*args)

    transaction.on_commit(enqueue)
