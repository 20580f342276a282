"""bench/generate.py at a thousandth of its size: the counts follow the ratios of scale 1.0,
the rows agree with each other and with what Zvonok itself writes, and the database is
fully usable afterwards. PostgreSQL only (COPY, tsvector)."""

import io

import pytest
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery

from bench import generate as bench
from interviews import copying, sheets
from interviews.importing import import_comment
from interviews.models import (
    Answer,
    AnswerBand,
    AnswerMatch,
    AnswerScore,
    Application,
    Candidate,
    DataProtectionEvent,
    Scorecard,
    SkillClaim,
    Stage,
    StageChange,
    Submission,
)
from interviews.search import answers_matching
from interviews.sheets import extract_claims, similarity

SCALE = 0.001


@pytest.fixture(scope="module")
def _generated_once(django_db_setup, django_db_blocker):
    # Generated once for the module, in a transaction of its own that is rolled back at
    # the end: each test's transaction is a savepoint inside it.
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://...")
        with transaction.atomic():
            with connection.cursor() as cursor:
                schema = bench._schema(cursor)
            yield schema, bench.generate(SCALE, analyze=False, stdout=io.StringIO())
            transaction.set_rollback(True)


@pytest.fixture
def schema_before(_generated_once, db):
    return _generated_once[0]


@pytest.fixture
def generated(_generated_once, db):
    return _generated_once[1]


def _table_count(table):
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        return cursor.fetchone()[0]


def test_counts_follow_the_ratios_of_scale_one(generated):
    expected = {
        Candidate: round(bench.CANDIDATES * SCALE),
        Application: round(bench.APPLICATIONS * SCALE),
        Submission: round(bench.SUBMISSIONS * SCALE),
        Answer: round(bench.SUBMISSIONS * SCALE) * bench.ANSWERS_PER_SHEET,
        Scorecard: round(bench.SCORECARDS * SCALE),
    }

    counts = {model: model.objects.count() for model in expected}

    assert counts == expected
    assert counts[Candidate] == 100
    assert counts[Answer] == 1000
    assert counts[Scorecard] == 20
    # Every table the generator reports holds exactly what it says it wrote.
    assert {table: _table_count(table) for table in generated} == generated
    # Stage history, skills and scores in the proportions the module docstring promises.
    assert 2.0 <= StageChange.objects.count() / counts[Application] <= 3.0
    assert 1.0 <= SkillClaim.objects.count() / counts[Submission] <= 2.2
    assert AnswerScore.objects.count() <= counts[Scorecard] * bench.ANSWERS_PER_SHEET


def test_every_application_is_in_the_stage_its_latest_change_moved_it_to(generated):
    latest = StageChange.objects.filter(application=OuterRef("pk")).order_by("-at", "-id")

    applications = Application.objects.annotate(
        last_to=Subquery(latest.values("to_stage")[:1]),
        last_at=Subquery(latest.values("at")[:1]),
    )

    assert applications.count() == 120
    for application in applications:
        assert application.last_to == application.stage_id
        assert application.last_at == application.stage_changed_at
    new = Stage.initial()
    firsts = StageChange.objects.filter(from_stage__isnull=True)
    assert firsts.count() == 120
    assert set(firsts.values_list("to_stage", flat=True)) == {new.pk}


def test_stage_changes_follow_each_other_in_time(generated):
    previous = {}

    for change in StageChange.objects.order_by("application", "at", "id"):
        before = previous.get(change.application_id)
        if before is not None:
            assert change.from_stage_id == before.to_stage_id
            assert change.at >= before.at
        previous[change.application_id] = change

    assert len(previous) == 120


def test_answers_are_found_by_a_russian_word_in_another_form(generated):
    with connection.cursor() as cursor:
        # Anonymisation clears what the vector is made of.
        cursor.execute(
            "SELECT count(*) FROM interviews_answer a"
            " JOIN interviews_submission s ON s.id = a.submission_id"
            " JOIN interviews_candidate c ON c.id = s.candidate_id"
            " WHERE (a.search_vector IS NULL OR length(a.search_vector) = 0)"
            " AND c.anonymized_at IS NULL"
        )
        empty = cursor.fetchone()[0]

    # "проекты" is in the text; the search finds it from another form of the word.
    found = answers_matching("проектов").count()

    assert empty == 0
    assert 0 < found < Answer.objects.count()


def test_answers_are_150_to_1500_characters(generated):
    lengths = [len(body) for body in Answer.objects.exclude(body="").values_list("body", flat=True)]

    assert min(lengths) >= bench.MIN_ANSWER
    assert max(lengths) <= bench.MAX_ANSWER


def test_each_sheet_reads_back_as_its_answers_and_skill_claims(generated):
    submissions = Submission.objects.exclude(original_text="").prefetch_related("answers", "skills")

    for submission in submissions:
        sheet = sheets.parse_bytes(submission.original_text.encode())
        answers = list(submission.answers.all())
        assert [(s.label, s.question_text, s.body, s.line) for s in sheet.sections] == [
            (a.label, a.question_text, a.body, a.line) for a in answers
        ]
        assert (sheet.title, sheet.preamble) == (submission.title, submission.preamble)
        claims = {
            (c.answer_id, c.skill, c.value, c.scale, c.years, c.snippet)
            for c in submission.skills.all()
        }
        assert claims == {
            (a.id, c.skill, c.value, c.scale, c.years, c.snippet)
            for a in answers
            for c in extract_claims(a.body)
        }

    assert submissions.count() > 90


def test_anonymised_candidates_look_as_anonymize_leaves_them(generated):
    anonymised = Candidate.objects.filter(anonymized_at__isnull=False)

    assert anonymised.exists()
    for candidate in anonymised:
        assert (candidate.email, candidate.phone, candidate.telegram) == ("", "", "")
        assert not candidate.history.exists()
        assert not candidate.applications.filter(stage__kind=Stage.Kind.ACTIVE).exists()
        answers = Answer.objects.filter(submission__candidate=candidate)
        assert not answers.exclude(body="", question_text="").exists()
        assert not Submission.objects.filter(candidate=candidate).exclude(sha256="").exists()
        assert DataProtectionEvent.objects.filter(candidate=candidate, kind="anonymized").exists()
    others = Candidate.objects.filter(anonymized_at__isnull=True)
    assert Candidate.history.filter(history_type="+").count() == others.count()


def test_imported_candidates_have_the_history_and_first_stage_the_import_writes(generated):
    application = (
        Application.objects.filter(candidate__anonymized_at__isnull=True)
        .order_by("candidate_id", "created_at", "id")
        .first()
    )
    candidate = application.candidate

    opened = application.stage_changes.order_by("at", "id").first()
    assert opened.comment == import_comment()
    assert opened.to_stage == Stage.initial()
    created = candidate.history.get(history_type="+")
    assert created.history_user_id == opened.by_id
    first = application.history.order_by("history_date", "history_id").first()
    assert (first.history_type, first.history_user_id) == ("+", opened.by_id)


def test_indexes_and_constraints_are_the_migrations_own(generated, schema_before):
    with connection.cursor() as cursor:
        after = bench._schema(cursor)

    assert after == schema_before


def test_the_orm_inserts_after_the_load(generated):
    submission = Submission.objects.order_by("id").first()

    candidate = Candidate.objects.create(full_name="Новый Кандидат", email="new@example.com")
    answer = Answer.objects.create(
        submission=submission, label="11.", question_text="Ещё вопрос?", body="Ответ", position=11
    )
    application = Application.objects.create(
        candidate=candidate, vacancy=Application.objects.first().vacancy
    )

    assert candidate.pk == 101
    assert answer.pk == 1001
    assert application.pk == 121
    assert candidate.history.get().history_type == "+"
    assert application.stage_changes.get().to_stage == Stage.initial()
    answer.refresh_from_db()
    assert answers_matching("ответа").filter(pk=answer.pk).exists()


def test_refuses_a_database_that_already_has_candidates(on_postgres):
    Candidate.objects.create(full_name="Уже есть")

    with pytest.raises(RuntimeError, match="empty database"):
        bench.generate(SCALE, analyze=False, stdout=io.StringIO())


def test_latest_answers_have_the_band_hashes_the_import_computes(generated):
    latest = Submission.objects.latest_revisions().filter(candidate__anonymized_at__isnull=True)
    answers = Answer.objects.filter(submission__in=latest).order_by("pk")[:300]
    stored: dict[int, list[int]] = {}
    for answer_id, band in AnswerBand.objects.filter(answer__in=answers).values_list(
        "answer_id", "band"
    ):
        stored.setdefault(answer_id, []).append(band)

    for answer in answers:
        expected = similarity.fingerprint(answer.body, answer.question_text).bands
        assert sorted(stored.get(answer.pk, [])) == sorted(expected)
        # The answer row holds them too, as the import writes them.
        assert similarity.unpack_bands(answer.fingerprint) == expected
    assert not AnswerBand.objects.exclude(answer__submission__in=latest).exists()


def test_copies_are_stored_as_pairs_that_the_lookup_finds_again(generated):
    pairs = list(AnswerMatch.objects.select_related("answer", "other_answer"))
    assert pairs

    for match in pairs:
        a, b = match.answer, match.other_answer
        exact = similarity.similarity(
            similarity.fingerprint(a.body, a.question_text),
            similarity.fingerprint(b.body, b.question_text),
        )
        assert match.similarity == pytest.approx(exact, abs=1e-4)
    copy = pairs[0].answer
    AnswerMatch.objects.filter(answer=copy).delete()
    copying.find_matches(
        [
            copying.NewText(
                copy.submission.questionnaire_id,
                copy.body,
                copy.question_text,
                similarity.fingerprint(copy.body, copy.question_text).bands,
                answer_id=copy.pk,
                candidate_id=copy.submission.candidate_id,
            )
        ]
    )
    assert AnswerMatch.objects.filter(answer=copy, other_answer=pairs[0].other_answer).exists()
