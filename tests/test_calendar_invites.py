"""Interview invitations as iCalendar, parsed back with icalendar."""

import datetime
import zoneinfo

import icalendar
import pytest

from interviews.messaging.ical import (
    CANCEL,
    REQUEST,
    InterviewEvent,
    Person,
    interview_calendar,
)

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
START = datetime.datetime(2026, 12, 7, 9, 30, tzinfo=datetime.UTC)
ORGANIZER = Person("Ольга HR", "hr@zvonok.example")
INTERVIEWERS = (Person("Иван Петров", "ivan@zvonok.example"), Person("Bob", "bob@zvonok.example"))
CANDIDATE = Person("Анна Смирнова", "anna.candidate@mail.example")


def event(**changes):
    values = {
        "interview_id": 42,
        "site_domain": "zvonok.example",
        "sequence": 0,
        "start": START,
        "end": START + datetime.timedelta(hours=1),
        "time_zone": "Europe/Moscow",
        "summary": "Собеседование: Python-разработчик",
        "organizer": ORGANIZER,
        "interviewers": INTERVIEWERS,
        "candidate": CANDIDATE,
        "call_link": "https://meet.example/abc-def",
    }
    return InterviewEvent(**{**values, **changes})


def parse(ics: bytes):
    calendar = icalendar.Calendar.from_ical(ics)
    (vevent,) = calendar.walk("VEVENT")
    return calendar, vevent


def emails(vevent):
    attendees = vevent.get("attendee")
    attendees = attendees if isinstance(attendees, list) else [attendees]
    return sorted(str(a).removeprefix("mailto:") for a in attendees)


def test_schedule_is_a_request_with_organizer_attendees_and_call_link():
    calendar, vevent = parse(interview_calendar(event()))
    assert calendar["method"] == "REQUEST"
    assert str(vevent["uid"]) == "interview-42@zvonok.example"
    assert vevent["sequence"] == 0
    assert vevent["status"] == "CONFIRMED"
    assert str(vevent["organizer"]) == "mailto:hr@zvonok.example"
    assert vevent["organizer"].params["CN"] == "Ольга HR"
    assert emails(vevent) == sorted(
        ["ivan@zvonok.example", "bob@zvonok.example", "anna.candidate@mail.example"]
    )
    assert vevent["location"] == vevent["url"] == "https://meet.example/abc-def"
    assert vevent["summary"] == "Собеседование: Python-разработчик"


def test_moscow_times_carry_the_zone_and_the_right_instant():
    calendar, vevent = parse(interview_calendar(event()))
    start, end = vevent.decoded("dtstart"), vevent.decoded("dtend")
    assert vevent["dtstart"].params["TZID"] == "Europe/Moscow"
    assert start.utcoffset() == datetime.timedelta(hours=3)
    assert (start.hour, start.minute) == (12, 30)
    assert start == START and end == START + datetime.timedelta(hours=1)
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Moscow"]


def test_utc_times_are_written_in_utc():
    ics = interview_calendar(event(time_zone="UTC"))
    assert b"DTSTART:20261207T093000Z" in ics
    calendar, vevent = parse(ics)
    assert vevent.decoded("dtstart") == START
    assert vevent.decoded("dtstart").utcoffset() == datetime.timedelta(0)
    assert calendar.walk("VTIMEZONE") == []


def test_a_moscow_start_given_in_local_time_is_the_same_instant():
    local = START.astimezone(MOSCOW)
    _, vevent = parse(
        interview_calendar(event(start=local, end=local + datetime.timedelta(minutes=45)))
    )
    assert vevent.decoded("dtstart") == START
    assert vevent.decoded("dtend") - vevent.decoded("dtstart") == datetime.timedelta(minutes=45)


def test_reschedule_keeps_the_uid_and_raises_the_sequence():
    first = parse(interview_calendar(event()))[1]
    later = START + datetime.timedelta(days=1)
    moved = parse(
        interview_calendar(event(sequence=1, start=later, end=later + datetime.timedelta(hours=1)))
    )[1]
    assert moved["uid"] == first["uid"]
    assert moved["sequence"] == 1
    assert moved.decoded("dtstart") == later


def test_a_place_that_is_no_link_is_the_location_without_a_url():
    _, vevent = parse(interview_calendar(event(call_link="", place="Офис, переговорная 3")))

    assert vevent["location"] == "Офис, переговорная 3"
    assert "url" not in vevent


def test_uid_differs_per_interview_and_per_site():
    uids = {
        str(parse(interview_calendar(e))[1]["uid"])
        for e in (event(), event(interview_id=43), event(site_domain="other.example"))
    }
    assert len(uids) == 3


def test_cancel_is_a_cancel_with_status_cancelled():
    calendar, vevent = parse(interview_calendar(event(sequence=2), method=CANCEL))
    assert calendar["method"] == "CANCEL"
    assert vevent["status"] == "CANCELLED"
    assert vevent["sequence"] == 2
    assert str(vevent["uid"]) == "interview-42@zvonok.example"


def test_interviewers_copy_names_the_candidate_without_the_address():
    ics = interview_calendar(event(), method=REQUEST, for_interviewers=True)
    _, vevent = parse(ics)
    assert emails(vevent) == sorted(["ivan@zvonok.example", "bob@zvonok.example"])
    assert "Анна Смирнова" in vevent["summary"]
    assert "Анна Смирнова" in vevent["description"]
    assert b"anna.candidate" not in ics
    assert b"mail.example" not in ics


def test_interviewers_cancel_also_hides_the_address():
    ics = interview_calendar(event(), method=CANCEL, for_interviewers=True)
    assert b"anna.candidate" not in ics
    assert parse(ics)[1]["status"] == "CANCELLED"


def test_the_stamp_is_utc():
    stamp = datetime.datetime(2026, 12, 1, 15, 0, tzinfo=MOSCOW)
    _, vevent = parse(interview_calendar(event(), stamp=stamp))
    assert vevent.decoded("dtstamp") == stamp
    assert vevent.decoded("dtstamp").utcoffset() == datetime.timedelta(0)


@pytest.mark.parametrize(
    ("changes", "method"),
    [
        ({"start": START.replace(tzinfo=None)}, REQUEST),
        ({"end": START}, REQUEST),
        ({}, "PUBLISH"),
    ],
)
def test_bad_values_are_refused(changes, method):
    with pytest.raises(ValueError):
        interview_calendar(event(**changes), method=method)
