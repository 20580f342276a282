"""Hostile and broken answer files, all in one import batch.

Every kind of bad input has one expected outcome: imported with a warning ("created"),
refused with one clear line ("failed", nothing written), or held back as not an answer
sheet ("needs-review", nothing written). Small files are committed in
tests/data/bad/; big ones, links and permissions are made at test time. How parse time grows
with size is measured by bench/parse_scaling.py.
"""

from __future__ import annotations

import builtins
import io
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.utils import translation

from interviews.management.commands import import_answers
from interviews.models import Answer, Submission

ROOT = Path(__file__).resolve().parents[1]
BAD = Path(__file__).parent / "data" / "bad"
GOOD = ROOT / "examples" / "ivan_sokolov.md"
MAX_BYTES = 8 * 1024 * 1024  # above the 5 MB line and 100,000 headings, below 20 MB
UNREADABLE = "unreadable.md"

SHEET = """# ZvonokTest
## Ответы на вопросы
#### 1. Какой опыт в коммерческой разработки на Python?
Три года, Django и Celery.
"""


def committed(name: str) -> Callable[[Path], Path]:
    def make(_tmp: Path) -> Path:
        return BAD / name

    make.committed = name
    return make


def generated(name: str, content: Callable[[], str]) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        path = tmp / name
        path.write_text(content(), encoding="utf-8")
        return path

    return make


def twenty_megabytes() -> str:
    line = "Ответ на вопрос, повторённый много раз.\n"
    return "## 1. Вопрос\n" + line * (20 * 1024 * 1024 // len(line.encode()) + 1)


def reference_link_flood(count: int) -> Callable[[], str]:
    # Markdown's "billion laughs": few definitions, used over and over. The parser must not
    # expand them; the text is kept as it was written, or refused for its structure.
    def content() -> str:
        definitions = "\n".join(f"[r{i}]: https://example.com/{i}" for i in range(1_000))
        uses = " ".join(f"[lol][r{i % 1_000}]" for i in range(count))
        return f"{definitions}\n\n{uses}\n"

    return content


def two_megabytes(unit: Callable[[int], str]) -> str:
    """``unit(0) + unit(1) + ...`` up to 2 MB in UTF-8."""
    out, size, i = [], 0, 0
    while size + len(piece := unit(i).encode()) <= 2 * 1024 * 1024:
        out.append(piece.decode())
        size += len(piece)
        i += 1
    return "".join(out)


def symlink_loop(tmp: Path) -> Path:
    (tmp / "loop_b.md").symlink_to(tmp / "loop_a.md")
    (tmp / "loop_a.md").symlink_to(tmp / "loop_b.md")
    return tmp / "loop_a.md"


def directory_symlink_loop(tmp: Path) -> Path:
    folder = tmp / "looped"
    folder.mkdir()
    (folder / "again").symlink_to(folder, target_is_directory=True)
    (folder / "sheet.md").write_text(SHEET, encoding="utf-8")
    return folder  # walked, not followed: sheet.md is imported once


def unreadable(tmp: Path) -> Path:
    # Root reads a chmod 000 file anyway; the batch test makes open() refuse this name.
    path = tmp / UNREADABLE
    path.write_text(SHEET, encoding="utf-8")
    path.chmod(0)
    return path


@dataclass(frozen=True)
class Kind:
    id: str
    make: Callable[[Path], Path]
    status: str  # "created" (imported, with the warning), "failed" (refused, the error) or
    # "needs-review" (not an answer sheet: not imported, the warning)
    expected: str  # substring of the error, or of "encoding <name>; <warnings>"


KINDS = [
    # Not text at all
    Kind("empty", committed("empty.md"), "failed", "empty file: nothing to import"),
    Kind("whitespace", committed("whitespace_only.md"), "failed", "empty file"),
    Kind("png", committed("png_header.md"), "failed", "binary file (PNG image)"),
    Kind("zip", committed("zip_docx.md"), "failed", "binary file (ZIP archive"),
    Kind("elf", committed("elf.md"), "failed", "binary file (NUL bytes at offset 7)"),
    Kind("pdf", committed("pdf.md"), "failed", "binary file (PDF document)"),
    Kind("gzip", committed("gzip.md"), "failed", "binary file (gzip archive)"),
    Kind("jpeg", committed("jpeg.md"), "failed", "binary file (JPEG image)"),
    Kind("nul-bytes", committed("nul_bytes.md"), "failed", "binary file (NUL bytes at offset"),
    # Encodings
    Kind(
        "invalid-utf8-middle",
        committed("invalid_utf8_middle.md"),
        "failed",
        "cannot decode the file: not UTF-8 (byte 0xd0 at offset 59)",
    ),
    Kind(
        "truncated-utf8-end",
        committed("truncated_utf8_end.md"),
        "created",
        "the file ends in the middle of a UTF-8 character at byte offset 394",
    ),
    Kind(
        "bom-then-invalid-utf8",
        committed("bom_then_invalid_utf8.md"),
        "failed",
        "UTF-8 byte order mark but has invalid UTF-8 at offset 40",
    ),
    Kind("cp1251", committed("cp1251.md"), "created", "encoding cp1251;"),
    Kind("koi8-r", committed("koi8r.md"), "created", "encoding koi8_r;"),
    Kind("utf16-le-bom", committed("utf16le_bom.md"), "created", "encoding utf-16;"),
    Kind("utf16-be-bom", committed("utf16be_bom.md"), "created", "encoding utf-16;"),
    # Without a byte order mark UTF-16 is indistinguishable from a binary with NUL bytes.
    Kind("utf16-le-no-bom", committed("utf16le_no_bom.md"), "failed", "NUL bytes at offset 1"),
    Kind("utf16-be-no-bom", committed("utf16be_no_bom.md"), "failed", "NUL bytes at offset 0"),
    Kind("utf16-nul-chars", committed("utf16_bom_nul_chars.md"), "failed", "NUL characters at"),
    Kind(
        "mixed-line-endings",
        committed("mixed_line_endings.md"),
        "created",
        "questionnaire detected: zvonok-python",
    ),
    # Active content and look-alike characters: stored verbatim, escaped wherever shown
    Kind(
        "html-script-iframe-style",
        committed("html_script_iframe_style.md"),
        "created",
        "questionnaire detected: zvonok-python",
    ),
    Kind(
        "javascript-data-links",
        committed("javascript_data_links.md"),
        "created",
        "questionnaire detected: zvonok-python",
    ),
    Kind("rtl-override", committed("rtl_override.md"), "created", "encoding utf-8;"),
    Kind(
        "zero-width-in-labels",
        committed("zero_width_labels.md"),
        "created",
        "no numbered questions found",
    ),
    # Front matter and references to what does not exist
    Kind(
        "front-matter-not-yaml",
        committed("front_matter_not_yaml.md"),
        "created",
        "front matter is not valid YAML",
    ),
    Kind(
        "front-matter-yaml-bomb",
        committed("front_matter_yaml_bomb.md"),
        "created",
        "front matter uses YAML aliases; ignored",
    ),
    Kind(
        "front-matter-not-mapping",
        committed("front_matter_not_a_mapping.md"),
        "created",
        "front matter is not a mapping",
    ),
    Kind(
        "front-matter-unknown-keys",
        committed("front_matter_unknown_keys.md"),
        "created",
        "front matter keys not used: colour, salary",
    ),
    Kind(
        "front-matter-too-large",
        generated(
            "big_front_matter.md",
            lambda: "---\n" + "".join(f"k{i}: [a, b]\n" for i in range(8_000)) + "---\n" + SHEET,
        ),
        "created",
        "front matter too large or too deeply nested",
    ),
    Kind(
        "questionnaire-missing",
        committed("questionnaire_does_not_exist.md"),
        "failed",
        "questionnaire 'no-such-questionnaire' does not exist",
    ),
    Kind(
        "vacancy-missing",
        committed("vacancy_does_not_exist.md"),
        "failed",
        "vacancy 'no-such-vacancy' does not exist",
    ),
    Kind(
        "duplicate-question-numbers",
        committed("duplicate_question_numbers.md"),
        "created",
        "section '1.' matches no question of zvonok-python; kept",
    ),
    # Structure
    Kind(
        "no-structure",
        committed("no_structure.md"),
        "needs-review",
        "no question structure recognised",
    ),
    Kind(
        "unclosed-code-fence",
        committed("unclosed_code_fence.md"),
        "needs-review",
        "no question structure recognised",
    ),
    # Big and deep, generated
    Kind("20-mb", generated("huge.md", twenty_megabytes), "failed", "over the 8.0 MB limit"),
    Kind(
        "one-line-of-5-mb",
        generated("long_line.md", lambda: "а" * (5 * 1024 * 1024 // 2)),
        "needs-review",
        "no question structure recognised",
    ),
    Kind(
        "5000-questions",
        generated(
            "questions.md",
            lambda: "".join(f"## {i}. Вопрос {i}?\nОтвет {i}\n" for i in range(1, 5_001)),
        ),
        "created",
        "named after the file (questions)",
    ),
    Kind(
        "100000-headings",
        generated(
            "headings.md",
            lambda: "".join(f"## {i}. Вопрос {i}?\nОтвет {i}\n" for i in range(1, 100_001)),
        ),
        "failed",
        "too many lines: more than 200,000",
    ),
    # Runs of headings, 2 MB each: refused early, by the line cap or the element cap.
    Kind(
        "setext-heading-run",
        generated("setext_run.md", lambda: two_megabytes(lambda i: f"Q{i}\n---\nx\n")),
        "failed",
        "too many lines: more than 200,000",
    ),
    Kind(
        "continued-heading-run",
        generated(
            "continued_run.md",
            lambda: two_megabytes(lambda i: "## 1. Вопрос\n" if i == 0 else f"## часть {i}\n"),
        ),
        "failed",
        "too much Markdown structure to analyse",
    ),
    Kind(
        "tiny-heading-run",
        generated("tiny_run.md", lambda: two_megabytes(lambda i: "#\n")),
        "failed",
        "too many lines: more than 200,000",
    ),
    Kind(
        "nested-lists-10000",
        generated("deep_lists.md", lambda: "- " * 10_000 + "x"),
        "needs-review",
        "no question structure recognised",
    ),
    Kind(
        "nested-ordered-lists-10000",
        generated("deep_ordered.md", lambda: "1. " * 10_000 + "x"),
        "needs-review",
        "no question structure recognised",
    ),
    Kind(
        "nested-quotes-10000",
        generated("deep_quotes.md", lambda: ">" * 10_000 + " x"),
        "needs-review",
        "no question structure recognised",
    ),
    Kind(
        "reference-link-billion-laughs",
        generated("laughs.md", reference_link_flood(2_000)),
        "needs-review",
        "no question structure recognised",
    ),
    Kind(
        "reference-link-flood",
        generated("flood.md", reference_link_flood(20_000)),
        "failed",
        "too much Markdown structure to analyse",
    ),
    # The file system
    Kind("symlink-loop", symlink_loop, "failed", "Too many levels of symbolic links"),
    Kind(
        "directory-symlink-loop",
        directory_symlink_loop,
        "created",
        "questionnaire detected: zvonok-python",
    ),
    Kind("unreadable", unreadable, "failed", "permission denied"),
    Kind("missing", lambda tmp: tmp / "missing.md", "failed", "no such file"),
]


@dataclass
class Batch:
    files: dict[str, dict]  # reported path -> the file's JSON report
    paths: dict[str, str]  # kind id -> reported path
    stderr: str
    error: str
    opened: list[str]


@pytest.fixture(scope="module")
def batch(django_db_setup, django_db_blocker, tmp_path_factory):
    """All kinds and one good file in one import_answers run, rolled back afterwards."""
    tmp = tmp_path_factory.mktemp("bad")
    paths, arguments = {}, []
    for kind in KINDS:
        path = kind.make(tmp)
        arguments.append(str(path))
        paths[kind.id] = str(path / "sheet.md") if path.is_dir() else str(path)
    arguments.append(str(GOOD))

    opened = []
    real_open = builtins.open

    def spying_open(file, *args, **kwargs):
        opened.append(str(file))
        if Path(file).name == UNREADABLE:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    out, err = io.StringIO(), io.StringIO()
    with django_db_blocker.unblock(), transaction.atomic(), translation.override("en"):
        call_command("loaddata", "zvonok_python", verbosity=0)
        # The command speaks LANGUAGE_CODE; these tests read its English messages.
        with pytest.MonkeyPatch.context() as mp, override_settings(LANGUAGE_CODE="en"):
            # The command's own open(): this is how a file it may not read looks to it.
            mp.setattr(import_answers, "open", spying_open, raising=False)
            with pytest.raises(CommandError) as failed:
                call_command(
                    "import_answers",
                    *arguments,
                    "--format",
                    "json",
                    "--max-bytes",
                    str(MAX_BYTES),
                    stdout=out,
                    stderr=err,
                )
        report = json.loads(out.getvalue())
        yield Batch(
            files={f["path"]: f for f in report["files"]},
            paths=paths,
            stderr=err.getvalue(),
            error=str(failed.value),
            opened=opened,
        )
        transaction.set_rollback(True)


def outcome(file: dict) -> str:
    if file["status"] == "failed":
        return file["error"]
    return f"encoding {file['encoding']}; " + "; ".join(file["warnings"])


def test_catalogue_has_at_least_thirty_kinds_and_every_committed_file_is_used():
    used = {getattr(kind.make, "committed", None) for kind in KINDS}

    assert len(KINDS) >= 30
    assert {p.name for p in BAD.iterdir()} <= used


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.id)
def test_bad_input_has_its_expected_outcome(batch, kind):
    path = batch.paths[kind.id]

    file = batch.files[path]

    assert file["status"] == kind.status, outcome(file)
    assert kind.expected in outcome(file)
    written = Submission.objects.filter(source_name=path)
    if kind.status == "failed":
        assert "\n" not in file["error"]
        assert not written.exists()  # never half-written
    elif kind.status == "needs-review":
        assert not written.exists()
    else:
        assert written.count() == 1


@pytest.mark.django_db
def test_the_batch_goes_on_past_bad_files(batch):
    good = batch.files[str(GOOD)]

    assert good["status"] == "created"
    assert len(good["answers"]) == 7
    failed = sum(k.status == "failed" for k in KINDS)
    held = sum(k.status == "needs-review" for k in KINDS)
    files = len(KINDS) + 1
    assert batch.error == (
        f"{failed} of {files} files failed; {held} of {files} files need review and were not "
        "imported (--accept-unstructured imports them)"
    )


# Marked like the batch's other tests, although it reads no rows: pytest-django runs the
# tests without the database last, and the batch would be built a second time for them.
@pytest.mark.django_db
def test_no_traceback_reaches_the_output(batch):
    assert "Traceback" not in batch.stderr
    assert all("Traceback" not in outcome(f) for f in batch.files.values())


@pytest.mark.django_db  # with the batch's other tests (see above)
def test_a_file_over_the_limit_is_refused_before_it_is_opened(batch):
    huge = batch.paths["20-mb"]

    assert os.path.getsize(huge) > 20 * 1024 * 1024
    assert huge not in batch.opened
    assert batch.files[huge]["error"] == "file is 20.0 MB, over the 8.0 MB limit"


@pytest.mark.django_db
def test_active_content_is_stored_verbatim_not_interpreted(batch):
    path = batch.paths["html-script-iframe-style"]

    answer = Answer.objects.get(submission__source_name=path, question__number="3")

    assert "<script>alert(document.cookie)</script>" in answer.body
    assert '<iframe src="https://evil.example/"></iframe>' in answer.body


@pytest.mark.django_db
def test_every_one_of_five_thousand_questions_is_an_answer(batch):
    path = batch.paths["5000-questions"]

    answers = Answer.objects.filter(submission__source_name=path)

    assert answers.count() == 5_000
    assert answers.order_by("-position").first().body == "Ответ 5000"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 file anyway")
@pytest.mark.django_db
def test_unreadable_file_is_refused_by_the_file_system(tmp_path):
    path = unreadable(tmp_path)
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_answers", str(path), stdout=out, stderr=err)

    assert err.getvalue().strip() == f"{path}: permission denied"
    assert not Submission.objects.exists()
