"""Submissions back to markdown, in the canonical format that ``interviews.sheets``
reads (``render_sheet``), so that an exported sheet imports to the same answers."""

import io
import re
import zipfile
from collections.abc import Iterable

from .. import sheets
from ..models import Submission
from .tables import Download, dated_filename

MARKDOWN_CONTENT_TYPE = "text/markdown; charset=utf-8"
ZIP_CONTENT_TYPE = "application/zip"


def export_submission(submission: Submission) -> str:
    """One submission as a markdown document with its candidate in the front matter."""
    candidate = submission.candidate
    front_matter = {"name": candidate.full_name}
    for key in ("email", "phone", "telegram"):
        if value := getattr(candidate, key):
            front_matter[key] = value
    if submission.questionnaire_id:
        front_matter["questionnaire"] = submission.questionnaire.slug
    if submission.application_id:
        front_matter["vacancy"] = submission.application.vacancy.slug
    sections = [
        (sheets.label_number(a.label), a.question_text, a.body)
        for a in submission.answers.order_by("position")
    ]
    title = submission.title or (
        submission.questionnaire.title if submission.questionnaire_id else candidate.full_name
    )
    return sheets.render_sheet(title=title, sections=sections, front_matter=front_matter)


def export_filename(submission: Submission) -> str:
    """A file name that sorts by candidate and stays unique per revision."""
    name = re.sub(r"[^\w.-]+", "_", submission.candidate.full_name, flags=re.UNICODE).strip("_")
    slug = submission.questionnaire.slug if submission.questionnaire_id else "answers"
    return f"{name or 'candidate'}-{submission.candidate_id}-{slug}-r{submission.revision}.md"


def submissions_for_export(
    *, candidate=None, questionnaire=None, vacancy=None, all_revisions=False
):
    queryset = Submission.objects.all()
    if candidate is not None:  # a Candidate (interviews.management.candidates finds it)
        queryset = queryset.filter(candidate=candidate)
    if questionnaire:
        queryset = queryset.filter(questionnaire__slug=questionnaire)
    if vacancy:
        queryset = queryset.filter(application__vacancy__slug=vacancy)
    if not all_revisions:
        queryset = queryset.latest_revisions()
    return queryset.select_related("candidate", "questionnaire", "application__vacancy").order_by(
        "candidate__full_name", "candidate_id", "questionnaire__slug", "revision"
    )


def answers_download(submissions: Iterable[Submission]) -> Download | None:
    """Answer sheets as markdown (as the ``export_answers``
    command writes them): one submission as its ``.md`` file, several as a zip of them.
    None when there is nothing to export. Select ``candidate``, ``questionnaire`` and
    ``application__vacancy`` with the submissions: every sheet needs them."""
    unique = list({submission.pk: submission for submission in submissions}.values())
    if not unique:
        return None
    if len(unique) == 1:
        submission = unique[0]
        return Download(
            filename=export_filename(submission),
            content_type=MARKDOWN_CONTENT_TYPE,
            content=export_submission(submission).encode(),
        )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for submission in unique:
            archive.writestr(export_filename(submission), export_submission(submission))
    return Download(
        filename=dated_filename("answers", "zip"),
        content_type=ZIP_CONTENT_TYPE,
        content=out.getvalue(),
    )
