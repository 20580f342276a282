"""Personal data under 152-FZ and GDPR: anonymisation, what deleting a candidate leaves,
and subject access exports.

Candidates never signed up for Zvonok; the law and decency say we keep their data only as
long as needed, and show or erase it on request. Anonymisations and exports are recorded
in ``DataProtectionEvent``, which itself holds no personal data. Erasing covers the copies
too: the audit history (django-simple-history), the admin log, and the records merged
into the candidate.
"""

import json
from datetime import timedelta

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from . import copying
from .models import (
    Answer,
    AnswerScore,
    Application,
    ApplyRequest,
    Candidate,
    DataProtectionEvent,
    Interview,
    Message,
    Scorecard,
    SkillClaim,
    Stage,
    StageChange,
    Submission,
    UploadJob,
)


class PrivacyError(Exception):
    """The operation is refused for this candidate; the message says why."""


def retention_passed(queryset=None, *, now=None):
    """Candidates whose last activity is older than ZVONOK_RETENTION_DAYS."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.ZVONOK_RETENTION_DAYS)
    queryset = Candidate.objects.all() if queryset is None else queryset
    return queryset.filter(last_activity_at__lt=cutoff, anonymized_at__isnull=True)


def has_open_application(candidate) -> bool:
    return candidate.applications.filter(stage__kind=Stage.Kind.ACTIVE).exists()


def placeholder_name(candidate_id: int) -> str:
    return _("Anonymised candidate #%(id)d") % {"id": candidate_id}


# What a row says about the person, per model, and what anonymisation leaves instead; the
# candidate's name becomes ``placeholder_name``. History rows of these models hold the
# same columns.
ERASED = {
    Candidate: {"email": "", "phone": "", "telegram": "", "notes": ""},
    Application: {"rejection_comment": ""},
    StageChange: {"comment": ""},
    Interview: {"notes": "", "location": ""},
    Submission: {
        "original_text": "",
        "sha256": "",
        "source_name": "",
        # A repository link names its owner.
        "source_url": "",
        "source_raw_url": "",
        "source_etag": "",
        "source_commit": "",
        "title": "",
        "preamble": "",
        "trailer": "",
        "warnings": [],
    },
    Answer: {"question_text": "", "body": ""},
    SkillClaim: {"snippet": ""},
    Scorecard: {"summary": ""},
    AnswerScore: {"comment": ""},
    # What was handed in through a vacancy's public link, pending or confirmed.
    ApplyRequest: {
        "full_name": "",
        "email": "",
        "phone": "",
        "telegram": "",
        "source_name": "",
        "origin": {},
        "data": b"",
    },
    # Letters to the person: the address, and texts that name them (the invitation
    # lists them as an attendee).
    Message: {"to": "", "subject": "", "body": "", "error": "", "calendar": ""},
}


def merged_into(candidate_id: int) -> set[int]:
    """Ids of the records merged into this candidate, and of those merged into them: a
    merge moves the merged record's events onto the kept one."""
    events = DataProtectionEvent.objects.filter(
        kind=DataProtectionEvent.Kind.MERGED, candidate_id=candidate_id
    )
    return {
        details["merged"]
        for details in events.values_list("details", flat=True)
        if isinstance(details.get("merged"), int)
    }


def person_rows(candidate_id: int) -> dict[type[models.Model], set[int]]:
    """The ids, per model of ``ERASED``, of every row about the person: the candidate,
    the records merged into it, and what hangs off them. History rows count too: they
    keep the ids a row had when it was recorded, after the row moved or went."""

    def ids(*querysets):
        return {pk for queryset in querysets for pk in queryset.values_list("id", flat=True)}

    people = {candidate_id, *merged_into(candidate_id)}
    applications = ids(
        Application.objects.filter(candidate_id__in=people),
        Application.history.filter(candidate_id__in=people),
    )
    submissions = ids(Submission.objects.filter(candidate_id__in=people))
    answers = ids(
        Answer.objects.filter(submission_id__in=submissions),
        Answer.history.filter(submission_id__in=submissions),
    )
    scorecards = ids(
        Scorecard.objects.filter(application_id__in=applications),
        Scorecard.history.filter(application_id__in=applications),
    )
    emails = [
        e for e in Candidate.objects.filter(pk__in=people).values_list("email", flat=True) if e
    ]
    handed_in = models.Q(submission_id__in=submissions)
    for email in emails:
        # Sent and not yet confirmed: the same address is the same person.
        handed_in |= models.Q(email__iexact=email)
    return {
        ApplyRequest: ids(ApplyRequest.objects.filter(handed_in)),
        Candidate: people,
        Application: applications,
        StageChange: ids(StageChange.objects.filter(application_id__in=applications)),
        Interview: ids(Interview.objects.filter(application_id__in=applications)),
        Submission: submissions,
        Answer: answers,
        SkillClaim: ids(SkillClaim.objects.filter(candidate_id__in=people)),
        Message: ids(Message.objects.filter(candidate_id__in=people)),
        Scorecard: scorecards,
        AnswerScore: ids(
            AnswerScore.objects.filter(scorecard_id__in=scorecards),
            AnswerScore.history.filter(scorecard_id__in=scorecards),
        ),
    }


def _with_history(rows):
    """(model, ids) for the models of ``rows`` that keep a history."""
    return [(model, ids) for model, ids in rows.items() if hasattr(model, "history")]


def scrub_admin_log(candidate_id: int, rows: dict[type[models.Model], set[int]]) -> None:
    """The admin log keeps who did what to the person's rows, but not what named them:
    the entries' object names, and the names of inline rows in their change messages."""
    placeholder = placeholder_name(candidate_id)
    for model, ids in rows.items():
        entries = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
            object_id__in=[str(pk) for pk in ids],
        )
        for entry in entries:
            entry.object_repr = (
                placeholder
                if model is Candidate
                else f"{capfirst(model._meta.verbose_name)} #{entry.object_id}"
            )
            entry.change_message = _unnamed(entry.change_message, placeholder)
            entry.save(update_fields=["object_repr", "change_message"])


def _unnamed(change_message: str, placeholder: str) -> str:
    """An admin change message without the names of the rows it lists."""
    try:
        changes = json.loads(change_message)
    except ValueError:
        return ""  # free text: nothing says what it holds
    if not isinstance(changes, list):
        return ""
    for change in changes:
        for details in change.values() if isinstance(change, dict) else ():
            if isinstance(details, dict) and "object" in details:
                details["object"] = placeholder
    return json.dumps(changes)


def anonymize_refusal(candidate: Candidate, *, force=False) -> str | None:
    """Why ``anonymize`` refuses ``candidate``, or None: the one rule, which a dry run
    asks too so that it predicts the real run. The caller says how to get past it (the
    command's --force; the admin has no such switch)."""
    if not force and has_open_application(candidate):
        return _("candidate #%(id)d has an open application") % {"id": candidate.pk}
    return None


@transaction.atomic
def anonymize(candidate: Candidate, *, keep_answers=False, force=False, by=None) -> bool:
    """Erase what identifies the person; True if anything was done (it is idempotent).

    Kept: the records' structure (applications, stages, submissions and answer rows,
    scores) for statistics. Erased: name and contacts, notes, the original file and its
    hash (which would tie the file to the record), file names, import warnings, free-text
    comments that may name the person, skill snippets, the headings as the person wrote
    them (the matched question stays), answer bodies (unless ``keep_answers``), and the
    audit history of all of these. The answers' search vectors are generated from the
    heading and the body, so the database clears them with the text.
    """
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.is_anonymized:
        return False
    if reason := anonymize_refusal(candidate, force=force):
        raise PrivacyError(reason)
    pk = candidate.pk
    applications = Application.objects.filter(candidate_id=pk)
    submissions = Submission.objects.filter(candidate_id=pk)
    answers = Answer.objects.filter(submission__candidate_id=pk)
    scorecards = Scorecard.objects.filter(application__candidate_id=pk)

    # Before the e-mail goes: pending requests are found by it.
    ApplyRequest.objects.filter(pk__in=person_rows(pk)[ApplyRequest]).update(**ERASED[ApplyRequest])
    # Updates through querysets: no history rows are written with the old values.
    Candidate.objects.filter(pk=pk).update(
        **ERASED[Candidate], full_name=placeholder_name(pk), anonymized_at=timezone.now()
    )
    submissions.update(**ERASED[Submission])
    # Band hashes (the fingerprint, the band rows) are derived from the text, and a match
    # points at the person's answers: none stays, whether or not the bodies are kept. The
    # fingerprint is not in ERASED: the history does not keep it.
    answers.update(**({"question_text": ""} if keep_answers else ERASED[Answer]), fingerprint=None)
    copying.forget(answers.values_list("pk", flat=True))
    applications.update(**ERASED[Application])
    StageChange.objects.filter(application__candidate_id=pk).update(**ERASED[StageChange])
    Interview.objects.filter(application__candidate_id=pk).update(**ERASED[Interview])
    scorecards.update(**ERASED[Scorecard])
    AnswerScore.objects.filter(scorecard__application__candidate_id=pk).update(
        **ERASED[AnswerScore]
    )
    SkillClaim.objects.filter(candidate_id=pk).update(**ERASED[SkillClaim])
    Message.objects.filter(candidate_id=pk).update(**ERASED[Message])

    rows = person_rows(pk)
    scrub_upload_reports(rows[Submission])
    for model, ids in _with_history(rows):
        model.history.filter(id__in=ids).delete()
    scrub_admin_log(pk, rows)

    DataProtectionEvent.objects.create(
        kind=DataProtectionEvent.Kind.ANONYMIZED,
        candidate_id=pk,
        candidate_ref=pk,
        by=by,
        details={"keep_answers": keep_answers, "forced": bool(force)},
    )
    return True


def scrub_upload_reports(submission_ids) -> None:
    """Blank the file names, errors and warnings that background imports' reports
    (``UploadJob.results``) keep for the person's sheets: a name of a file may be the
    person's, a warning may quote the e-mail. The rows' status stays, for the counts."""
    ids = set(submission_ids)
    if not ids:
        return
    # The reports are JSON lists, which no index reaches; one row per large upload.
    for job in UploadJob.objects.only("pk", "results").iterator():
        rows = job.results if isinstance(job.results, list) else []
        named = [row for row in rows if isinstance(row, dict) and row.get("submission_id") in ids]
        for row in named:
            row.update(path="", error=None, warnings=[])
        if named:
            job.save(update_fields=["results"])


# -- deletion ------------------------------------------------------------------------------


def scrub_history(rows: dict[type[models.Model], set[int]]) -> None:
    """Blank what the history rows of ``rows`` (see ``person_rows``) say about the
    person, keeping who changed or deleted which row, and when."""
    for model, ids in _with_history(rows):
        model.history.filter(id__in=ids).update(history_change_reason=None, **ERASED[model])
    for candidate_id in rows[Candidate]:
        Candidate.history.filter(id=candidate_id).update(full_name=placeholder_name(candidate_id))


def remember_person_rows(sender, instance, **kwargs):
    """pre_delete of a candidate: the rows about the person, found while they exist."""
    instance._person_rows = person_rows(instance.pk)


def scrub_deleted_candidate(sender, instance, **kwargs):
    """post_delete of a candidate, however it is deleted (admin, bulk action, merge, shell).

    Deleting a person's record erases their data, but django-simple-history writes a last
    row with every column of each deleted row, and the admin log keeps the record's name.
    The candidate is deleted after the rows that depend on it, so by now every deletion
    row of the cascade is written.
    """
    rows = instance.__dict__.pop("_person_rows", None) or person_rows(instance.pk)
    # Not tied to the candidate by a foreign key, so the cascade leaves them.
    ApplyRequest.objects.filter(pk__in=rows.get(ApplyRequest, ())).delete()
    scrub_upload_reports(rows.get(Submission, ()))
    scrub_history(rows)
    scrub_admin_log(instance.pk, rows)


# -- subject access ------------------------------------------------------------------------


def _row(obj) -> dict:
    """Every stored column of a row, by field name: a new field is exported automatically."""
    data = {}
    for field in obj._meta.concrete_fields:
        if isinstance(field, models.GeneratedField):
            continue  # derived from other columns, not stored about the person
        value = field.value_from_object(obj)
        if isinstance(value, bytes | memoryview):
            # A binary column (an answer's fingerprint) in hex: JSON has no bytes.
            value = bytes(value).hex()
        data[field.name] = value
    return data


def _history(model, ids) -> list[dict]:
    return [
        {**_row(record), "history_type": record.history_type}
        for record in model.history.filter(id__in=ids).order_by("history_date")
    ]


def subject_data(candidate: Candidate) -> dict:
    """Everything stored about the person, history included."""
    applications = list(Application.objects.filter(candidate=candidate))
    submissions = list(Submission.objects.filter(candidate=candidate))
    answers = list(Answer.objects.filter(submission__candidate=candidate))
    scorecards = list(Scorecard.objects.filter(application__candidate=candidate))
    scores = list(AnswerScore.objects.filter(scorecard__application__candidate=candidate))
    return {
        "candidate": _row(candidate),
        "applications": [_row(a) for a in applications],
        "stage_changes": [
            _row(c) for c in StageChange.objects.filter(application__candidate=candidate)
        ],
        "interviews": [_row(i) for i in Interview.objects.filter(application__candidate=candidate)],
        "submissions": [_row(s) for s in submissions],
        "answers": [_row(a) for a in answers],
        "skill_claims": [_row(c) for c in SkillClaim.objects.filter(candidate=candidate)],
        "scorecards": [_row(s) for s in scorecards],
        "answer_scores": [_row(s) for s in scores],
        "data_protection_events": [
            _row(e) for e in DataProtectionEvent.objects.filter(candidate=candidate)
        ],
        "history": {
            "candidate": _history(Candidate, [candidate.pk]),
            "applications": _history(Application, [a.pk for a in applications]),
            "answers": _history(Answer, [a.pk for a in answers]),
            "scorecards": _history(Scorecard, [s.pk for s in scorecards]),
            "answer_scores": _history(AnswerScore, [s.pk for s in scores]),
        },
    }


def subject_json(data: dict) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def subject_markdown(data: dict) -> str:
    """The same data, readable by the person it is about."""
    c = data["candidate"]
    lines = ["# " + _("Data stored about %(name)s") % {"name": c["full_name"]}, ""]
    for key, value in c.items():
        lines.append(f"- **{key}**: {value if value not in ('', None) else '—'}")
    for section, rows in data.items():
        if section in ("candidate", "history") or not rows:
            continue
        lines += ["", f"## {section.replace('_', ' ').capitalize()} ({len(rows)})"]
        for row in rows:
            lines.append("")
            for key, value in row.items():
                text = str(value) if value not in ("", None) else "—"
                if "\n" in text:
                    lines += [f"- **{key}**:", "", "  " + text.replace("\n", "\n  ")]
                else:
                    lines.append(f"- **{key}**: {text}")
    history = sum(len(rows) for rows in data["history"].values())
    lines += [
        "",
        "## " + _("Change history (%(count)d)") % {"count": history},
        "",
        _("The JSON export holds every historical version."),
    ]
    return "\n".join(lines) + "\n"


def record_export(candidate: Candidate, *, by=None) -> None:
    DataProtectionEvent.objects.create(
        kind=DataProtectionEvent.Kind.EXPORTED,
        candidate=candidate,
        candidate_ref=candidate.pk,
        by=by,
    )
