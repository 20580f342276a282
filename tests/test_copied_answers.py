"""Copied answers found at import and against known sources (interviews.copying), with
written examples, in the database."""

import io
import json
from collections import defaultdict

import pytest
from django.core.management import CommandError, call_command

from interviews import copying
from interviews.importing import import_bytes
from interviews.models import (
    Answer,
    AnswerBand,
    AnswerMatch,
    Candidate,
    KnownSource,
    Question,
    Questionnaire,
    SourceAnswer,
)
from interviews.privacy import anonymize

pytestmark = pytest.mark.django_db

QUESTION_1 = "Как бы вы обработали сбой внешнего сервиса при отправке платежа?"
QUESTION_2 = "Расскажите, как вы ищете утечку памяти в долго работающем процессе."

ORIGINAL = (
    "Я бы поставил отправку платежа в очередь задач и повторял попытки с экспоненциальной "
    "задержкой. Каждый запрос несёт ключ идемпотентности, чтобы повтор не списал деньги "
    "дважды. Если сервис не отвечает дольше пяти минут, задача уходит в отдельную очередь, "
    "а дежурный получает уведомление.\n\n"
    "```python\nretry_payment(order_id, backoff=2)\n```"
)
# Small edits: a renamed variable, punctuation, two sentences swapped.
COPY = (
    "Если сервис не отвечает дольше пяти минут — задача уходит в отдельную очередь, а "
    "дежурный получает уведомление! Я бы поставил отправку платежа в очередь задач и "
    "повторял попытки с экспоненциальной задержкой; каждый запрос несёт ключ "
    "идемпотентности, чтобы повтор не списал деньги дважды.\n\n"
    "```python\nretry_payment(payment_id, backoff=2)\n```"
)
# The same topic, written independently.
INDEPENDENT = (
    "Платёж отправляется через outbox: запись в таблицу в той же транзакции, что и заказ, "
    "затем отдельный процесс читает таблицу и вызывает провайдера. При ошибке сети он "
    "ждёт и пробует снова, а провайдер по нашему идентификатору операции отбрасывает "
    "дубликаты. Мониторинг следит за возрастом самой старой записи."
)
MEMORY = (
    "Снимаю tracemalloc в начале и через час работы, сравниваю снимки и смотрю, какие строки "
    "кода выделяют больше всего. Обычно это кэш без ограничения размера или замыкание, "
    "которое держит ссылку на большой объект; потом проверяю гипотезу на стенде."
)


def sheet(name, email, first, second=MEMORY):
    return (
        f"---\nname: {name}\nemail: {email}\nquestionnaire: copy\n---\n# Ответы\n\n"
        f"#### 1. {QUESTION_1}\n\n{first}\n\n#### 2. {QUESTION_2}\n\n{second}\n"
    ).encode()


@pytest.fixture
def questionnaire(db):
    q = Questionnaire.objects.create(title="Копии", slug="copy")
    Question.objects.create(questionnaire=q, number="1", position=1, text=QUESTION_1)
    Question.objects.create(questionnaire=q, number="2", position=2, text=QUESTION_2)
    return q


def load(name, email, first, second=MEMORY):
    report = import_bytes(sheet(name, email, first, second), source_name=f"{email}.md")
    assert report.error is None, report.error
    return {a.position: a for a in Answer.objects.filter(submission_id=report.submission_id)}


def test_a_copy_with_small_edits_imported_after_the_original_is_matched(questionnaire):
    original = load("Анна", "anna@example.com", ORIGINAL, "Не знаю.")
    copy = load("Борис", "boris@example.com", COPY, "Не сталкивался.")

    match = AnswerMatch.objects.get()

    assert (match.answer_id, match.other_answer_id) == (copy[1].pk, original[1].pk)
    assert match.source_answer_id is None
    assert 0.25 <= match.similarity < 1


def test_independent_answers_on_the_same_topic_are_not_matched(questionnaire):
    load("Анна", "anna@example.com", ORIGINAL, "Не знаю.")
    load("Борис", "boris@example.com", INDEPENDENT, "Не сталкивался.")

    assert not AnswerMatch.objects.exists()


def test_short_answers_and_quoted_questions_are_never_matched(questionnaire):
    # The same short answers, each after a quote of its question.
    first = f"> {QUESTION_1}\n\nДа, работал с этим."
    second = f"**{QUESTION_2}**\n\n{QUESTION_2.lower()} Нет опыта."
    load("Анна", "anna@example.com", first, second)
    load("Борис", "boris@example.com", first, second)

    assert not AnswerMatch.objects.exists()
    # Nothing to compare: no bands were stored for them either.
    assert not AnswerBand.objects.exists()


def test_the_same_answer_in_a_third_sheet_matches_both_earlier_ones(questionnaire):
    first = load("Анна", "anna@example.com", ORIGINAL)
    second = load("Борис", "boris@example.com", COPY)
    third = load("Вера", "vera@example.com", ORIGINAL)

    pairs = set(AnswerMatch.objects.values_list("answer_id", "other_answer_id"))

    assert (third[1].pk, first[1].pk) in pairs
    assert (third[1].pk, second[1].pk) in pairs
    assert (second[1].pk, first[1].pk) in pairs
    # The second question's answer is the same MEMORY text in all three sheets.
    assert (third[2].pk, first[2].pk) in pairs


def test_reimporting_an_unchanged_sheet_adds_nothing(questionnaire):
    load("Анна", "anna@example.com", ORIGINAL)
    load("Борис", "boris@example.com", COPY)
    before = (AnswerBand.objects.count(), AnswerMatch.objects.count())

    load("Борис", "boris@example.com", COPY)

    assert (AnswerBand.objects.count(), AnswerMatch.objects.count()) == before


def test_a_new_revision_replaces_the_bands_and_matches_of_the_earlier_one(questionnaire):
    original = load("Анна", "anna@example.com", ORIGINAL, "Не знаю.")
    first = load("Борис", "boris@example.com", COPY, "Не знаю.")

    revised = load("Борис", "boris@example.com", INDEPENDENT, "Не знаю.")

    assert revised[1].submission.revision == 2
    assert not AnswerMatch.objects.exists()
    assert not AnswerBand.objects.filter(answer=first[1]).exists()
    assert AnswerBand.objects.filter(answer=revised[1]).exists()
    assert AnswerBand.objects.filter(answer=original[1]).exists()


def test_one_persons_revisions_are_not_a_copy_of_each_other(questionnaire):
    load("Анна", "anna@example.com", ORIGINAL)
    load("Анна", "anna@example.com", COPY)

    assert not AnswerMatch.objects.exists()


def test_a_known_source_imported_first_is_matched_by_later_answers(questionnaire, tmp_path):
    path = tmp_path / "public.md"
    path.write_bytes(sheet("", "", ORIGINAL).replace(b"name: \nemail: \n", b""))
    call_command("import_answers", str(path), "--source", "Ответы с GitHub", "-v", "0")
    source_answer = SourceAnswer.objects.get(question__number="1")

    copy = load("Борис", "boris@example.com", COPY)

    match = AnswerMatch.objects.get(answer=copy[1])
    assert match.source_answer == source_answer
    assert match.other_answer is None
    assert source_answer.source.title == "Ответы с GitHub"
    assert source_answer.source.questionnaire == questionnaire
    assert not Candidate.objects.exclude(email="boris@example.com").exists()


def test_a_known_source_added_later_matches_the_answers_already_imported(questionnaire):
    copy = load("Борис", "boris@example.com", COPY)
    question = Question.objects.get(number="1")

    source = copying.add_known_source(
        questionnaire=questionnaire, title="Чат-бот", answers=[(question, ORIGINAL)]
    )

    match = AnswerMatch.objects.get()
    assert match.answer_id == copy[1].pk
    assert match.source_answer.source == source


def test_importing_the_same_source_again_changes_nothing(questionnaire, tmp_path):
    path = tmp_path / "public.md"
    path.write_bytes(sheet("x", "x@example.com", ORIGINAL))
    call_command("import_answers", str(path), "--source", "GitHub", "-v", "0")
    load("Борис", "boris@example.com", COPY)
    before = list(AnswerMatch.objects.values_list("pk", flat=True))

    call_command("import_answers", str(path), "--source", "GitHub", "-v", "0")

    assert list(AnswerMatch.objects.values_list("pk", flat=True)) == before
    assert SourceAnswer.objects.count() == 2


def test_a_source_without_a_questionnaire_fails_clearly(questionnaire, tmp_path):
    path = tmp_path / "public.md"
    path.write_text(f"# Что-то\n\n## 1. Вопрос без анкеты?\n\n{ORIGINAL}\n", encoding="utf-8")

    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_answers", str(path), "--source", "GitHub", stdout=out, stderr=err)

    assert "public.md: известному источнику нужна анкета" in err.getvalue()
    assert not KnownSource.objects.exists()


def test_anonymisation_removes_the_persons_bands_and_matches(questionnaire):
    load("Анна", "anna@example.com", ORIGINAL)
    copy = load("Борис", "boris@example.com", COPY)
    boris = copy[1].submission.candidate

    anonymize(boris, keep_answers=True, force=True)

    assert not AnswerMatch.objects.exists()
    assert not AnswerBand.objects.filter(answer__submission__candidate=boris).exists()
    assert AnswerBand.objects.exists()


def test_matches_for_reads_both_sides_of_a_pair_in_one_query(
    questionnaire, django_assert_num_queries
):
    original = load("Анна", "anna@example.com", ORIGINAL)
    copy = load("Борис", "boris@example.com", COPY)
    value = AnswerMatch.objects.get(answer=copy[1], other_answer=original[1]).similarity

    with django_assert_num_queries(1):
        found = copying.matches_for([original[1].pk, copy[1].pk, original[2].pk])

    assert found[original[1].pk][0] == copying.Match(original[1].pk, copy[1].pk, None, value)
    assert found[copy[1].pk][0] == copying.Match(copy[1].pk, original[1].pk, None, value)


def test_submissions_with_matches_are_the_ones_on_either_side(questionnaire):
    original = load("Анна", "anna@example.com", ORIGINAL, "Не знаю.")
    copy = load("Борис", "boris@example.com", COPY, "Не знаю.")
    other = load("Вера", "vera@example.com", INDEPENDENT, "Не знаю.")

    found = set(copying.submissions_with_matches().values_list("pk", flat=True))

    assert found == {original[1].submission_id, copy[1].submission_id}
    assert other[1].submission_id not in found


def test_many_identical_answers_keep_a_bounded_number_of_matches(questionnaire):
    for n in range(copying.CHECKED + 3):
        load(f"Кандидат {n}", f"c{n}@example.com", ORIGINAL, "Не знаю.")

    last = Answer.objects.filter(question__number="1").order_by("-pk").first()

    assert AnswerMatch.objects.filter(answer=last).count() == copying.CHECKED


def import_three(folder):
    """An original, its copy and an independent answer to question 1, in one folder
    (one import batch)."""
    for name, email, first in [
        ("Анна", "anna@example.com", ORIGINAL),
        ("Борис", "boris@example.com", COPY),
        ("Вера", "vera@example.com", INDEPENDENT),
    ]:
        (folder / f"{email}.md").write_bytes(sheet(name, email, first, "Не знаю."))
    call_command("import_answers", str(folder), "-v", "0")


def the_pair_of_three():
    """The stored pair ``import_three`` should give: the copy and the original."""
    first = {a.submission.candidate.email: a.pk for a in Answer.objects.filter(position=1)}
    original, copy = first["anna@example.com"], first["boris@example.com"]
    return {(max(original, copy), min(original, copy))}


def test_copies_within_one_import_batch_are_matched(questionnaire, tmp_path):
    # One folder, one batch: the pairs among its sheets are found in memory, before
    # their band hashes are written.
    import_three(tmp_path)

    pairs = set(AnswerMatch.objects.values_list("answer_id", "other_answer_id"))
    assert pairs == the_pair_of_three()
    assert AnswerBand.objects.count() == 3 * 32


def test_a_band_shared_within_a_batch_meets_at_most_per_band_others(monkeypatch):
    monkeypatch.setattr(copying, "PER_BAND", 3)
    bands = tuple(range(32))
    judged = [copying.NewText(1, "", "", bands, answer_id=pk) for pk in range(10, 20)]
    counts = defaultdict(lambda: defaultdict(int))

    copying._shared_among(judged, counts)

    assert dict(counts[0]) == {("a", 19): 32, ("a", 18): 32, ("a", 17): 32}
    assert dict(counts[9]) == {("a", 18): 32, ("a", 17): 32, ("a", 16): 32}
    assert all(len(met) == 3 for met in counts.values())


# -- find_copied_answers -------------------------------------------------------------------


def find(*args):
    out = io.StringIO()
    call_command("find_copied_answers", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def copied(questionnaire, settings):
    settings.LANGUAGE_CODE = "en"
    original = load("Анна", "anna@example.com", ORIGINAL, "Не знаю.")
    copy = load("Борис", "boris@example.com", COPY, "Не знаю.")
    question = Question.objects.get(number="2")
    copying.add_known_source(
        questionnaire=questionnaire,
        title="GitHub",
        url="https://example.com/answers",
        answers=[(question, MEMORY)],
    )
    load("Вера", "vera@example.com", INDEPENDENT, MEMORY)
    return original, copy


def test_command_prints_the_pairs_highest_first(copied):
    out = find()

    lines = out.splitlines()
    assert "question 2: #" in lines[0] and "Вера ~ source GitHub" in lines[0]
    assert lines[0].startswith("  100%")
    assert "question 1:" in lines[1] and "Борис ~ #" in lines[1] and "Анна" in lines[1]
    assert lines[-1] == "2 pairs"


def test_command_json_lists_pairs_and_a_summary(copied):
    original, copy = copied

    data = json.loads(find("--format", "json"))

    pair = next(p for p in data["pairs"] if p["answer_id"] == copy[1].pk)
    assert set(pair) == {"answer_id", "other_answer_id", "similarity", "question"}
    assert pair["other_answer_id"] == original[1].pk
    assert pair["question"] == "1"
    assert pair["similarity"] == AnswerMatch.objects.get(answer=copy[1]).similarity
    source = next(p for p in data["pairs"] if p["other_answer_id"] is None)
    assert source["similarity"] == 1.0
    assert source["source"]["title"] == "GitHub"
    assert source["source"]["url"] == "https://example.com/answers"
    assert data["summary"] == {
        "pairs": 2,
        "with_sources": 1,
        "answers": 3,
        "min_similarity": copying.THRESHOLD,
        "questionnaire": None,
        "vacancy": None,
    }


def test_command_filters_by_similarity_and_questionnaire(copied):
    other = Questionnaire.objects.create(title="Другая", slug="other")

    high = json.loads(find("--format", "json", "--min-similarity", "0.99"))
    none = json.loads(find("--format", "json", "--questionnaire", other.slug))
    this = json.loads(find("--format", "json", "--questionnaire", "copy"))

    assert [p["other_answer_id"] for p in high["pairs"]] == [None]
    assert none["pairs"] == []
    assert len(this["pairs"]) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--questionnaire", "nope"), "no questionnaire 'nope'"),
        (("--vacancy", "nope"), "no vacancy 'nope'"),
        (("--min-similarity", "1.5"), "1.5 is not a number from 0 to 1"),
        (("--min-similarity", "много"), "много is not a number from 0 to 1"),
    ],
)
def test_command_refuses_bad_options(db, settings, args, message):
    settings.LANGUAGE_CODE = "en"

    with pytest.raises(CommandError) as error:
        find(*args)

    assert message in str(error.value)


def test_command_refresh_finds_the_pairs_again(copied):
    before = sorted(AnswerMatch.objects.values_list("answer_id", "other_answer_id", "similarity"))
    AnswerBand.objects.all().delete()
    AnswerMatch.objects.all().delete()

    out = find("--refresh")

    after = sorted(AnswerMatch.objects.values_list("answer_id", "other_answer_id", "similarity"))
    assert after == before
    assert out.startswith("2 pairs found again")
    # A new answer meets the refreshed bands.
    gosha = load("Гоша", "gosha@example.com", COPY, "Не знаю.")
    assert AnswerMatch.objects.filter(answer=gosha[1]).count() == 2
