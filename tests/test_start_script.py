"""The Dockerfile's start script, run outside Docker: migrations, then gunicorn with
DEBUG off serving the health check, the admin login page and its static files (the
stylesheet, the icon)."""

import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import psycopg
import pytest
from django.conf import settings

from tests.production import ROOT, production_env


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
