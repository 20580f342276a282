import subprocess
import sys

import pytest
from django.test import override_settings

from tests.production import ROOT, production_env


def _manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_debug_off_without_secret_key_refuses_to_start_and_names_the_variable():
    env = production_env()
    del env["DJANGO_SECRET_KEY"]

    result = _manage("check", env=env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_debug_on_runs_without_secret_key():
    env = production_env(DJANGO_DEBUG="1")
    del env["DJANGO_SECRET_KEY"]

    result = _manage("check", env=env)

    assert result.returncode == 0, result.stderr


def test_deploy_check_is_clean_in_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=production_env(DATABASE_URL="sqlite://:memory:"),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_defaults_are_russian_and_moscow_time():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.LANGUAGE_CODE, s.TIME_ZONE, s.DEBUG, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0)"
    )

    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.stdout.split() == ["ru", "Europe/Moscow", "False", "True", "True", "True",
                                     "True"]  # fmt: skip


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_in_production(client):
    with override_settings(SECURE_SSL_REDIRECT=True):
        response = client.get("/admin/login/")

    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@pytest.mark.django_db
def test_health_check_reports_the_database(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_commands_print_no_axes_banner_and_no_sqlite_w040(tmp_path):
    # django-axes' INFO banner and SQLite's "no INCLUDE columns" warning came with every
    # command; neither tells a user anything they can act on.
    result = _manage(
        "check",
        "--database",
        "default",
        env=production_env(DJANGO_DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}"),
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "AXES" not in output
    assert "W040" not in output
    assert "no issues" in output
