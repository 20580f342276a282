"""The outbox: composing letters, queueing them, delivering them by tasks with retries,
through Django's test mail box and through a real SMTP server on 127.0.0.1."""

import datetime
import email
import email.policy
import smtplib
import socket

import environ
import icalendar
import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks import default_task_backend
from django_tasks_db.models import DBTaskResult

from interviews.messaging import outbox
from interviews.models import Message, MessageTemplate
from tests.factories import ApplicationFactory, CandidateFactory, UserFactory, VacancyFactory

pytestmark = pytest.mark.django_db

DUMMY_TASKS = {
    "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}
}
CALENDAR = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Zvonok//Interviews//EN\r\nMETHOD:REQUEST\r\n"
    "BEGIN:VEVENT\r\nUID:interview-7@zvonok.example\r\nSEQUENCE:0\r\n"
    "DTSTAMP:20261204T100000Z\r\nDTSTART:20261207T093000Z\r\nDTEND:20261207T103000Z\r\n"
    "SUMMARY:Собеседование\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


@pytest.fixture
def application(db):
    return ApplicationFactory(
        candidate=CandidateFactory(full_name="Анна Смирнова", email="anna@mail.example"),
        vacancy=VacancyFactory(title="Python-разработчик", slug="python"),
    )


@pytest.fixture
def template(db):
    return MessageTemplate.objects.create(
        name="Тест",
        purpose=MessageTemplate.Purpose.FREE,
        language="ru",
        subject="{{ vacancy }}: {{ first_name }}",
        body="Здравствуйте, {{ first_name }}!\n{{ reason }}\n{{ interview_time }}\n"
        "{{ apply_link }}",
    )


@pytest.fixture
def dummy_tasks(settings):
    """A queue that keeps what is queued (with run_after) and runs nothing."""
    settings.TASKS = DUMMY_TASKS
    default_task_backend.clear()
    yield default_task_backend
    default_task_backend.clear()


def queue(application, **kwargs):
    return outbox.queue_message(
        application=application, subject=kwargs.pop("subject", "Тема"), body="Текст", **kwargs
    )


def run_queued(backend, capture):
    """Run every task the dummy queue holds, oldest first; returns how many ran."""
    results = list(backend.results)
    backend.clear()
    with capture(execute=True):
        for result in results:
            result.task.call(*result.args, **result.kwargs)
    return len(results)


# -- compose ---------------------------------------------------------------------------


def test_compose_renders_the_candidate_vacancy_and_extra_values(template, application):
    application.vacancy.apply_token = "tok"
    application.vacancy.save()

    subject, body = outbox.compose(template, application, extra={"reason": "Нужен опыт"})

    assert subject == "Python-разработчик: Анна"
    assert body.startswith("Здравствуйте, Анна!\nНужен опыт\n")
    assert body.rstrip().endswith("/apply/tok/")


def test_compose_writes_an_interview_time_in_the_templates_language(template, application):
    when = datetime.datetime(2026, 12, 7, 9, 30, tzinfo=datetime.UTC)

    _subject, body = outbox.compose(template, application, extra={"interview_time": when})

    assert "7 декабря 2026 г. 12:30 (Europe/Moscow)" in body


def test_compose_takes_an_interview_time_already_written(template, application):
    _subject, body = outbox.compose(
        template, application, extra={"interview_time": "завтра в 10:00"}
    )

    assert "завтра в 10:00" in body


def test_compose_refuses_variables_outside_the_allowed_ones(template, application):
    with pytest.raises(ValueError, match="secret"):
        outbox.compose(template, application, extra={"secret": "x"})


@pytest.mark.parametrize(
    ("full_name", "first"),
    [
        ("Анна Смирнова", "Анна"),
        ("Смирнова Анна Петровна", "Анна"),
        ("Кузнецов Илья Кузьмич", "Илья"),
        ("John Ronald Tolkien", "John"),
        ("Cher", "Cher"),
        ("  ", ""),
    ],
)
def test_first_name_is_the_given_name(full_name, first):
    assert outbox.first_name(full_name) == first


# -- queueing and delivery through Django's test mail box --------------------------------


def test_a_queued_message_is_sent_once_its_row_is_committed(
    application, template, django_capture_on_commit_callbacks
):
    sender = UserFactory(username="olga")

    with django_capture_on_commit_callbacks(execute=True):
        message = queue(application, template=template, sender=sender)
        assert mail.outbox == []

    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.sent_at is not None
    assert (message.to, message.candidate, message.template, message.sender) == (
        "anna@mail.example",
        application.candidate,
        template,
        sender,
    )
    assert [(m.to, m.subject, m.body, m.from_email) for m in mail.outbox] == [
        (["anna@mail.example"], "Тема", "Текст", "zvonok@localhost")
    ]


def test_a_calendar_goes_with_the_letter_as_invite_ics(
    application, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue(application, calendar=CALENDAR)

    message.refresh_from_db()
    assert message.calendar == CALENDAR
    parsed = email.message_from_bytes(mail.outbox[0].message().as_bytes())
    [part] = [p for p in parsed.walk() if p.get_filename()]
    assert part.get_filename() == "invite.ics"
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "REQUEST"
    assert icalendar.Calendar.from_ical(part.get_payload(decode=True))["method"] == "REQUEST"


def test_a_candidate_without_an_address_gets_no_message(application):
    application.candidate.email = ""
    application.candidate.save()

    with pytest.raises(outbox.NoAddress):
        queue(application)

    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"subject": "Тема\nBcc: all@example.com"}, "one line"),
        ({"subject": "x" * 301}, "at most 300"),
        ({"calendar": "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"}, "METHOD"),
    ],
)
def test_a_letter_that_cannot_be_sent_is_refused_when_queued(application, kwargs, error):
    with pytest.raises(ValueError, match=error):
        queue(application, **kwargs)

    assert not Message.objects.exists()


def test_a_task_for_a_message_already_sent_sends_nothing(
    application, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue(application)

    result = outbox.deliver_message.call(message.pk)

    assert result == "nothing to send"
    assert len(mail.outbox) == 1


def test_a_message_whose_address_was_erased_while_queued_fails_unsent(application, db):
    message = queue(application)  # its task waits for a commit that never comes here
    Message.objects.filter(pk=message.pk).update(to="")

    outbox.deliver_message.call(message.pk)

    message.refresh_from_db()
    assert (message.status, message.error) == (Message.Status.FAILED, "no address")
    assert mail.outbox == []


def test_staff_mail_is_delivered_and_not_kept(django_capture_on_commit_callbacks, db):
    with django_capture_on_commit_callbacks(execute=True):
        outbox.send_staff_mail(
            to=["ivan@zvonok.example"], subject="Напоминание", body="Оценки", calendar=CALENDAR
        )

    [sent] = mail.outbox
    assert (sent.to, sent.subject, sent.body) == (["ivan@zvonok.example"], "Напоминание", "Оценки")
    assert sent.message().get_payload()[1].get_filename() == "invite.ics"
    assert not Message.objects.exists()


# -- retries ---------------------------------------------------------------------------


@pytest.fixture
def refusing(monkeypatch):
    """Every letter is refused by the server with a temporary error."""

    def refuse(self, fail_silently=False):
        raise smtplib.SMTPDataError(451, b"4.3.0 Try again later")

    monkeypatch.setattr(mail.EmailMessage, "send", refuse)


def test_a_failed_try_queues_the_next_later_and_the_third_fails_the_message(
    application, dummy_tasks, refusing, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue(application)
    runs_after = []

    for _try in range(3):
        [queued] = dummy_tasks.results
        runs_after.append(queued.task.run_after)
        before = timezone.now()
        run_queued(dummy_tasks, django_capture_on_commit_callbacks)
        if dummy_tasks.results:
            later = dummy_tasks.results[0].task.run_after
            assert later > before
            message.refresh_from_db()
            assert (message.status, message.error) == ("queued", "451 4.3.0 Try again later")

    assert runs_after[0] is None
    assert dummy_tasks.results == []
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.error == "451 4.3.0 Try again later"
    assert message.sent_at is None


def test_the_waits_between_tries_grow(
    application, dummy_tasks, refusing, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        queue(application)
    delays = []

    for _try in range(2):
        before = timezone.now()
        run_queued(dummy_tasks, django_capture_on_commit_callbacks)
        after = timezone.now()
        run_after = dummy_tasks.results[0].task.run_after
        delays.append((run_after - after, run_after - before))

    one, five = datetime.timedelta(minutes=1), datetime.timedelta(minutes=5)
    assert delays[0][0] <= one <= delays[0][1]
    assert delays[1][0] <= five <= delays[1][1]


def test_a_failed_message_sent_again_gets_three_new_tries(
    application, dummy_tasks, django_capture_on_commit_callbacks
):
    failed = Message.objects.create(
        candidate=application.candidate,
        application=application,
        to="anna@mail.example",
        subject="Тема",
        body="Текст",
        status=Message.Status.FAILED,
        error="451 busy",
    )
    sent = Message.objects.create(
        candidate=application.candidate,
        to="anna@mail.example",
        subject="Другое",
        body="Текст",
        status=Message.Status.SENT,
    )

    with django_capture_on_commit_callbacks(execute=True):
        count = outbox.send_again(Message.objects.filter(pk__in=[failed.pk, sent.pk]))
    run_queued(dummy_tasks, django_capture_on_commit_callbacks)

    assert count == 1
    failed.refresh_from_db()
    assert (failed.status, failed.error) == (Message.Status.SENT, "")
    assert [m.subject for m in mail.outbox] == ["Тема"]


def test_staff_mail_is_tried_again_later_after_a_failure(
    dummy_tasks, refusing, django_capture_on_commit_callbacks, db
):
    with django_capture_on_commit_callbacks(execute=True):
        outbox.send_staff_mail(to=["ivan@zvonok.example"], subject="Тема", body="Текст")

    run_queued(dummy_tasks, django_capture_on_commit_callbacks)

    [again] = dummy_tasks.results
    assert again.args[-1] == 2
    assert again.task.run_after > timezone.now()


# -- a real SMTP server ----------------------------------------------------------------


class Mailbox:
    """An SMTP server's handler: keeps what arrives, or answers with ``reply``."""

    def __init__(self):
        self.arrived = []
        self.reply = None

    async def handle_DATA(self, server, session, envelope):
        if self.reply:
            return self.reply
        self.arrived.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def smtp_server():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, mailbox
    controller.stop()


@pytest.fixture
def smtp(smtp_server, settings):
    """Mail settings as EMAIL_URL=smtp://127.0.0.1:<port> gives them."""
    controller, mailbox = smtp_server
    mailbox.arrived.clear()
    mailbox.reply = None
    config = environ.Env.email_url_config(f"smtp://127.0.0.1:{controller.port}")
    for name, value in config.items():
        setattr(settings, name, value)
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "Звонок <hr@zvonok.example>"
    return mailbox


def test_a_message_arrives_through_smtp_with_its_headers_body_and_invitation(
    application, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue(application, subject="Приглашение: Python-разработчик", calendar=CALENDAR)

    [envelope] = smtp.arrived
    assert envelope.rcpt_tos == ["anna@mail.example"]
    received = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert received["From"] == "Звонок <hr@zvonok.example>"
    assert received["To"] == "anna@mail.example"
    # A long encoded subject is folded onto the next line: the fold is not the subject's.
    assert received["Subject"].strip() == "Приглашение: Python-разработчик"
    assert received.get_body(("plain",)).get_content().strip() == "Текст"
    [invite] = list(received.iter_attachments())
    assert invite.get_filename() == "invite.ics"
    assert invite.get_content_type() == "text/calendar"
    assert invite.get_param("method") == "REQUEST"
    parsed = icalendar.Calendar.from_ical(invite.get_content())
    assert str(parsed.walk("VEVENT")[0]["uid"]) == "interview-7@zvonok.example"
    message.refresh_from_db()
    assert message.status == Message.Status.SENT


@pytest.mark.parametrize("reply", ["451 4.3.0 Mailbox busy", "554 5.7.1 Rejected"])
def test_a_server_that_refuses_is_tried_three_times_then_the_message_fails(
    application, smtp, dummy_tasks, reply, django_capture_on_commit_callbacks
):
    smtp.reply = reply
    with django_capture_on_commit_callbacks(execute=True):
        message = queue(application)

    ran = 0
    while dummy_tasks.results:
        assert ran == 0 or dummy_tasks.results[0].task.run_after > timezone.now()
        ran += run_queued(dummy_tasks, django_capture_on_commit_callbacks)

    assert ran == 3
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.error == reply
    assert smtp.arrived == []


def test_a_closed_port_fails_the_message_with_the_network_error(
    application, settings, dummy_tasks, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _free_port()
    with django_capture_on_commit_callbacks(execute=True):
        message = queue(application)

    while dummy_tasks.results:
        run_queued(dummy_tasks, django_capture_on_commit_callbacks)

    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.error.startswith("ConnectionRefusedError")


# -- the database queue and its worker -------------------------------------------------

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


# The worker reads the queue as another process would: the rows must be committed. The
# test needs none of the rows migrations make (no serialized_rollback: restoring them
# fails after another transactional test's flush has made them again under new keys).
@pytest.mark.django_db(transaction=True)
def test_a_database_worker_delivers_the_queued_messages_in_one_batch(settings):
    settings.TASKS = DATABASE_TASKS  # the setting's signal drops the cached backend
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    first = ApplicationFactory(candidate=CandidateFactory(email="anna@mail.example"))
    second = ApplicationFactory(candidate=CandidateFactory(email="boris@mail.example"))
    messages = [queue(first, subject="Первое"), queue(second, subject="Второе")]
    assert mail.outbox == []
    assert DBTaskResult.objects.filter(status="READY").count() == 2

    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)

    assert sorted(m.subject for m in mail.outbox) == ["Второе", "Первое"]
    for message in messages:
        message.refresh_from_db()
        assert message.status == Message.Status.SENT
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2
