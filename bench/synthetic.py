"""Synthetic answer sheets for benchmarks: Russian text, 5-15 answers, 1-10 KB, in
several of the layouts real candidates use. Deterministic for a given seed.

Answers are written in word forms drawn from a few thousand (as people's answers are, with
the common words far more frequent), and 2% of them are an edited copy of one of a few
"public" answers to the same question: what finding copied answers meets in real files.
``narrow=True`` gives the first version's texts instead: random words from the 55 of
WORDS and the same two code blocks, so that nearly every answer shares LSH bands with
every other, the worst case for that lookup (docs/benchmarks.md, "Copied answers at
scale")."""

import functools
import random
from itertools import accumulate

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


# Endings that make word forms of the stems below (not all grammatical: what matters is
# how many different words there are and how often each comes).
_ENDINGS = ("", "а", "у", "ом", "е", "ы", "ов", "ами", "ах", "ой", "ей", "ие", "ий", "ая", "ых")
_COMMON = (
    "и в на с по для не что это как так уже где когда если чтобы мы я у из за от до при".split()
)
_STEMS = (
    "работ проект сервис баз запрос индекс оптимизаци код очеред задач клиент сервер тест "
    "деплой контейнер кластер ошибк профилировани фреймворк модел миграци транзакци кеш "
    "нагрузк метрик логировани генератор итератор декоратор класс функци модул пакет "
    "зависимост верси релиз команд ревью архитектур микросервис монолит интерфейс "
    "документаци пользовател памят процессор поток процесс блокировк соединени реплик "
    "шард партици схем нормализаци изоляци откат ветк линтер типизаци аннотаци корутин "
    "событи пул таймаут ретра контракт спецификаци аналитик алерт дашборд трейсинг "
    "инцидент постмортем дежурств флаг окружени конфигураци секрет сертификат "
    "балансировщик прокси бенчмарк регресси покрыти мок фикстур фабрик сериализаци "
    "вебхук вебсокет стриминг батч морфологи ранжировани рекомендаци биллинг платеж "
    "склад бронировани телеметри оркестраци инфраструктур квот лимит автоскейлинг "
    "продукт решени подход опыт практик компани врем данн систем бэкенд фронтенд "
    "сборк выпуск план оценк срок риск требовани прототип стенд мониторинг журнал "
    "отчёт выгрузк импорт экспорт парсер формат поле строк столбц таблиц связ ключ "
    "уровн доступ роль прав токен сесси кук заголов ответ статус маршрут обработчик"
).split()


@functools.cache
def _vocabulary():
    """Word forms and cumulative weights: the common words first, then stem + ending,
    weighted as text is (Zipf: the n-th most frequent word about 1/n as often)."""
    forms = _COMMON + [stem + ending for stem in _STEMS for ending in _ENDINGS]
    order = random.Random(19)
    tail = forms[len(_COMMON) :]
    order.shuffle(tail)
    forms = _COMMON + tail
    return forms, list(accumulate(1 / (rank + 2) for rank in range(len(forms))))


def _sentence(rng, narrow=True):
    if narrow:
        words = rng.choices(WORDS, k=rng.randint(6, 16))
    else:
        forms, weights = _vocabulary()
        words = rng.choices(forms, cum_weights=weights, k=rng.randint(6, 16))
    return " ".join(words).capitalize() + rng.choice([".", ".", ".", "!", "?"])


def _code(rng, narrow):
    if narrow:
        return "```python\ndef handler(event):\n    # обработка события\n    return event\n```"
    # People's code is their own: names and a body of their choosing.
    name, argument = rng.sample(_STEMS, 2)
    return f"```python\ndef {name}_{rng.randrange(100)}({argument}):\n    return {argument}\n```"


def _answer(rng, target_bytes, narrow=True):
    parts, size = [], 0
    while size < target_bytes:
        kind = rng.random()
        if kind < 0.1:
            block = _code(rng, narrow)
        elif kind < 0.18:
            block = "\n".join(f"{i}. {_sentence(rng, narrow)}" for i in range(1, rng.randint(3, 5)))
        elif kind < 0.22 and narrow:
            block = "```sql\nSELECT id, name FROM candidates WHERE created_at > now() - 1;\n```"
        elif kind < 0.22:
            table, column = rng.sample(_STEMS, 2)
            value = rng.randrange(1000)
            block = f"```sql\nSELECT {column}_id FROM {table}s WHERE {column} > {value};\n```"
        else:
            block = _sentence(rng, narrow)
        parts.append(block)
        size += len(block.encode("utf-8")) + 2
    return "\n\n".join(parts)


# Of the answers (not narrow): an edited copy of one of PUBLIC answers to the question.
COPY_RATE = 0.02
PUBLIC = 5


@functools.cache
def _public_answer(seed: int, number: int, k: int) -> str:
    return _answer(random.Random(f"{seed}-{number}-{k}"), 600, narrow=False)


def _copy(rng, seed, number):
    """A public answer after the copier's own first sentence, two sentences swapped."""
    sentences = _public_answer(seed, number, rng.randrange(PUBLIC)).split(". ")
    if len(sentences) > 2:
        i = rng.randrange(len(sentences) - 1)
        sentences[i], sentences[i + 1] = sentences[i + 1], sentences[i]
    return f"{_sentence(rng, narrow=False)}\n\n" + ". ".join(sentences)


def _question_block(layout, number, text):
    if layout == 0:
        return f"#### {number}. {text}"
    if layout == 1:
        return f"## Вопрос {number}\n\n{text}"
    if layout == 2:
        return f"**{number}. {text}**"
    return f"### {number}) {text}\n\n**Ответ:**"


def make_sheet(index: int, *, seed: int = 0, narrow: bool = False) -> tuple[str, bytes]:
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
        if not narrow and rng.random() < COPY_RATE:
            lines += [_copy(rng, seed, number), ""]
        else:
            lines += [_answer(rng, per_answer, narrow), ""]
    return f"candidate_{index:06}.md", "\n".join(lines).encode("utf-8")
