"""iCalendar (RFC 5545) invitations to an interview, built from plain values.

One function, no database: the caller gathers the interview's data. The UID is stable
per interview and site, so a calendar replaces the event when the interview moves
(a higher SEQUENCE) or is cancelled (METHOD:CANCEL, STATUS:CANCELLED). The interviewers'
copy names the candidate in the summary and description only: it never carries the
candidate's address, which interviewers are not shown anywhere else either.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

import icalendar

REQUEST = "REQUEST"
CANCEL = "CANCEL"
PRODID = "-//Zvonok//Interviews//EN"


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class InterviewEvent:
    interview_id: int
    site_domain: str
    sequence: int
    start: datetime.datetime  # aware
    end: datetime.datetime  # aware
    time_zone: str  # "Europe/Moscow", "UTC", …: the zone the event is written in
    summary: str
    organizer: Person
    interviewers: tuple[Person, ...]
    candidate: Person
    call_link: str = ""
    description: str = ""
    # A place that is no link (a room, an address): LOCATION only, since URL must be a URI.
    place: str = ""


def interview_uid(interview_id: int, site_domain: str) -> str:
    return f"interview-{interview_id}@{site_domain}"


def _zone(name: str) -> datetime.tzinfo:
    # UTC is written as "…Z" with no VTIMEZONE; any other zone gets TZID and its rules.
    return datetime.UTC if name == "UTC" else zoneinfo.ZoneInfo(name)


def _address(person: Person, role: str) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{person.email}")
    address.params["CN"] = person.name
    if role:
        address.params["ROLE"] = role
        address.params["PARTSTAT"] = "NEEDS-ACTION"
        address.params["RSVP"] = "TRUE"
    return address


def interview_calendar(
    event: InterviewEvent,
    *,
    method: str = REQUEST,
    for_interviewers: bool = False,
    stamp: datetime.datetime | None = None,
) -> bytes:
    """The .ics for one interview: for the candidate, or for its interviewers.

    The candidate's copy lists the candidate and the interviewers as attendees; the
    interviewers' copy lists only the interviewers and names the candidate in the text.
    """
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"method must be {REQUEST} or {CANCEL}, not {method!r}")
    if event.start.tzinfo is None or event.end.tzinfo is None:
        raise ValueError("interview times must be time-zone aware")
    if event.end <= event.start:
        raise ValueError("an interview must end after it starts")
    zone = _zone(event.time_zone)

    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)

    vevent = icalendar.Event()
    vevent.add("uid", interview_uid(event.interview_id, event.site_domain))
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", (stamp or datetime.datetime.now(datetime.UTC)).astimezone(datetime.UTC))
    vevent.add("dtstart", event.start.astimezone(zone))
    vevent.add("dtend", event.end.astimezone(zone))
    vevent.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    description = event.description
    if for_interviewers:
        vevent.add("summary", f"{event.summary}: {event.candidate.name}")
        description = "\n".join(filter(None, [event.candidate.name, description]))
    else:
        vevent.add("summary", event.summary)
    if description:
        vevent.add("description", description)
    if event.call_link:
        vevent.add("location", event.call_link)
        vevent.add("url", event.call_link)
    elif event.place:
        vevent.add("location", event.place)
    vevent.add("organizer", _address(event.organizer, role=""))
    attendees = list(event.interviewers)
    if not for_interviewers:
        attendees.append(event.candidate)
    for person in attendees:
        vevent.add("attendee", _address(person, role="REQ-PARTICIPANT"))
    calendar.add_component(vevent)
    calendar.add_missing_timezones()
    return calendar.to_ical()
