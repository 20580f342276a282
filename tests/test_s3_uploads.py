"""Uploads kept in S3-compatible object storage: the preview in one process, the confirm in
another, as on several web machines. The storage is moto's S3 server on 127.0.0.1, the
database the one the test runs against (on SQLite, a file copy of it)."""

import json
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import connection
from moto.server import ThreadedMotoServer

from interviews.models import Submission
from tests.factories import UserFactory
from tests.test_upload import IVAN, example, token_in, upload

ROOT = Path(__file__).resolve().parents[1]
BUCKET = "zvonok-uploads"
REGION = "us-east-1"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
TIMEOUT = 120

# The confirm, as another web process would take it: the same settings from the
# environment (S3 included), the same database, nothing shared with this process.
CONFIRM = """
import json, sys
import django
django.setup()
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import storages
from django.test import Client, override_settings
from django.test.utils import setup_test_environment
from interviews.models import Submission

setup_test_environment()  # the test client's host name
username, token = sys.argv[1:]
# The hashed static files need collectstatic; the pages' styles are not what is tested.
static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
with override_settings(STORAGES={**settings.STORAGES, "staticfiles": static}):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    response = client.post(
        "/admin/interviews/submission/import/confirm/", {"token": token}, secure=True
    )
print(json.dumps({
    "status": response.status_code,
    "storage": type(storages["default"]).__name__,
    "submissions": list(Submission.objects.values_list("source_name", flat=True)),
}))
"""


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3():
    """moto's S3 server with the bucket, for the whole module: its endpoint URL."""
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(Bucket=BUCKET)
    yield endpoint, client
    server.stop()


@pytest.fixture
def s3_settings(s3, settings, monkeypatch, tmp_path):
    """This process's default storage on the S3 server, as ZVONOK_S3_* configure it; the
    environment the other process reads its settings from."""
    endpoint, _client = s3
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "en"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "region_name": REGION,
                "location": "",
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    return {
        **os.environ,
        **CREDENTIALS,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DJANGO_SECRET_KEY": "s3-test",
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
        "ZVONOK_S3_BUCKET": BUCKET,
        "ZVONOK_S3_ENDPOINT_URL": endpoint,
        "ZVONOK_S3_REGION": REGION,
        "ZVONOK_TASKS_BACKEND": "immediate",
    }


def _database_url(tmp_path):
    """A URL of this test's database for another process: PostgreSQL's test database
    itself; SQLite's, which lives in this process's memory, copied into a file."""
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
        return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    copy = tmp_path / "copy.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(copy) as target:
        connection.connection.backup(target)
    target.close()
    return f"sqlite:///{copy}"


def _keys(client, prefix=""):
    listed = client.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return sorted(item["Key"] for item in listed.get("Contents", []))


@pytest.mark.django_db(transaction=True)
def test_preview_in_one_process_and_confirm_in_another_through_s3(
    client, s3, s3_settings, tmp_path
):
    _endpoint, s3_client = s3
    user = UserFactory(username="s3-uploader", is_superuser=True, is_staff=True)
    client.force_login(user)
    call_command("loaddata", "zvonok_python", verbosity=0)

    token = token_in(upload(client, example(IVAN)))

    assert type(storages["default"]).__name__ == "S3Storage"
    assert _keys(s3_client, f"uploads/{token}/") == [
        f"uploads/{token}/0001.upload",
        f"uploads/{token}/manifest.json",
    ]
    assert not Path(s3_settings["DJANGO_MEDIA_ROOT"]).exists()  # nothing kept locally

    result = subprocess.run(
        [sys.executable, "-c", CONFIRM, user.username, token],
        cwd=ROOT,
        env={**s3_settings, "DATABASE_URL": _database_url(tmp_path)},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )

    assert result.returncode == 0, result.stderr
    confirmed = json.loads(result.stdout.strip().splitlines()[-1])
    assert confirmed == {"status": 200, "storage": "S3Storage", "submissions": [IVAN]}
    assert _keys(s3_client, f"uploads/{token}/") == []
    assert not Path(s3_settings["DJANGO_MEDIA_ROOT"]).exists()
    if connection.vendor == "postgresql":  # the same database: seen from here too
        assert list(Submission.objects.values_list("source_name", flat=True)) == [IVAN]
