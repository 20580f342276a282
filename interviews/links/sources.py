"""Answer sheets from links, for the importer: download, and fetch again later.

``read_link`` turns a link into the importer's ``SourceFile`` (with the origin kept on the
submission); ``refresh`` fetches a linked sheet again and imports it for the same
candidate: changed bytes become a new revision (the old one and its scores stay), the
same bytes are reported unchanged, and a link that is gone says so and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from interviews import importing
from interviews.links import client
from interviews.models import Submission


def read_link(url: str, policy: client.Policy) -> importing.SourceFile:
    """A SourceFile for the link: its bytes and origin, or the one-sentence refusal."""
    try:
        fetched = client.fetch(url, policy)
    except client.FetchError as refusal:
        return importing.SourceFile(url, error=str(refusal))
    return importing.SourceFile(url, fetched.content, origin=_origin(fetched))


def linked_latest(submissions) -> list[Submission]:
    """The latest revision of each linked sheet among ``submissions`` (a queryset)."""
    latest = Submission.objects.filter(
        pk__in=submissions.filter(source_url__gt="").latest_revisions().values("pk")
    )
    return list(latest.select_related("candidate", "questionnaire").order_by("pk"))


def refresh(
    submissions: Iterable[Submission], *, policy: client.Policy, imported_by=None
) -> list[importing.FileReport]:
    """Fetch each linked sheet again and import what changed; one report per sheet."""
    reports = []
    for submission in submissions:
        reports.append(_refresh_one(submission, policy, imported_by))
    return reports


def _refresh_one(submission: Submission, policy, imported_by) -> importing.FileReport:
    url = submission.source_url
    try:
        fetched = client.fetch(url, policy, etag=submission.source_etag)
    except client.FetchError as refusal:
        return importing.FileReport(
            path=url,
            candidate=submission.candidate.full_name,
            error=_("%(error)s The sheet imported before is kept.") % {"error": refusal},
        )
    if fetched.not_modified:
        return importing.FileReport(
            path=url,
            status=importing.UNCHANGED,
            candidate=submission.candidate.full_name,
            questionnaire=submission.questionnaire.slug if submission.questionnaire else None,
            submission_id=submission.pk,
        )
    report = importing.import_sources(
        [importing.SourceFile(url, fetched.content, origin=_origin(fetched))],
        candidate=submission.candidate_id,
        questionnaire=submission.questionnaire.slug if submission.questionnaire else None,
        imported_by=imported_by,
        with_answers=False,
    )
    return report.files[0]


def _origin(fetched: client.Fetched) -> importing.Origin:
    return importing.Origin(
        url=fetched.url, raw_url=fetched.raw_url, etag=fetched.etag, commit=fetched.commit
    )
