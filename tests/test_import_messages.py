"""The import's messages about a file (the parser's and the importer's warnings and
refusals) read in Russian wherever a person sees them: the upload pages, the submission
page, the command line. They are stored in English and translated from their templates."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.translation import gettext, ngettext, override

from interviews import importing, messages
from interviews.models import StageChange, Submission
from interviews.sheets import messages as sheet_messages
from tests.factories import VacancyFactory
from tests.test_grammar import _latin_words
from tests.test_translations import (  # noqa: F401 - the fixture compiles the catalogue
    _compiled_translations,
    visible_text,
)

PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
NO_STRUCTURE = "Просто текст без вопросов.\n\nЕщё один абзац.\n"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@pytest.fixture(autouse=True)
def _russian(settings):
    settings.LANGUAGE_CODE = "ru"


def _templates():
    return messages._templates()


def _filled(template, value="x7"):
    return template % {name: value for name in PLACEHOLDER.findall(template)}


@pytest.mark.parametrize("template", _templates())
def test_every_message_template_is_translated_and_read_back(template):
    text = _filled(template)

    with override("ru"):
        russian = gettext(template)
        translated = messages.translate(text)

    assert russian != template
    assert re.search("[а-яё]", russian, re.IGNORECASE)
    # The stored English text leads back to its own template, and no other.
    assert translated == _filled(russian)


def test_parameters_that_are_messages_are_translated_too():
    text = sheet_messages.BINARY_FILE % {"kind": sheet_messages.PNG_IMAGE}

    with override("ru"):
        translated = messages.translate(text)
        expected = gettext(sheet_messages.BINARY_FILE) % {"kind": gettext(sheet_messages.PNG_IMAGE)}

    assert translated == expected
    assert "PNG" in translated and "binary" not in translated


def test_text_from_no_template_is_shown_as_it_is():
    assert messages.translate("something else entirely") == "something else entirely"
    assert messages.translate("x" * 10_000) == "x" * 10_000


def _upload(client, *files):
    return client.post(
        reverse("admin:interviews_submission_import"),
        {"files": [SimpleUploadedFile(name, data, "text/markdown") for name, data in files]},
        HTTP_ACCEPT_LANGUAGE="ru",
    )


@pytest.mark.django_db
def test_upload_pages_show_the_import_messages_in_russian(admin_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    files = [("kartinka.md", PNG), ("tekst.md", NO_STRUCTURE.encode())]

    preview = _upload(admin_client, *files)
    token = re.search(r'name="token" value="([^"]+)"', preview.content.decode()).group(1)
    # Text without questions is imported only when ticked, marked as needing review.
    accept = [row["key"] for row in preview.context["rows"] if row["file"].path == "tekst.md"]
    result = admin_client.post(
        reverse("admin:interviews_submission_import_confirm"),
        {"token": token, "accept": accept},
        HTTP_ACCEPT_LANGUAGE="ru",
    )

    with override("ru"):
        refused = gettext(sheet_messages.BINARY_FILE) % {"kind": gettext(sheet_messages.PNG_IMAGE)}
        warned = gettext(sheet_messages.NO_STRUCTURE) % {"line": 1}
    for response in (preview, result):
        texts = visible_text(response.content.decode())
        assert refused in texts
        assert warned in texts
        assert _latin_words(texts, {"kartinka", "tekst", "md", "root", "PNG"}) == set()
    # Stored as the parser wrote it, so that the search and the exports stay one language.
    stored = Submission.objects.get().warnings
    assert sheet_messages.NO_STRUCTURE % {"line": 1} in stored


@pytest.mark.django_db
def test_submission_page_shows_its_warnings_in_russian(admin_client, tmp_path):
    path = tmp_path / "tekst.md"
    path.write_text(NO_STRUCTURE, encoding="utf-8")
    call_command("import_answers", str(path), "--accept-unstructured", verbosity=0)
    submission = Submission.objects.get()

    response = admin_client.get(
        reverse("admin:interviews_submission_change", args=[submission.pk]),
        HTTP_ACCEPT_LANGUAGE="ru",
    )

    with override("ru"):
        warned = gettext(sheet_messages.NO_STRUCTURE) % {"line": 1}
    assert warned in visible_text(response.content.decode())


@pytest.mark.django_db
def test_command_line_speaks_the_configured_language(tmp_path):
    good, bad = tmp_path / "tekst.md", tmp_path / "kartinka.md"
    good.write_text(NO_STRUCTURE, encoding="utf-8")
    bad.write_bytes(PNG)
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError) as failed:
        call_command(
            "import_answers", str(good), str(bad), "--accept-unstructured", stdout=out, stderr=err
        )

    with override("ru"):
        warned = gettext(sheet_messages.NO_STRUCTURE) % {"line": 1}
        refused = gettext(sheet_messages.BINARY_FILE) % {"kind": gettext(sheet_messages.PNG_IMAGE)}
        summary = ngettext(
            "%(count)d of %(files)d files failed", "%(count)d of %(files)d files failed", 1
        ) % {"count": 1, "files": 2}
    assert warned in out.getvalue()
    assert f"{bad}: {refused}" in err.getvalue()
    assert str(failed.value) == summary
    assert "warning" not in out.getvalue() and "created" not in out.getvalue()


@pytest.mark.django_db
def test_import_opens_applications_with_a_comment_in_the_configured_language(tmp_path):
    vacancy = VacancyFactory()
    path = tmp_path / "tekst.md"
    path.write_text(NO_STRUCTURE, encoding="utf-8")

    with override("en"):  # whoever runs it: the comment is in LANGUAGE_CODE
        call_command(
            "import_answers",
            str(path),
            "--vacancy",
            vacancy.slug,
            "--accept-unstructured",
            verbosity=0,
        )

    comment = StageChange.objects.get().comment
    with override("ru"):
        assert comment == gettext("opened by an import of answers") == importing.import_comment()
    assert re.search("[а-яё]", comment)
