"""Answer sheets from links, for the importer: download, and fetch again later.

``read_link`` turns a link into the importer's ``SourceFile`` (with the origin kept on the
submission); ``refresh`` fetches a linked sheet again and imports it for the same
candidate: changed bytes become a new revision (the old one and its scores stay), the
same bytes are reported unchanged, and a link that is gone says so and changes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import replace

from django.utils.translation import gettext as _

from interviews import importing
from interviews.links import client
from interviews.models import Submission


def read_link(url: str, policy: client.Policy) -> importing.SourceFile:
    """A SourceFile for the link: its bytes and origin, or the one-sentence refusal."""
    try:
        fetched = client.fetch(url, policy)
    except client.FetchError as refusal:
        return importing.SourceFile(url, error=reason(refusal, url))
    return importing.SourceFile(url, fetched.content, origin=_origin(fetched))


def reason(refusal: client.FetchError, url: str) -> str:
    """The refusal without the link in front, for reports that show the link already."""
    return str(refusal).removeprefix(f"{url}: ")


def linked_latest(submissions) -> list[Submission]:
    """The latest revision of each linked sheet among ``submissions`` (a queryset)."""
    latest = Submission.objects.filter(
        pk__in=submissions.filter(source_url__gt="").latest_revisions().values("pk")
    )
    return list(latest.select_related("candidate", "questionnaire").order_by("pk"))


def refresh(
    submissions: Iterable[Submission],
    *,
    policy: client.Policy,
    imported_by=None,
    seconds: float | None = None,
) -> list[importing.FileReport]:
    """Fetch each linked sheet again and import what changed; one report per sheet.

    ``seconds`` bounds the downloads together (a web request must end in time): the
    sheets left when it is spent are reported as not refreshed.
    """
    deadline = None if seconds is None else time.monotonic() + seconds
    reports = []
    for submission in submissions:
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            reports.append(
                importing.FileReport(
                    path=submission.source_url,
                    candidate=submission.candidate.full_name,
                    error=_("not refreshed, the time for one request is spent; try again."),
                )
            )
            continue
        hop = (
            policy if remaining is None else replace(policy, timeout=min(policy.timeout, remaining))
        )
        reports.append(_refresh_one(submission, hop, imported_by))
    return reports


def _refresh_one(submission: Submission, policy, imported_by) -> importing.FileReport:
    url = submission.source_url
    try:
        fetched = client.fetch(url, policy, etag=submission.source_etag)
    except client.FetchError as refusal:
        return importing.FileReport(
            path=url,
            candidate=submission.candidate.full_name,
            error=_("%(error)s The sheet imported before is kept.")
            % {"error": reason(refusal, url)},
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
