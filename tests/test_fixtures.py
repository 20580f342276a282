import re

import pytest
from django.core.management import call_command

from interviews.models import Question, Questionnaire, Vacancy

pytestmark = pytest.mark.django_db


def _counts():
    return Questionnaire.objects.count(), Question.objects.count(), Vacancy.objects.count()


def test_shipped_questionnaire_loads_into_an_empty_database():
    call_command("loaddata", "zvonok_python", verbosity=0)

    questionnaire = Questionnaire.objects.get(slug="zvonok-python")
    assert questionnaire.title == "Анкета Python-разработчика"
    assert list(questionnaire.questions.values_list("number", flat=True)) == [
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
    ]
    assert all(q.rubric for q in questionnaire.questions.all())
    assert Vacancy.objects.get(slug="python-developer").questionnaire == questionnaire


def test_loading_the_questionnaire_twice_changes_nothing():
    call_command("loaddata", "zvonok_python", verbosity=0)
    before = _counts()
    texts = list(Question.objects.order_by("pk").values_list("pk", "text"))

    call_command("loaddata", "zvonok_python", verbosity=0)

    assert _counts() == before == (1, 7, 1)
    assert list(Question.objects.order_by("pk").values_list("pk", "text")) == texts


def test_shipped_questions_are_the_seed_questions_word_for_word(seed_sheet):
    call_command("loaddata", "zvonok_python", verbosity=0)
    seed = seed_sheet.read_text(encoding="utf-8")
    expected = re.findall(r"^#### (\d+)\.\s+(.*?)\s*$", seed, flags=re.M)

    stored = list(
        Question.objects.filter(questionnaire__slug="zvonok-python").values_list("number", "text")
    )

    assert stored == expected
