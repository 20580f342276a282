"""Large admin uploads imported in the background (interviews.upload_jobs): the job and its
progress, the worker of the database task backend, the immediate backend of ``make run``,
failures, and who may follow a job."""

import re
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from interviews import copying, importing, roles, upload_jobs, uploads
from interviews.models import Candidate, Submission, UploadJob
from tests.factories import UserFactory, member
from tests.production import ROOT, production_env
from tests.test_upload import IVAN, MARIA, TIMUR, example, pending_dirs, token_in, upload

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
IMMEDIATE_TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default"],
    }
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "en"
    # Three files make a large upload here: the examples are three.
    settings.ZVONOK_UPLOAD_TASK_MIN_FILES = 3
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def questionnaire(db):
    call_command("loaddata", "zvonok_python", verbosity=0)


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE_TASKS


def confirm(client, *names):
    """Upload the examples, confirm the preview; the confirmation's response."""
    token = token_in(upload(client, *(example(name) for name in names)))
    return client.post(reverse("admin:interviews_submission_import_confirm"), {"token": token})


def run_worker():
    call_command(
        "db_worker", batch=True, interval=0, startup_delay=False, reload=False, verbosity=0
    )


def job_page(job):
    return reverse("admin:interviews_uploadjob_change", args=[job.pk])


# -- the database backend: queued by the web request, imported by a worker ----------------


@pytest.mark.django_db(transaction=True)
def test_confirm_queues_the_import_and_the_worker_imports_it(
    admin_client, admin_user, questionnaire, database_tasks, media
):
    response = confirm(admin_client, IVAN, MARIA, TIMUR)

    job = UploadJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job_page(job)
    assert (job.status, job.files_done, job.total_files) == ("queued", 0, 3)
    assert job.created_by == admin_user
    assert Submission.objects.count() == 0  # nothing imported by the web request
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    page = admin_client.get(job_page(job)).content.decode()
    assert 'data-refresh-seconds="3"' in page
    assert "0 of 3 files done." in page

    run_worker()

    job.refresh_from_db()
    assert (job.status, job.files_done, job.total_files) == ("done", 3, 3)
    assert job.started_at and job.finished_at and job.error == ""
    assert job.summary["created"] == 3
    assert Submission.objects.count() == 3
    assert set(Submission.objects.values_list("imported_by", flat=True)) == {admin_user.pk}
    assert pending_dirs(media) == []  # the files wait no more
    # The import queued the matching of its answers (interviews.copying), run after it.
    assert set(DBTaskResult.objects.values_list("task_path", "status")) == {
        (upload_jobs.import_upload.module_path, "SUCCESSFUL"),
        (copying.match_answers.module_path, "SUCCESSFUL"),
    }
    page = admin_client.get(job_page(job)).content.decode()
    assert "data-refresh-seconds" not in page
    assert "3 files: 3 created, 0 revised, 0 unchanged, 0 failed." in page
    for submission in Submission.objects.select_related("candidate"):
        assert reverse("admin:interviews_submission_change", args=[submission.pk]) in page
        assert submission.candidate.full_name in page


@pytest.mark.django_db(transaction=True)
def test_a_file_failing_midway_is_recorded_and_leaves_nothing_behind(
    admin_client, questionnaire, database_tasks, monkeypatch
):
    confirm(admin_client, IVAN, MARIA, TIMUR)
    write = importing._Importer._write

    def failing_for_timur(self, plans):
        write(self, plans)  # the rows are written, then the database refuses the file
        if any(plan.report.path == TIMUR for plan in plans):
            raise DatabaseError("disk full")

    monkeypatch.setattr(importing._Importer, "_write", failing_for_timur)

    run_worker()

    job = UploadJob.objects.get()
    assert (job.status, job.files_done, job.total_files) == ("done", 3, 3)
    assert job.summary["failed"] == 1 and job.summary["created"] == 2
    (failed,) = [row for row in job.results if row["status"] == "failed"]
    assert failed["path"] == TIMUR
    assert "disk full" in failed["error"]
    assert not Submission.objects.filter(source_name=TIMUR).exists()
    assert not Candidate.objects.filter(full_name="Тимур Гареев").exists()
    assert Submission.objects.count() == 2
    assert "disk full" in admin_client.get(job_page(job)).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_files_are_gone_fails_and_says_why(
    admin_client, questionnaire, database_tasks, media
):
    confirm(admin_client, IVAN, MARIA, TIMUR)
    shutil.rmtree(media / "uploads")

    run_worker()

    job = UploadJob.objects.get()
    assert job.status == "failed"
    assert "not found" in job.error
    assert job.files_done == 0
    assert Submission.objects.count() == 0
    assert job.error in admin_client.get(job_page(job)).content.decode()


@pytest.mark.django_db(transaction=True)
def test_progress_is_recorded_after_each_batch(
    admin_client, questionnaire, database_tasks, monkeypatch
):
    confirm(admin_client, IVAN, MARIA, TIMUR)
    monkeypatch.setattr(upload_jobs, "BATCH_FILES", 1)
    seen = []
    finish = importing._Importer.finish_batch

    def recording(self, batch):
        seen.append(UploadJob.objects.values_list("status", "files_done").get())
        return finish(self, batch)

    monkeypatch.setattr(importing._Importer, "finish_batch", recording)

    run_worker()

    assert seen == [("running", 0), ("running", 1), ("running", 2)]
    assert UploadJob.objects.values_list("status", "files_done").get() == ("done", 3)


@pytest.mark.django_db(transaction=True)
def test_a_confirmation_sent_twice_makes_one_job(admin_client, questionnaire, database_tasks):
    token = token_in(upload(admin_client, *(example(name) for name in (IVAN, MARIA, TIMUR))))
    url = reverse("admin:interviews_submission_import_confirm")

    first = admin_client.post(url, {"token": token})
    second = admin_client.post(url, {"token": token})

    job = UploadJob.objects.get()
    assert first["Location"] == second["Location"] == job_page(job)
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_job_is_run_once_even_if_its_task_runs_twice(admin_client, questionnaire, database_tasks):
    confirm(admin_client, IVAN, MARIA, TIMUR)
    run_worker()
    job = UploadJob.objects.get()

    status = upload_jobs.import_upload.call(job.pk)

    assert status == "done"
    assert Submission.objects.count() == 3


# -- the immediate backend (make run): no worker ------------------------------------------


def test_make_run_needs_no_worker_the_default_backend_is_immediate():
    # As `make run` starts Django: debug on, nothing said about tasks.
    env = production_env(DJANGO_DEBUG="1")
    env.pop("ZVONOK_TASKS_BACKEND", None)
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.TASKS['default']['BACKEND'], s.ZVONOK_UPLOAD_TASK_MIN_FILES)"
    )

    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert result.stdout.split() == ["django_tasks.backends.immediate.ImmediateBackend", "5"]


def test_with_the_immediate_backend_a_large_upload_is_done_within_the_request(
    admin_client, questionnaire, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE_TASKS

    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(admin_client, IVAN, MARIA, TIMUR)

    job = UploadJob.objects.get()
    assert (job.status, job.files_done) == ("done", 3)
    assert Submission.objects.count() == 3
    page = admin_client.get(response["Location"]).content.decode()
    assert "3 files: 3 created, 0 revised, 0 unchanged, 0 failed." in page


def test_the_preview_says_which_uploads_go_to_the_background(admin_client, questionnaire):
    note = "These files are imported in the background"

    large = upload(admin_client, *(example(name) for name in (IVAN, MARIA, TIMUR)))
    small = upload(admin_client, example(IVAN), example(MARIA))

    assert note in large.content.decode()
    assert note not in small.content.decode()


def test_a_small_upload_is_still_imported_in_the_request(admin_client, questionnaire):
    response = confirm(admin_client, IVAN, MARIA)

    assert response.status_code == 200
    assert "2 files: 2 created" in response.content.decode()
    assert Submission.objects.count() == 2
    assert not UploadJob.objects.exists()


# -- the page -----------------------------------------------------------------------------


def test_a_running_job_shows_its_progress_and_asks_for_more(admin_client, admin_user):
    job = UploadJob.objects.create(
        created_by=admin_user, token="a" * 32, total_files=12, files_done=5, status="running"
    )

    page = admin_client.get(job_page(job)).content.decode()

    assert 'data-refresh-seconds="3"' in page
    assert "5 of 12 files done." in page
    assert '<progress id="zvonok-job-progress" max="12" value="5">' in page
    assert '<label for="zvonok-job-progress">' in page
    # The script that asks is a file (the Content-Security-Policy allows no inline one).
    assert re.search(r'<script src="[^"]*/interviews/upload_job\.js" defer></script>', page)
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)


@pytest.fixture
def jobs(db):
    """A recruiter's job and another recruiter's."""
    owner, other = member(roles.RECRUITER), member(roles.RECRUITER)
    mine = UploadJob.objects.create(created_by=owner, token="a" * 32, total_files=5)
    theirs = UploadJob.objects.create(created_by=other, token="b" * 32, total_files=5)
    return owner, mine, theirs


def test_a_job_page_opens_for_its_creator_and_hr_managers_only(client, jobs):
    owner, mine, _theirs = jobs
    outcomes = {}
    for who, user in {
        "creator": owner,
        "hr manager": member(roles.HR_MANAGER),
        "other recruiter": member(roles.RECRUITER),
        "interviewer": member(roles.INTERVIEWER),
    }.items():
        client.force_login(user)
        outcomes[who] = client.get(job_page(mine)).status_code

    # 302: the admin's "does not exist" redirect, which confirms nothing.
    assert outcomes == {
        "creator": 200,
        "hr manager": 200,
        "other recruiter": 302,
        "interviewer": 403,
    }


def test_the_list_of_jobs_shows_a_recruiter_their_own(client, jobs):
    owner, mine, _theirs = jobs
    client.force_login(owner)

    listed = client.get(reverse("admin:interviews_uploadjob_changelist")).context["cl"]

    assert list(listed.result_list) == [mine]


def test_nobody_edits_a_job_and_a_running_one_is_not_deleted(admin_client, jobs):
    _owner, mine, _theirs = jobs
    mine.status = "running"
    mine.save()

    delete = admin_client.get(reverse("admin:interviews_uploadjob_delete", args=[mine.pk]))

    assert delete.status_code == 403
    assert admin_client.get(reverse("admin:interviews_uploadjob_add")).status_code == 403


# -- storage ------------------------------------------------------------------------------


def test_a_queued_jobs_files_outlive_the_hour_of_a_pending_upload(db, media):
    user = UserFactory()
    pending = uploads.create_pending(
        user=user, files=[example(IVAN)], options={}, limits=uploads.Limits.from_settings()
    )
    job = UploadJob.objects.create(created_by=user, token=pending.token, total_files=1)
    later = timezone.now() + timedelta(hours=2)

    kept = uploads.delete_stale(now=later)
    job.status = "done"
    job.save()
    deleted = uploads.delete_stale(now=later)

    assert (kept, deleted) == (0, 1)
    assert pending_dirs(media) == []


def test_the_files_of_a_job_that_lost_its_worker_go_after_a_day(db, media):
    user = UserFactory()
    pending = uploads.create_pending(
        user=user, files=[example(IVAN)], options={}, limits=uploads.Limits.from_settings()
    )
    UploadJob.objects.create(created_by=user, token=pending.token, total_files=1)

    deleted = uploads.delete_stale(now=timezone.now() + uploads.QUEUED_MAX_AGE)

    assert deleted == 1
    assert pending_dirs(media) == []
