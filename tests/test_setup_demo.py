"""`make setup` / `make run`: manage.py setup_demo, run twice with the user's work between."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import translation

from interviews.models import Candidate, Question, Submission, Vacancy

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(tmp_path, settings, monkeypatch):
    """setup_demo writing its .env and the saved password into tmp_path."""
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings.ENV_FILE = str(tmp_path / ".env")
    password_file = tmp_path / ".admin-password"

    def run():
        out = io.StringIO()
        with translation.override("en"):
            call_command(
                "setup_demo", password_file=str(password_file), stdout=out, stderr=io.StringIO()
            )
        return out.getvalue()

    run.env_file = tmp_path / ".env"
    run.password_file = password_file
    return run


def _printed_password(output):
    found = re.findall(r"Password: (\S+)", output)
    return found[0] if found else None


def test_first_run_writes_env_loads_the_demo_and_prints_the_admin_password(demo):
    output = demo()

    env = demo.env_file.read_text(encoding="utf-8")
    assert "DJANGO_DEBUG=1" in env
    key = re.search(r"^DJANGO_SECRET_KEY=(\S+)$", env, re.M).group(1)
    assert len(key) >= 50
    assert re.search(r"^DATABASE_URL=sqlite:///\S+db\.sqlite3$", env, re.M)
    assert demo.env_file.stat().st_mode & 0o077 == 0
    assert Vacancy.objects.filter(slug="python-developer", is_open=True).exists()
    assert Submission.objects.count() == 3
    password = _printed_password(output)
    assert password == demo.password_file.read_text(encoding="utf-8").strip()
    assert get_user_model().objects.get(username="admin").check_password(password)


def test_second_run_changes_nothing_that_exists(demo):
    demo.env_file.write_text("DJANGO_DEBUG=0\nDJANGO_SECRET_KEY=operators-own\n")
    first = demo()
    password = _printed_password(first)
    question = Question.objects.filter(questionnaire__slug="zvonok-python").first()
    question.rubric = "Our own rubric"
    question.save()
    Vacancy.objects.filter(slug="python-developer").update(title="Closed one", is_open=False)
    candidates = Candidate.objects.count()

    second = demo()

    # The operator's .env is as it was.
    assert demo.env_file.read_text() == "DJANGO_DEBUG=0\nDJANGO_SECRET_KEY=operators-own\n"
    question.refresh_from_db()
    assert question.rubric == "Our own rubric"
    vacancy = Vacancy.objects.get(slug="python-developer")
    assert (vacancy.title, vacancy.is_open) == ("Closed one", False)
    assert Candidate.objects.count() == candidates
    # The password is still the generated one: printed again.
    assert "its password is unchanged" in second
    assert _printed_password(second) == password

    admin = get_user_model().objects.get(username="admin")
    admin.set_password("the-admins-own-9731")
    admin.save()

    third = demo()

    admin.refresh_from_db()
    assert admin.check_password("the-admins-own-9731")
    assert _printed_password(third) is None
    assert password not in third
    assert "the-admins-own-9731" not in third
    assert "password is unchanged and not shown" in third
    assert not demo.password_file.exists()


def test_an_admin_created_elsewhere_keeps_its_password_even_with_the_variable(demo, monkeypatch):
    get_user_model().objects.create_superuser("admin", "", "set-by-hand-5521")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "from-the-environment-1")

    output = demo()

    assert get_user_model().objects.get(username="admin").check_password("set-by-hand-5521")
    assert _printed_password(output) is None
