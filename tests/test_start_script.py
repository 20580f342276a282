"""The Dockerfile's start script, run outside Docker: migrations, then gunicorn with
DEBUG off serving the health check, the admin login page and its static files (the
stylesheet, the icon)."""

import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from contextlib import closing

import psycopg
import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from interviews.models import UploadJob
from tests.production import ROOT, production_env
from tests.test_upload import IVAN, MARIA, example, token_in, upload


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def database_url(tmp_path):
    """A throw-away database on the same server the suite runs against."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        yield f"sqlite:///{tmp_path / 'smoke.sqlite3'}"
        return
    name = f"zvonok_smoke_{uuid.uuid4().hex[:8]}"
    params = {
        "host": db["HOST"] or None,
        "port": db["PORT"] or None,
        "user": db["USER"] or None,
        "password": db["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**params) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    yield f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    with psycopg.connect(**params) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _get(url):
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, response.headers, response.read().decode()


def test_start_script_serves_the_admin_with_debug_off(tmp_path, database_url):
    port = _free_port()
    env = production_env(
        DATABASE_URL=database_url,
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT, env=env, check=True, timeout=120,
    )  # fmt: skip
    server = subprocess.Popen(
        ["bin/start"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _, body = _get(f"{base}/healthz")
                break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.3)

        _, _, login_page = _get(f"{base}/admin/login/")
        css_path = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', login_page)
        css_status, css_headers, css = _get(base + css_path.group(1))
        icon_path = re.search(
            r'<link rel="icon" href="(/static/interviews/favicon\.[0-9a-f]{12}\.svg)"', login_page
        )
        icon_status, icon_headers, _ = _get(base + icon_path.group(1))
        # What a browser asks for on a page that names no icon: redirected to the same file.
        ico_status, ico_headers, _ = _get(f"{base}/favicon.ico")
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode(errors="replace")

    assert status == 200, output
    assert '"database": "ok"' in body
    assert 'name="username"' in login_page
    assert css_status == 200
    assert css_headers["Content-Type"].startswith("text/css")
    assert "body" in css
    assert (icon_status, icon_headers["Content-Type"]) == (200, "image/svg+xml")
    assert (ico_status, ico_headers["Content-Type"]) == (200, "image/svg+xml")


# -- the worker role -----------------------------------------------------------------------


def _this_database_url(tmp_path):
    """This test's database for another process: PostgreSQL's test database itself;
    SQLite's, which lives in this process's memory, copied into a file."""
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
        return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    copy = tmp_path / "copy.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(copy)
    connection.connection.backup(target)
    target.close()
    return f"sqlite:///{copy}"


def _job_state(database_url):
    """(status, files done, total) of the one upload job, read as the worker left it."""
    query = "SELECT status, files_done, total_files FROM interviews_uploadjob"
    if database_url.startswith("sqlite:///"):
        with closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as db:
            return db.execute(query).fetchone()
    return UploadJob.objects.values_list("status", "files_done", "total_files").get()


@pytest.mark.django_db(transaction=True)
def test_start_script_runs_a_worker_that_imports_a_queued_upload(admin_client, settings, tmp_path):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ZVONOK_UPLOAD_TASK_MIN_FILES = 2
    call_command("loaddata", "zvonok_python", verbosity=0)
    token = token_in(upload(admin_client, example(IVAN), example(MARIA)))
    admin_client.post(reverse("admin:interviews_submission_import_confirm"), {"token": token})
    assert UploadJob.objects.values_list("status", flat=True).get() == "queued"
    database_url = _this_database_url(tmp_path)
    env = production_env(
        DATABASE_URL=database_url,
        DJANGO_MEDIA_ROOT=str(tmp_path / "media"),
        ZVONOK_TASKS_BACKEND="database",
    )

    # --batch: until the queue is empty, then exit.
    worker = subprocess.run(
        ["bin/start", "worker", "--batch", "--no-startup-delay", "--interval", "0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert worker.returncode == 0, worker.stderr
    assert _job_state(database_url) == ("done", 2, 2)


def test_start_script_refuses_a_worker_without_the_database_task_backend():
    env = production_env(ZVONOK_TASKS_BACKEND="immediate")

    worker = subprocess.run(
        ["bin/start", "worker", "--batch"], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert worker.returncode == 2
    assert "ZVONOK_TASKS_BACKEND=database" in worker.stderr


def test_compose_runs_a_worker_from_the_web_image_on_the_database_queue():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    web, worker = compose["services"]["web"], compose["services"]["worker"]

    assert worker["build"] == web["build"]
    assert worker["command"] == ["bin/start", "worker"]
    assert web["environment"]["ZVONOK_TASKS_BACKEND"] == "database"
    assert worker["environment"] == web["environment"]
    # The files waiting between preview and confirm are where both see them.
    assert worker["volumes"] == web["volumes"]
    assert web["environment"]["DJANGO_MEDIA_ROOT"] in web["volumes"][0]
