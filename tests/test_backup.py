"""The backup/restore drill of docs/backup.md: ``dumpdata`` with natural keys of a
populated database, ``flush``, ``loaddata``, and the same rows come back."""

import hashlib
import json
import re
from collections import defaultdict

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection

from interviews import roles, search
from interviews.models import Answer, Application, SkillClaim, Stage
from interviews.scoring import save_scorecard
from tests.factories import UserFactory

# Committed for real: flush and loaddata run as in production. serialized_rollback puts
# back the stages and role groups that migrations create, for the tests that follow.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# What the drill leaves out: rebuilt by migrate (content types, permissions), or not
# worth keeping (sessions, the admin's log, login attempts).
EXCLUDE = ["contenttypes", "auth.permission", "sessions", "admin.logentry", "axes"]
EXCLUDED_LABELS = {"contenttypes", "sessions", "axes"}
EXCLUDED_MODELS = {"auth.permission", "admin.logentry"}


def dump(path):
    call_command(
        "dumpdata",
        "--natural-foreign",
        "--natural-primary",
        *[f"--exclude={label}" for label in EXCLUDE],
        "--indent=1",
        f"--output={path}",
        verbosity=0,
    )
    return json.loads(path.read_text(encoding="utf-8"))


def counts():
    """Rows of every model the drill keeps, historical ones and many-to-many tables
    included, counted in the database (not in the dump)."""
    result = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.app_label in EXCLUDED_LABELS or meta.label_lower in EXCLUDED_MODELS:
            continue
        result[meta.label_lower] = model._base_manager.count()
    return result


# dumpdata writes a time to the millisecond, and leaves ".000" out when the loaded value
# has no microseconds: a time 0.5 ms past the second dumps as "…:00.000Z" first and as
# "…:00Z" once reloaded. The same instant either way.
_ZERO_MILLISECONDS = re.compile(r"(T\d{2}:\d{2}:\d{2})\.000(?=Z|[+-]\d{2}:\d{2})")


def digests(objects):
    """model -> digest of its dumped rows, in an order that does not depend on the
    database's."""
    rows = defaultdict(list)
    for obj in objects:
        line = json.dumps(obj, sort_keys=True, ensure_ascii=False)
        rows[obj["model"]].append(_ZERO_MILLISECONDS.sub(r"\1", line))
    return {
        model: hashlib.sha256("\n".join(sorted(lines)).encode("utf-8")).hexdigest()
        for model, lines in rows.items()
    }


@pytest.fixture
def populated():
    """The demo of ``make run`` and a little hiring on top of it: a stage move, a
    submitted scorecard, an edited candidate, and the audit history they leave."""
    call_command("loaddata", "zvonok_python", verbosity=0)
    call_command(
        "import_answers",
        "examples/",
        questionnaire="zvonok-python",
        vacancy="python-developer",
        verbosity=0,
    )
    recruiter = UserFactory(username="recruiter")
    recruiter.groups.add(Group.objects.get(name=roles.RECRUITER))
    application = Application.objects.order_by("pk").first()
    application.move_to(Stage.objects.get(name="Screening"), by=recruiter, comment="созвон")
    candidate = application.candidate
    candidate.source = "рекомендация"
    candidate.save()
    answer = candidate.submissions.get().answers.order_by("position").first()
    save_scorecard(
        application=application,
        reviewer=recruiter,
        scores={answer.pk: (4, "по делу")},
        recommendation="yes",
        summary="Берём дальше",
        submit=True,
    )


def test_dump_flush_load_brings_back_every_row(populated, tmp_path):
    before = counts()
    dumped = dump(tmp_path / "backup.json")

    call_command("flush", "--no-input", verbosity=0)
    assert Answer.objects.count() == 0
    call_command("loaddata", str(tmp_path / "backup.json"), verbosity=0)

    assert counts() == before
    assert digests(dump(tmp_path / "again.json")) == digests(dumped)


def test_the_drill_covers_the_data_that_matters(populated, tmp_path):
    dumped = {obj["model"] for obj in dump(tmp_path / "backup.json")}

    assert SkillClaim.objects.exists()
    assert {
        "auth.user",
        "auth.group",
        "interviews.candidate",
        "interviews.application",
        "interviews.stagechange",
        "interviews.scorecard",
        "interviews.answerscore",
        "interviews.skillclaim",
        "interviews.historicalcandidate",
        "interviews.historicalapplication",
        "interviews.historicalscorecard",
    } <= dumped


def test_loaddata_writes_no_history_of_its_own(populated, tmp_path):
    dump(tmp_path / "backup.json")
    history = {name: n for name, n in counts().items() if ".historical" in name}

    call_command("flush", "--no-input", verbosity=0)
    call_command("loaddata", str(tmp_path / "backup.json"), verbosity=0)

    # simple_history skips raw saves: the restored history is the dumped one, no more.
    assert {name: n for name, n in counts().items() if ".historical" in name} == history


def test_search_vector_is_computed_again_on_restore(populated, tmp_path):
    found_before = list(search.search_answers(Answer.objects.all(), "Python").values("pk"))
    dumped = dump(tmp_path / "backup.json")
    # dumpdata writes the generated column too; loaddata never writes it (Django leaves
    # generated fields out of INSERTs), so a dump without it restores the same.
    for obj in dumped:
        if obj["model"] == "interviews.answer":
            obj["fields"]["search_vector"] = None
    (tmp_path / "backup.json").write_text(json.dumps(dumped), encoding="utf-8")

    call_command("flush", "--no-input", verbosity=0)
    call_command("loaddata", str(tmp_path / "backup.json"), verbosity=0)

    assert found_before
    assert list(search.search_answers(Answer.objects.all(), "Python").values("pk")) == found_before
    if connection.vendor == "postgresql":
        assert not Answer.objects.filter(search_vector__isnull=True).exists()
