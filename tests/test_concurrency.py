"""Races on PostgreSQL: concurrent importers, stage moves and scorecard saves.

Each test uses real concurrent connections (OS processes or threads), so the database work
is committed for real (``transaction=True``) and the tests skip on SQLite, which serialises
writers and would prove nothing.
"""

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection

from bench.synthetic import QUESTIONS, make_sheet
from interviews.models import (
    Answer,
    AnswerScore,
    Application,
    Candidate,
    Question,
    Questionnaire,
    Scorecard,
    Stage,
    StageChange,
    Submission,
)
from interviews.scoring import save_scorecard
from interviews.sheets import analysis
from tests.factories import (
    AnswerFactory,
    ApplicationFactory,
    QuestionFactory,
    SubmissionFactory,
    UserFactory,
)

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.django_db(transaction=True)

IMPORTERS = 4
# One batch for each importer (a batch is 500 files) whatever the number: with 40, three of
# the four still lose the race on writing theirs and retry file by file (their log says
# so), in three quarters of the time 100 files took.
SHEETS = 40
TIMEOUT = 120  # seconds for any one process or thread; a hang fails instead of blocking CI

# Each importer sets Django up first and only then waits for the "go" file, so that all four
# reach the database within milliseconds of one another rather than a start-up apart.
IMPORTER = """
import os, sys, time
import django
django.setup()
from django.core.management import execute_from_command_line
go = sys.argv[1]
while not os.path.exists(go):
    time.sleep(0.005)
execute_from_command_line(["manage.py", "import_answers", *sys.argv[2:]])
"""


def _database_url():
    """The URL of the test database this test runs against (not the configured one)."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _run_together(targets):
    """Run the callables in threads released at the same moment; return their errors.

    Each thread opens its own connection and closes it at the end, so a test leaves no
    connection to the test database behind (the flush after the test would wait for it).
    """
    barrier = threading.Barrier(len(targets))
    errors = []

    def run(target):
        try:
            barrier.wait(timeout=TIMEOUT)
            target()
        except Exception as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a thread is stuck (lock never released?)"
    return errors


# -- importing -----------------------------------------------------------------------------


@pytest.fixture
def bench_questionnaire(on_postgres):
    questionnaire = Questionnaire.objects.create(title="Bench", slug="bench")
    Question.objects.bulk_create(
        Question(questionnaire=questionnaire, number=str(i), position=i, text=text)
        for i, text in enumerate(QUESTIONS, start=1)
    )
    return questionnaire


def test_four_importers_of_the_same_files_write_each_file_once(bench_questionnaire, tmp_path):
    folder = tmp_path / "sheets"
    folder.mkdir()
    expected_answers = 0
    for i in range(SHEETS):
        name, data = make_sheet(i)
        (folder / name).write_bytes(data)
        expected_answers += len(analysis.analyse_bytes(data, max_bytes=10**7).sheet.sections)
    go = tmp_path / "go"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SECRET_KEY": "concurrency-test",
        "DJANGO_SETTINGS_MODULE": "zvonok.settings",
        # Logs go to stderr, so stdout stays pure JSON; INFO shows the importer's
        # file-by-file retry when a batch lost a race, which helps read a failure.
        "DJANGO_LOG_LEVEL": "INFO",
    }
    args = [folder, "--questionnaire", "bench", "-v", "0", "--workers", "1", "--format", "json"]
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", IMPORTER, go, *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(IMPORTERS)
    ]
    outputs = []
    try:
        time.sleep(0.5)  # let them import Django; a slow one only joins the race late
        go.touch()
        deadline = time.monotonic() + TIMEOUT
        for process in processes:
            out, err = process.communicate(timeout=max(1, deadline - time.monotonic()))
            outputs.append((process.returncode, out.decode(), err.decode()))
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()

    for returncode, _out, err in outputs:
        assert returncode == 0, err
    statuses = [f["status"] for _, out, _ in outputs for f in json.loads(out)["files"]]
    assert statuses.count("created") == SHEETS
    assert statuses.count("unchanged") == SHEETS * (IMPORTERS - 1)
    assert Submission.objects.count() == SHEETS
    assert Candidate.objects.count() == SHEETS
    assert Answer.objects.count() == expected_answers


# -- stage moves ---------------------------------------------------------------------------


@pytest.fixture
def stages(on_postgres):
    return [
        Stage.objects.create(name=name, order=order)
        for order, name in enumerate(["new", "screening", "interview"])
    ]


def test_simultaneous_stage_moves_are_both_recorded_in_order(stages):
    new, screening, interview = stages
    hr1, hr2 = UserFactory(username="hr1"), UserFactory(username="hr2")

    for _ in range(10):
        application = ApplicationFactory()
        assert application.stage == new

        def move(stage, user, pk=application.pk):
            Application.objects.get(pk=pk).move_to(stage, by=user)

        errors = _run_together([lambda: move(screening, hr1), lambda: move(interview, hr2)])

        assert errors == []
        application.refresh_from_db()
        changes = list(StageChange.objects.filter(application=application).order_by("at", "id"))
        assert len(changes) == 3
        assert changes[0].from_stage_id is None
        assert changes[0].to_stage == new
        assert changes[1].from_stage == new
        assert {changes[1].to_stage, changes[2].to_stage} == {screening, interview}
        assert changes[2].from_stage == changes[1].to_stage
        assert application.stage == changes[2].to_stage


# -- scoring -------------------------------------------------------------------------------


@pytest.fixture
def scored_answers(on_postgres):
    """An application and two answers of its candidate's sheet, ready to score."""
    application = ApplicationFactory()
    questionnaire = application.vacancy.questionnaire
    submission = SubmissionFactory(
        candidate=application.candidate, questionnaire=questionnaire, application=application
    )
    answers = [
        AnswerFactory(submission=submission, question=QuestionFactory(questionnaire=questionnaire))
        for _ in range(2)
    ]
    return application, answers


def test_two_reviewers_scoring_at_once_keep_both_scorecards(scored_answers):
    application, (first, second) = scored_answers
    reviewers = [UserFactory(username="alice"), UserFactory(username="bob")]

    def score(reviewer):
        save_scorecard(
            application=application,
            reviewer=reviewer,
            scores={first.pk: (4, ""), second.pk: (3, "")},
            recommendation="yes",
            submit=True,
        )

    errors = _run_together([lambda r=r: score(r) for r in reviewers])

    assert errors == []
    for reviewer in reviewers:
        scorecard = Scorecard.objects.get(application=application, reviewer=reviewer)
        assert scorecard.is_submitted
        assert dict(scorecard.scores.values_list("answer_id", "score")) == {
            first.pk: 4,
            second.pk: 3,
        }


@pytest.mark.parametrize("existing", [False, True], ids=["new-scorecard", "draft-exists"])
def test_one_reviewer_saving_two_drafts_at_once_loses_no_score(scored_answers, existing):
    application, (first, second) = scored_answers
    reviewer = UserFactory(username="carol")
    if existing:
        Scorecard.objects.create(application=application, reviewer=reviewer)

    def score(answer, value):
        save_scorecard(application=application, reviewer=reviewer, scores={answer.pk: (value, "")})

    errors = _run_together([lambda: score(first, 5), lambda: score(second, 2)])

    assert errors == []
    scorecard = Scorecard.objects.get(application=application, reviewer=reviewer)
    assert dict(AnswerScore.objects.filter(scorecard=scorecard).values_list("answer", "score")) == {
        first.pk: 5,
        second.pk: 2,
    }
