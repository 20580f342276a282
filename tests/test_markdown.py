"""interviews.sheets: the corpus in tests/data, decoding, bad input, the export round trip.

No database and no Django: these run with ``-p no:django`` as well as under pytest-django.
"""

from __future__ import annotations

import codecs
import dataclasses
import itertools
import pickle
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from interviews.sheets import (
    MAX_BYTES_DEFAULT,
    RULES,
    ParsedSheet,
    SheetError,
    analysis,
    decode,
    frontmatter,
    inline,
    label_number,
    labels,
    normalise_question,
    outline,
    parse,
    parse_bytes,
    patch,
    plan,
    render_sheet,
    try_parse_bytes,
)

DATA = Path(__file__).parent / "data"


def nonblank(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


def accounted_lines(sheet: ParsedSheet) -> list[str]:
    """The non-blank lines of every part of the sheet, in document order."""
    parts = [sheet.front_matter_source, sheet.preamble]
    for s in sheet.sections:
        parts += [s.question_source, s.body]
    parts.append(sheet.trailer)
    return [line for part in parts for line in nonblank(part)]


def load(name: str) -> ParsedSheet:
    return parse_bytes((DATA / name).read_bytes())


# ---------------------------------------------------------------------------------------------
# The corpus: one file per structure seen in real answer sheets.


@dataclass
class Case:
    file: str
    labels: list[str]
    numbers: list[str] | None = None  # default: the labels' digits
    title: str | None = None
    questions: dict[int, str] = field(default_factory=dict)  # section index -> question_text
    in_body: dict[int, list[str]] = field(default_factory=dict)
    preamble: list[str] = field(default_factory=list)
    trailer: list[str] = field(default_factory=list)
    warning: str | None = None  # a substring of one warning; None: no warnings at all
    encoding: str = "utf-8"
    rules: list[str] | None = None  # each section's rule (plan.RULES)
    trailer_rule: str | None = None
    sources: dict[int, str] = field(default_factory=dict)  # index -> question_source start
    groups: list[str] | None = None  # each section's topic
    review: str | None = None  # why it is not an answer sheet (analysis.review_reason)

    def __str__(self):
        return self.file


CASES = [
    Case(
        "headings_h4_seed_style.md",
        ["1.", "2.", "3.", "4.", "5."],
        title="ZvonokTest",
        questions={0: "Какой у вас опыт коммерческой разработки на Python?"},
        in_body={2: ["Django: 7/10, FastAPI: 6/10"], 4: ["около 50 ГБ"]},
        preamble=["# ZvonokTest", "## Ответы на вопросы"],
    ),
    Case(
        "mixed_levels.md",
        ["1.", "2.", "3.", "4.", "5.", "6."],
        title="Анкета Python-разработчика",
        questions={2: "Что такое GIL и когда он мешает?", 4: "Как устроен dict в CPython?"},
        in_body={1: ["factory-boy"], 3: ["ключ словаря"], 5: ["C3-линеаризация"]},
    ),
    Case(
        "numbering_no_space.md",
        ["1.", "2.", "3."],
        questions={0: "Какой у вас опыт работы с Django?", 2: "Что такое миграции данных?"},
        in_body={2: ["`RunPython`"]},
    ),
    Case(
        "numbering_dash.md",
        ["1 -", "2 –", "3 —", "4)"],
        ["1", "2", "3", "4"],
        questions={1: "Какой у вас стек?", 3: "Есть ли у вас вопросы к нам?"},
        in_body={1: ["немного Go"], 3: ["онбординг"]},
    ),
    Case(
        "subquestions_2_1.md",
        ["1.", "2.1", "2.2.", "3."],
        ["1", "2.1", "2.2", "3"],
        questions={2: "Как избегали двойного бронирования?"},
        in_body={1: ["(room_id, starts_at)"], 2: ["EXCLUDE USING gist"]},
    ),
    Case(
        "numbering_double_dot.md",
        ["8.", "9.", "10..", "11."],
        ["8", "9", "10", "11"],
        questions={2: "Какой ваш любимый инструмент отладки?"},
        in_body={2: ["pdb и логирование"]},
    ),
    Case(
        "numero_sign.md",
        ["№ 1", "№2.", "№ 3:"],
        ["1", "2", "3"],
        questions={0: "Что такое декоратор?", 2: "Чем процесс отличается от потока?"},
    ),
    Case(
        "hash_number.md",
        ["#1", "#2", "#3"],
        ["1", "2", "3"],
        title="",
        questions={1: "Как вы деплоите приложения?"},
        in_body={1: ["# собрать образ", "# выкатить", "docker compose up -d"]},
        preamble=["Ответы на анкету"],
        warning="questions taken from labelled lines",
    ),
    Case(
        "q_prefix.md",
        ["Q1.", "Q 2", "q3:"],
        ["1", "2", "3"],
        questions={0: "Что такое N+1 запрос?", 2: "Как найти медленный запрос?"},
    ),
    Case(
        "vopros_prefix.md",
        ["Вопрос 1.", "Вопрос №2:", "Вопрос 3:"],
        ["1", "2", "3"],
        questions={1: "Работали ли вы с очередями сообщений?"},
    ),
    Case(
        "zadanie_zadacha.md",
        ["Задание 1.", "Задача 2", "Обязательная задача 3"],
        ["1", "2", "3"],
        questions={
            0: "Напишите функцию, которая разворачивает строку",
            2: "Напишите SQL-запрос, который выберет пять самых дорогих заказов.",
        },
        in_body={
            0: ["### Решение", "return s[::-1]"],
            1: ["Решение задания 2", "Counter(items)"],
            2: ["LIMIT 5;"],
        },
    ),
    Case(
        "task_question_english.md",
        ["Task 1:", "Task #2", "Question 3 -"],
        ["1", "2", "3"],
        title="Backend developer questionnaire",
        questions={2: "What is your preferred way to handle configuration?"},
        in_body={0: ["### Answer", "throttling"], 1: ["Answer: a transaction"]},
    ),
    Case(
        "label_only_heading_paragraph.md",
        ["Q1", "Q2", "Q3"],
        ["1", "2", "3"],
        questions={0: "Какой у вас опыт работы с Docker?", 1: "Как вы храните секреты?"},
        in_body={0: ["multi-stage Dockerfile"], 1: ["Vault"], 2: ["контейнер жив"]},
    ),
    Case(
        "label_only_heading_blockquote.md",
        ["Вопрос 1", "Вопрос 2"],
        ["1", "2"],
        questions={
            0: "Опишите, как работает HTTPS. Какие ключи участвуют в рукопожатии?",
            1: "Что такое CORS?",
        },
        in_body={0: ["сеансовом ключе"]},
    ),
    Case(
        "label_only_heading_codefence.md",
        ["Задача 1", "Задача 2"],
        ["1", "2"],
        questions={0: "def f(xs=[]): xs.append(1) return xs"},
        in_body={0: ["Что выведет `print(f(), f())`?"], 1: ["больше десяти"]},
    ),
    Case(
        "answer_markers.md",
        ["1.", "2.", "3.", "4.", "5.", "6."],
        in_body={
            0: ["### Ответ", "отображает таблицы"],
            1: ["**Ответ:** чтобы не читать"],
            2: ["Ответ: группа операций"],
            3: ["#### Решение", "return a + b", "#### Дополнение к ответу", "утиная типизация"],
            4: [
                "Answer: versioned change of the schema.\n\n### Дополнение к ответу",
                "вместе с кодом",
            ],
            5: ["Решение задания 6", "готовится до теста"],
        },
    ),
    Case(
        "group_headings.md",
        ["1.1", "1.2", "2.1", "2.2"],
        questions={0: "Сколько лет опыта?", 2: "Что такое нормализация?"},
        in_body={1: ["Платёжный шлюз.", "## 2. Базы данных", "В этом разделе вопросы про SQL."]},
        preamble=["## 1. Общие вопросы"],
    ),
    Case(
        "multi_heading_question.md",
        ["1.", "2.", "3."],
        questions={
            1: "Вопрос про SQL Напишите запрос, который найдёт пользователей без заказов",
            2: "Вопрос про Python Чем отличается is от ==?",
        },
        in_body={1: ["LEFT JOIN orders"], 2: ["`is` сравнивает объекты"]},
    ),
    Case(
        "bold_lines.md",
        ["1.", "2.", "Q3."],
        ["1", "2", "3"],
        questions={
            0: "Какой у вас опыт в тестировании?",
            1: "Как вы относитесь к TDD, и применяете ли его?",
            2: "Что такое mock?",
        },
        in_body={0: ["pytest с фикстурами"], 1: ["сложной бизнес-логики"], 2: ["записывает"]},
        preamble=["Мои ответы"],
        warning="questions taken from labelled lines",
    ),
    Case(
        "plain_lines.md",
        ["Вопрос 1:", "Вопрос 2:", "Вопрос 3:"],
        ["1", "2", "3"],
        questions={1: "Готовы ли вы к командировкам?"},
        in_body={0: ["Ответ: около месяца."], 1: ["раз в квартал"], 2: ["гибрид"]},
        warning="questions taken from labelled lines",
    ),
    Case(
        "ordered_list_questions.md",
        ["1.", "2.", "3."],
        questions={0: "Что такое итератор?", 2: "Что такое генераторное выражение?"},
        in_body={1: ["1. определить `__iter__`", "2. определить `__next__`"], 2: ["range(10)"]},
        warning="questions taken from a numbered list",
    ),
    Case(
        "ordered_list_nested_answers.md",
        ["1.", "2.", "3."],
        questions={1: "Что такое Pod?"},
        in_body={0: ["через Helm"], 1: ["# минимальный манифест", "kind: Pod"]},
        warning="questions taken from a numbered list",
    ),
    Case(
        "code_tables_images_html.md",
        ["1.", "2.", "3.", "4."],
        title="ZvonokTest",
        in_body={
            0: ["-- самые активные пользователи", "Итог: чаще всего хватает ORM\n---"],
            1: ["# бэкап базы", "## 3. Это не вопрос, а комментарий в скрипте", "1. собрать дамп;"],
            2: [
                "| Django    | 8/10   |",
                "![схема архитектуры](docs/arch.png)",
                "<details>\n<summary>Подробнее</summary>",
            ],
            3: ["# комментарий не должен стать заголовком", "    #### 5. Отступ в четыре пробела"],
        },
    ),
    Case(
        "preamble_readme_trailer.md",
        ["1.", "2."],
        title="zvonok-test",
        in_body={1: ["телефонию для бизнеса"]},
        preamble=["## Установка", "# применить миграции", "## Ответы на вопросы"],
        trailer=["## License", "MIT", "## Контакты", "Telegram: @example_candidate"],
    ),
    Case(
        "unstructured.md",
        [""],
        title="",
        questions={0: ""},
        in_body={0: ["Здравствуйте!", "## О себе", "1. склонируйте репозиторий;", "Спасибо"]},
        warning="no question structure recognised",
        review=analysis.NO_STRUCTURE,
    ),
    # Files that are not answer sheets: imported only when accepted, marked for review.
    Case(
        "hello_only.md",
        [""],
        title="",
        in_body={0: ["hello"]},
        warning="no question structure recognised",
        review=analysis.NO_STRUCTURE,
    ),
    Case(
        "link_only.md",
        [""],
        title="",
        in_body={0: ["https://github.com/example-candidate/answers", "Ирина"]},
        warning="no question structure recognised",
        review=analysis.NO_STRUCTURE,
    ),
    Case(
        "readme_numbered_headings_cp1251.md",
        ["1.", "2.", "3.", "4.", "5."],
        title="Сервис уведомлений",
        questions={0: "Установка", 2: "Запуск", 4: "Лицензия"},
        in_body={0: ["pip install -r requirements.txt"], 2: ["uvicorn notify.main:app"]},
        preamble=["# Сервис уведомлений", "рассылает письма и SMS"],
        encoding="cp1251",
        review=analysis.NO_QUESTIONS,
    ),
    Case(
        "readme_setup_steps_crlf.md",
        ["1.", "2.", "3.", "4."],
        title="weather-cli",
        questions={0: "Clone the repository:", 3: "Run the tool:"},
        in_body={2: ["cp config.example.json config.json"]},
        preamble=["## Getting started"],
        trailer=["## Contributing", "## License"],
        warning="questions taken from a numbered list",
        review=analysis.NO_QUESTIONS,
    ),
    Case(
        "restart_numbering.md",
        ["1.", "2.", "1.", "2."],
        questions={2: "Что такое индекс?"},
        in_body={1: ["## Базы данных"], 3: ["мёртвых версий"]},
        preamble=["## Python"],
    ),
    Case(
        "unnumbered_mixed.md",
        ["1.", "", "2.", "", "3."],
        questions={1: "Почему вы хотите работать у нас?", 3: "Расскажите о себе"},
        in_body={1: ["сильная команда"], 3: ["настольные игры"]},
    ),
    Case(
        "front_matter.md",
        ["1.", "2."],
        title="ZvonokTest",
        in_body={0: ["Два года.\n\n---\n\nГоризонтальная черта выше"]},
    ),
    Case(
        "front_matter_alias_bomb.md",
        ["1."],
        questions={0: "Что это за файл?"},
        warning="front matter uses YAML aliases",
    ),
    Case(
        "english_readme.md",
        ["1.", "2.", "3."],
        title="Take-home assignment",
        questions={0: "How would you scale this service?"},
        in_body={2: ["cache hit ratio"]},
        preamble=["Run it with `flask run`.", "## Questions and answers"],
        trailer=["## License", "MIT"],
    ),
    Case(
        "question_mark_headings.md",
        ["", "", ""],
        title="Собеседование",
        questions={0: "Какой у вас опыт с Python?", 2: "Что вы ждёте от новой работы?"},
        in_body={1: ["по скраму"]},
        warning="questions taken from headings ending with '?'",
    ),
    Case(
        "setext_headings.md",
        ["Вопрос 1.", "Вопрос 2."],
        ["1", "2"],
        title="Ответы кандидата",
        questions={1: "Что такое идемпотентность?"},
        in_body={1: ["PUT и DELETE"]},
    ),
    Case("crlf.md", ["1.", "2."], in_body={1: ["core.autocrlf input`."]}),
    Case(
        "html_ordered_list.md",
        ["1.", "2.", "3.", "4."],
        questions={0: "Что такое GIL и когда он мешает?", 3: "Как найти медленный запрос?"},
        in_body={
            0: ["Мешает CPU-bound коду"],
            1: ["<code>yield</code>", '<h2>Базы данных</h2>\n<ol start="3">'],
            2: ["<li>Serializable</li>"],
        },
        preamble=["<h1>Анкета backend-разработчика</h1>", "<h2>Python</h2>\n<ol>"],
        warning="questions taken from an HTML ordered list",
    ),
    Case(
        "html_headings_crlf.md",
        ["1.", "2.", "3."],
        questions={
            0: "What happens when you type a URL into the browser?",
            2: "What is an idempotent request?",
        },
        in_body={0: ["the browser renders"], 1: ["<code>.env</code>"], 2: ["POST is not"]},
        preamble=["<p>My answers, one heading per question.</p>"],
        trailer=["<h2>Useful links</h2>", "MDN"],
    ),
    Case(
        "html_unclosed_nested_cp1251.md",
        ["1.", "2.", "7.", "8."],
        questions={1: "Как вы тестируете код?", 2: "Что вы знаете о Celery?"},
        in_body={
            0: ["<li>уровень 4 <i>не закрыт", "![диаграмма сервиса](img/service.png)"],
            1: ["<b>80%</p></b>", "![отчёт покрытия](img/coverage.png)"],
            2: ["RabbitMQ</div>"],
            3: ["Хочу больше backend-задач."],
        },
        warning="questions taken from an HTML ordered list",
        encoding="cp1251",
    ),
    Case(
        "html_question_headings_en.md",
        ["", "", ""],
        questions={0: "Why do you want to work with us?", 2: "How does CSS specificity work?"},
        in_body={
            0: ["I like the product"],
            1: ["<li>drain the microtasks</li>"],
            2: ["ids beat classes", "![specificity chart](specificity.png)"],
        },
        preamble=["<h1>Frontend interview answers</h1>"],
        warning="questions taken from HTML headings ending with '?'",
    ),
    Case(
        "cp1251.md",
        ["1.", "2.", "3."],
        questions={1: "Почему вы сохранили файл в cp1251?"},
        in_body={2: ["ClickHouse для аналитики."]},
        encoding="cp1251",
    ),
    Case(
        "koi8r.md",
        ["1.", "2.", "3."],
        questions={1: "Почему этот файл в кодировке КОИ-8?"},
        encoding="koi8_r",
    ),
    Case(
        "utf16_bom.md",
        ["1.", "2."],
        title="Ответы",
        in_body={1: ['```python\nprint("привет")\n```']},
        encoding="utf-16",
    ),
    Case("utf8_bom.md", ["1.", "2."], title="Ответы", encoding="utf-8-sig"),
    Case(
        "nfd.md",
        ["1.", "2."],
        questions={0: "Какой у вас опыт?"},
        in_body={0: ["Опыт — 5 лет, из них 2 года в банке."]},
    ),
    # Numbered lines under topic headings: "2.What" with no space is no list item.
    Case(
        "topics_numbered_lines.md",
        ["1.", "2.", "3.", "4.", "5.", "6."],
        title="DevOps interview answers",
        questions={
            0: "What is a database index and when does it hurt?",
            1: "What are the isolation levels in PostgreSQL?",
            4: "How would you roll back a failed deployment?",
        },
        sources={0: "## DATABASES\n\n1. What", 1: "2.What", 3: "## KUBERNETES", 5: "## LINUX"},
        in_body={0: ["It hurts writes"], 1: ["Read uncommitted"], 4: ["readiness probe"]},
        preamble=["# DevOps interview answers", "Answers by Jane Doe."],
        warning="questions taken from numbered lines",
        rules=["numbered-line"] * 6,
        groups=["DATABASES"] * 3 + ["KUBERNETES"] * 2 + ["LINUX"],
    ),
    Case(
        "topics_ru_crlf.md",
        ["1.", "2.", "3.", "4.", "5."],
        questions={
            1: "Чем список отличается от кортежа?",
            2: "Опишите, как работает составной индекс.",
        },
        sources={0: "## Python", 2: "## Базы данных", 3: "4.Какие", 4: "## Git"},
        in_body={0: ["байткод исполняет один поток"], 3: ["serializable"], 4: ["git revert HEAD"]},
        preamble=["Подготовил: Иван Петров"],
        warning="questions taken from numbered lines",
        rules=["numbered-line"] * 5,
        groups=["Python", "Python", "Базы данных", "Базы данных", "Git"],
    ),
    Case(
        "topics_cp1251.md",
        ["1.", "2.", "3.", "4."],
        questions={1: "Чем TCP отличается от UDP?", 3: "Что такое blue-green деплой?"},
        sources={0: "## СЕТИ", 2: "## ДЕПЛОЙ"},
        in_body={1: ["зато быстрее"], 2: ["1. собираем образ в CI;", "3. переключаем трафик."]},
        preamble=["Иван Сидоров, ответы на анкету"],
        warning="questions taken from numbered lines",
        encoding="cp1251",
        rules=["numbered-line"] * 4,
        groups=["СЕТИ", "СЕТИ", "ДЕПЛОЙ", "ДЕПЛОЙ"],
    ),
    # A project generator's README below the answers is the trailer, not more answers.
    Case(
        "trailer_create_react_app.md",
        ["1.", "2.", "3."],
        title="Answers to the questions",
        in_body={2: ["Playwright"]},
        trailer=["## Available Scripts", "### `npm start`", "## Learn More", "fails to minify"],
        warning="project boilerplate after the answers ('Available Scripts')",
        rules=["numbered-heading"] * 3,
        trailer_rule="generator-boilerplate",
    ),
    Case(
        "trailer_vue_crlf.md",
        ["1.", "2.", "3."],
        questions={2: "Что бы вы сделали иначе?"},
        in_body={2: ["отдельный модуль"]},
        trailer=["### Project setup", "npm run serve", "### Customize configuration"],
        warning="project boilerplate after the answers ('Project setup')",
        rules=["list-item"] * 3,
        groups=["", "", ""],
        trailer_rule="generator-boilerplate",
    ),
    Case(
        # The generator's headings at the questions' own level: Angular CLI's README.
        "trailer_angular_same_level.md",
        ["1.", "2.", "3."],
        title="Тестовое задание: Frontend",
        questions={2: "Почему в задании использован OnPush?"},
        in_body={2: ["на длинном списке это заметно быстрее"]},
        trailer=["## Development server", "## Code scaffolding", "## Further help"],
        warning="project boilerplate after the answers ('Development server')",
        rules=["numbered-heading"] * 3,
        trailer_rule="generator-boilerplate",
    ),
    Case(
        "trailer_ru_cp1251.md",
        ["Вопрос 1", "Вопрос 2", "Вопрос 3"],
        title="Тестовое задание: сервис заметок",
        questions={2: "Что вы не успели сделать?"},
        in_body={2: ["Пагинацию по курсору"]},
        trailer=["## Доступные скрипты", "### `npm start`", "## Узнать больше"],
        warning="project boilerplate after the answers ('Доступные скрипты')",
        encoding="cp1251",
        rules=["numbered-heading"] * 3,
        trailer_rule="generator-boilerplate",
    ),
]


def test_every_corpus_file_has_a_case():
    files = {p.name for p in DATA.glob("*.md")}

    assert files == {c.file for c in CASES}
    assert len(files) >= 34


@pytest.mark.parametrize("case", CASES, ids=str)
def test_corpus_file_reads_as_expected(case: Case):
    sheet = load(case.file)

    assert [s.label for s in sheet.sections] == case.labels
    numbers = case.numbers or [label_number(label) for label in case.labels]
    assert [s.number for s in sheet.sections] == numbers
    assert sheet.encoding == case.encoding
    if case.title is not None:
        assert sheet.title == case.title
    for i, text in case.questions.items():
        assert sheet.sections[i].question_text == text
    for i, snippets in case.in_body.items():
        for snippet in snippets:
            assert snippet in sheet.sections[i].body, (i, snippet)
            others = [s.body for n, s in enumerate(sheet.sections) if n != i]
            assert not any(snippet in body for body in others), snippet
    for snippet in case.preamble:
        assert snippet in sheet.preamble
    for snippet in case.trailer:
        assert snippet in sheet.trailer
        assert not any(snippet in s.body for s in sheet.sections)
    if case.warning is None:
        assert sheet.warnings == ()
    else:
        assert any(case.warning in w for w in sheet.warnings), sheet.warnings
    for i, start in case.sources.items():
        assert sheet.sections[i].question_source.startswith(start), i
    if case.rules is not None:
        assert [s.rule for s in sheet.sections] == case.rules
    if case.trailer_rule is not None:
        assert sheet.trailer_rule == case.trailer_rule
    if case.groups is not None:
        assert [s.group for s in sheet.sections] == case.groups


@pytest.mark.parametrize("case", CASES, ids=str)
def test_corpus_file_is_an_answer_sheet_or_needs_review(case: Case):
    result = analysis.analyse_bytes((DATA / case.file).read_bytes(), max_bytes=MAX_BYTES_DEFAULT)

    assert result.review == case.review


@pytest.mark.parametrize(
    ("text", "review"),
    [
        # Numbered parts that ask, set a task or carry a word label: an answer sheet.
        ("## 1. Опыт\nТри года\n## 2. Стек\nDjango\n## 3. Есть ли у вас вопросы\nНет", None),
        ("## 1. Напишите функцию\nreturn 1\n## 2. Стек\nDjango", None),
        ("## 1. Explain the GIL\nA lock\n## 2. Stack\nDjango", None),
        ("## 1. How do you deploy\nHelm\n## 2. Stack\nGo", None),
        ("## Задача 1\n```\nSELECT 1\n```\nОтвет: 1", None),
        ("**Q1.** Stack\nDjango\n\n**Q2.** Databases\nPostgreSQL", None),
        # A how-to's steps and topics: none asks.
        ("## 1. Установка\npip install\n## 2. Запуск\nmake run", analysis.NO_QUESTIONS),
        ("1. Clone it\n\n   git clone x\n2. Run it\n\n   make run", analysis.NO_QUESTIONS),
        ("Привет! Ответы пришлю завтра.", analysis.NO_STRUCTURE),
        ("## О проекте\nСервис\n## Лицензия\nMIT", analysis.NO_STRUCTURE),
        # Front matter that names the candidate: made for the import, whatever its shape.
        ("---\nname: Иван\n---\n## 1. Опыт\nТри года", None),
        ("---\nemail: ivan@example.com\n---\nПривет", None),
        ("---\nname:\n---\nПривет", analysis.NO_STRUCTURE),
        ("---\nlayout: page\n---\n## 1. Установка\npip\n## 2. Запуск\nrun", analysis.NO_QUESTIONS),
    ],
)
def test_not_an_answer_sheet_when_nothing_reads_as_a_question(text, review):
    assert analysis.review_reason(parse(text)) == review


@pytest.mark.parametrize("case", CASES, ids=str)
def test_every_line_of_a_corpus_file_is_accounted_for_once(case: Case):
    sheet = load(case.file)

    assert accounted_lines(sheet) == nonblank(sheet.text)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_sections_point_at_their_lines(case: Case):
    sheet = load(case.file)
    lines = sheet.text.split("\n")

    for s in sheet.sections:
        if s.question_source:
            assert lines[s.line - 1] == s.question_source.split("\n")[0]
        if s.body:
            assert lines[s.body_line - 1] == s.body.split("\n")[0]
        assert s.body_line > s.line or not s.question_source


@pytest.mark.parametrize("case", CASES, ids=str)
def test_outline_line_ranges_hold_each_part_and_name_known_rules(case: Case):
    sheet = load(case.file)
    lines = sheet.text.split("\n")

    parts = outline(sheet)

    texts = [sheet.front_matter_source, sheet.preamble]
    texts += [t for s in sheet.sections for t in (s.question_source, s.body)]
    texts.append(sheet.trailer)
    assert ["\n".join(lines[p.first - 1 : p.last]) for p in parts] == [t for t in texts if t]
    assert all(p.rule in RULES for p in parts if p.rule)
    assert all(p.rule for p in parts if p.kind != "answer")


@pytest.mark.parametrize("case", CASES, ids=str)
def test_question_text_is_not_repeated_in_the_body(case: Case):
    sheet = load(case.file)

    for s in sheet.sections:
        if s.question_text:
            assert s.question_source
            assert s.question_source.split("\n")[0] not in s.body


# ---------------------------------------------------------------------------------------------
# Structure details


def test_hash_line_inside_code_fence_is_not_a_heading():
    sheet = parse("### 1. Вопрос\n```bash\n# комментарий\n## 2. Тоже не вопрос\n```\n### 2. Q\nA")

    assert [s.number for s in sheet.sections] == ["1", "2"]
    assert "## 2. Тоже не вопрос" in sheet.sections[0].body
    assert "# комментарий" in sheet.sections[0].body


def test_indented_code_is_not_a_heading():
    sheet = parse("#### 1. Вопрос\nТекст:\n\n    #### 2. код\n\n#### 3. Вопрос\nОтвет")

    assert [s.number for s in sheet.sections] == ["1", "3"]
    assert "    #### 2. код" in sheet.sections[0].body


def test_group_heading_is_not_a_question():
    sheet = load("group_headings.md")

    assert "Базы данных" not in [s.question_text for s in sheet.sections]
    assert all("Общие вопросы" not in s.question_text for s in sheet.sections)


def test_answer_marker_heading_stays_in_the_answer():
    sheet = parse("### 1. Что такое ORM?\n### Ответ\nСлой над SQL.\n### 2. Что такое SQL?\nЯзык")

    assert [s.number for s in sheet.sections] == ["1", "2"]
    assert sheet.sections[0].body == "### Ответ\nСлой над SQL."


def test_deeper_unnumbered_heading_is_part_of_the_answer():
    sheet = parse("## 1. Вопрос\nОтвет.\n### Подробности\nЕщё текст.\n## 2. Вопрос\nОтвет 2.")

    assert len(sheet.sections) == 2
    assert "### Подробности\nЕщё текст." in sheet.sections[0].body


def test_paragraph_underlined_with_dashes_stays_in_an_atx_answer():
    sheet = parse(
        "### 1. Вопрос\nТекст\n\n### 2. Вопрос\nМой вывод\n---\nЕщё текст\n## License\nMIT"
    )

    assert sheet.sections[1].body == "Мой вывод\n---\nЕщё текст"
    assert sheet.trailer == "## License\nMIT"


def test_unnumbered_sibling_heading_with_its_own_text_is_a_question():
    sheet = parse("## 1. Опыт?\nДа.\n## Расскажите о себе\nЛюблю горы.\n## 2. Стек?\nDjango.")

    assert [s.question_text for s in sheet.sections] == ["Опыт?", "Расскажите о себе", "Стек?"]


def test_unnumbered_sibling_heading_right_above_a_question_is_a_section_title():
    sheet = parse("## 1. Опыт?\nДа.\n## Базы данных\n## 2. Индексы?\nB-tree.")

    assert [s.number for s in sheet.sections] == ["1", "2"]
    assert sheet.sections[0].body == "Да.\n## Базы данных"


def test_label_only_heading_takes_the_question_from_the_next_paragraph():
    sheet = parse("## Q3\n\nКак работает GIL?\n\nОн один на процесс.")
    (s,) = sheet.sections

    assert (s.label, s.number, s.question_text) == ("Q3", "3", "Как работает GIL?")
    assert s.question_source == "## Q3\n\nКак работает GIL?"
    assert s.body == "Он один на процесс."
    assert s.body_line == 5


def test_numbered_steps_of_a_howto_are_not_questions():
    sheet = parse("## Запуск\n\n1. склонируйте репозиторий;\n2.выполните `make run`;\n3. готово")

    assert [s.label for s in sheet.sections] == [""]
    assert any("no question structure recognised" in w for w in sheet.warnings)


def test_numbered_lines_without_answers_below_are_not_questions():
    sheet = parse("## Темы\n\n1.Что такое GIL?\n2.Что такое asyncio?\n3.Что такое CI?")

    assert [s.label for s in sheet.sections] == [""]


def test_numbered_line_out_of_order_stays_in_the_answer():
    text = "1. Что такое индекс?\nСтруктура.\n\n5.Как его выбрать?\nПо запросам.\n\n"
    sheet = parse(text + "2.Что такое VACUUM?\nЧистка.\n\n3.Что такое WAL?\nЖурнал.")

    assert [s.label for s in sheet.sections] == ["1.", "2.", "3."]
    assert "5.Как его выбрать?" in sheet.sections[0].body


def test_numbering_starts_again_under_a_topic_heading():
    sheet = parse(
        "## SQL\n1. What is a join?\nA.\n2.Why index?\nB.\n## Go\n1. What is a goroutine?\nC."
    )

    assert [s.label for s in sheet.sections] == ["1.", "2.", "1."]
    assert sheet.sections[2].question_source == "## Go\n1. What is a goroutine?"


def test_title_above_the_first_numbered_line_stays_the_title():
    sheet = parse("# Answers\n\n1. What is a join?\nRows.\n\n2.Why an index?\nSpeed.")

    assert sheet.title == "Answers"
    assert sheet.preamble == "# Answers"
    assert sheet.sections[0].question_source == "1. What is a join?"


def test_generator_heading_among_the_questions_is_still_a_question():
    sheet = parse(
        "## 1. Helm?\nДа.\n## Deployment\nCanary.\n## 2. CI?\nGitHub.\n## Learn More\nDocs."
    )

    assert [s.question_text for s in sheet.sections] == ["Helm?", "Deployment", "CI?"]
    assert sheet.sections[1].rule == "sibling-heading"
    assert sheet.trailer == "## Learn More\nDocs."
    assert sheet.trailer_rule == "generator-boilerplate"


def test_label_only_heading_without_text_warns():
    sheet = parse("## Вопрос 1\n### Ответ\nДа.\n## Вопрос 2\nКак дела?\n\nХорошо.")

    assert sheet.sections[0].question_text == ""
    assert "### Ответ" in sheet.sections[0].body
    assert any("line 1" in w and "'Вопрос 1'" in w for w in sheet.warnings)


def test_label_only_heading_question_stops_at_the_line_that_asks():
    sheet = parse("## Q2\nКак вы храните секреты?\nВ Vault.\n## Q3\nЧто такое TLS?\n\nШифрование.")

    assert [s.question_text for s in sheet.sections] == [
        "Как вы храните секреты?",
        "Что такое TLS?",
    ]
    assert [s.body for s in sheet.sections] == ["В Vault.", "Шифрование."]


def test_label_only_bold_line_takes_the_question_from_the_next_line():
    sheet = parse(
        "**Вопрос 1**\nЧто такое CORS?\nМеханизм браузера.\n\n"
        "**Вопрос 2**\n\n> Что такое CSRF?\n\nПодделка запроса."
    )

    assert [s.question_text for s in sheet.sections] == ["Что такое CORS?", "Что такое CSRF?"]
    assert [s.body for s in sheet.sections] == ["Механизм браузера.", "Подделка запроса."]
    assert sheet.sections[1].question_source == "**Вопрос 2**\n\n> Что такое CSRF?"


def test_readme_headings_do_not_hide_labelled_lines():
    sheet = parse(
        "# Анкета\n## О себе\nПривет.\n\n**1. Опыт?**\nТри года.\n\n**2. Стек?**\nDjango."
    )

    assert [s.label for s in sheet.sections] == ["1.", "2."]
    assert sheet.preamble == "# Анкета\n## О себе\nПривет."
    assert sheet.title == "Анкета"


def test_headings_under_the_answers_heading_are_questions_without_numbers():
    sheet = parse("# Иван\n## Ответы на вопросы\n#### Опыт\nТри года.\n#### Стек\nDjango.")

    assert [s.question_text for s in sheet.sections] == ["Опыт", "Стек"]
    assert any("under 'Ответы на вопросы'" in w for w in sheet.warnings)


def test_bold_numbered_lines_are_ignored_when_there_are_numbered_headings():
    sheet = parse("### 1. Вопрос\n**1. Шаг первый**\n**2. Шаг второй**\n### 2. Вопрос\nОтвет")

    assert [s.number for s in sheet.sections] == ["1", "2"]
    assert "**2. Шаг второй**" in sheet.sections[0].body


def test_plain_numbers_in_paragraphs_are_not_labels():
    sheet = parse("1.5 года опыта.\n\n2024 год был удачным.\n\n12:30 — обед.")

    assert [s.label for s in sheet.sections] == [""]
    assert any("no question structure" in w for w in sheet.warnings)


def test_numbered_steps_alone_are_not_questions():
    sheet = parse("Как запустить:\n\n1. склонировать\n2. запустить `make`\n")

    assert [s.label for s in sheet.sections] == [""]


def test_answer_list_items_do_not_become_questions():
    sheet = parse(
        "1. Первый вопрос?\n\nОтвет.\n\n2. Второй вопрос?\n\nШаги:\n\n1. а\n2. б\n3. в\n\n"
        "3. Третий вопрос?\n\nОтвет три."
    )

    assert [s.question_text for s in sheet.sections] == [
        "Первый вопрос?",
        "Второй вопрос?",
        "Третий вопрос?",
    ]
    assert "1. а\n2. б\n3. в" in sheet.sections[1].body


def test_trailer_starts_at_a_higher_unnumbered_heading_after_the_last_answer():
    sheet = parse("## Ответы\n### 1. Вопрос\nОтвет\n## Как запустить\n`make run`")

    assert sheet.sections[-1].body == "Ответ"
    assert sheet.trailer == "## Как запустить\n`make run`"


def test_same_level_boilerplate_heading_after_the_last_answer_is_trailer():
    sheet = parse("#### 1. Вопрос\nОтвет\n#### Контакты\nemail@example.com")

    assert sheet.sections[0].body == "Ответ"
    assert sheet.trailer == "#### Контакты\nemail@example.com"


def test_title_is_the_first_level_one_heading_before_the_questions():
    assert parse("Текст\n# Заголовок\n## 1. Вопрос\nОтвет").title == "Заголовок"
    assert parse("## 1. Вопрос\nОтвет\n# Не заголовок").title == ""


def test_unstructured_document_is_one_unlabelled_section():
    sheet = load("unstructured.md")
    (s,) = sheet.sections

    assert (s.label, s.number, s.question_text, s.question_source) == ("", "", "", "")
    assert s.body == sheet.text.strip()
    assert (s.line, s.body_line) == (1, 1)
    assert sheet.preamble == sheet.trailer == ""
    assert sheet.warnings == (
        "line 1: no question structure recognised; "
        "the whole document is kept as one unlabelled answer",
    )


def test_empty_question_body_starts_after_the_question():
    sheet = parse("## 1. Вопрос\n## 2. Вопрос\nОтвет")

    assert sheet.sections[0].body == ""
    assert sheet.sections[0].body_line == 2


# ---------------------------------------------------------------------------------------------
# Front matter


# Sheets written in HTML (interviews/sheets/html.py)


def test_html_items_of_a_nested_ordered_list_are_part_of_the_answer():
    sheet = parse(
        "<ol>\n<li>Как вы деплоите?\n<ol>\n<li>собираю образ\n<li>выкатываю\n</ol>\n"
        "<li>Как вы откатываете?\n<p>Предыдущим образом.\n</ol>\n"
    )

    assert [s.label for s in sheet.sections] == ["1.", "2."]
    assert "<li>выкатываю" in sheet.sections[0].body


def test_html_steps_that_neither_ask_nor_hold_answers_are_not_questions():
    sheet = parse("<ol>\n<li>склонируйте репозиторий</li>\n<li>выполните make run</li>\n</ol>\n")

    assert [s.label for s in sheet.sections] == [""]
    assert any("no question structure recognised" in w for w in sheet.warnings)


def test_html_heading_left_open_or_closed_by_another_level_ends_where_browsers_end_it():
    sheet = parse("<h2>1. Первый вопрос?</h3>\n<p>Да.\n<h2>2. Второй вопрос?\n<p>Нет.\n")

    assert [s.question_text for s in sheet.sections] == ["Первый вопрос?", "Второй вопрос?"]
    assert [s.body for s in sheet.sections] == ["<p>Да.", "<p>Нет."]


def test_html_second_question_on_the_line_of_the_first_stays_in_it_with_a_warning():
    sheet = parse("<ol>\n<li>Один?</li><li>Два?</li>\n<li>Три?</li>\n</ol>\n")

    assert [s.question_text for s in sheet.sections] == ["Один?", "Три?"]
    assert any("a second question on the line of the one before" in w for w in sheet.warnings)
    assert accounted_lines(sheet) == nonblank(sheet.text)


def test_html_tag_left_open_to_the_end_swallows_the_rest_as_browsers_do():
    sheet = parse("<ol>\n<li>Первый?\n<p>ответ <a href='x\n<li>Второй?\n<p>ответ\n</ol>\n")

    assert [s.question_text for s in sheet.sections] == ["Первый?"]
    assert accounted_lines(sheet) == nonblank(sheet.text)


def test_html_stray_item_end_tag_leaves_the_inner_list_open():
    sheet = parse(
        "<ol>\n<li>Первый?\n<ul></li>\n<li>пункт ответа\n</ul>\n<li>Второй?\n<p>да\n</ol>\n"
    )

    assert [s.question_text for s in sheet.sections] == ["Первый?", "Второй?"]
    assert "<li>пункт ответа" in sheet.sections[0].body


def test_html_script_in_a_question_is_not_its_text():
    sheet = parse("<ol>\n<li>What is XSS?<script>alert(1)</script>\n<p>An attack.\n</ol>\n")

    assert sheet.sections[0].question_text == "What is XSS?"


def test_markdown_heading_after_an_html_sheet_starts_the_trailer():
    sheet = parse("<ol>\n<li>Первый?\n<p>да\n</ol>\n\n## License\n\nMIT\n")

    assert sheet.sections[0].body == "<p>да\n</ol>"
    assert sheet.trailer == "## License\n\nMIT"


def test_html_tags_count_towards_the_element_cap():
    # The whole list is one HTML block to markdown-it: one element without its tags.
    data = ("<ol>\n" + "".join(f"<li>Вопрос {n}?</li>\n" for n in range(12))).encode()

    with pytest.raises(SheetError, match="too much Markdown structure"):
        parse_bytes(data, max_elements=10)
    assert len(parse_bytes(data, max_elements=30).sections) == 12


def test_an_html_tag_of_hundreds_of_thousands_of_attributes_takes_little_memory():
    # The tokenizer's start-tag expression keeps state per attribute: 110 MB for this one.
    text = "<div>\n<a" + " b" * 200_000 + ">\n"

    tracemalloc.start()
    try:
        sheet = parse(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert peak < 20 * 1024 * 1024
    assert accounted_lines(sheet) == nonblank(sheet.text)


def test_front_matter_keys_are_lower_cased_and_block_kept_verbatim():
    sheet = load("front_matter.md")

    assert sheet.front_matter == {
        "name": "Пётр Иванов",
        "email": "petr.ivanov@example.com",
        "telegram": "@petr_dev",
        "vacancy": "python-backend",
    }
    assert sheet.front_matter_source.startswith("---\nName: Пётр Иванов\n")
    assert sheet.front_matter_source.endswith("Vacancy: python-backend\n---")
    assert "Name:" not in sheet.preamble


def test_yaml_alias_bomb_is_not_expanded():
    sheet = load("front_matter_alias_bomb.md")

    assert sheet.front_matter == {}
    assert sheet.front_matter_source.startswith("---\na: &a")
    assert sheet.front_matter_source.endswith("*c]\n---")


@pytest.mark.parametrize(
    ("source", "warning"),
    [
        ("---\n- a\n- b\n---\n## 1. Q\nA", "not a mapping"),
        ("---\nname: [unclosed\n---\n## 1. Q\nA", "not valid YAML"),
        ("---\n" + "[" * 5000 + "\n---\n## 1. Q\nA", "front matter"),
    ],
    ids=["list", "invalid", "deeply-nested"],
)
def test_unusable_front_matter_is_kept_as_text_with_a_warning(source, warning):
    sheet = parse(source)

    assert sheet.front_matter == {}
    assert sheet.front_matter_source == source.split("\n---\n")[0] + "\n---"
    assert any(warning in w for w in sheet.warnings), sheet.warnings
    assert [s.number for s in sheet.sections] == ["1"]


def test_unclosed_dashes_at_the_top_are_not_front_matter():
    sheet = parse("---\nname: x\n## 1. Вопрос\nОтвет")

    assert (sheet.front_matter, sheet.front_matter_source) == ({}, "")
    assert accounted_lines(sheet) == nonblank(sheet.text)


def test_front_matter_only_document_is_empty():
    sheet = parse("---\nname: x\n---\n\n")

    assert sheet.front_matter == {"name": "x"}
    assert sheet.sections == ()
    assert sheet.warnings == ("empty document",)


# ---------------------------------------------------------------------------------------------
# Decoding and bad input


@pytest.mark.parametrize(
    ("file", "encoding"),
    [
        ("headings_h4_seed_style.md", "utf-8"),
        ("utf8_bom.md", "utf-8-sig"),
        ("utf16_bom.md", "utf-16"),
        ("cp1251.md", "cp1251"),
        ("koi8r.md", "koi8_r"),
    ],
)
def test_decode_names_the_encoding_and_gives_the_same_text(file, encoding):
    text, found = decode((DATA / file).read_bytes())

    assert found == encoding
    assert "Ответ" in text or "Анкета" in text
    assert "\ufeff" not in text and "\r" not in text


def test_decoded_cp1251_equals_the_utf8_original():
    data = (DATA / "cp1251.md").read_bytes()

    assert decode(data)[0] == data.decode("cp1251")
    assert decode(data.decode("cp1251").encode("utf-8")) == (data.decode("cp1251"), "utf-8")


def test_crlf_and_cr_become_lf():
    assert decode(b"a\r\nb\rc\n")[0] == "a\nb\nc\n"
    assert "\r" not in load("crlf.md").text


def test_decomposed_letters_are_composed():
    raw = (DATA / "nfd.md").read_bytes().decode("utf-8")
    sheet = load("nfd.md")

    assert "и\u0306" in raw
    assert "\u0306" not in sheet.text
    assert "Какой" in sheet.text
    assert normalise_question(sheet.sections[0].question_text) == normalise_question(
        "Какой у вас опыт"
    )


def test_non_breaking_spaces_become_spaces():
    text = load("nfd.md").text

    assert "\u00a0" not in text and "\u202f" not in text
    assert "Опыт — 5 лет, из них 2 года" in text


def test_empty_input_is_not_an_error():
    assert decode(b"") == ("", "utf-8")
    for name in ("empty.md", "whitespace_only.md"):
        sheet = parse_bytes((DATA / "bad" / name).read_bytes())
        assert sheet.sections == ()
        assert sheet.warnings == ("empty document",)


def test_nul_bytes_are_a_binary_file():
    with pytest.raises(SheetError, match=r"^binary file \(NUL bytes at offset 46\)$"):
        parse_bytes((DATA / "bad" / "nul_bytes.md").read_bytes())


def test_png_is_a_binary_file():
    with pytest.raises(SheetError, match=r"^binary file \(PNG image\)$"):
        parse_bytes((DATA / "bad" / "png_header.md").read_bytes())


def test_png_without_its_signature_is_still_binary():
    data = (DATA / "bad" / "png_header.md").read_bytes()[8:]

    with pytest.raises(SheetError, match="NUL bytes at offset 0"):
        decode(data)


def test_nul_characters_in_utf16_are_a_binary_file():
    with pytest.raises(SheetError, match="NUL characters"):
        decode("текст\x00".encode("utf-16"))


def test_utf16_with_bom_is_not_mistaken_for_nul_bytes():
    data = codecs.BOM_UTF16_BE + "## 1. Q\nA".encode("utf-16-be")

    assert b"\x00" in data
    assert decode(data) == ("## 1. Q\nA", "utf-16")


def test_invalid_utf8_after_a_bom_is_an_error():
    with pytest.raises(SheetError, match="UTF-8 byte order mark"):
        decode(b"\xef\xbb\xbf# \xff\xfe\xfd")


CUT_OFF = "## 1. Вопрос?\nОтвет: да"


@pytest.mark.parametrize(
    ("data", "encoding", "name", "offset"),
    [
        # 36 bytes in UTF-8, the last character ("а") two of them.
        (CUT_OFF.encode()[:-1], "utf-8", "UTF-8", 34),
        (CUT_OFF.encode()[:-2] + "€".encode()[:2], "utf-8", "UTF-8", 34),
        (codecs.BOM_UTF8 + CUT_OFF.encode()[:-1], "utf-8-sig", "UTF-8", 37),
        # 48 bytes in UTF-16, the byte order mark included.
        (CUT_OFF.encode("utf-16")[:-1], "utf-16", "UTF-16", 46),
    ],
    ids=["utf-8", "utf-8-three-byte", "utf-8-bom", "utf-16"],
)
def test_a_file_cut_off_in_its_last_character_is_read_with_a_warning(data, encoding, name, offset):
    sheet = parse_bytes(data)

    assert sheet.encoding == encoding
    assert sheet.sections[0].body == "Ответ: д\ufffd"
    assert sheet.warnings[0] == (
        f"the file ends in the middle of a {name} character at byte offset {offset} (cut off, "
        "as by a download that stopped short); that character is replaced with \ufffd"
    )


def test_a_character_cut_off_before_the_end_is_still_an_error():
    data = CUT_OFF.encode()[:-1] + b"\n" + "конец".encode()

    with pytest.raises(SheetError, match="cannot decode the file: not UTF-8"):
        parse_bytes(data)


def test_bytes_in_no_cyrillic_code_page_are_an_error():
    with pytest.raises(SheetError, match="cannot decode the file"):
        decode(bytes(range(1, 256)) * 4)


def test_too_large_file_is_refused_before_decoding():
    data = b"\x00" * int(3.1 * 1024 * 1024)

    with pytest.raises(SheetError, match=r"^file is 3\.1 MB, over the 2\.0 MB limit$"):
        parse_bytes(data)
    with pytest.raises(SheetError, match=r"^file is 2 bytes, over the 1 byte limit$"):
        parse_bytes(b"12", max_bytes=1)
    assert MAX_BYTES_DEFAULT == 2 * 1024 * 1024


def test_sheet_error_message_is_one_line():
    for data in (b"\x00", b"\x89PNG\r\n\x1a\n", bytes(range(1, 256)) * 4, b"\xef\xbb\xbf\xff"):
        try:
            parse_bytes(data)
        except SheetError as exc:
            assert "\n" not in str(exc) and str(exc)
        else:
            pytest.fail(f"no SheetError for {data[:8]!r}")


def test_try_parse_bytes_returns_the_error_instead_of_raising():
    assert isinstance(try_parse_bytes(b"\x00"), SheetError)
    assert try_parse_bytes(b"## 1. Q\nA").sections[0].body == "A"


def test_parsed_sheet_survives_pickling_for_worker_processes():
    sheet = load("front_matter.md")

    assert pickle.loads(pickle.dumps(sheet)) == sheet
    assert str(pickle.loads(pickle.dumps(SheetError("binary file")))) == "binary file"


def test_parse_given_a_str_normalises_it_and_has_no_encoding():
    sheet = parse("## 1. Q\r\nМои\u0306 ответ\r\n")

    assert sheet.encoding == ""
    assert sheet.text == "## 1. Q\nМой ответ\n"
    assert sheet.sections[0].body == "Мой ответ"


# ---------------------------------------------------------------------------------------------
# Matching helpers


def test_normalise_question_ignores_case_yo_punctuation_and_markup():
    assert normalise_question("  **Ёлка**, `ёж` —   ЧТО это?! ") == "елка еж что это"
    assert normalise_question("Какие СУБД\nиспользовали?") == normalise_question(
        "какие субд использовали"
    )


@pytest.mark.parametrize(
    ("label", "number"),
    [
        ("1.", "1"),
        ("2.1.", "2.1"),
        ("10..", "10"),
        ("Вопрос №03:", "3"),
        ("Task #1", "1"),
        ("Q 7", "7"),
        ("№ 4", "4"),
        ("", ""),
        ("Ответ", ""),
    ],
)
def test_label_number(label, number):
    assert label_number(label) == number


# ---------------------------------------------------------------------------------------------
# The seed: a real answer sheet


def test_seed_sheet_has_seven_answers(seed_sheet):
    sheet = parse_bytes(seed_sheet.read_bytes())

    assert sheet.title == "ZvonokTest"
    assert [s.number for s in sheet.sections] == [str(n) for n in range(1, 8)]
    assert "FastAPI: 8/10" in sheet.sections[2].body
    assert sheet.warnings == ()
    assert accounted_lines(sheet) == nonblank(sheet.text)


# ---------------------------------------------------------------------------------------------
# Hostile input: never crash, never lose text, stay linear


@pytest.mark.parametrize(
    "source",
    [
        "- " * 10_000 + "x",
        "1. " * 10_000 + "x",
        ">" * 10_000 + " x",
        "[" * 50_000,
        "*a" * 20_000,
        "\n".join("  " * i + "- x" for i in range(400)),
        "```\n" + "## 1. Q\n" * 1000,
    ],
    ids=["bullets", "ordered", "quotes", "brackets", "emphasis", "indented-lists", "open-fence"],
)
def test_pathological_nesting_keeps_every_line(source):
    sheet = parse(source)

    assert accounted_lines(sheet) == nonblank(sheet.text)
    assert sheet.sections


def test_recursion_error_in_markdown_it_falls_back_to_one_section(monkeypatch):
    def explode(*args, **kwargs):
        raise RecursionError

    monkeypatch.setattr(patch.MD, "parse", explode)

    sheet = parse("## 1. Вопрос\nОтвет")

    assert [s.body for s in sheet.sections] == ["## 1. Вопрос\nОтвет"]
    assert any("nested too deeply" in w for w in sheet.warnings)


def test_a_hundred_thousand_headings_are_all_read():
    # How parse time grows with size is measured by bench/parse_scaling.py, not here.
    big = "\n".join(f"## {i % 100 + 1}. Вопрос {i}\nОтвет {i}" for i in range(1, 100_001))

    parsed = parse(big)

    assert len(parsed.sections) == 100_000
    assert parsed.sections[-1].body == "Ответ 100000"


# What one file may cost: parse_bytes refuses files over a cap on Markdown elements or on
# lines, whatever their shape (parse() of a str has no caps). Speed is measured by
# bench/parse_scaling.py; these check structure and memory.

TWO_MB = 2 * 1024 * 1024
PAD = "слово " * 8


def two_megabytes(unit) -> bytes:
    """``unit(0) + unit(1) + ...`` up to 2 MB."""
    out, size = [], 0
    for i in itertools.count():
        piece = unit(i).encode()
        if size + len(piece) > TWO_MB:
            return b"".join(out)
        out.append(piece)
        size += len(piece)
    raise AssertionError  # unreachable: count() never ends


HEADING_RUNS = {
    "setext": lambda i: f"Q{i}\n---\nx\n",
    "continued": lambda i: "## 1. Вопрос\n" if i == 0 else f"## часть {i}\n",
    "tiny": lambda i: "#\n",
    # Longer lines, so that the line cap leaves them to the element cap.
    "setext-long-lines": lambda i: f"Q{i} {PAD}\n---\n{PAD}\n",
    "numbered-long-lines": lambda i: f"## {i % 999 + 1}. Вопрос {i}?\n{PAD}\n",
}


@pytest.mark.parametrize("unit", HEADING_RUNS.values(), ids=HEADING_RUNS.keys())
def test_two_megabytes_of_headings_are_refused_by_a_cap(unit):
    data = two_megabytes(unit)

    with pytest.raises(SheetError, match=r"^too (many lines|much Markdown structure)"):
        parse_bytes(data)


def test_refusing_two_megabytes_of_headings_takes_less_than_100_mb():
    data = two_megabytes(HEADING_RUNS["continued"])

    tracemalloc.start()
    try:
        with pytest.raises(SheetError, match="too much Markdown structure"):
            parse_bytes(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert peak < 100 * 1024 * 1024


def test_two_megabytes_of_continued_headings_under_the_caps_are_one_question():
    data = two_megabytes(lambda i: "## 1. Вопрос\n" if i == 0 else f"## часть {i} {PAD}{PAD}\n")
    parts = data.count(b"\n") - 1

    sheet = parse_bytes(data)

    assert [s.number for s in sheet.sections] == ["1"]
    question = sheet.sections[0].question_text
    assert question.startswith(f"Вопрос часть 1 {PAD}")
    assert question.endswith(f"часть {parts} {PAD}{PAD}".rstrip())
    assert accounted_lines(sheet) == nonblank(sheet.text)


def test_a_file_over_the_element_cap_is_refused_naming_the_cap():
    with pytest.raises(
        SheetError, match=r"^too much Markdown structure to analyse: more than 10 elements "
    ):
        parse_bytes(b"## 1. Q\n" * 11, max_elements=10)


def test_a_file_at_the_element_cap_is_read():
    sheet = parse_bytes(b"".join(b"## %d. Q\n" % n for n in range(1, 11)), max_elements=10)

    assert len(sheet.sections) == 10


def test_reference_definitions_count_towards_the_element_cap():
    # markdown-it keeps them in its env, not as tokens.
    data = b"".join(b"[r%d]: /u\n" % n for n in range(11))

    with pytest.raises(SheetError, match="too much Markdown structure"):
        parse_bytes(data, max_elements=10)


def test_lines_of_a_paragraph_read_for_labels_count_towards_the_element_cap():
    # One paragraph is one block; reading its lines for labels makes a token or two each.
    data = b"".join(f"Вопрос {n}: да\n".encode() for n in range(1, 9))

    with pytest.raises(SheetError, match="too much Markdown structure"):
        parse_bytes(data, max_elements=10)
    assert len(parse_bytes(data, max_elements=20).sections) == 8


def test_inline_markup_of_a_paragraph_read_for_labels_counts_towards_the_element_cap():
    # Each "[" looks for its closing bracket: costly long before it makes a token.
    data = "Вопрос 1: {}\n".format("[" * 20).encode()

    with pytest.raises(SheetError, match="too much Markdown structure"):
        parse_bytes(data, max_elements=10)
    assert parse_bytes(data, max_elements=30).sections[0].number == "1"


def test_a_file_over_the_line_cap_is_refused_naming_the_cap():
    with pytest.raises(SheetError, match=r"^too many lines: more than 10;"):
        parse_bytes(b"a" + b"\n" * 10, max_lines=10)
    assert parse_bytes(b"a" + b"\n" * 9, max_lines=10).sections[0].body == "a"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(alphabet=st.sampled_from(list("#>-*`1.2) \n\tQ№Вопрос?|[]!~_:\r\u00a0")), max_size=400)
)
def test_any_text_parses_without_losing_a_line(source):
    sheet = parse(source)

    assert accounted_lines(sheet) == nonblank(sheet.text)
    assert sheet.sections or sheet.warnings == ("empty document",) or sheet.front_matter_source


# ---------------------------------------------------------------------------------------------
# Export round trip


def test_render_sheet_writes_the_canonical_layout():
    text = render_sheet(
        title="ZvonokTest",
        sections=[("1", "Какой опыт?", "Два года."), ("", "Бонус", "Ответ\n\n```py\nx = 1\n```")],
        front_matter={"name": "Иван"},
    )

    assert text == (
        "---\nname: Иван\n---\n# ZvonokTest\n\n## Ответы на вопросы\n"
        "#### 1. Какой опыт?\nДва года.\n\n"
        "#### Бонус\nОтвет\n\n```py\nx = 1\n```\n\n"
    )


def test_render_sheet_round_trips_a_parsed_corpus_file():
    sheet = load("answer_markers.md")
    items = [(s.number, s.question_text, s.body) for s in sheet.sections]

    again = parse(render_sheet(title=sheet.title, sections=items))

    assert [(s.number, s.question_text, s.body.strip()) for s in again.sections] == items
    assert again.warnings == ()


WORDS = [
    "опыт",
    "Python",
    "работы",
    "как",
    "почему",
    "SQL",
    "Django",
    "`dict`",
    "GIL",
    "asyncio",
    "индексы",
    "команде",
    "CI",
    "ваш",
    "очереди",
]
BODY_PIECES = [
    "Два года коммерческой разработки.",
    "**Ответ:** да.",
    "Ответ: нет.\nВторая строка ответа.",
    "- пункт один\n- пункт два",
    "1. шаг\n2. шаг",
    "```bash\n# комментарий\necho ok\n## 1. не заголовок\n```",
    "```sql\nSELECT 1;\n```",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "> цитата",
    "![схема](img.png)",
    "<details>\nтекст\n</details>",
    "##### Подробнее",
    "#### Дополнение к ответу",
    "Итог\n---",
    "---",
    "    indented code",
]

questions = st.builds(
    lambda words, ask: " ".join(words) + ("?" if ask else ""),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=6),
    st.booleans(),
)
bodies = st.lists(st.sampled_from(BODY_PIECES), max_size=4).map("\n\n".join)
numbers = st.sampled_from(["1", "2", "3", "7", "10", "2.1", "3.2", ""])
front_matters = st.none() | st.dictionaries(
    st.sampled_from(["name", "email", "telegram", "vacancy"]),
    st.sampled_from([*WORDS, "---", "...", "x\n---\ny", "yes", "007"])
    | st.integers(0, 100)
    | st.lists(st.sampled_from(WORDS), max_size=3),
    min_size=1,
)


@st.composite
def sheets(draw):
    items = draw(st.lists(st.tuples(numbers, questions, bodies), min_size=1, max_size=6))
    # render_sheet's documented limit: after an empty answer to a question without "?", an
    # unnumbered heading reads as the second line of that question.
    for i in range(1, len(items)):
        number, question, body = items[i]
        _, before, before_body = items[i - 1]
        if not number and not before_body and not before.endswith("?"):
            items[i] = ("5", question, body)
    title = " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3)))
    return title, items, draw(front_matters)


@settings(max_examples=200, deadline=None)
@given(sheets())
def test_render_then_parse_gives_back_the_sections(sheet):
    title, items, front_matter = sheet

    parsed = parse(render_sheet(title=title, sections=items, front_matter=front_matter))

    got = [(s.number, s.question_text, s.body.strip()) for s in parsed.sections]
    assert got == [(n, q, b.strip()) for n, q, b in items]
    assert parsed.title == title
    assert parsed.front_matter == (front_matter or {})
    assert accounted_lines(parsed) == nonblank(parsed.text)


def test_accounted_lines_notices_a_lost_line():
    sheet = load("preamble_readme_trailer.md")
    broken = dataclasses.replace(sheet, trailer="## License")

    assert accounted_lines(broken) != nonblank(broken.text)


# ---------------------------------------------------------------------------------------------
# Speed-ups that must not change a result: the tuned markdown-it and the shortcuts past it

PLAIN_MD = MarkdownIt("commonmark").enable("table")
MARKDOWN_PIECES = [
    *["# ", "## 1. ", "#### ", "Вопрос 2: ", "Q3 ", "№ 4", "&#49;. ", "Ответ", "text", "?"],
    *["**", "*", "_", "__", "`", "``", "\\", "[x]", "](/u)", "[x]: /url", "![alt](i.png)"],
    *["<div>", "</div>", "<!-- c -->", "<http://a.b>", "&amp;", "~~", "|", "| a | b |"],
    *["|---|:-:|", "```", "~~~", "> ", "- ", "* ", "+ ", "1. ", "2) ", "10. ", "---", "==="],
    *["    ", "  ", " ", "\t", "\n", "\n", "\n\n", "\u00a0", "\u2003", "\x00"],
]
markdown_texts = st.lists(st.sampled_from(MARKDOWN_PIECES), max_size=60).map("".join)


def without_children(tokens):
    return [t.as_dict(filter=lambda key, _: key != "children") for t in tokens]


def assert_tokens_as_plain_markdown_it(text: str) -> None:
    env: dict = {}
    tokens = patch.MD.parse(text, env)
    plain = PLAIN_MD.parse(text)

    assert without_children(tokens) == without_children(plain)
    doc = plan.Doc(text.split("\n"), tokens, 0, env)
    for ours, theirs in zip(tokens, plain, strict=True):
        if ours.type != "inline":
            continue
        assert doc.inline_lines(ours) == inline.inline_lines(theirs.children)
        if ours.children:  # parsed rather than read by _simple_inline_lines
            assert [c.as_dict() for c in ours.children] == [c.as_dict() for c in theirs.children]
        if not labels.MAY_HOLD_LABEL.search(ours.content):
            assert all(labels.line_label(line) is None for line in doc.inline_lines(ours))


@pytest.mark.parametrize(
    "path",
    [*sorted(DATA.glob("*.md")), *sorted(Path(__file__).parent.parent.glob("examples/*.md"))],
    ids=lambda p: p.name,
)
def test_tuned_markdown_it_reads_a_corpus_file_as_plain_markdown_it(path):
    assert_tokens_as_plain_markdown_it(decode(path.read_bytes())[0])


@pytest.mark.parametrize(
    "source",
    [
        "- " * 200 + "x",
        "1. " * 200 + "x",
        ">" * 200 + " x",
        "[" * 2_000,
        "*a" * 2_000,
        "\n".join("  " * i + "- x" for i in range(60)),
        "```\n" + "## 1. Q\n" * 50,
        "a\r\nb\rc\x00",
        "**&#xBEF;. Вопрос?**\nОтвет\n\nВопрос &#xBEF;: как?",  # a Tamil 9, no ASCII digit
        "| a | b |\n|---|---|\n| 1 | 2 |\n> | c |\n> |---|",
        "a\n****\n> b\n- - -\n- c\n___\n- " + "- " * 200 + "x",  # breaks interrupting
    ],
)
def test_tuned_markdown_it_reads_hostile_input_as_plain_markdown_it(source):
    assert_tokens_as_plain_markdown_it(source)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdown_texts)
def test_tuned_markdown_it_reads_any_markdown_as_plain_markdown_it(text):
    assert_tokens_as_plain_markdown_it(text)


INLINE_ALPHABET = list("aЯ1 .?:-#$+=>@{}()|*_`[]!<&~\\\t\u00a0\u2003\u3000\x1c\u2028")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(INLINE_ALPHABET), max_size=12), st.booleans())
def test_inline_shortcut_reads_as_markdown_it(text, bold):
    content = f"**{text}**" if bold else text

    simple = inline.simple_inline_lines(content)

    if simple is not None:
        expected = inline.inline_lines(PLAIN_MD.parseInline(content)[0].children)
        assert simple == expected


YAML_KEYS = ["name", "Email", "tg_nick", "x-y", "yes", "No", "on", "OFF", "null", "True", "y"]
YAML_PIECES = ["Анна", "Orlova", " ", "  ", "@", ".", "_", "+", "-", "1", "0x1F", "e5", ".inf"]
YAML_PIECES += ["yes", "No", "null", "~", ":", "#", "'", "&", "*", "!", "|", ">", "%", ",", "["]
YAML_PIECES += ["=", "<<", "\t", "½", "٣", "\u00a0", "\u2028", "\x85", "1:30", "2024-01-01"]
yaml_lines = st.builds(
    "{}:{}{}".format,
    st.sampled_from(YAML_KEYS),
    st.sampled_from(["", " ", "   "]),
    st.lists(st.sampled_from(YAML_PIECES), min_size=1, max_size=4).map("".join),
)


@settings(max_examples=500, deadline=None)
@given(st.lists(yaml_lines, min_size=1, max_size=3).map("\n".join))
def test_plain_front_matter_shortcut_reads_as_yaml(source):
    fast = frontmatter._plain_yaml(source)

    if fast is not None:
        loaded = yaml.load(source, Loader=frontmatter._YAML_LOADER)
        assert list(fast.items()) == list(loaded.items())
        assert all(type(k) is str and type(v) is str for k, v in loaded.items())


@given(st.text())
def test_collapse_shortcut_is_split_and_join(text):
    assert inline.collapse(text) == " ".join(text.split())


def test_files_analysed_together_are_each_analysed_as_alone(monkeypatch):
    files = sorted(DATA.glob("*.md")) + sorted((DATA / "bad").iterdir())
    datas = [path.read_bytes() for path in files]
    alone = [analysis.analyse_bytes(data, max_bytes=MAX_BYTES_DEFAULT) for data in datas]
    # Small passes, so that the files' answers are hashed in several of them.
    monkeypatch.setattr(analysis, "_BANDS_BATCH_CHARS", 2000)
    together = analysis.analyse_many(datas, max_bytes=MAX_BYTES_DEFAULT)

    def same(result):  # a refusal (an exception) by its message
        return str(result) if isinstance(result, SheetError) else result

    assert list(map(same, together)) == list(map(same, alone))
    refused = [r for r in together if isinstance(r, SheetError)]
    analysed = [r for r in together if not isinstance(r, SheetError)]
    assert refused and analysed
    for result in analysed:
        assert result.fingerprints == analysis.section_fingerprints(result.sheet)
        assert len(result.fingerprints) == len(result.sheet.sections)
    assert any(any(found) for found in (r.fingerprints for r in analysed))
    without = analysis.analyse_many(datas, max_bytes=MAX_BYTES_DEFAULT, fingerprints=False)
    assert [getattr(r, "fingerprints", None) for r in without] == [None] * len(datas)
