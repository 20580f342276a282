"""The admin's "Import answers": upload, preview (writes nothing), confirm; the limits,
the pending upload kept in storage between requests, and who may do it."""

import io
import json
import os
import re
import struct
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from interviews import roles
from interviews.models import Candidate, Submission, Vacancy
from tests.factories import UserFactory, member
from tests.queries import IMPORT_QUERIES, UNSEEN_COPIES, VIEW_QUERIES, listing, page_queries

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
UNSTRUCTURED = Path(__file__).parent / "data" / "unstructured.md"
IVAN, MARIA, TIMUR = "ivan_sokolov.md", "maria_kuznetsova.md", "timur_gareev.md"
SHEET = """# ZvonokTest
## Ответы на вопросы
#### 1. Какой опыт в коммерческой разработки на Python?
Три года.
"""


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The messages asserted below are the English msgids, whatever gets translated later.
    settings.LANGUAGE_CODE = "en"
    return settings.MEDIA_ROOT


@pytest.fixture
def questionnaire(db):
    call_command("loaddata", "zvonok_python", verbosity=0)


def example(name):
    return SimpleUploadedFile(name, (EXAMPLES / name).read_bytes(), content_type="text/markdown")


def archive(name, members, compression=zipfile.ZIP_DEFLATED):
    """A zip upload; ``members`` maps member names (kept exactly as given) to bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        for member, data in members.items():
            zf.writestr(zipfile.ZipInfo(member), data, compress_type=compression)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/zip")


def upload(client, *files, **fields):
    return client.post(reverse("admin:interviews_submission_import"), {"files": files, **fields})


def token_in(response):
    """The token as the browser sees it: in the preview's hidden field."""
    assert response.status_code == 200
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def confirm(client, token, **kwargs):
    return client.post(
        reverse("admin:interviews_submission_import_confirm"), {"token": token}, **kwargs
    )


def cancel(client, token, **kwargs):
    return client.post(
        reverse("admin:interviews_submission_import_cancel"), {"token": token}, **kwargs
    )


def pending_dirs(media):
    folder = Path(media) / "uploads"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def refusal(response):
    """The form's error line after a refused upload."""
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    return " ".join(response.context["form"].non_field_errors())


# -- preview -------------------------------------------------------------------------------


def test_preview_shows_sections_matches_and_statuses_and_writes_nothing(
    admin_client, questionnaire
):
    response = upload(admin_client, example(IVAN), example(MARIA))

    assert Candidate.objects.count() == 0
    assert Submission.objects.count() == 0
    html = response.content.decode()
    assert IVAN in html and MARIA in html
    assert "2 files: 2 new, 0 changed, 0 unchanged, 0 cannot be imported." in html
    assert html.count("new: will be created") == 2
    assert "Иван Соколов" in html
    # A section as written and the question it matched, with the questionnaire's text.
    assert "Приходилось ли сильно оптимизировать Python код?" in html
    rows = response.context["rows"]
    assert [row["file"].status for row in rows] == ["created", "created"]
    assert [a["answer"].matched_question for a in rows[0]["answers"]] == list("1234567")
    assert rows[0]["answers"][1]["matched_text"].startswith("Приходилось ли сильно")


def test_preview_and_result_name_questionnaire_and_vacancy_by_title(admin_client, questionnaire):
    vacancy = Vacancy.objects.get(slug="python-developer")

    preview = upload(admin_client, example(IVAN), vacancy=vacancy.pk)
    result = confirm(admin_client, token_in(preview))

    for response in (preview, result):
        html = response.content.decode()
        assert "Анкета Python-разработчика" in html
        assert "zvonok-python" not in html and "python-developer" not in html
    assert f"Vacancy: {vacancy.title}" in preview.content.decode()


def test_preview_keeps_the_files_in_storage_under_the_token(admin_client, media, questionnaire):
    response = upload(admin_client, example(IVAN))

    token = token_in(response)
    folder = Path(media) / "uploads" / token
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["files"][0]["name"] == IVAN
    assert manifest["options"] == {
        "questionnaire": None,
        "vacancy": None,
        "name": None,
        "email": None,
    }
    stored = folder / Path(manifest["files"][0]["path"]).name
    assert stored.read_bytes() == (EXAMPLES / IVAN).read_bytes()


def test_reupload_of_an_imported_file_previews_as_unchanged(admin_client, questionnaire):
    confirm(admin_client, token_in(upload(admin_client, example(IVAN))))

    response = upload(admin_client, example(IVAN))

    assert response.context["rows"][0]["file"].status == "unchanged"
    assert "unchanged: already imported" in response.content.decode()
    assert not response.context["importable"]
    assert Submission.objects.count() == 1


def test_preview_lists_the_skipped_members_of_an_archive(admin_client, questionnaire):
    zipped = archive(
        "answers.zip",
        {
            IVAN: (EXAMPLES / IVAN).read_bytes(),
            "cv.pdf": b"%PDF-1.4",
            "more.zip": b"PK\x05\x06" + bytes(18),
            f"__MACOSX/._{IVAN}": b"\x00\x05\x16\x07",
        },
    )

    response = upload(admin_client, zipped)

    html = response.content.decode()
    assert "answers.zip/cv.pdf: skipped, only .md, .markdown and .txt files are imported." in html
    assert "answers.zip/more.zip: skipped, archives inside an archive are not unpacked." in html
    assert f"answers.zip/__MACOSX/._{IVAN}: skipped, macOS metadata." in html
    assert [row["file"].path for row in response.context["rows"]] == [f"answers.zip/{IVAN}"]


def _sheets(n):
    """n answer files of the same shape, from n different candidates."""
    return [
        SimpleUploadedFile(
            f"kandidat_{i}.md", SHEET.replace("Три года.", f"{i + 3} года.").encode()
        )
        for i in range(n)
    ]


def test_import_form_query_count(admin_client, questionnaire):
    # Session, user, the questionnaires and the vacancies to choose from.
    queries = page_queries(admin_client, reverse("admin:interviews_submission_import"))

    assert len(queries) == VIEW_QUERIES["import form"], listing(queries)


@pytest.mark.parametrize("files", [1, 4])
def test_import_query_counts_do_not_grow_with_files(admin_client, questionnaire, files):
    url = reverse("admin:interviews_submission_import")
    options = {"vacancy": Vacancy.objects.get().pk}

    preview = page_queries(admin_client, url, {"files": _sheets(files), **options}, method="post")
    token = token_in(upload(admin_client, *_sheets(files), **options))
    confirmed = page_queries(
        admin_client,
        reverse("admin:interviews_submission_import_confirm"),
        {"token": token},
        method="post",
    )

    unseen = UNSEEN_COPIES.get(connection.vendor, 0)
    assert len(preview) == IMPORT_QUERIES["preview"] - unseen, listing(preview)
    assert len(confirmed) == IMPORT_QUERIES["confirm"] - unseen, listing(confirmed)
    assert Submission.objects.count() == files


# -- confirm -------------------------------------------------------------------------------


def test_confirm_imports_and_reports_each_file(admin_client, admin_user, questionnaire):
    token = token_in(upload(admin_client, example(IVAN), example(MARIA)))

    response = confirm(admin_client, token)

    assert response.status_code == 200
    assert Submission.objects.count() == 2
    for submission in Submission.objects.all():
        assert submission.imported_by == admin_user
        assert submission.questionnaire.slug == "zvonok-python"
        assert submission.answers.count() == 7
    assert [row["file"].status for row in response.context["rows"]] == ["created", "created"]
    ivan = Candidate.objects.get(email="ivan.sokolov@example.com")
    html = response.content.decode()
    assert reverse("admin:interviews_candidate_change", args=[ivan.pk]) in html
    assert "2 files: 2 created, 0 revised, 0 unchanged, 0 failed." in html


def test_confirm_works_from_another_process_with_only_the_token(
    admin_client, admin_user, media, questionnaire, django_capture_on_commit_callbacks
):
    token = token_in(upload(admin_client, example(IVAN)))
    assert pending_dirs(media) == [token]
    # Another web process: a new client and session; all it shares is storage.
    elsewhere = Client()
    elsewhere.force_login(admin_user)

    # The files are deleted when the import commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(elsewhere, token)

    assert response.context["rows"][0]["file"].status == "created"
    assert Submission.objects.get().source_name == IVAN
    assert pending_dirs(media) == []


def test_zip_with_two_answer_files_imports_both(admin_client, questionnaire):
    zipped = archive("answers.zip", {n: (EXAMPLES / n).read_bytes() for n in (IVAN, TIMUR)})
    token = token_in(upload(admin_client, zipped))

    confirm(admin_client, token)

    assert sorted(Submission.objects.values_list("source_name", flat=True)) == [
        f"answers.zip/{IVAN}",
        f"answers.zip/{TIMUR}",
    ]
    assert Candidate.objects.count() == 2


def test_name_and_email_given_in_the_form_describe_the_one_candidate(admin_client, questionnaire):
    sheet = SimpleUploadedFile("anna.md", SHEET.encode())
    token = token_in(upload(admin_client, sheet, name="Анна Смирнова", email="anna@example.com"))

    confirm(admin_client, token)

    candidate = Candidate.objects.get()
    assert (candidate.full_name, candidate.email) == ("Анна Смирнова", "anna@example.com")


def test_name_with_several_answer_files_is_refused(admin_client, media, questionnaire):
    response = upload(admin_client, example(IVAN), example(MARIA), name="Анна Смирнова")

    assert "describes one candidate, but the upload holds 2 answer files" in refusal(response)
    assert pending_dirs(media) == []


def test_cancel_deletes_the_upload_and_imports_nothing(admin_client, media, questionnaire):
    token = token_in(upload(admin_client, example(IVAN)))

    response = cancel(admin_client, token, follow=True)

    assert "Import cancelled; nothing was imported." in response.content.decode()
    assert pending_dirs(media) == []
    assert Submission.objects.count() == 0


# -- limits --------------------------------------------------------------------------------


def test_file_over_the_size_limit_is_refused(admin_client, media, settings):
    settings.ZVONOK_IMPORT_MAX_BYTES = 1000

    response = upload(admin_client, example(IVAN))

    assert f"{IVAN} is larger than 1000\xa0bytes, the limit for one file." in refusal(response)
    assert pending_dirs(media) == []


def test_too_many_files_are_refused(admin_client, settings):
    settings.ZVONOK_UPLOAD_MAX_FILES = 2

    response = upload(admin_client, example(IVAN), example(MARIA), example(TIMUR))

    assert "3 files were chosen; at most 2 can be uploaded at once." in refusal(response)


def test_too_many_archive_members_are_refused(admin_client, settings):
    settings.ZVONOK_UPLOAD_MAX_ZIP_MEMBERS = 2
    zipped = archive("answers.zip", {f"{n}.md": SHEET.encode() for n in range(3)})

    response = upload(admin_client, zipped)

    assert "answers.zip brings the upload over 2 archive members" in refusal(response)


def never_unpacked(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a member was unpacked")

    monkeypatch.setattr(zipfile.ZipFile, "open", refuse)


def test_archive_member_over_the_size_limit_is_refused_by_its_header(
    admin_client, media, monkeypatch
):
    # 3 MB of zeros deflate to a few kilobytes: the archive itself is small.
    zipped = archive("bomb.zip", {"big.md": bytes(3 * 1024 * 1024)})
    assert zipped.size < 10_000
    never_unpacked(monkeypatch)

    response = upload(admin_client, zipped)

    assert "bomb.zip/big.md is larger than 2.0\xa0MB, the limit for one file." in refusal(response)
    assert pending_dirs(media) == []


def test_archive_unpacking_over_the_total_limit_is_refused_by_its_headers(
    admin_client, settings, media, monkeypatch
):
    settings.ZVONOK_UPLOAD_MAX_TOTAL_BYTES = 1_000_000
    members = {f"{n}.md": b"a" * 600_000 for n in range(2)}  # each under the 2 MB per file
    zipped = archive("bomb.zip", members)
    never_unpacked(monkeypatch)

    response = upload(admin_client, zipped)

    assert "bomb.zip brings the upload over 976.6\xa0KB unpacked" in refusal(response)
    assert pending_dirs(media) == []


def test_reading_stops_at_the_limit_when_a_header_understates_the_size(
    admin_client, settings, monkeypatch
):
    settings.ZVONOK_IMPORT_MAX_BYTES = 1000
    served = []

    class Endless(io.RawIOBase):
        """A member that unpacks to far more than its header's 10 bytes."""

        def readinto(self, buffer):
            buffer[:] = b"a" * len(buffer)
            served.append(len(buffer))
            return len(buffer)

        def readable(self):
            return True

    liar = archive("liar.zip", {"small.md": b"0123456789"})
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, info, *a, **kw: Endless())

    response = upload(admin_client, liar)

    assert "liar.zip/small.md is larger than 1000\xa0bytes" in refusal(response)
    assert sum(served) <= 1001


def test_archive_claiming_a_huge_directory_is_refused_before_it_is_read(admin_client):
    data = bytearray(archive("answers.zip", {"a.md": SHEET.encode()}).read())
    # The end-of-central-directory record's "size of the central directory" field.
    struct.pack_into("<L", data, len(data) - 22 + 12, 100_000_000)

    response = upload(admin_client, SimpleUploadedFile("answers.zip", bytes(data)))

    assert "answers.zip brings the upload over 500 archive members" in refusal(response)


def test_zip64_record_claiming_a_huge_directory_is_refused_before_it_is_read(admin_client):
    data = archive("answers.zip", {"a.md": SHEET.encode()}).read()
    body, end = data[:-22], data[-22:]
    # zipfile believes a zip64 record found right before the end record.
    record = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, 1, 1, 10**9, 0)
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, len(body), 1)
    zip64 = body + record + locator + end

    response = upload(admin_client, SimpleUploadedFile("answers.zip", zip64))

    assert "answers.zip brings the upload over 500 archive members" in refusal(response)


@pytest.mark.parametrize(
    "name", ["../x.md", "answers/../../x.md", "/etc/x.md", "answers\\x.md", "C:/x.md", "c:x.md"]
)
def test_unsafe_member_names_are_refused(admin_client, media, name):
    zipped = archive("answers.zip", {"fine.md": SHEET.encode(), name: SHEET.encode()})

    response = upload(admin_client, zipped)

    assert f"answers.zip/{name}: unsafe file name" in refusal(response)
    assert pending_dirs(media) == []


def test_damaged_archive_is_refused(admin_client):
    response = upload(admin_client, SimpleUploadedFile("answers.zip", b"not a zip at all"))

    assert "answers.zip is not a zip archive that can be read" in refusal(response)


def test_upload_without_answer_files_is_refused(admin_client):
    response = upload(admin_client, SimpleUploadedFile("cv.pdf", b"%PDF-1.4"))

    assert "The upload holds no answer files" in refusal(response)


# -- parse time ----------------------------------------------------------------------------

OUT_OF_TIME = (
    "Not read: reading this upload's files took its 0 seconds before this one. "
    "Upload this file again with fewer others."
)


def heading_run(name):
    """100 KB of headings: refused by the parser, after a while, for its structure."""
    return SimpleUploadedFile(name, b"# a\n" * 25_000, content_type="text/markdown")


def test_preview_of_many_hostile_files_stops_reading_when_its_time_is_spent(admin_client, settings):
    # Whatever the machine's speed: the first file is read, and then the time is spent.
    settings.ZVONOK_UPLOAD_PARSE_SECONDS = 0
    files = [heading_run(f"run{n:02d}.md") for n in range(25)]

    response = upload(admin_client, *files)

    rows = response.context["rows"]
    assert [row["file"].path for row in rows] == [f.name for f in files]
    assert rows[0]["file"].error.startswith("too much Markdown structure to analyse")
    assert [row["file"].error for row in rows[1:]] == [OUT_OF_TIME] * 24
    assert "25 files: 0 new, 0 changed, 0 unchanged, 25 cannot be imported." in (
        response.content.decode()
    )


def test_confirm_after_a_preview_out_of_time_imports_only_the_files_it_read(
    admin_client, media, questionnaire, settings
):
    settings.ZVONOK_UPLOAD_PARSE_SECONDS = 0
    preview = upload(admin_client, example(IVAN), example(MARIA), example(TIMUR))

    response = confirm(admin_client, token_in(preview))

    assert [row["file"].error for row in preview.context["rows"]] == [
        None,
        OUT_OF_TIME,
        OUT_OF_TIME,
    ]
    assert list(Submission.objects.values_list("source_name", flat=True)) == [IVAN]
    assert [row["file"].path for row in response.context["rows"]] == [IVAN]


def test_files_out_of_time_are_refused_in_the_users_language(admin_client, settings):
    settings.ZVONOK_UPLOAD_PARSE_SECONDS = 0

    response = admin_client.post(
        reverse("admin:interviews_submission_import"),
        {"files": [heading_run("a.md"), heading_run("b.md")]},
        HTTP_ACCEPT_LANGUAGE="ru",
    )

    assert response.context["rows"][1]["file"].error == (
        "Не прочитан: чтение файлов этой загрузки заняло отведённые ей 0 с ещё до этого "
        "файла. Загрузите его снова, с меньшим числом других."
    )


# -- tokens and storage --------------------------------------------------------------------


def test_token_of_another_user_is_refused(admin_client, media, questionnaire):
    token = token_in(upload(admin_client, example(IVAN)))
    intruder = Client()
    intruder.force_login(UserFactory(is_superuser=True))

    confirmed = confirm(intruder, token, follow=True)
    cancelled = cancel(intruder, token, follow=True)

    for response in (confirmed, cancelled):
        assert "This upload was not found, or it has expired." in response.content.decode()
    assert Submission.objects.count() == 0
    assert pending_dirs(media) == [token]  # still there for its owner


@pytest.mark.parametrize("token", ["", "../../../etc/passwd", "x" * 31, "a" * 32])
def test_malformed_or_unknown_token_is_refused(admin_client, token):
    response = confirm(admin_client, token, follow=True)

    assert "This upload was not found, or it has expired." in response.content.decode()


def test_expired_upload_is_refused_and_deleted(admin_client, media, questionnaire):
    token = token_in(upload(admin_client, example(IVAN)))
    manifest = Path(media) / "uploads" / token / "manifest.json"
    data = json.loads(manifest.read_text())
    data["created"] = (timezone.now() - timedelta(hours=2)).isoformat()
    manifest.write_text(json.dumps(data))

    response = confirm(admin_client, token, follow=True)

    assert "This upload has expired" in response.content.decode()
    assert Submission.objects.count() == 0
    assert pending_dirs(media) == []


def test_new_upload_deletes_uploads_older_than_an_hour(admin_client, media, questionnaire):
    old, recent = (
        token_in(upload(admin_client, example(IVAN))),
        token_in(upload(admin_client, example(MARIA))),
    )
    for token, age in ((old, timedelta(minutes=61)), (recent, timedelta(minutes=59))):
        manifest = Path(media) / "uploads" / token / "manifest.json"
        data = json.loads(manifest.read_text())
        data["created"] = (timezone.now() - age).isoformat()
        manifest.write_text(json.dumps(data))
    # An upload whose writer died before its manifest: dated by its files.
    orphan = Path(media) / "uploads" / ("o" * 32)
    orphan.mkdir()
    (orphan / "0001.upload").write_bytes(b"half")
    two_hours_ago = time.time() - 7200
    os.utime(orphan / "0001.upload", (two_hours_ago, two_hours_ago))

    newest = token_in(upload(admin_client, example(TIMUR)))

    assert pending_dirs(media) == sorted([recent, newest])


# -- permissions ---------------------------------------------------------------------------


@pytest.fixture
def interviewer_client(db):
    client = Client()  # not pytest-django's `client`: admin_client is that one
    client.force_login(member(roles.INTERVIEWER))
    return client


def test_user_without_add_submission_gets_403_on_every_step(
    admin_client, interviewer_client, media, questionnaire
):
    token = token_in(upload(admin_client, example(IVAN)))

    responses = [
        interviewer_client.get(reverse("admin:interviews_submission_import")),
        upload(interviewer_client, example(MARIA)),
        confirm(interviewer_client, token),
        cancel(interviewer_client, token),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403, 403]
    assert Submission.objects.count() == 0
    assert pending_dirs(media) == [token]


def test_confirm_and_cancel_answer_only_post(admin_client):
    for name in ("confirm", "cancel"):
        response = admin_client.get(reverse(f"admin:interviews_submission_import_{name}"))

        assert response.status_code == 405


@pytest.mark.parametrize("model_name", ["submission", "candidate"])
def test_changelists_offer_import_to_those_who_may_add_submissions(client, model_name):
    url = reverse(f"admin:interviews_{model_name}_changelist")
    link = reverse("admin:interviews_submission_import")
    client.force_login(member(roles.RECRUITER))
    recruiter_page = client.get(url).content.decode()
    client.force_login(member(roles.INTERVIEWER))

    interviewer_page = client.get(url).content.decode()

    assert link in recruiter_page and "Import answers" in recruiter_page
    assert link not in interviewer_page


def test_recruiter_can_import(client, media, questionnaire):
    recruiter = member(roles.RECRUITER)
    client.force_login(recruiter)

    confirm(client, token_in(upload(client, example(IVAN))))

    assert Submission.objects.get().imported_by == recruiter


def test_files_stay_until_the_import_commits(admin_client, media, questionnaire):
    token = token_in(upload(admin_client, example(IVAN)))

    confirm(admin_client, token)  # the test's transaction never commits

    assert Submission.objects.count() == 1
    assert pending_dirs(media) == [token]


# -- files that are not answer sheets ------------------------------------------------------


def unstructured():
    return SimpleUploadedFile("notes.md", UNSTRUCTURED.read_bytes(), content_type="text/markdown")


def accept_boxes(html):
    """The preview's "import anyway" checkboxes: (value, ticked)."""
    return [
        (m["value"], "checked" in m["rest"])
        for m in re.finditer(
            r'<input type="checkbox" name="accept" value="(?P<value>[^"]*)"(?P<rest>[^>]*)>', html
        )
    ]


def test_preview_offers_a_file_that_is_not_an_answer_sheet_unticked_with_the_reason(
    admin_client, questionnaire
):
    response = upload(admin_client, example(IVAN), unstructured())

    html = response.content.decode()
    rows = response.context["rows"]
    assert [row["file"].status for row in rows] == ["created", "needs-review"]
    assert "not an answer sheet, it seems: imported only if ticked" in html
    assert "(no question structure recognised); not imported unless accepted" in html
    assert "1 file does not look like an answer sheet" in html
    # One box, for the second file, unticked, and in the confirmation's form.
    assert accept_boxes(html) == [(rows[1]["key"], False)]
    assert 'form="import-confirm"' in html and 'id="import-confirm"' in html


def test_preview_of_only_such_files_still_offers_the_import(admin_client, questionnaire):
    response = upload(admin_client, unstructured())

    assert response.context["importable"]
    assert 'id="import-confirm"' in response.content.decode()


def test_confirm_without_the_tick_leaves_such_a_file_out(admin_client, questionnaire):
    token = token_in(upload(admin_client, example(IVAN), unstructured()))

    response = confirm(admin_client, token)

    assert list(Submission.objects.values_list("source_name", flat=True)) == [IVAN]
    assert "not imported: needs review" in response.content.decode()
    assert "1 file was not imported: it does not look like an answer sheet" in " ".join(
        str(m) for m in response.context["messages"]
    )


def test_confirm_with_the_tick_imports_such_a_file_marked_for_review(admin_client, questionnaire):
    preview = upload(admin_client, example(IVAN), unstructured())
    ((key, _ticked),) = accept_boxes(preview.content.decode())

    admin_client.post(
        reverse("admin:interviews_submission_import_confirm"),
        {"token": token_in(preview), "accept": [key]},
    )

    marked = Submission.objects.get(source_name="notes.md")
    assert marked.needs_review
    assert marked.answers.count() == 1
    assert not Submission.objects.get(source_name=IVAN).needs_review


def test_a_tick_on_an_answer_sheet_changes_nothing(admin_client, questionnaire):
    preview = upload(admin_client, example(IVAN))
    key = preview.context["rows"][0]["key"]

    admin_client.post(
        reverse("admin:interviews_submission_import_confirm"),
        {"token": token_in(preview), "accept": [key]},
    )

    assert not Submission.objects.get().needs_review
