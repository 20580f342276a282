"""import_answers --explain: the outline of a file, with the rule behind each part; and
the generator boilerplate that the import keeps as the trailer."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import translation

from interviews import messages
from interviews.models import Submission

DATA = Path(__file__).parent / "data"


def explain(*paths, language="en"):
    out, err = io.StringIO(), io.StringIO()
    # The command speaks the installation's language.
    with override_settings(LANGUAGE_CODE=language):
        call_command("import_answers", "--explain", *map(str, paths), stdout=out, stderr=err)
    return out.getvalue().splitlines()


def row(lines, start):
    """The output line that starts, after the indent, with ``start``."""
    found = [line.strip() for line in lines if line.strip().startswith(start)]
    assert len(found) == 1, (start, lines)
    return " ".join(found[0].split())


def test_explain_gives_the_lines_and_rule_of_topic_questions():
    lines = explain(DATA / "topics_numbered_lines.md")

    assert lines[0].endswith("topics_numbered_lines.md")
    assert row(lines, "lines 1–3").startswith("lines 1–3 preamble before-first-question:")
    assert row(lines, "lines 5–7").startswith("lines 5–7 question 1. [DATABASES] numbered-line:")
    assert row(lines, "lines 8–9") == "lines 8–9 answer 1."
    assert row(lines, "line 11").startswith("line 11 question 2. [DATABASES] numbered-line:")
    assert row(lines, "lines 19–21").startswith("lines 19–21 question 4. [KUBERNETES]")
    assert any("questions taken from numbered lines" in line for line in lines)


def test_explain_names_the_generator_boilerplate_trailer():
    lines = explain(DATA / "trailer_create_react_app.md")

    assert row(lines, "line 11").startswith("line 11 question 3. numbered-heading:")
    assert row(lines, "lines 15–42").startswith("lines 15–42 trailer generator-boilerplate:")
    assert row(lines, "warning:").startswith("warning: line 15: project boilerplate")


def test_explain_says_when_no_question_structure_was_found():
    lines = explain(DATA / "unstructured.md")

    assert row(lines, "lines 1–14").startswith("lines 1–14 answer no-structure:")


def test_explain_of_a_license_trailer_names_the_readme_rule():
    lines = explain(DATA / "english_readme.md")

    assert row(lines, "lines 16–18").startswith("lines 16–18 trailer readme-heading:")


def test_explain_speaks_russian_with_the_rule_names_as_they_are():
    lines = explain(DATA / "trailer_ru_cp1251.md", language="ru")

    assert row(lines, "строки 21–31").startswith("строки 21–31 окончание generator-boilerplate:")
    assert row(lines, "предупреждение:") == (
        "предупреждение: строка 21: шаблонный текст проекта после ответов "
        "('Доступные скрипты') сохранён как окончание анкеты, а не как ответы"
    )


@pytest.mark.django_db
def test_explain_imports_nothing():
    explain(DATA / "topics_ru_crlf.md", DATA / "trailer_vue_crlf.md")

    assert not Submission.objects.exists()


def test_explain_of_a_missing_file_fails_naming_it(tmp_path):
    missing = tmp_path / "nope.md"

    with pytest.raises(CommandError) as caught:
        explain(DATA / "crlf.md", missing)

    assert caught.value.returncode == 1
    assert "1 of 2 files failed" in str(caught.value)


@pytest.mark.django_db
def test_generator_boilerplate_is_imported_as_the_trailer_with_a_russian_warning():
    out = io.StringIO()

    with override_settings(LANGUAGE_CODE="ru"):
        call_command("import_answers", str(DATA / "trailer_create_react_app.md"), stdout=out)

    submission = Submission.objects.get()
    assert submission.answers.count() == 3
    assert submission.trailer.startswith("## Available Scripts")
    # Stored as the import wrote it, shown in the reader's language.
    with translation.override("ru"):
        shown = messages.translate(submission.warnings[0])
    assert shown == (
        "строка 15: шаблонный текст проекта после ответов ('Available Scripts') "
        "сохранён как окончание анкеты, а не как ответы"
    )
    assert "шаблонный текст проекта после ответов" in out.getvalue()
