"""Synthetic answer sheets for benchmarks: Russian text, 5-15 answers, 1-10 KB, in
several of the layouts real candidates use. Deterministic for a given seed."""

import random

FIRST = [
    "Иван",
    "Мария",
    "Алексей",
    "Ольга",
    "Тимур",
    "Екатерина",
    "Дмитрий",
    "Анна",
    "Сергей",
    "Наталья",
    "Артём",
    "Юлия",
    "Никита",
    "Ксения",
    "Глеб",
    "Полина",
]
LAST = [
    "Соколов",
    "Кузнецова",
    "Гареев",
    "Морозова",
    "Волков",
    "Лебедева",
    "Новиков",
    "Павлова",
    "Фёдоров",
    "Орлова",
    "Зайцев",
    "Белова",
    "Ершов",
    "Комарова",
]
WORDS = (
    "опыт работа проект сервис база данных запрос индекс оптимизация асинхронный код "
    "очередь задача клиент сервер тест деплой контейнер кластер ошибка профилирование "
    "фреймворк модель миграция транзакция кеширование нагрузка метрика логирование "
    "генератор итератор декоратор класс функция модуль пакет зависимость версия релиз "
    "команда ревью архитектура микросервис монолит интерфейс документация пользователь "
    "производительность память процессор поток процесс блокировка соединение"
).split()
QUESTIONS = [
    "Какой у вас опыт коммерческой разработки на Python?",
    "Приходилось ли оптимизировать Python код? Какие инструменты использовали?",
    "Какие фреймворки вы использовали в работе и как оцениваете свой уровень?",
    "Есть ли понимание принципов асинхронного программирования?",
    "С какими СУБД работали и каков максимальный размер базы?",
    "Какой опыт работы с Docker и Kubernetes?",
    "Какой ещё язык программирования вам интересен и почему?",
    "Как вы организуете тестирование своего кода?",
    "Расскажите о самой сложной ошибке, которую вы искали.",
    "Как вы проводите код-ревью?",
    "Какие паттерны проектирования применяли на практике?",
    "Как вы подходите к логированию и мониторингу сервисов?",
    "Работали ли вы с очередями сообщений? С какими?",
    "Как вы оцениваете сроки задач?",
    "Почему вы хотите работать у нас?",
]


def _sentence(rng):
    words = rng.choices(WORDS, k=rng.randint(6, 16))
    return " ".join(words).capitalize() + rng.choice([".", ".", ".", "!", "?"])


def _answer(rng, target_bytes):
    parts, size = [], 0
    while size < target_bytes:
        kind = rng.random()
        if kind < 0.1:
            block = "```python\ndef handler(event):\n    # обработка события\n    return event\n```"
        elif kind < 0.18:
            block = "\n".join(f"{i}. {_sentence(rng)}" for i in range(1, rng.randint(3, 5)))
        elif kind < 0.22:
            block = "```sql\nSELECT id, name FROM candidates WHERE created_at > now() - 1;\n```"
        else:
            block = _sentence(rng)
        parts.append(block)
        size += len(block.encode("utf-8")) + 2
    return "\n\n".join(parts)


def _question_block(layout, number, text):
    if layout == 0:
        return f"#### {number}. {text}"
    if layout == 1:
        return f"## Вопрос {number}\n\n{text}"
    if layout == 2:
        return f"**{number}. {text}**"
    return f"### {number}) {text}\n\n**Ответ:**"


def make_sheet(index: int, *, seed: int = 0) -> tuple[str, bytes]:
    """(file name, bytes) of the index-th synthetic sheet."""
    rng = random.Random(seed * 1_000_003 + index)
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    count = rng.randint(5, 15)
    numbers = sorted(rng.sample(range(1, 16), count))
    # Requested size; headings, code and lists add ~40%, for 1-10 KB files averaging ~5 KB.
    size = rng.randint(700, 6 * 1024)
    per_answer = max(40, (size - 400) // count)
    layout = rng.randrange(4)
    lines = [
        "---",
        f"name: {name}",
        f"email: candidate{seed}x{index}@example.com",
        "---",
        "# Ответы на анкету",
        "",
    ]
    for number in numbers:
        lines += [_question_block(layout, number, QUESTIONS[number - 1]), ""]
        lines += [_answer(rng, per_answer), ""]
    return f"candidate_{index:06}.md", "\n".join(lines).encode("utf-8")
