"""Candidates as people: contact normalisation, duplicates and merging, anonymisation,
subject access exports, and no personal data in logs."""

import hashlib
import importlib
import io
import json
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.db.models import Q
from django.utils import timezone, translation

from interviews import duplicates, importing, privacy, search
from interviews.models import (
    Answer,
    AnswerScore,
    Application,
    Candidate,
    DataProtectionEvent,
    Interview,
    Message,
    MessageTemplate,
    Scorecard,
    SkillClaim,
    Stage,
    StageChange,
    Submission,
    UploadJob,
)
from interviews.scoring import save_scorecard
from interviews.sheets import contacts
from tests.factories import (
    AnswerFactory,
    ApplicationFactory,
    CandidateFactory,
    InterviewFactory,
    QuestionFactory,
    SubmissionFactory,
    UserFactory,
    VacancyFactory,
)
from tests.queries import VIEW_QUERIES, listing, page_queries

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _english(settings):
    # These tests read messages; the product's default language is Russian.
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


NAME, EMAIL, PHONE, HANDLE = (
    "Евдокия Штольц",
    "evdokia.stolz@example.com",
    "+79123456789",
    "stolz_dev",
)


@pytest.mark.parametrize(
    "raw",
    ["8 (912) 345-67-89", "+7 912 345 67 89", "79123456789", "9123456789", "+7-912-345-67-89"],
)
def test_russian_phone_numbers_become_e164(raw):
    assert contacts.normalise_phone(raw) == "+79123456789"


def test_foreign_numbers_keep_their_country():
    assert contacts.normalise_phone("+44 20 7946 0958") == "+442079460958"


def test_unreadable_phone_is_kept_as_written():
    assert contacts.normalise_phone("звонить после 18") == "звонить после 18"


@pytest.mark.parametrize(
    "raw", ["@Stolz_Dev", "https://t.me/stolz_dev", "t.me/stolz_dev/", "stolz_dev"]
)
def test_telegram_handles_lose_at_sign_and_link(raw):
    assert contacts.normalise_telegram(raw) == "stolz_dev"


@pytest.mark.django_db
def test_contacts_are_normalised_on_save():
    candidate = CandidateFactory(
        email=" Evdokia.Stolz@Example.COM ", phone="8 (912) 345-67-89", telegram="@Stolz_Dev"
    )

    candidate.refresh_from_db()
    assert (candidate.email, candidate.phone, candidate.telegram) == (EMAIL, PHONE, HANDLE)


# -- duplicates ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_candidates_sharing_a_phone_are_flagged():
    first = CandidateFactory(phone="8 (912) 345-67-89", email="a@example.com")
    second = CandidateFactory(phone="+7 912 345 67 89", email="b@example.com")
    loner = CandidateFactory(phone="+79000000000", telegram="loner")

    flagged = dict(
        duplicates.with_duplicate_flag(Candidate.objects.all()).values_list("pk", "has_duplicate")
    )

    assert flagged == {first.pk: True, second.pk: True, loner.pk: False}
    assert list(duplicates.duplicates_of(first)) == [second]


@pytest.mark.django_db
def test_import_warns_about_a_possible_duplicate_and_attaches_by_email():
    CandidateFactory(full_name="Старая Запись", email="old@example.com", telegram="stolz_dev")
    sheet = (
        f"---\nname: {NAME}\nemail: {EMAIL}\ntelegram: '@stolz_dev'\n---\n## 1. Вопрос?\nОтвет\n"
    )

    first = importing.import_bytes(sheet.encode(), source_name="a.md")
    second = importing.import_bytes(
        sheet.replace(EMAIL, EMAIL.upper()).replace("Ответ", "Другой ответ").encode(),
        source_name="b.md",
    )

    assert any("possible duplicate" in w and "Telegram" in w for w in first.warnings)
    assert second.status == importing.REVISED
    assert Candidate.objects.filter(email=EMAIL).count() == 1


@pytest.mark.django_db
class TestMerge:
    def test_moves_everything_onto_the_kept_candidate(self):
        keep = CandidateFactory(full_name="Евдокия Ш.", phone="")
        merge = CandidateFactory(full_name=NAME, phone=PHONE)
        application = ApplicationFactory(candidate=merge)
        submission = SubmissionFactory(candidate=merge, application=application)
        answer = AnswerFactory(submission=submission)
        reviewer = UserFactory()
        save_scorecard(
            application=application,
            reviewer=reviewer,
            scores={answer.pk: (4, "")},
            recommendation="yes",
            submit=True,
        )

        duplicates.merge_candidates(keep=keep, merge=merge)

        keep.refresh_from_db()
        assert not Candidate.objects.filter(pk=merge.pk).exists()
        assert list(keep.applications.all()) == [application]
        assert list(keep.submissions.all()) == [submission]
        assert Scorecard.objects.get().application.candidate == keep
        assert keep.phone == PHONE
        assert keep.history.filter(full_name=NAME).exists()  # the merged record's history
        assert DataProtectionEvent.objects.get(kind="merged").details == {
            "merged": merge.pk,
            "consent_from": None,
        }

    def test_refuses_conflicting_stages_for_the_same_vacancy(self):
        vacancy = VacancyFactory()
        keep_app = ApplicationFactory(vacancy=vacancy)
        merge_app = ApplicationFactory(vacancy=vacancy)
        merge_app.move_to(Stage.objects.get(name="Offer"))

        with pytest.raises(duplicates.MergeError, match="different stages"):
            duplicates.merge_candidates(keep=keep_app.candidate, merge=merge_app.candidate)

        assert Candidate.objects.filter(pk=merge_app.candidate_id).exists()
        assert Application.objects.count() == 2

    def test_told_which_stage_wins_it_merges_the_two_applications(self):
        vacancy = VacancyFactory()
        keep_app = ApplicationFactory(vacancy=vacancy)
        merge_app = ApplicationFactory(vacancy=vacancy)
        offer = Stage.objects.get(name="Offer")
        merge_app.move_to(offer)
        SubmissionFactory(candidate=merge_app.candidate, application=merge_app)

        duplicates.merge_candidates(
            keep=keep_app.candidate, merge=merge_app.candidate, stages_from="merge"
        )

        keep_app.refresh_from_db()
        assert Application.objects.get() == keep_app
        assert keep_app.stage == offer
        assert keep_app.submissions.count() == 1

    @pytest.mark.parametrize(
        "keep_consent, merge_consent, winner",
        [
            pytest.param(None, "recent", "merge", id="a recorded consent beats none"),
            pytest.param("old", "recent", "merge", id="the more recent consent wins"),
            pytest.param("recent", "old", "keep", id="the kept one when it is more recent"),
            pytest.param("recent", None, "keep", id="the kept one when the other has none"),
        ],
    )
    def test_keeps_the_stronger_consent(self, keep_consent, merge_consent, winner):
        consents = {
            None: {},
            "old": {
                "consent_at": timezone.now() - timedelta(days=300),
                "consent_method": "verbal",
                "legal_basis": "legitimate_interest",
            },
            "recent": {
                "consent_at": timezone.now() - timedelta(days=3),
                "consent_method": "form",
                "legal_basis": "consent",
            },
        }
        keep = CandidateFactory(**consents[keep_consent])
        merge = CandidateFactory(**consents[merge_consent])
        expected = {
            field: getattr({"keep": keep, "merge": merge}[winner], field)
            for field in ("consent_at", "consent_method", "legal_basis")
        }

        duplicates.merge_candidates(keep=keep, merge=merge)

        keep.refresh_from_db()
        assert {field: getattr(keep, field) for field in expected} == expected

    def test_records_whose_consent_was_kept(self):
        keep = CandidateFactory()
        merge = CandidateFactory(consent_at=timezone.now(), consent_method="email")

        duplicates.merge_candidates(keep=keep, merge=merge)

        event = DataProtectionEvent.objects.get(kind="merged")
        assert event.details == {"merged": merge.pk, "consent_from": merge.pk}


# -- anonymisation -------------------------------------------------------------------------


@pytest.fixture
def person(db):
    """A candidate whose name and contacts are written all over the database."""
    candidate = CandidateFactory(
        full_name=NAME, email=EMAIL, phone=PHONE, telegram=HANDLE, notes=f"Позвонить {NAME}"
    )
    application = ApplicationFactory(candidate=candidate, rejection_comment=f"{NAME} отказалась")
    application.move_to(Stage.objects.get(name="Rejected"), comment=f"{NAME}: нет")
    question = QuestionFactory(questionnaire=application.vacancy.questionnaire)
    submission = SubmissionFactory(
        candidate=candidate,
        application=application,
        questionnaire=question.questionnaire,
        source_name=f"/inbox/{NAME}.md",
        original_text=f"---\nname: {NAME}\nemail: {EMAIL}\n---",
        warnings=[f"named after the file ({NAME})"],
    )
    answer = AnswerFactory(
        submission=submission,
        question=question,
        # The heading as the candidate wrote it: their own words, not the question's.
        question_text=f"Вопрос для {NAME} ({HANDLE})",
        body=f"Меня зовут {NAME}, пишите на {EMAIL} или {PHONE}, tg {HANDLE}",
    )
    answer.body += " Python: 8/10"
    answer.save()
    SkillClaim.objects.create(
        candidate=candidate,
        submission=submission,
        answer=answer,
        skill="Python",
        value=8,
        scale=10,
        snippet=f"{NAME} Python: 8/10",
    )
    reviewer = UserFactory()
    InterviewFactory(application=application, interviewers=[reviewer], notes=f"{NAME} опоздала")
    save_scorecard(
        application=application,
        reviewer=reviewer,
        scores={answer.pk: (4, f"{NAME} молодец")},
        recommendation="yes",
        summary=f"{NAME} подходит",
        submit=True,
    )
    Message.objects.create(
        candidate=candidate,
        application=application,
        template=MessageTemplate.objects.filter(purpose="rejection").first(),
        to=EMAIL,
        subject=f"{NAME}, ваш отклик",
        body=f"Здравствуйте, {NAME}!",
        calendar=(
            "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
            f"ATTENDEE;CN={NAME}:mailto:{EMAIL}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        ),
        status=Message.Status.FAILED,
        error=f"550 no such user {EMAIL}",
    )
    # The report of the background import that brought the sheet in.
    UploadJob.objects.create(
        token="p" * 32,
        status=UploadJob.Status.DONE,
        total_files=1,
        files_done=1,
        results=[
            {
                "path": f"{NAME}.md",
                "status": "created",
                "submission_id": submission.pk,
                "error": None,
                "warnings": [f"the e-mail {EMAIL} is taken"],
            }
        ],
    )
    candidate.email = EMAIL  # one more history row
    candidate.save()
    # What the admin logs of an edit on the candidate's page, an inline row included.
    LogEntry.objects.log_actions(
        UserFactory().pk,
        [candidate, application],
        CHANGE,
        [{"added": {"name": "application", "object": str(application)}}],
    )
    return candidate


def _readable(value) -> str:
    """A stored value as text a person could read: JSON decoded (Cyrillic is stored as
    \\u escapes in it), bytes as UTF-8."""
    if isinstance(value, memoryview | bytes):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.dumps(json.loads(value), ensure_ascii=False)
        except ValueError:
            return value
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _every_stored_value():
    """(table, column, text) for every cell of every table of the database: history
    tables, the admin log and tables added later included."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            columns = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    yield table, column, _readable(value)


def _cells_holding(secrets) -> list[str]:
    """ "table.column" of every cell that holds one of ``secrets``, in any case."""
    folded = [secret.casefold() for secret in secrets]
    return sorted(
        {
            f"{table}.{column}"
            for table, column, value in _every_stored_value()
            if any(secret in value.casefold() for secret in folded)
        }
    )


def _vectors_holding(secrets) -> list[str]:
    """ "table.column: secret" for every tsvector column of the database that holds a
    lexeme of a secret: the words as PostgreSQL's full-text search stems them, which no
    substring search finds. Nothing on SQLite, which has no tsvector."""
    if connection.vendor != "postgresql":
        return []
    found = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND data_type = 'tsvector'"
        )
        for table, column in cursor.fetchall():
            for secret in secrets:
                # The stored vectors fold ё to е before stemming (interviews.search).
                cursor.execute(
                    f"SELECT EXISTS (SELECT 1 FROM {quote(table)}"
                    f" WHERE tsvector_to_array({quote(column)}) && tsvector_to_array("
                    "to_tsvector(%s::regconfig, translate(%s, 'ёЁ', 'еЕ'))))",
                    [search.CONFIG, secret],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column}: {secret}")
    return found


SHEET = f"---\nname: {NAME}\nemail: {EMAIL}\n---\n## 1. Вопрос?\nОтвет\n".encode()


SECRETS = (NAME, "Евдокия", "Штольц", EMAIL, PHONE, "9123456789", HANDLE)
OTHER_EMAIL = "e.stolz@example.org"


def _merge_a_second_record_into(person):
    """The same person imported once more under another address, then merged."""
    twin = CandidateFactory(
        full_name=NAME, email=OTHER_EMAIL, phone=PHONE, telegram=HANDLE, notes=f"{NAME}, 2"
    )
    application = ApplicationFactory(candidate=twin, rejection_comment=f"{NAME}: дубль")
    AnswerFactory(
        submission__candidate=twin,
        submission__application=application,
        question_text=f"{NAME} о себе",
        body=f"{NAME}, {OTHER_EMAIL}",
    )
    Message.objects.create(
        candidate=twin, application=application, to=OTHER_EMAIL, subject=NAME, body=NAME
    )
    twin.notes += " (повторно)"  # a history row of the merged record
    twin.save()
    duplicates.merge_candidates(keep=person, merge=twin)


def _delete_in_the_admin(person, client):
    hr_user = UserFactory()
    hr_user.groups.add(Group.objects.get(name="HR manager"))
    client.force_login(hr_user)
    response = client.post(f"/admin/interviews/candidate/{person.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Candidate.objects.filter(pk=person.pk).exists()


@pytest.mark.parametrize("scenario", ["anonymised", "merged, then anonymised", "deleted"])
def test_no_trace_of_the_person_is_left_in_any_table(person, client, scenario):
    secrets = SECRETS
    if scenario == "merged, then anonymised":
        _merge_a_second_record_into(person)
        secrets = (*SECRETS, OTHER_EMAIL)
    # The searches work: each secret is found before.
    assert all(_cells_holding([secret]) for secret in secrets)
    if connection.vendor == "postgresql":
        assert _vectors_holding(secrets)

    if scenario == "deleted":
        _delete_in_the_admin(person, client)
    else:
        privacy.anonymize(person, force=True)

    assert _cells_holding(secrets) == []
    assert _vectors_holding(secrets) == []


def test_anonymisation_keeps_the_records_structure(person):
    privacy.anonymize(person)

    person.refresh_from_db()
    assert person.full_name == f"Anonymised candidate #{person.pk}"
    assert Answer.objects.get().body == ""
    assert AnswerScore.objects.get().score == 4  # statistics stay
    assert DataProtectionEvent.objects.get(kind="anonymized").candidate_ref == person.pk


def test_keep_answers_keeps_the_bodies_not_the_headings_as_written(person):
    privacy.anonymize(person, keep_answers=True)

    answer = Answer.objects.get()
    assert "Python: 8/10" in answer.body
    assert answer.question_text == ""
    assert answer.question is not None  # the question itself stays


def test_anonymised_headings_are_neither_stored_nor_found(person):
    privacy.anonymize(person)

    assert Answer.objects.get().question_text == ""
    assert not search.answers_matching("Штольц").exists()
    assert not search.answers_matching(HANDLE).exists()


def test_anonymised_record_no_longer_matches_the_original_file(db):
    digest = hashlib.sha256(SHEET).hexdigest()
    report = importing.import_bytes(SHEET, source_name="a.md")
    assert _cells_holding([digest])

    privacy.anonymize(Submission.objects.get(pk=report.submission_id).candidate)

    assert _cells_holding([digest]) == []


def test_reimporting_a_file_after_anonymisation_imports_a_new_candidate(db):
    first = importing.import_bytes(SHEET, source_name="a.md")
    anonymised = Submission.objects.get(pk=first.submission_id).candidate
    privacy.anonymize(anonymised)

    again = importing.import_bytes(SHEET, source_name="a.md")

    assert again.status == importing.CREATED
    assert again.candidate == NAME
    candidate = Submission.objects.get(pk=again.submission_id).candidate
    assert candidate.pk != anonymised.pk
    assert (candidate.full_name, candidate.email) == (NAME, EMAIL)
    anonymised.refresh_from_db()
    assert anonymised.email == "" and anonymised.submissions.count() == 1


def test_reupload_after_anonymisation_previews_as_a_new_candidate(hr, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    importing.import_bytes(SHEET, source_name="a.md")
    privacy.anonymize(Candidate.objects.get(email=EMAIL))

    response = hr.post(
        "/admin/interviews/submission/import/",
        {"files": [SimpleUploadedFile("a.md", SHEET, content_type="text/markdown")]},
    )

    row = response.context["rows"][0]
    assert (row["file"].status, row["file"].candidate) == (importing.CREATED, NAME)
    assert "new: will be created" in response.content.decode()


def test_anonymisation_erases_the_history_of_records_merged_into_the_candidate(db):
    keep = CandidateFactory(full_name="Е. Штольц", email="", phone="", telegram="")
    merge = CandidateFactory(
        full_name=NAME, email=EMAIL, phone=PHONE, telegram=HANDLE, notes=f"{NAME}, дубль"
    )
    duplicates.merge_candidates(keep=keep, merge=merge)

    privacy.anonymize(keep)

    personal = Q(full_name=NAME) | Q(email=EMAIL) | Q(phone=PHONE) | Q(telegram=HANDLE)
    assert not Candidate.history.filter(personal | Q(notes__contains=NAME)).exists()


@pytest.mark.parametrize(
    "delete",
    [
        pytest.param(lambda candidate: candidate.delete(), id="the record"),
        pytest.param(
            lambda candidate: Candidate.objects.filter(pk=candidate.pk).delete(),
            id="a queryset (the admin's bulk delete)",
        ),
    ],
)
def test_deleting_a_candidate_leaves_history_without_personal_data(person, delete):
    pk = person.pk

    delete(person)

    rows = Candidate.history.filter(id=pk)
    assert rows.filter(history_type="-").exists()  # who deleted the record, and when
    assert set(rows.values_list("full_name", "email", "phone", "telegram", "notes")) == {
        (f"Anonymised candidate #{pk}", "", "", "", "")
    }
    assert set(Application.history.values_list("rejection_comment", flat=True)) == {""}
    assert set(Answer.history.values_list("question_text", "body")) == {("", "")}
    assert set(Scorecard.history.values_list("summary", flat=True)) == {""}
    assert set(AnswerScore.history.values_list("comment", flat=True)) == {""}


@pytest.mark.parametrize("erase", ["anonymise", "delete"])
def test_the_admin_log_keeps_the_actions_but_not_the_person(person, erase):
    logged = LogEntry.objects.count()

    if erase == "anonymise":
        privacy.anonymize(person)
    else:
        person.delete()

    entries = LogEntry.objects.all()
    assert len(entries) == logged
    for entry in entries:
        assert "Штольц" not in f"{entry.object_repr} {entry.get_change_message()}"
        assert entry.get_change_message().startswith("Added application")


def test_migration_erases_what_earlier_versions_left_of_erased_people(person):
    from django.apps import apps

    erase = importlib.import_module("interviews.migrations.0011_erase_personal_data_leftovers")
    digest = hashlib.sha256(SHEET).hexdigest()
    privacy.anonymize(person)
    # What anonymising, merging and deleting left before: the file's hash, the headings,
    # the merged record's deletion row, a deleted record's rows, the admin log's names.
    Submission.objects.update(sha256=digest)
    Answer.objects.update(question_text=f"Вопрос для {NAME}")
    merged = CandidateFactory(full_name=NAME, email=OTHER_EMAIL, phone=PHONE, notes=NAME)
    deleted = CandidateFactory(full_name=NAME, email=EMAIL, telegram=HANDLE)
    DataProtectionEvent.objects.create(
        kind="merged", candidate=person, candidate_ref=person.pk, details={"merged": merged.pk}
    )
    LogEntry.objects.log_actions(UserFactory().pk, [person, deleted], CHANGE, "")
    Candidate.objects.filter(pk__in=[merged.pk, deleted.pk])._raw_delete("default")
    assert _cells_holding([*SECRETS, OTHER_EMAIL, digest])

    erase.erase_leftovers(apps, None)

    assert _cells_holding([*SECRETS, OTHER_EMAIL, digest]) == []
    assert Candidate.history.filter(id=deleted.pk).exists()  # scrubbed, not dropped


def test_anonymisation_is_idempotent(person):
    assert privacy.anonymize(person) is True

    assert privacy.anonymize(person) is False
    assert DataProtectionEvent.objects.filter(kind="anonymized").count() == 1


def test_an_open_application_is_refused_unless_forced(db):
    candidate = ApplicationFactory().candidate

    with pytest.raises(privacy.PrivacyError, match="open application"):
        privacy.anonymize(candidate)

    assert privacy.anonymize(candidate, force=True) is True


def test_command_anonymises_by_retention(db):
    stale = CandidateFactory(full_name="Давно Было")
    fresh = CandidateFactory(full_name="Недавно Было")
    Candidate.objects.filter(pk=stale.pk).update(
        last_activity_at=timezone.now() - timedelta(days=400)
    )

    out = io.StringIO()
    call_command("anonymize_candidates", "--retention-passed", "--dry-run", stdout=out)
    assert Candidate.objects.get(pk=stale.pk).full_name == "Давно Было"
    assert f"#{stale.pk}" in out.getvalue()

    call_command("anonymize_candidates", "--retention-passed", stdout=io.StringIO())

    assert Candidate.objects.get(pk=stale.pk).is_anonymized
    assert not Candidate.objects.get(pk=fresh.pk).is_anonymized


def test_command_refuses_open_applications_with_exit_status_one(db):
    candidate = ApplicationFactory().candidate

    with pytest.raises(CommandError) as excinfo:
        call_command(
            "anonymize_candidates",
            "--candidate",
            str(candidate.pk),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )

    assert excinfo.value.returncode == 1
    call_command(
        "anonymize_candidates", "--candidate", str(candidate.pk), "--force", stdout=io.StringIO()
    )
    candidate.refresh_from_db()
    assert candidate.is_anonymized


def _anonymize_command(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("anonymize_candidates", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_dry_run_predicts_exactly_what_the_real_run_does(db):
    open_one = ApplicationFactory().candidate
    closed_one = CandidateFactory()  # no open application
    args = ["--candidate", str(open_one.pk), "--candidate", closed_one.email.upper()]

    dry_status, dry_out, dry_err = _anonymize_command(*args, "--dry-run")
    status, out, err = _anonymize_command(*args)

    assert dry_status == status == 1
    assert dry_err == err
    assert f"candidate #{open_one.pk} has an open application; add --force" in err
    assert f"would anonymise candidate #{closed_one.pk}" in dry_out
    assert f"#{open_one.pk}" not in dry_out
    assert "1 would be anonymised, 0 already anonymised, 1 would be refused" in dry_out
    assert "1 anonymised, 0 already anonymised, 1 refused" in out
    open_one.refresh_from_db()
    closed_one.refresh_from_db()
    assert (open_one.is_anonymized, closed_one.is_anonymized) == (False, True)


def test_admin_refusal_does_not_point_at_a_command_line_option(db):
    candidate = ApplicationFactory().candidate
    with pytest.raises(privacy.PrivacyError) as excinfo:
        privacy.anonymize(candidate)
    assert "force" not in str(excinfo.value)


@pytest.mark.parametrize(
    "command",
    [
        ["anonymize_candidates", "--dry-run", "--candidate"],
        ["export_candidate_data"],
        ["export_answers", "--candidate"],
    ],
)
def test_every_command_takes_a_candidate_by_id_or_email_in_any_case(db, command):
    person = SubmissionFactory(candidate__email="Mixed.Case@Example.com").candidate

    for reference in (str(person.pk), "mixed.case@example.COM"):
        out = io.StringIO()
        call_command(*command, reference, stdout=out, stderr=io.StringIO())
        assert out.getvalue(), reference

    with pytest.raises(CommandError, match=r"no candidate with id or e-mail 'nobody@example\.com'"):
        call_command(*command, "nobody@example.com", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no candidate with id 999999"):
        call_command(*command, "999999", stdout=io.StringIO())


# -- subject access ------------------------------------------------------------------------


SECTIONS = {
    "candidate": Candidate,
    "applications": Application,
    "stage_changes": StageChange,
    "interviews": Interview,
    "submissions": Submission,
    "answers": Answer,
    "skill_claims": SkillClaim,
    "scorecards": Scorecard,
    "answer_scores": AnswerScore,
}


def test_subject_export_holds_every_stored_field(person, tmp_path):
    call_command(
        "export_candidate_data", str(person.pk), "--out", str(tmp_path), stdout=io.StringIO()
    )

    data = json.loads((tmp_path / f"candidate-{person.pk}.json").read_text(encoding="utf-8"))
    for section, model in SECTIONS.items():
        rows = data[section] if isinstance(data[section], list) else [data[section]]
        assert rows, section
        expected = {
            f.name for f in model._meta.concrete_fields if not isinstance(f, models.GeneratedField)
        }
        assert set(rows[0]) == expected, section
    assert data["candidate"]["email"] == EMAIL
    assert data["history"]["candidate"] and data["history"]["applications"]
    markdown = (tmp_path / f"candidate-{person.pk}.md").read_text(encoding="utf-8")
    assert NAME in markdown and EMAIL in markdown
    assert DataProtectionEvent.objects.filter(kind="exported", candidate=person).exists()


def test_subject_export_of_an_unknown_id_is_an_error(db):
    with pytest.raises(CommandError, match="no candidate with id 999"):
        call_command("export_candidate_data", "999")


# -- logs ----------------------------------------------------------------------------------


def test_no_personal_data_in_logs_of_an_import(db, caplog, tmp_path):
    call_command("loaddata", "zvonok_python", verbosity=0)
    sheet = (ROOT / "examples" / "timur_gareev.md").read_text(encoding="utf-8")
    path = tmp_path / "a.md"
    path.write_text(sheet, encoding="utf-8")

    with caplog.at_level(logging.DEBUG):
        call_command("import_answers", str(path), stdout=io.StringIO(), verbosity=2)
        call_command("import_answers", str(path), stdout=io.StringIO(), verbosity=2)

    logged = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    for secret in ("Тимур", "Гареев", "timur.gareev@example.com", "tgareev_py"):
        assert secret not in logged


# -- admin ---------------------------------------------------------------------------------


@pytest.fixture
def hr(client, db):
    from django.contrib.auth.models import Group

    user = UserFactory()
    user.groups.add(Group.objects.get(name="HR manager"))
    client.force_login(user)
    return client


def test_admin_filters_possible_duplicates_and_warns_on_the_change_page(hr):
    first = CandidateFactory(full_name="Первая Запись", phone="8 (912) 345-67-89")
    CandidateFactory(full_name="Вторая Запись", phone="+79123456789")
    CandidateFactory(full_name="Одиночка", phone="+79000000000")

    listing = hr.get("/admin/interviews/candidate/?duplicate=yes").content.decode()
    page = hr.get(f"/admin/interviews/candidate/{first.pk}/change/", follow=True)

    assert "Первая Запись" in listing and "Вторая Запись" in listing
    assert "Одиночка" not in listing
    assert "Вторая Запись" in page.content.decode()


def test_admin_skill_filter_compares_on_ten_points(hr):
    strong, weak = CandidateFactory(full_name="Сильный"), CandidateFactory(full_name="Слабый")
    for candidate, value, scale in ((strong, 4, 5), (weak, 6, 10)):
        submission = SubmissionFactory(candidate=candidate)
        answer = AnswerFactory(submission=submission)
        SkillClaim.objects.create(
            candidate=candidate,
            submission=submission,
            answer=answer,
            skill="FastAPI",
            value=value,
            scale=scale,
        )

    listing = hr.get("/admin/interviews/candidate/?skill=FastAPI:7").content.decode()

    assert "Сильный" in listing and "Слабый" not in listing
    assert "FastAPI 4/5" in listing


def test_admin_retention_filter(hr):
    stale = CandidateFactory(full_name="Давно Неактивный")
    CandidateFactory(full_name="Недавний")
    Candidate.objects.filter(pk=stale.pk).update(
        last_activity_at=timezone.now() - timedelta(days=366)
    )

    listing = hr.get("/admin/interviews/candidate/?retention=passed").content.decode()

    assert "Давно Неактивный" in listing and "Недавний" not in listing


def test_admin_merge_action_refuses_conflicts_then_merges_when_told(hr):
    vacancy = VacancyFactory()
    first = ApplicationFactory(vacancy=vacancy, candidate=CandidateFactory(full_name="Раз"))
    second = ApplicationFactory(vacancy=vacancy, candidate=CandidateFactory(full_name="Два"))
    second.move_to(Stage.objects.get(name="Offer"))
    ids = [first.candidate_id, second.candidate_id]
    url = "/admin/interviews/candidate/"

    refused = hr.post(
        url,
        {
            "action": "merge_candidates",
            "_selected_action": ids,
            "confirm": "1",
            "keep": first.candidate_id,
            "stages_from": "",
        },
        follow=True,
    )
    assert Candidate.objects.count() == 2
    assert "different stages" in refused.content.decode()

    hr.post(
        url,
        {
            "action": "merge_candidates",
            "_selected_action": ids,
            "confirm": "1",
            "keep": first.candidate_id,
            "stages_from": "merge",
        },
    )

    assert list(Candidate.objects.values_list("full_name", flat=True)) == ["Раз"]
    assert Application.objects.get().stage.name == "Offer"


def test_only_hr_managers_have_the_personal_data_actions(client, db):
    from django.contrib.auth.models import Group

    recruiter = UserFactory()
    recruiter.groups.add(Group.objects.get(name="Recruiter"))
    CandidateFactory()
    client.force_login(recruiter)

    content = client.get("/admin/interviews/candidate/").content.decode()

    for action in ("merge_candidates", "anonymize_candidates", "export_candidate_data"):
        assert action not in content


def test_admin_anonymise_action(hr):
    candidate = CandidateFactory(full_name=NAME, email=EMAIL)

    hr.post(
        "/admin/interviews/candidate/",
        {"action": "anonymize_candidates", "_selected_action": [candidate.pk]},
    )

    candidate.refresh_from_db()
    assert candidate.is_anonymized and candidate.email == ""


def test_admin_subject_export_action_returns_json_and_markdown(hr):
    import zipfile

    candidate = CandidateFactory(full_name=NAME, email=EMAIL)

    response = hr.post(
        "/admin/interviews/candidate/",
        {"action": "export_candidate_data", "_selected_action": [candidate.pk]},
    )

    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == [
        f"candidate-{candidate.pk}.json",
        f"candidate-{candidate.pk}.md",
    ]
    assert EMAIL in archive.read(f"candidate-{candidate.pk}.json").decode()


def test_recruiters_archive_instead_of_deleting(client, db):
    from django.contrib.auth.models import Group

    recruiter = UserFactory()
    recruiter.groups.add(Group.objects.get(name="Recruiter"))
    candidate = CandidateFactory(full_name="В Архив")
    CandidateFactory(full_name="Остаётся")
    client.force_login(recruiter)

    denied = client.post(f"/admin/interviews/candidate/{candidate.pk}/delete/", {"post": "yes"})
    client.post(
        "/admin/interviews/candidate/",
        {"action": "archive_candidates", "_selected_action": [candidate.pk]},
    )

    candidate.refresh_from_db()
    assert denied.status_code == 403
    assert candidate.archived_at is not None
    listing = client.get("/admin/interviews/candidate/").content.decode()
    assert "Остаётся" in listing and "В Архив" not in listing
    assert "В Архив" in client.get("/admin/interviews/candidate/?archived=yes").content.decode()


def test_deleting_a_candidate_shows_what_goes_with_them(hr):
    application = ApplicationFactory(candidate=CandidateFactory(full_name=NAME))
    submission = SubmissionFactory(
        candidate=application.candidate, application=application, source_name="otvety.md"
    )
    answer = AnswerFactory(submission=submission)
    save_scorecard(
        application=application,
        reviewer=UserFactory(),
        scores={answer.pk: (3, "")},
        recommendation="no",
        submit=True,
    )

    page = hr.get(f"/admin/interviews/candidate/{application.candidate_id}/delete/")

    import html

    content = html.unescape(page.content.decode())
    assert page.status_code == 200
    assert str(submission) in content
    assert str(Scorecard.objects.get()) in content


def _candidates_for_every_filter(n):
    """n candidates for each privacy filter to find: sharing a phone, past and near the
    end of retention, anonymised, archived, and rating FastAPI 8/10."""
    now = timezone.now()
    retention = timedelta(days=settings.ZVONOK_RETENTION_DAYS)
    for i in range(n):
        first = CandidateFactory(phone=f"+7912100{i:04d}")
        CandidateFactory(phone=first.phone)
        stale, ending = CandidateFactory(), CandidateFactory()
        Candidate.objects.filter(pk=stale.pk).update(last_activity_at=now - retention * 2)
        Candidate.objects.filter(pk=ending.pk).update(
            last_activity_at=now - retention + timedelta(days=10)
        )
        CandidateFactory(anonymized_at=now)
        CandidateFactory(archived_at=now)
        answer = AnswerFactory(submission__candidate=CandidateFactory())
        SkillClaim.objects.create(
            candidate=answer.submission.candidate,
            submission=answer.submission,
            answer=answer,
            skill="FastAPI",
            value=8,
            scale=10,
        )


@pytest.mark.parametrize(
    "query",
    [
        "duplicate=yes",
        "retention=passed",
        "retention=soon",
        "retention=anonymised",
        "skill=FastAPI:7",
        "archived=yes",
        "archived=all",
    ],
)
def test_privacy_filters_cost_the_same_queries_whatever_they_find(hr, query):
    # Session, user, permissions, the count, the candidates, their skills, the sources.
    url = f"/admin/interviews/candidate/?{query}"
    _candidates_for_every_filter(1)
    few = page_queries(hr, url)

    _candidates_for_every_filter(5)
    many = page_queries(hr, url)

    expected = VIEW_QUERIES["candidates by a privacy filter, as an HR manager"]
    assert (len(few), len(many)) == (expected, expected), listing(many)


def test_merge_page_query_count(hr):
    # Session, user, permissions, the list the action came from (its source filter's
    # choices and its count), the two candidates.
    first, second = CandidateFactory(), CandidateFactory()
    data = {"action": "merge_candidates", "_selected_action": [first.pk, second.pk]}

    queries = page_queries(hr, "/admin/interviews/candidate/", data, method="post")

    assert len(queries) == VIEW_QUERIES["merge candidates, as an HR manager"], listing(queries)
