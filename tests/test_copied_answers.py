"""Copied answers found at import and against known sources (interviews.copying), with
written examples, in the database."""

import pytest

from interviews.importing import import_bytes
from interviews.models import Answer, AnswerMatch, Question, Questionnaire

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
