"""Interviews in calendars: saving an interview in the admin sends the iCalendar invitations
(interviews.scheduling), and each interview has its .ics download."""

import datetime
import zoneinfo

import icalendar
import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from interviews import privacy, roles, scheduling
from interviews.models import Interview, Message, MessageTemplate
from interviews.scheduling import Change, State, what_changed
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    InterviewFactory,
    UserFactory,
    member,
)

pytestmark = pytest.mark.django_db

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
CANDIDATE_EMAIL = "anna.candidate@mail.example"
CALL = "https://meet.example/abc-def"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.ZVONOK_BASE_URL = "https://zvonok.example"
    settings.DEFAULT_FROM_EMAIL = "Zvonok <hr-robot@zvonok.example>"
    settings.TIME_ZONE = "Europe/Moscow"
    settings.LANGUAGE_CODE = "ru"


@pytest.fixture
def panel():
    return [
        member(roles.INTERVIEWER, username="ivan", first_name="Иван", last_name="Петров"),
        member(roles.INTERVIEWER, username="bob", email="bob@zvonok.example"),
    ]


@pytest.fixture
def application():
    candidate = CandidateFactory(full_name="Анна Смирнова", email=CANDIDATE_EMAIL)
    return ApplicationFactory(candidate=candidate, vacancy__title="Python-разработчик")


@pytest.fixture
def hr(client):
    user = member(roles.HR_MANAGER, username="olga")
    client.force_login(user)
    return user


def form_data(application, panel, **changes):
    return {
        "application": application.pk,
        "kind": "technical",
        "round": 1,
        "scheduled_at_0": "2030-01-10",
        "scheduled_at_1": "10:00",
        "duration_minutes": 60,
        "interviewers": [user.pk for user in panel],
        "location": CALL,
        "status": "planned",
        "notes": "",
        **changes,
    }


def save(client, capture, url, data):
    """Post the form and run what waits for the commit (the outbox's deliveries)."""
    with capture(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, [
        response.context["adminform"].form.errors,
        *(f.formset.errors for f in response.context["inline_admin_formsets"]),
    ]
    return response


def add(client, capture, application, panel, **changes):
    save(
        client,
        capture,
        reverse("admin:interviews_interview_add"),
        form_data(application, panel, **changes),
    )
    return Interview.objects.latest("pk")


def change(client, capture, interview, panel, **changes):
    url = reverse("admin:interviews_interview_change", args=[interview.pk])
    save(client, capture, url, form_data(interview.application, panel, **changes))
    interview.refresh_from_db()
    return interview


def invitations(to=None):
    """(message, calendar, event) of each mail sent with an invite.ics, to ``to`` if given."""
    found = []
    for message in mail.outbox:
        if to is not None and message.to != [to]:
            continue
        for part in message.attachments:
            if part.get_filename() == "invite.ics":
                content, mimetype = part.get_payload(decode=True), part["Content-Type"]
                calendar = icalendar.Calendar.from_ical(content)
                (event,) = calendar.walk("VEVENT")
                found.append((message, calendar, event, content, mimetype))
    return found


def attendees(event):
    value = event.get("attendee", [])
    value = value if isinstance(value, list) else [value]
    return sorted(str(a).removeprefix("mailto:") for a in value)


def raw(message, content):
    text = content if isinstance(content, str) else content.decode()
    return "\n".join([message.subject, message.body, text, *message.to, *message.cc])


# -- what happened ----------------------------------------------------------------------------

T = datetime.datetime(2030, 1, 10, 7, 0, tzinfo=datetime.UTC)


def state(**changes):
    values = {
        "scheduled_at": T,
        "duration_minutes": 60,
        "location": CALL,
        "status": "planned",
        "interviewer_ids": frozenset({1}),
    }
    return State(**{**values, **changes})


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (None, state(), Change.SCHEDULED),
        (None, state(status="done"), Change.NONE),
        (None, state(status="cancelled"), Change.NONE),
        (state(), state(scheduled_at=T + datetime.timedelta(hours=1)), Change.RESCHEDULED),
        (state(), state(duration_minutes=90), Change.RESCHEDULED),
        (state(), state(location="https://meet.example/other"), Change.RESCHEDULED),
        (state(), state(status="cancelled"), Change.CANCELLED),
        (state(status="cancelled"), state(), Change.SCHEDULED),
        (state(status="cancelled"), state(status="cancelled", duration_minutes=5), Change.NONE),
        (state(), state(status="done"), Change.NONE),
        (state(), state(interviewer_ids=frozenset({2})), Change.NONE),
        (state(), state(), Change.NONE),
    ],
)
def test_what_changed(before, after, expected):
    assert what_changed(before, after) == expected


# -- schedule, reschedule, cancel through the admin ----------------------------------------


def test_scheduling_sends_each_interviewer_a_request_in_moscow_time(
    client, hr, application, panel, django_capture_on_commit_callbacks
):
    interview = add(client, django_capture_on_commit_callbacks, application, panel)

    sent = invitations()
    assert sorted(m.to[0] for m, *_ in sent) == ["bob@zvonok.example", "ivan@example.com"]
    for message, calendar, event, content, mimetype in sent:
        assert calendar["method"] == "REQUEST"
        assert mimetype.startswith("text/calendar")
        assert str(event["uid"]) == f"interview-{interview.pk}@zvonok.example"
        assert event["sequence"] == 0
        assert event["dtstart"].params["TZID"] == "Europe/Moscow"
        assert content.count(b"DTSTART;TZID=Europe/Moscow:20300110T100000") == 1
        assert event.decoded("dtstart") == T
        assert event.decoded("dtend") == T + datetime.timedelta(hours=1)
        assert str(event["organizer"]) == "mailto:hr-robot@zvonok.example"
        assert attendees(event) == ["bob@zvonok.example", "ivan@example.com"]
        assert event["location"] == event["url"] == CALL
        assert "Анна Смирнова" in event["summary"]
        assert "Анна Смирнова" in message.subject
        assert "10 января 2030" in message.body
        assert f"https://zvonok.example/admin/interviews/interview/{interview.pk}/" in message.body
    assert interview.sequence == 0


def test_in_utc_the_times_are_written_in_utc(
    client, hr, application, panel, settings, django_capture_on_commit_callbacks
):
    settings.TIME_ZONE = "UTC"

    add(client, django_capture_on_commit_callbacks, application, panel)

    (_message, calendar, event, content, _mimetype), *_ = invitations()
    assert b"DTSTART:20300110T100000Z" in content
    assert b"DTEND:20300110T110000Z" in content
    assert event.decoded("dtstart") == datetime.datetime(2030, 1, 10, 10, 0, tzinfo=datetime.UTC)
    assert calendar.walk("VTIMEZONE") == []


def test_rescheduling_keeps_the_uid_and_raises_the_sequence(
    client, hr, application, panel, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    interview = add(client, capture, application, panel)
    (_m, _c, first, *_), *_ = invitations()
    mail.outbox.clear()

    interview = change(client, capture, interview, panel, scheduled_at_1="15:30")

    sent = invitations()
    assert len(sent) == 2
    for message, calendar, event, _content, _mimetype in sent:
        assert calendar["method"] == "REQUEST"
        assert event["uid"] == first["uid"]
        assert event["sequence"] == 1
        assert event.decoded("dtstart") == datetime.datetime(2030, 1, 10, 15, 30, tzinfo=MOSCOW)
        assert message.subject.startswith("Собеседование перенесено: Анна Смирнова")
    assert interview.sequence == 1


def test_a_longer_interview_or_another_link_is_a_reschedule_too(
    client, hr, application, panel, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    interview = add(client, capture, application, panel)

    change(client, capture, interview, panel, duration_minutes=90)
    interview = change(
        client, capture, interview, panel, duration_minutes=90, location="https://meet.example/x"
    )

    (_m, _c, event, *_), *_ = invitations("bob@zvonok.example")[-1:]
    assert interview.sequence == 2
    assert event["sequence"] == 2
    assert event.decoded("dtend") - event.decoded("dtstart") == datetime.timedelta(minutes=90)
    assert event["location"] == "https://meet.example/x"


def test_editing_the_notes_sends_nothing_and_keeps_the_sequence(
    client, hr, application, panel, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    interview = add(client, capture, application, panel)
    mail.outbox.clear()

    interview = change(client, capture, interview, panel, notes="Спросить про asyncio")

    assert mail.outbox == []
    assert interview.sequence == 0


def test_cancelling_sends_a_cancel_with_a_higher_sequence(
    client, hr, application, panel, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    interview = add(client, capture, application, panel)
    interview = change(client, capture, interview, panel, scheduled_at_1="12:00")
    mail.outbox.clear()

    interview = change(
        client, capture, interview, panel, scheduled_at_1="12:00", status="cancelled"
    )

    sent = invitations()
    assert sorted(m.to[0] for m, *_ in sent) == ["bob@zvonok.example", "ivan@example.com"]
    for _message, calendar, event, _content, _mimetype in sent:
        assert calendar["method"] == "CANCEL"
        assert event["status"] == "CANCELLED"
        assert event["sequence"] == 2
        assert str(event["uid"]) == f"interview-{interview.pk}@zvonok.example"
    assert interview.sequence == 2


def test_deleting_a_planned_interview_cancels_it_in_the_calendars(
    client, hr, application, panel, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    interview = add(client, capture, application, panel)
    uid = f"interview-{interview.pk}@zvonok.example"
    mail.outbox.clear()

    url = reverse("admin:interviews_interview_delete", args=[interview.pk])
    save(client, capture, url, {"post": "yes"})

    sent = invitations()
    assert len(sent) == 2
    assert {(c["method"], str(e["uid"]), e["sequence"]) for _m, c, e, *_ in sent} == {
        ("CANCEL", uid, 1)
    }
    assert not Interview.objects.filter(pk=interview.pk).exists()


def test_deleting_the_candidate_cancels_their_planned_interviews(
    application, panel, django_capture_on_commit_callbacks
):
    interview = InterviewFactory(application=application, interviewers=panel, scheduled_at=T)
    uid = f"interview-{interview.pk}@zvonok.example"

    with django_capture_on_commit_callbacks(execute=True):
        application.candidate.delete()

    sent = invitations()
    assert sorted(m.to[0] for m, *_ in sent) == ["bob@zvonok.example", "ivan@example.com"]
    assert {(c["method"], str(e["uid"])) for _m, c, e, *_ in sent} == {("CANCEL", uid)}
    assert not Interview.objects.exists()


def test_deleting_an_interview_that_is_over_or_cancelled_sends_nothing(
    application, panel, django_capture_on_commit_callbacks
):
    past = InterviewFactory(application=application, interviewers=panel)
    cancelled = InterviewFactory(
        application=application, interviewers=panel, scheduled_at=T, status="cancelled"
    )

    with django_capture_on_commit_callbacks(execute=True):
        past.delete()
        cancelled.delete()

    assert mail.outbox == []


def test_an_added_interviewer_gets_the_invitation_and_a_removed_one_the_cancellation(
    client, hr, application, panel, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    ivan, bob = panel
    newcomer = member(roles.INTERVIEWER, username="new", email="new@zvonok.example")
    interview = add(client, capture, application, [ivan, bob])
    mail.outbox.clear()

    change(client, capture, interview, [ivan, newcomer])

    methods = {m.to[0]: c["method"] for m, c, *_ in invitations()}
    assert methods == {"new@zvonok.example": "REQUEST", "bob@zvonok.example": "CANCEL"}


def test_an_interviewer_without_an_address_is_skipped_and_named(
    client, hr, application, panel, django_capture_on_commit_callbacks
):
    silent = member(roles.INTERVIEWER, username="silent", email="")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:interviews_interview_add"),
            form_data(application, [*panel, silent]),
            follow=True,
        )

    assert len(invitations()) == 2
    assert "silent" in response.content.decode()


# -- the candidate ------------------------------------------------------------------------------


def test_the_candidate_is_invited_only_when_hr_ticks_it(
    client, hr, application, panel, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    interview = add(client, capture, application, panel)
    assert invitations(CANDIDATE_EMAIL) == []
    assert not Message.objects.exists()

    change(client, capture, interview, panel, invite_candidate="on")

    ((message, calendar, event, _content, _mimetype),) = invitations(CANDIDATE_EMAIL)
    stored = Message.objects.get()
    assert stored.to == CANDIDATE_EMAIL
    assert stored.application == application
    assert stored.sender == hr
    assert stored.template.purpose == MessageTemplate.Purpose.INTERVIEW_INVITATION
    assert stored.template.language == "ru"
    assert "Python-разработчик" in message.subject
    assert CALL in message.body
    assert "10 января 2030" in message.body
    assert calendar["method"] == "REQUEST"
    assert attendees(event) == sorted(["bob@zvonok.example", "ivan@example.com", CANDIDATE_EMAIL])
    assert event["sequence"] == 0


def test_the_interviewers_copy_never_carries_the_candidates_address(
    client, hr, application, panel, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    interview = add(client, capture, application, panel, invite_candidate="on")
    change(client, capture, interview, panel, invite_candidate="on", status="cancelled")

    to_interviewers = [sent for sent in invitations() if sent[0].to != [CANDIDATE_EMAIL]]
    assert len(to_interviewers) == 4
    for message, _calendar, _event, content, _mimetype in to_interviewers:
        assert CANDIDATE_EMAIL not in raw(message, content)
        assert "mail.example" not in raw(message, content)


def test_a_cancelled_interview_ticked_for_the_candidate_sends_them_the_cancellation(
    client, hr, application, panel, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    interview = add(client, capture, application, panel, invite_candidate="on")

    change(client, capture, interview, panel, status="cancelled", invite_candidate="on")

    methods = [c["method"] for _m, c, *_ in invitations(CANDIDATE_EMAIL)]
    assert methods == ["REQUEST", "CANCEL"]
    assert Message.objects.count() == 2


def test_anonymising_the_candidate_erases_the_invitation_sent_to_them(
    client, hr, application, panel, django_capture_on_commit_callbacks
):
    add(client, django_capture_on_commit_callbacks, application, panel, invite_candidate="on")
    assert CANDIDATE_EMAIL in Message.objects.get().calendar

    privacy.anonymize(application.candidate, force=True)

    message = Message.objects.get()
    assert message.calendar == ""
    assert message.to == ""


def test_a_candidate_without_an_address_is_not_invited_and_hr_is_told(
    client, hr, panel, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(candidate=CandidateFactory(email=""))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:interviews_interview_add"),
            form_data(application, panel, invite_candidate="on"),
            follow=True,
        )

    assert not Message.objects.exists()
    assert len(invitations()) == 2
    assert any(m.level_tag == "warning" for m in response.context["messages"])


def test_only_hr_managers_and_recruiters_are_offered_the_candidate_checkbox(client, application):
    interviewer = member(roles.INTERVIEWER)
    interview = InterviewFactory(application=application, interviewers=[interviewer])
    checkbox = 'name="invite_candidate"'
    pages = {}

    for name, user in {
        "hr": member(roles.HR_MANAGER),
        "recruiter": member(roles.RECRUITER),
        "interviewer": interviewer,
    }.items():
        client.force_login(user)
        url = reverse("admin:interviews_interview_change", args=[interview.pk])
        pages[name] = checkbox in client.get(url).content.decode()

    assert pages == {"hr": True, "recruiter": True, "interviewer": False}


def test_the_domain_ignores_a_candidate_invitation_asked_by_an_interviewer(
    application, panel, django_capture_on_commit_callbacks
):
    interview = InterviewFactory(
        application=application,
        interviewers=panel,
        scheduled_at=T,
        location=CALL,
    )

    with django_capture_on_commit_callbacks(execute=True):
        outcome = scheduling.interview_saved(
            interview, None, sender=panel[0], invite_candidate=True
        )

    assert outcome.candidate == ""
    assert not Message.objects.exists()
    assert invitations(CANDIDATE_EMAIL) == []


# -- the interviews on the application's page --------------------------------------------------


def test_moving_an_interview_on_the_application_page_updates_the_calendars(
    client, hr, application, panel, django_capture_on_commit_callbacks
):
    interview = InterviewFactory(
        application=application, interviewers=panel, scheduled_at=T, location=CALL
    )
    url = reverse("admin:interviews_application_change", args=[application.pk])
    page = client.get(url)
    data = {
        "candidate": application.candidate_id,
        "vacancy": application.vacancy_id,
        "stage": application.stage_id,
        "owner": "",
        "rejection_reason": "",
        "stage_comment": "",
    }
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
        for row in formset.formset.initial_forms:  # kept as they are
            data[f"{row.prefix}-id"] = row.instance.pk
        if formset.formset.model is Interview:
            row = f"{formset.formset.prefix}-0"
            data |= {
                f"{row}-id": interview.pk,
                f"{row}-application": application.pk,
                f"{row}-kind": interview.kind,
                f"{row}-round": interview.round,
                f"{row}-scheduled_at_0": "2030-01-11",
                f"{row}-scheduled_at_1": "10:00",
                f"{row}-duration_minutes": 60,
                f"{row}-status": "planned",
                f"{row}-location": CALL,
            }

    save(client, django_capture_on_commit_callbacks, url, data)

    interview.refresh_from_db()
    sent = invitations()
    assert len(sent) == 2
    assert {(e["sequence"], e.decoded("dtstart")) for _m, _c, e, *_ in sent} == {
        (1, datetime.datetime(2030, 1, 11, 10, 0, tzinfo=MOSCOW))
    }
    assert interview.sequence == 1


# -- the .ics download --------------------------------------------------------------------------


@pytest.fixture
def planned(application, panel):
    return InterviewFactory(
        application=application, interviewers=panel, scheduled_at=T, location=CALL, sequence=3
    )


def download(client, user, interview):
    client.force_login(user)
    return client.get(reverse("admin:interviews_interview_ics", args=[interview.pk]))


@pytest.mark.parametrize("role", [roles.HR_MANAGER, roles.RECRUITER])
def test_hr_downloads_the_calendar_with_the_candidate(client, planned, role):
    response = download(client, member(role), planned)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="interview-{planned.pk}.ics"'
    calendar = icalendar.Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert calendar["method"] == "REQUEST"
    assert event["sequence"] == 3
    assert str(event["uid"]) == f"interview-{planned.pk}@zvonok.example"
    assert event.decoded("dtstart") == T
    assert attendees(event) == sorted(["bob@zvonok.example", "ivan@example.com", CANDIDATE_EMAIL])


def test_the_interviewers_download_names_the_candidate_without_the_address(client, planned, panel):
    response = download(client, panel[0], planned)

    assert response.status_code == 200
    (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert attendees(event) == ["bob@zvonok.example", "ivan@example.com"]
    assert "Анна Смирнова" in event["summary"]
    assert CANDIDATE_EMAIL.encode() not in response.content


def test_a_candidate_without_an_address_is_named_in_hrs_download(client, panel):
    application = ApplicationFactory(candidate=CandidateFactory(full_name="Без Почты", email=""))
    interview = InterviewFactory(application=application, interviewers=panel, scheduled_at=T)

    response = download(client, member(roles.HR_MANAGER), interview)

    (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert attendees(event) == ["bob@zvonok.example", "ivan@example.com"]
    assert "Без Почты" in event["summary"]


def test_a_cancelled_interview_downloads_as_a_cancel(client, planned):
    planned.status = Interview.Status.CANCELLED
    planned.save()

    response = download(client, member(roles.HR_MANAGER), planned)

    calendar = icalendar.Calendar.from_ical(response.content)
    assert calendar["method"] == "CANCEL"


@pytest.mark.parametrize(
    ("who", "status"),
    [("another panel's interviewer", 404), ("staff without a role", 403)],
)
def test_others_cannot_download(client, planned, who, status):
    user = member(roles.INTERVIEWER) if status == 404 else UserFactory()

    response = download(client, user, planned)

    assert response.status_code == status
    assert CANDIDATE_EMAIL.encode() not in response.content


def test_the_interview_page_links_the_download(client, planned, panel):
    url = reverse("admin:interviews_interview_ics", args=[planned.pk])

    for user in (member(roles.HR_MANAGER), panel[0]):
        client.force_login(user)
        page = client.get(reverse("admin:interviews_interview_change", args=[planned.pk]))
        assert f'href="{url}"' in page.content.decode()


# -- two people moving one interview at once ---------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_reschedules_at_once_each_send_their_own_sequence(on_postgres, application, panel):
    from tests.test_concurrency import _run_together

    interview = InterviewFactory(application=application, interviewers=panel, scheduled_at=T)

    def reschedule(hours):
        # As an admin form does: the row loaded first, then saved in one transaction.
        loaded = Interview.objects.get(pk=interview.pk)
        with transaction.atomic():
            before = scheduling.before_saving([loaded])[loaded.pk]
            loaded.scheduled_at = T + datetime.timedelta(hours=hours)
            loaded.save()
            scheduling.interview_saved(loaded, before)

    errors = _run_together([lambda: reschedule(1), lambda: reschedule(2)])

    assert errors == []
    interview.refresh_from_db()
    assert interview.sequence == 2
    sequences = sorted(e["sequence"] for _m, _c, e, *_ in invitations("bob@zvonok.example"))
    assert sequences == [1, 2]
