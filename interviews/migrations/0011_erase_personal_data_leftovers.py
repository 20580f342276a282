"""Erase what earlier versions left of people who were anonymised or deleted.

Anonymisation and deletion now erase these themselves (interviews.privacy); this clears
the rows written before: the anonymised records' file hashes and headings as written,
the history of the records merged into them, the history rows of deleted candidates and
of their applications, scorecards, scores and answers (the answers of any deleted sheet:
nothing tells whose it was), and the names in the admin log's entries about those
candidates.

The historical models, not the app's code: a migration runs against the schema it was
written for. Migrating back leaves the data erased.
"""

import json

from django.db import migrations
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _


def placeholder(candidate_id):
    # The words of interviews.privacy.placeholder_name.
    return _("Anonymised candidate #%(id)d") % {"id": candidate_id}


def unnamed(change_message, name):
    """interviews.privacy._unnamed: an admin change message without the rows' names."""
    try:
        changes = json.loads(change_message)
    except ValueError:
        return ""
    if not isinstance(changes, list):
        return ""
    for change in changes:
        for details in change.values() if isinstance(change, dict) else ():
            if isinstance(details, dict) and "object" in details:
                details["object"] = name
    return json.dumps(changes)


def erase_leftovers(apps, schema_editor):
    def model(name, app="interviews"):
        return apps.get_model(app, name)

    Candidate = model("Candidate")
    HistoricalCandidate = model("HistoricalCandidate")
    anonymised = Candidate.objects.filter(anonymized_at__isnull=False)

    model("Submission").objects.filter(candidate__in=anonymised).update(sha256="")
    model("Answer").objects.filter(submission__candidate__in=anonymised).update(question_text="")
    merged = model("DataProtectionEvent").objects.filter(kind="merged", candidate__in=anonymised)
    merged_ids = [d.get("merged") for d in merged.values_list("details", flat=True)]
    HistoricalCandidate.objects.filter(
        id__in=[i for i in merged_ids if isinstance(i, int)]
    ).delete()

    gone = set(
        HistoricalCandidate.objects.exclude(Exists(Candidate.objects.filter(pk=OuterRef("id"))))
        .values_list("id", flat=True)
        .distinct()
    )
    for candidate_id in gone:
        HistoricalCandidate.objects.filter(id=candidate_id).update(
            full_name=placeholder(candidate_id),
            email="",
            phone="",
            telegram="",
            notes="",
            history_change_reason=None,
        )
    applications = model("HistoricalApplication").objects.filter(candidate_id__in=gone)
    scorecards = model("HistoricalScorecard").objects.filter(
        application_id__in=applications.values("id")
    )
    scores = model("HistoricalAnswerScore").objects.filter(scorecard_id__in=scorecards.values("id"))
    answers = model("HistoricalAnswer").objects.exclude(
        Exists(model("Submission").objects.filter(pk=OuterRef("submission_id")))
    )
    for rows, erased in (
        (scores, {"comment": ""}),
        (scorecards, {"summary": ""}),
        (applications, {"rejection_reason": ""}),
        (answers, {"question_text": "", "body": ""}),
    ):
        rows.update(history_change_reason=None, **erased)

    content_type = (
        model("ContentType", "contenttypes")
        .objects.filter(app_label="interviews", model="candidate")
        .first()
    )
    if content_type is None:
        return  # a new database: nothing was logged
    existing = {str(pk) for pk in Candidate.objects.values_list("pk", flat=True)}
    anonymised_ids = {str(pk) for pk in anonymised.values_list("pk", flat=True)}
    for entry in model("LogEntry", "admin").objects.filter(content_type=content_type):
        if entry.object_id in anonymised_ids or entry.object_id not in existing:
            name = placeholder(int(entry.object_id))
            entry.object_repr = name
            entry.change_message = unnamed(entry.change_message, name)
            entry.save(update_fields=["object_repr", "change_message"])


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0010_source_and_answer_order_indexes"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(erase_leftovers, migrations.RunPython.noop, elidable=True),
    ]
