"""Request bodies: refused over their URL's limit before anything reads them, small
everywhere, the answer upload's own limit there."""

import io
import subprocess
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.production import ROOT, production_env

pytestmark = pytest.mark.django_db

SHEET = "# ZvonokTest\n## Ответы на вопросы\n#### 1. Вопрос?\nОтвет.\n"


@pytest.fixture(autouse=True)
def limits(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "en"
    settings.ZVONOK_MAX_REQUEST_BYTES = 10_000
    settings.ZVONOK_REQUEST_BODY_LIMITS = {"admin:interviews_submission_import": 100_000}


class CountingInput(io.BytesIO):
    """A request's wsgi.input that counts the bytes read from it."""

    consumed = 0

    def read(self, size=-1):
        data = super().read(size)
        self.consumed += len(data)
        return data

    def readline(self, size=-1):
        data = super().readline(size)
        self.consumed += len(data)
        return data


def multipart(size):
    """A multipart body with one file part of ``size`` bytes, and its content type."""
    boundary = "zvonokboundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="f"; filename="f.md"\r\n'
        "Content-Type: text/markdown\r\n\r\n".encode()
        + b"a" * size
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def test_an_anonymous_post_claiming_100_mb_is_refused_before_a_byte_is_read(client):
    body, content_type = multipart(100)
    stream = CountingInput(body)

    response = client.generic(
        "POST",
        reverse("admin:login"),
        body,
        content_type=content_type,
        CONTENT_LENGTH=str(100 * 1024 * 1024),
        **{"wsgi.input": stream},
    )

    assert response.status_code == 413
    assert stream.consumed == 0
    assert response.content.decode() == (
        "The request is too large: 100.0\xa0MB, at most 9.8\xa0KB here."
    )


def test_a_file_part_over_the_limit_is_refused_on_the_login_page(client):
    body, content_type = multipart(20_000)

    response = client.generic("POST", reverse("admin:login"), body, content_type=content_type)

    assert response.status_code == 413


def test_a_body_within_the_limit_reaches_the_page(client):
    body, content_type = multipart(5_000)

    response = client.generic("POST", reverse("admin:login"), body, content_type=content_type)

    assert response.status_code == 200  # the login form, with its errors
    assert response.context["form"].errors


def test_the_upload_page_takes_bodies_up_to_its_own_limit(admin_client):
    sheet = SHEET + "Ещё.\n" * 5_000  # about 50 KB: over the general limit, under the upload's
    upload = reverse("admin:interviews_submission_import")

    taken = admin_client.post(upload, {"files": [SimpleUploadedFile("a.md", sheet.encode())]})
    refused = admin_client.post(
        upload,
        {"files": [SimpleUploadedFile(f"{n}.md", sheet.encode()) for n in range(3)]},
    )

    assert taken.status_code == 200
    assert "a.md" in taken.content.decode()
    assert refused.status_code == 413


def test_a_body_without_a_length_is_refused_not_taken_for_an_empty_form(client):
    # Django reads nothing of a chunked body without Content-Length.
    stream = CountingInput(b"5\r\nhello\r\n0\r\n\r\n")

    response = client.generic(
        "POST",
        reverse("admin:login"),
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": stream},
    )

    assert response.status_code == 411
    assert stream.consumed == 0


def test_the_refusal_is_in_the_clients_language(client):
    body, content_type = multipart(20_000)

    response = client.generic(
        "POST",
        reverse("admin:login"),
        body,
        content_type=content_type,
        HTTP_ACCEPT_LANGUAGE="ru",
    )

    assert response.status_code == 413
    assert response.content.decode().startswith("Запрос слишком велик")


def test_limits_come_from_the_environment():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.ZVONOK_MAX_REQUEST_BYTES, s.ZVONOK_REQUEST_BODY_LIMITS)"
    )
    env = production_env(
        ZVONOK_MAX_REQUEST_BYTES="1000",
        ZVONOK_UPLOAD_MAX_TOTAL_BYTES="5000",
        ZVONOK_IMPORT_MAX_BYTES="300",
    )

    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "1000 {'admin:interviews_submission_import': 6000, 'apply': 1300}"
    )
