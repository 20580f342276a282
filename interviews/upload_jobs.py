"""Large admin uploads imported in the background, with their progress on the upload page.

Confirming an upload of ``ZVONOK_UPLOAD_TASK_MIN_FILES`` files or more records an
:class:`~interviews.models.UploadJob` and queues :func:`import_upload` (Django's Tasks
API) once the request's transaction commits; the web worker answers at once and the upload
page follows the job. With the "immediate" task backend (``make run``) the task runs
right there, in the request; with the "database" backend a ``manage.py db_worker`` process,
on any machine sharing the database and the storage, picks it up.

The job is the one place that says how far the import got: the task counts the files
done after each batch of :data:`BATCH_FILES` (each batch is its own transaction, so a file
counted is a file written), and stores the report when it ends.
"""

from __future__ import annotations

import logging
import math

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from . import importing, uploads
from .models import UploadJob

logger = logging.getLogger(__name__)

# Files imported between two progress updates: small enough for the page to move, large
# enough that the importer still writes in bulk.
BATCH_FILES = 10


def runs_in_background(pending: uploads.PendingUpload) -> bool:
    return len(pending.files) >= settings.ZVONOK_UPLOAD_TASK_MIN_FILES


def start(*, pending: uploads.PendingUpload, user, accepted: list[str]) -> UploadJob:
    """Record the job for the user's pending upload and queue its import after commit;
    the upload's job as it stands if it was confirmed before."""
    existing = UploadJob.objects.filter(token=pending.token).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            job = UploadJob.objects.create(
                created_by=user,
                token=pending.token,
                accepted=sorted(set(accepted)),
                total_files=len(pending.files),
            )
    except IntegrityError:
        # The same confirmation, sent twice at once, committed first.
        return UploadJob.objects.get(token=pending.token)
    # A worker must find the job's row committed, whatever the backend.
    transaction.on_commit(lambda: import_upload.enqueue(job.pk))
    logger.info("upload %s: job %s queued, %d files", pending.token, job.pk, job.total_files)
    return job


@task()
def import_upload(job_id: int) -> str:
    """Import the job's pending upload; returns the job's final status."""
    # Claimed with one UPDATE: a task run twice (a worker restarted midway) finds the job
    # no longer queued and leaves it alone.
    claimed = UploadJob.objects.filter(pk=job_id, status=UploadJob.Status.QUEUED).update(
        status=UploadJob.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        logger.warning("upload job %s: not queued, not run again", job_id)
        return UploadJob.objects.filter(pk=job_id).values_list("status", flat=True).first() or ""
    job = UploadJob.objects.select_related("created_by").get(pk=job_id)
    try:
        report = _import(job)
    except uploads.UploadError as exc:
        # The files are gone (expired, cancelled elsewhere) or the uploader is: nothing
        # was imported, and the message says why in the user's words.
        _finish(job, status=UploadJob.Status.FAILED, error=str(exc))
        return job.status
    except Exception as exc:
        logger.exception("upload job %s failed", job_id)
        _finish(
            job,
            status=UploadJob.Status.FAILED,
            error=_("The import stopped on an unexpected error (%(error)s).")
            % {"error": type(exc).__name__},
        )
        raise
    _finish(
        job,
        status=UploadJob.Status.DONE,
        summary=report.summary(),
        results=[_result(f) for f in report.files],
    )
    return job.status


def _import(job: UploadJob) -> importing.ImportReport:
    user = job.created_by
    if user is None or not user.is_active:
        raise uploads.UploadError(_("The user who started this import no longer has an account."))
    # No expiry: the upload was confirmed within its hour, and waited in the queue since.
    pending = uploads.load_pending(token=job.token, user=user, max_age=None)
    limits = uploads.Limits.from_settings()
    # A worker is not held to a web request's timeout: every file gets parsed.
    budget = uploads.ParseBudget(seconds=math.inf, max_bytes=limits.max_bytes)

    def progress(files: int) -> None:
        UploadJob.objects.filter(pk=job.pk).update(files_done=F("files_done") + files)

    report = uploads.import_pending(
        pending=pending,
        dry_run=False,
        limits=limits,
        imported_by=user,
        budget=budget,
        accepted=job.accepted,
        progress=progress,
        batch_size=BATCH_FILES,
    )
    uploads.delete_pending(pending=pending)
    return report


def _result(f: importing.FileReport) -> dict:
    # The candidate's name is not kept: the page reads it from the submission, so that an
    # anonymised person is not named by an old report.
    return {
        "path": f.path,
        "status": f.status,
        "questionnaire": f.questionnaire,
        "submission_id": f.submission_id,
        "error": f.error,
        "warnings": list(f.warnings),
    }


def _finish(job: UploadJob, *, status: str, error: str = "", summary=None, results=None) -> None:
    job.status = status
    job.error = error
    job.finished_at = timezone.now()
    fields = ["status", "error", "finished_at"]
    if summary is not None:
        job.summary, job.results = summary, results
        job.files_done = job.total_files
        fields += ["summary", "results", "files_done"]
    job.save(update_fields=fields)


def reports(job: UploadJob) -> list[importing.FileReport]:
    """The job's per-file results as the import reported them, for the report's table."""
    return [
        importing.FileReport(
            path=row["path"],
            status=row["status"],
            questionnaire=row.get("questionnaire"),
            error=row.get("error"),
            warnings=list(row.get("warnings") or []),
            submission_id=row.get("submission_id"),
        )
        for row in job.results
    ]
