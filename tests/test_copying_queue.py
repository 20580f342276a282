"""Copied answers matched after the import, by a task (interviews.copying.match_answers):
the fingerprint column the import writes, the task queued with the answers, what it
leaves alone, and the worker of the database task backend."""

import io
import json
import threading

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection
from django_tasks_db.models import DBTaskResult

from interviews import copying, sheets
from interviews.db.bulk import insert_rows
from interviews.importing import import_bytes
from interviews.models import Answer, AnswerBand, AnswerMatch, Candidate
from interviews.privacy import anonymize
from interviews.sheets import analysis, similarity
from tests.factories import SubmissionFactory
from tests.migrating import migrate_to, migrate_to_just_before
from tests.test_copied_answers import (
    COPY,
    INDEPENDENT,
    MEMORY,
    ORIGINAL,
    import_three,
    load,
    sheet,
    the_pair_of_three,
)
from tests.test_copied_answers import questionnaire as questionnaire  # a fixture
from tests.test_upload_jobs import DATABASE_TASKS, run_worker

pytestmark = pytest.mark.django_db

MIGRATION = "0024_answer_fingerprint"


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE_TASKS  # the setting's signal drops the cached backend


def queued_ids() -> list[list[int]]:
    """The answer ids of each matching task waiting in the database queue."""
    return [
        row.args_kwargs["args"][0]
        for row in DBTaskResult.objects.filter(
            task_path=copying.match_answers.module_path, status="READY"
        ).order_by("enqueued_at")
    ]


def run_queued_by_hand():
    """Run the queued matching tasks' function in this test's transaction (the worker
    needs committed rows)."""
    for ids in queued_ids():
        copying.match_answers.call(ids)


# -- the fingerprint column ----------------------------------------------------------------


def test_the_import_writes_each_answers_band_hashes_with_it(questionnaire):
    data = sheet("Анна", "anna@example.com", ORIGINAL, "Не знаю.")
    parsed = analysis.analyse_bytes(data, max_bytes=sheets.MAX_BYTES_DEFAULT)

    report = import_bytes(data, source_name="anna.md")

    answers = Answer.objects.filter(submission_id=report.submission_id).order_by("position")
    long, short = answers
    assert bytes(long.fingerprint) == parsed.fingerprints[0]
    assert (
        similarity.unpack_bands(long.fingerprint)
        == similarity.fingerprint(long.body, long.question_text).bands
    )
    assert len(similarity.unpack_bands(long.fingerprint)) == similarity.BANDS
    assert short.fingerprint is None


def test_a_sheet_without_a_questionnaire_has_no_fingerprints(questionnaire):
    data = f"# Ответы\n\n#### 1. Что-то своё\n\n{ORIGINAL}\n".encode()

    report = import_bytes(data, source_name="anna.md", name="Анна")

    assert report.questionnaire is None
    assert Answer.objects.get(submission_id=report.submission_id).fingerprint is None


def test_insert_rows_writes_bytes_as_they_are(db):
    submission = SubmissionFactory()
    # What COPY's text format escapes (NUL, tab, newline, backslash), and a high byte.
    awkward = b"\x00\t\n\\\xff" + bytes(range(256))
    fields = ["submission", "label", "question_text", "body", "position", "line", "fingerprint"]

    ids = insert_rows(
        Answer,
        fields,
        [(submission.pk, "", "", "", 101, 1, awkward), (submission.pk, "", "", "", 102, 1, None)],
        return_ids=True,
    )

    stored = dict(Answer.objects.filter(pk__in=ids).values_list("position", "fingerprint"))
    assert bytes(stored[101]) == awkward
    assert stored[102] is None


# -- queued with the answers ---------------------------------------------------------------


def test_with_the_database_backend_the_import_queues_the_matching(questionnaire, database_tasks):
    original = load("Анна", "anna@example.com", ORIGINAL, "Не знаю.")
    copy = load("Борис", "boris@example.com", COPY, "Не знаю.")

    assert not AnswerMatch.objects.exists()
    assert not AnswerBand.objects.exists()
    # One task an import, with its answers that have a fingerprint (not the short ones).
    assert queued_ids() == [[original[1].pk], [copy[1].pk]]


def test_an_import_queues_its_answers_in_chunks(questionnaire, database_tasks, monkeypatch):
    monkeypatch.setattr(copying, "TASK_ANSWERS", 2)

    answers = load("Анна", "anna@example.com", ORIGINAL, MEMORY)
    third = load("Борис", "boris@example.com", INDEPENDENT, "Не знаю.")

    assert queued_ids() == [[answers[1].pk, answers[2].pk], [third[1].pk]]


def test_a_failed_import_leaves_no_task(questionnaire, database_tasks, monkeypatch):
    queue = copying.queue_matching

    def queue_then_fail(answer_ids):
        queue(answer_ids)
        # Something later in the import's transaction fails.
        raise DatabaseError("disk full")

    monkeypatch.setattr(copying, "queue_matching", queue_then_fail)

    report = import_bytes(sheet("Анна", "anna@example.com", ORIGINAL), source_name="anna.md")

    assert report.error == "database refused the file: disk full"
    assert not Answer.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_a_failed_matching_leaves_the_import_whole(questionnaire, monkeypatch):
    def broken(new, **kwargs):
        # A statement the database refuses: on PostgreSQL it aborts the transaction.
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")

    monkeypatch.setattr(copying, "find_matches", broken)

    report = import_bytes(sheet("Анна", "anna@example.com", ORIGINAL), source_name="anna.md")

    assert report.error is None
    assert Answer.objects.filter(submission_id=report.submission_id).count() == 2
    assert Candidate.objects.get().email == "anna@example.com"
    assert not AnswerBand.objects.exists()


# -- the task ------------------------------------------------------------------------------


def test_a_task_run_twice_writes_each_band_once(questionnaire, database_tasks):
    load("Анна", "anna@example.com", ORIGINAL, MEMORY)
    load("Борис", "boris@example.com", COPY, MEMORY)
    run_queued_by_hand()
    bands = sorted(AnswerBand.objects.values_list("answer_id", "band"))
    matches = sorted(AnswerMatch.objects.values_list("answer_id", "other_answer_id"))

    again = [copying.match_answers.call(ids) for ids in queued_ids()]

    assert again == [0, 0]
    assert len(bands) == 4 * similarity.BANDS
    assert sorted(AnswerBand.objects.values_list("answer_id", "band")) == bands
    assert sorted(AnswerMatch.objects.values_list("answer_id", "other_answer_id")) == matches
    assert len(matches) == 2  # the copy of the first answer, the same second answer


def test_an_answer_anonymised_before_its_task_runs_gets_no_bands(questionnaire, database_tasks):
    original = load("Анна", "anna@example.com", ORIGINAL, "Не знаю.")
    copy = load("Борис", "boris@example.com", COPY, "Не знаю.")
    anonymize(Candidate.objects.get(email="boris@example.com"), keep_answers=True)

    run_queued_by_hand()

    assert not AnswerBand.objects.filter(answer=copy[1]).exists()
    assert AnswerBand.objects.filter(answer=original[1]).count() == similarity.BANDS
    assert not AnswerMatch.objects.exists()


def test_an_answer_replaced_before_its_task_runs_gets_no_bands(questionnaire, database_tasks):
    load("Анна", "anna@example.com", ORIGINAL, "Не знаю.")
    first = load("Борис", "boris@example.com", COPY, "Не знаю.")
    revised = load("Борис", "boris@example.com", COPY, "Не знаю, честно.")

    run_queued_by_hand()

    assert not AnswerBand.objects.filter(answer=first[1]).exists()
    assert AnswerBand.objects.filter(answer=revised[1]).exists()
    assert set(AnswerMatch.objects.values_list("answer_id", flat=True)) == {revised[1].pk}


def test_anonymisation_clears_the_fingerprints_whether_or_not_bodies_stay(questionnaire):
    load("Анна", "anna@example.com", ORIGINAL, MEMORY)
    load("Борис", "boris@example.com", COPY, MEMORY)
    anna, boris = Candidate.objects.order_by("pk")
    assert Answer.objects.filter(fingerprint__isnull=False).count() == 4

    anonymize(anna)
    anonymize(boris, keep_answers=True)

    assert not Answer.objects.filter(fingerprint__isnull=False).exists()
    assert Answer.objects.filter(submission__candidate=boris, body=COPY).exists()


def test_the_subject_export_holds_the_fingerprint_in_hex(questionnaire, tmp_path):
    answers = load("Анна", "anna@example.com", ORIGINAL, "Не знаю.")
    candidate = Candidate.objects.get()

    call_command(
        "export_candidate_data", str(candidate.pk), "--out", str(tmp_path), stdout=io.StringIO()
    )

    data = json.loads((tmp_path / f"candidate-{candidate.pk}.json").read_text(encoding="utf-8"))
    exported = {row["id"]: row["fingerprint"] for row in data["answers"]}
    assert exported == {answers[1].pk: bytes(answers[1].fingerprint).hex(), answers[2].pk: None}


# -- the upgrade ---------------------------------------------------------------------------


def test_the_migration_empties_the_bands_and_keeps_the_pairs(questionnaire, on_postgres):
    load("Анна", "anna@example.com", ORIGINAL, MEMORY)
    load("Борис", "boris@example.com", COPY, MEMORY)
    pairs = sorted(AnswerMatch.objects.values_list("answer_id", "other_answer_id", "similarity"))
    assert pairs and AnswerBand.objects.exists()
    migrate_to_just_before(MIGRATION)

    migrate_to(MIGRATION)

    assert not AnswerBand.objects.exists()
    assert (
        sorted(AnswerMatch.objects.values_list("answer_id", "other_answer_id", "similarity"))
        == pairs
    )
    # The answers imported before have no fingerprint: --refresh hashes their texts.
    assert not Answer.objects.filter(fingerprint__isnull=False).exists()
    call_command("find_copied_answers", "--refresh", stdout=io.StringIO())
    assert AnswerBand.objects.count() == 4 * similarity.BANDS


# -- the worker ----------------------------------------------------------------------------


# The worker reads the queue as another process would: the rows must be committed.
@pytest.mark.django_db(transaction=True)
def test_a_database_worker_matches_what_the_imports_queued(
    questionnaire, database_tasks, tmp_path, monkeypatch
):
    # Each sheet's answers a task of their own: the copy's task meets the original's bands,
    # written and committed by the task before it.
    monkeypatch.setattr(copying, "TASK_ANSWERS", 1)
    import_three(tmp_path)
    assert not AnswerMatch.objects.exists()
    assert DBTaskResult.objects.filter(status="READY").count() == 3

    run_worker()

    pairs = set(AnswerMatch.objects.values_list("answer_id", "other_answer_id"))
    assert pairs == the_pair_of_three()
    assert AnswerBand.objects.count() == 3 * similarity.BANDS
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 3


@pytest.mark.django_db(transaction=True)
def test_anonymising_while_a_task_matches_waits_and_leaves_no_bands(
    on_postgres, questionnaire, database_tasks, monkeypatch
):
    load("Анна", "anna@example.com", ORIGINAL, "Не знаю.")
    copy = load("Борис", "boris@example.com", COPY, "Не знаю.")
    ids = [i for batch in queued_ids() for i in batch]
    inside, go_on = threading.Event(), threading.Event()
    store = copying.store

    def store_when_told(new):  # the task has read its answers; it stores when told
        inside.set()
        go_on.wait(10)
        return store(new)

    monkeypatch.setattr(copying, "store", store_when_told)

    def in_thread(work):
        def run():
            try:
                work()
            finally:
                connection.close()

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    task = in_thread(lambda: copying.match_answers.call(ids))
    assert inside.wait(10)
    erasing = in_thread(
        lambda: anonymize(Candidate.objects.get(email="boris@example.com"), keep_answers=True)
    )
    erasing.join(0.5)
    # The erasure waits for the task's locks on the answers it is matching...
    assert erasing.is_alive()
    go_on.set()
    task.join(10)
    erasing.join(10)

    # ...then removes what the task stored for the person.
    assert not AnswerBand.objects.filter(answer=copy[1]).exists()
    assert not AnswerMatch.objects.exists()
    assert AnswerBand.objects.exclude(answer=copy[1]).count() == similarity.BANDS
