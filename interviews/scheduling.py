"""Interviews in calendars: what a save of an interview changed, and the invitations it sends.

Every path that writes interviews in the admin (the interview's page, the interviews on the
application's page) reads the stored state under a row lock before saving
(:func:`before_saving`) and hands it, once the interviewers are saved too, to
:func:`interview_saved`, which decides what happened (:func:`what_changed`), raises the
interview's SEQUENCE when it sends an update, and sends the iCalendar invitations through
the outbox: to each interviewer, their copy that names the candidate without the address,
and, when HR asks for it, to the candidate with the interview invitation template.
Deleting a planned interview, however it is done, cancels it (``cancel_deleted``).

The invitations come from ``DEFAULT_FROM_EMAIL``, and name it as the organizer whoever
saved: calendars take an update of an event only from the organizer they hold, so it
must not change with the person who moves the interview.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Case, Value, When
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from . import roles
from .messaging import ical, outbox
from .messaging.templates import message_context
from .models import Interview, MessageTemplate

TIME_FIELDS = ("scheduled_at", "duration_minutes", "location")


class Change(enum.StrEnum):
    SCHEDULED = "scheduled"
    RESCHEDULED = "rescheduled"
    CANCELLED = "cancelled"
    NONE = "none"


@dataclass(frozen=True)
class State:
    """What an interview's invitations depend on, as stored or as just saved."""

    scheduled_at: datetime.datetime
    duration_minutes: int
    location: str
    status: str
    interviewer_ids: frozenset[int]
    sequence: int = 0

    @property
    def active(self) -> bool:
        return self.status == Interview.Status.PLANNED


@dataclass
class Outcome:
    """What :func:`interview_saved` did, for the admin to tell the user."""

    interviewers: int = 0  # interviewers e-mailed an invitation or a cancellation
    without_email: list[str] = field(default_factory=list)  # interviewers nobody can e-mail
    candidate: str = ""  # "", "queued", "no_email", "no_template"


def may_invite_candidate(user) -> bool:
    """Who may send an interview's invitation to the candidate: those who see contacts and
    write to candidates, HR managers and recruiters."""
    return roles.is_hr_manager(user) or roles.is_recruiter(user)


def what_changed(before: State | None, after: State) -> Change:
    """Scheduled: a planned interview that was not planned before (new, or planned again
    after a cancellation). Rescheduled: a planned one whose time, length or place moved.
    Cancelled: a planned one cancelled. Marking one done, or editing notes, kind or round,
    changes nothing in anyone's calendar."""
    if not after.active:
        cancelled = after.status == Interview.Status.CANCELLED
        was_active = before is not None and before.active
        return Change.CANCELLED if was_active and cancelled else Change.NONE
    if before is None or not before.active:
        return Change.SCHEDULED
    moved = any(getattr(before, name) != getattr(after, name) for name in TIME_FIELDS)
    return Change.RESCHEDULED if moved else Change.NONE


def before_saving(interviews: Iterable[Interview]) -> dict[int, State]:
    """The stored state of the (already saved) ``interviews``, locked until the end of the
    transaction, by primary key. Call it in the transaction that saves them, before saving.

    Each instance takes the stored SEQUENCE: an instance loaded before another request
    raised it must not write the older number back.
    """
    by_pk = {interview.pk: interview for interview in interviews if interview.pk is not None}
    if not by_pk:
        return {}
    # Locked first (in the order of the keys, as every saver locks them), then the panels
    # read: a save that waits here sees the panel the other one committed.
    rows = list(
        Interview.objects.select_for_update()
        .filter(pk__in=list(by_pk))
        .order_by("pk")
        .values("pk", "sequence", "status", *TIME_FIELDS)
    )
    panels: dict[int, set[int]] = {pk: set() for pk in by_pk}
    through = Interview.interviewers.through.objects.filter(interview_id__in=list(by_pk))
    for interview_id, user_id in through.values_list("interview_id", "user_id"):
        panels[interview_id].add(user_id)
    states = {}
    for row in rows:
        pk = row.pop("pk")
        states[pk] = State(**row, interviewer_ids=frozenset(panels[pk]))
        by_pk[pk].sequence = row["sequence"]
    return states


def state_of(interview: Interview) -> State:
    """The interview as saved, its interviewers included."""
    return State(
        scheduled_at=interview.scheduled_at,
        duration_minutes=interview.duration_minutes,
        location=interview.location,
        status=interview.status,
        interviewer_ids=frozenset(interview.interviewers.values_list("pk", flat=True)),
        sequence=interview.sequence,
    )


def interview_saved(
    interview: Interview, before: State | None, *, sender=None, invite_candidate: bool = False
) -> Outcome:
    """Send what the save of ``interview`` calls for, its interviewers already saved.

    ``before`` is its state from :func:`before_saving` (None for a new interview). The
    interviewers get a REQUEST when it is scheduled or rescheduled, a CANCEL when it is
    cancelled; one added to a planned interview gets the REQUEST, one taken off it the
    CANCEL. With ``invite_candidate`` (HR managers and recruiters only), the candidate gets
    the current invitation, or the cancellation, whether or not anything else changed.
    """
    after = state_of(interview)
    change = what_changed(before, after)
    added = removed = frozenset()
    if before is not None and before.active and after.active:
        added = after.interviewer_ids - before.interviewer_ids
        removed = before.interviewer_ids - after.interviewer_ids
    if change in (Change.SCHEDULED, Change.RESCHEDULED):
        requests, cancels = after.interviewer_ids, removed
    elif change == Change.CANCELLED:
        requests, cancels = frozenset(), before.interviewer_ids | after.interviewer_ids
    else:
        requests, cancels = added, removed
    invite_candidate = invite_candidate and sender is not None and may_invite_candidate(sender)
    candidate_method = None
    if invite_candidate and after.active:
        candidate_method = ical.REQUEST
    elif invite_candidate and change == Change.CANCELLED:
        candidate_method = ical.CANCEL

    outcome = Outcome()
    if not (requests or cancels or candidate_method):
        return outcome
    # An invitation that replaces one already sent must carry a higher number.
    if before is not None and (change != Change.NONE or added or removed):
        interview.sequence = before.sequence + 1
        interview.save(update_fields=["sequence"])

    users = {user.pk: user for user in interview.interviewers.all()}
    if cancels - users.keys():
        users |= {user.pk: user for user in _users(cancels - users.keys())}
    for method, ids in ((ical.REQUEST, requests), (ical.CANCEL, cancels)):
        recipients = [users[pk] for pk in sorted(ids) if pk in users]
        outcome.without_email += [_name(user) for user in recipients if not user.email]
        recipients = [user for user in recipients if user.email]
        if recipients:
            _mail_interviewers(interview, recipients, method=method, change=change)
            outcome.interviewers += len(recipients)
    if candidate_method:
        outcome.candidate = _invite_candidate(interview, method=candidate_method, sender=sender)
    return outcome


def interview_deleted(interview: Interview) -> Outcome:
    """Cancel a planned interview that has not ended yet in its interviewers' calendars:
    called before it is deleted, however (``cancel_deleted``)."""
    before = before_saving([interview]).get(interview.pk)
    if before is None or not before.active or interview.ends_at <= timezone.now():
        return Outcome()
    interview.status = Interview.Status.CANCELLED
    return interview_saved(interview, before)


def cancel_deleted(sender, instance, **kwargs):
    """pre_delete of an interview, whatever deletes it (its page, the application's
    interviews block, the list's action, a deleted application or candidate): while its
    interviewers are still there to be told."""
    interview_deleted(instance)


def calendar_for(interview: Interview, *, user) -> bytes:
    """The interview's .ics as ``user`` may have it: with the candidate's address only for
    those who see contacts."""
    method = ical.CANCEL if interview.status == Interview.Status.CANCELLED else ical.REQUEST
    return _calendar(interview, method=method, for_interviewers=not roles.sees_contacts(user))


def filename(interview: Interview) -> str:
    return f"interview-{interview.pk}.ics"


# -- the letters ---------------------------------------------------------------------------


def _mail_interviewers(interview, recipients, *, method, change) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        calendar = _calendar(interview, method=method, for_interviewers=True)
        application = interview.application
        when = _when(interview, settings.LANGUAGE_CODE)
        values = {
            "candidate": application.candidate.full_name,
            "vacancy": application.vacancy.title,
            "time": when,
        }
        if method == ical.CANCEL:
            subject = _("Interview cancelled: %(candidate)s, %(vacancy)s, %(time)s") % values
        elif change == Change.RESCHEDULED:
            subject = _("Interview moved: %(candidate)s, %(vacancy)s, %(time)s") % values
        else:
            subject = _("Interview: %(candidate)s, %(vacancy)s, %(time)s") % values
        url = settings.ZVONOK_BASE_URL.rstrip("/") + reverse(
            "admin:interviews_interview_change", args=[interview.pk]
        )
        lines = [
            subject,
            "",
            f"{_('Candidate')}: {application.candidate.full_name}",
            f"{_('Vacancy')}: {application.vacancy.title}",
            f"{_('Time')}: {when}",
            f"{_label('duration_minutes')}: {interview.duration_minutes}",
        ]
        if interview.location:
            lines.append(f"{_label('location')}: {interview.location}")
        lines += ["", f"{_('In Zvonok')}: {url}", ""]
    body = "\n".join(lines)
    text = calendar.decode()
    for user in recipients:
        outbox.send_staff_mail(to=[user.email], subject=subject, body=body, calendar=text)


def _invite_candidate(interview, *, method, sender) -> str:
    application = interview.application
    candidate = application.candidate
    if not candidate.email:
        return "no_email"
    template = _invitation_template()
    if template is None:
        return "no_template"
    language = template.language
    with translation.override(language):
        calendar = _calendar(interview, method=method, for_interviewers=False).decode()
        when = _when(interview, language)
        if method == ical.REQUEST:
            subject, body = outbox.compose(
                template,
                application,
                extra={"interview_time": interview.scheduled_at, "call_link": interview.location},
            )
        else:
            # No template says "cancelled": the few lines below, in the template's language.
            values = {"vacancy": application.vacancy.title, "time": when}
            subject = _("Interview cancelled: %(vacancy)s") % values
            body = (
                _(
                    "Hello!\n\nThe interview for the %(vacancy)s position on %(time)s is "
                    "cancelled. We will write to you about what comes next.\n"
                )
                % values
            )
    outbox.queue_message(
        application=application,
        subject=subject,
        body=body,
        template=template if method == ical.REQUEST else None,
        sender=sender,
        calendar=calendar,
    )
    return "queued"


def _invitation_template():
    """The interview invitation in the site's language, or in any if there is none."""
    language = settings.LANGUAGE_CODE.split("-")[0]
    return (
        MessageTemplate.objects.filter(purpose=MessageTemplate.Purpose.INTERVIEW_INVITATION)
        .order_by(Case(When(language=language, then=Value(0)), default=Value(1)), "name", "pk")
        .first()
    )


# -- the calendar ----------------------------------------------------------------------------


def _calendar(interview, *, method, for_interviewers) -> bytes:
    application = interview.application
    candidate = application.candidate
    interviewers = tuple(
        ical.Person(_name(user), user.email)
        for user in sorted(interview.interviewers.all(), key=lambda user: user.pk)
        if user.email
    )
    link = interview.location if _is_link(interview.location) else ""
    event = ical.InterviewEvent(
        interview_id=interview.pk,
        site_domain=urlsplit(settings.ZVONOK_BASE_URL).hostname or "localhost",
        sequence=interview.sequence,
        start=interview.scheduled_at,
        end=interview.ends_at,
        time_zone=settings.TIME_ZONE,
        summary=_("Interview: %(vacancy)s") % {"vacancy": application.vacancy.title},
        organizer=_organizer(),
        interviewers=interviewers,
        candidate=ical.Person(candidate.full_name, candidate.email),
        call_link=link,
        place="" if link else interview.location,
    )
    # Without an address the candidate cannot be an attendee: named in the text instead.
    for_interviewers = for_interviewers or not candidate.email
    return ical.interview_calendar(event, method=method, for_interviewers=for_interviewers)


def _organizer() -> ical.Person:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return ical.Person(name or "Zvonok", address or settings.DEFAULT_FROM_EMAIL)


def _when(interview, language) -> str:
    return message_context(
        first_name="",
        interview_time=interview.scheduled_at,
        time_zone=settings.TIME_ZONE,
        language=language,
    )["interview_time"]


def _is_link(text: str) -> bool:
    parts = urlsplit(text.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in text.strip()


def _label(name: str) -> str:
    return capfirst(Interview._meta.get_field(name).verbose_name)


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _users(ids):
    return get_user_model()._default_manager.filter(pk__in=list(ids))
