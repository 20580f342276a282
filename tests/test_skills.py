"""interviews.sheets.skills: self-assessed ratings and years of experience read from answer text.

No database and no Django: these run with ``-p no:django`` as well as under pytest-django.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interviews.sheets.skills import Claim, extract_claims, normalise_skill

ROOT = Path(__file__).resolve().parent.parent


def summary(text: str) -> list[tuple[str, float | None, int | None, float | None]]:
    return [(c.skill, c.value, c.scale, c.years) for c in extract_claims(text)]


@pytest.fixture
def seed_answers(seed_sheet) -> dict[int, str]:
    parts = re.split(r"^#### (\d+)\.", seed_sheet.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return {int(number): body for number, body in zip(parts[1::2], parts[2::2], strict=True)}


# ---------------------------------------------------------------------------------------------
# Written examples: the exact claims, in text order.

CLAIMS = [
    pytest.param("FastAPI: 8/10", [("FastAPI", 8.0, 10, None)], id="colon-slash"),
    pytest.param("FastAPI — 8 из 10", [("FastAPI", 8.0, 10, None)], id="dash-iz"),
    pytest.param("Django 4/10", [("Django", 4.0, 10, None)], id="bare-slash"),
    pytest.param(
        "С Django работал в двух проектах, уровень 7 из 10",
        [("Django", 7.0, 10, None)],
        id="uroven-takes-nearest-preceding-skill",
    ),
    pytest.param(
        "Я бы оценил себя на 7 из 10 в Python",
        [("Python", 7.0, 10, None)],
        id="rating-then-v-skill",
    ),
    pytest.param(
        "оцениваю свой уровень в Django на 6/10", [("Django", 6.0, 10, None)], id="otsenivayu-na"
    ),
    pytest.param("Python: 4 out of 5", [("Python", 4.0, 5, None)], id="out-of-5"),
    pytest.param("Docker 80%", [("Docker", 80.0, 100, None)], id="percent"),
    pytest.param("Docker на 80%", [("Docker", 80.0, 100, None)], id="percent-na"),
    pytest.param("TypeScript: 6.5/10", [("TypeScript", 6.5, 10, None)], id="decimal-point"),
    pytest.param("Django 7,5/10", [("Django", 7.5, 10, None)], id="decimal-comma"),
    pytest.param("Django: 5 из 5 баллов", [("Django", 5.0, 5, None)], id="full-marks-ballov"),
    pytest.param(
        "Django: 7/10, FastAPI: 5/10, Flask: 3/10",
        [("Django", 7.0, 10, None), ("FastAPI", 5.0, 10, None), ("Flask", 3.0, 10, None)],
        id="comma-list-of-three",
    ),
    pytest.param(
        "FastAPI 8/10 — Flask 7/10",
        [("FastAPI", 8.0, 10, None), ("Flask", 7.0, 10, None)],
        id="dash-list-of-two",
    ),
    pytest.param(
        "- Django: 7/10\n- FastAPI 5/10",
        [("Django", 7.0, 10, None), ("FastAPI", 5.0, 10, None)],
        id="markdown-list",
    ),
    pytest.param("| Django | 8/10 |", [("Django", 8.0, 10, None)], id="table-row"),
    pytest.param("**Redis**: 9/10", [("Redis", 9.0, 10, None)], id="bold-name"),
    pytest.param(
        "Постгрес — 7/10, редис 5/10",
        [("PostgreSQL", 7.0, 10, None), ("Redis", 5.0, 10, None)],
        id="russian-slang",
    ),
    pytest.param("с кубером 3 из 5", [("Kubernetes", 3.0, 5, None)], id="kuber-instrumental"),
    pytest.param("PG: 7/10", [("PostgreSQL", 7.0, 10, None)], id="pg-next-to-rating"),
    pytest.param("C++: 3/10", [("C++", 3.0, 10, None)], id="c-plus-plus"),
    pytest.param("Django 4.2: 7/10", [("Django", 7.0, 10, None)], id="version-then-rating"),
    pytest.param(
        "Python: 8/10 и 9/10 по алгоритмам",
        [("Python", 8.0, 10, None)],
        id="one-rating-per-mention",
    ),
    pytest.param("Python — 3 года", [("Python", None, None, 3.0)], id="dash-years"),
    pytest.param("Python 3 года опыта", [("Python", None, None, 3.0)], id="years-opyta"),
    pytest.param("опыт с Django 2 года", [("Django", None, None, 2.0)], id="opyt-s"),
    pytest.param(
        "Опыт работы на Python более 3 лет", [("Python", None, None, 3.0)], id="bolee-let"
    ),
    pytest.param("Python 3-х лет", [("Python", None, None, 3.0)], id="3-kh-let"),
    pytest.param("3+ years of Python", [("Python", None, None, 3.0)], id="years-of"),
    pytest.param(
        "I have 5 years of experience with Python",
        [("Python", None, None, 5.0)],
        id="years-of-experience-with",
    ),
    pytest.param("Go: полгода", [("Go", None, None, 0.5)], id="go-polgoda"),
    pytest.param("go: полгода", [("Go", None, None, 0.5)], id="lowercase-go-in-russian"),
    pytest.param("Golang 2 года", [("Go", None, None, 2.0)], id="golang"),
    pytest.param("полтора года на FastAPI", [("FastAPI", None, None, 1.5)], id="poltora-na"),
    pytest.param("два года пишу на Django", [("Django", None, None, 2.0)], id="word-number"),
    pytest.param("Kubernetes: 6 месяцев", [("Kubernetes", None, None, 0.5)], id="months"),
    pytest.param("k8s — 18 months", [("Kubernetes", None, None, 1.5)], id="english-months"),
    pytest.param("Кликхаус 1,5 года", [("ClickHouse", None, None, 1.5)], id="decimal-years"),
    pytest.param(
        "С алхимией работаю 2 года", [("SQLAlchemy", None, None, 2.0)], id="alkhimiya-years"
    ),
    pytest.param("Redisом пользуюсь 3 года", [("Redis", None, None, 3.0)], id="latin-ru-ending"),
    pytest.param(
        "Python 3 года, 2 года на Django",
        [("Python", None, None, 3.0), ("Django", None, None, 2.0)],
        id="years-before-and-after",
    ),
    pytest.param(
        "Python — 3 года, уровень 8/10",
        [("Python", 8.0, 10, 3.0)],
        id="rating-and-years-merge",
    ),
]

NON_CLAIMS = [
    pytest.param("Python 3.11", id="version-python"),
    pytest.param("Использовал асинхронную работу с БД ещё на алхимии 1.4", id="version-alkhimii"),
    pytest.param("Сейчас в алхимии 2.0 появились новые подходы", id="version-v-alkhimii"),
    pytest.param("Django 4.2", id="version-django"),
    pytest.param("PostgreSQL 15", id="version-postgres"),
    pytest.param("Python 3.11/10", id="version-before-slash"),
    pytest.param("С 2019 года пишу на Python", id="since-year"),
    pytest.param("Созвон 10.05.2024 в 10:30, Django", id="date-and-time"),
    pytest.param("Django 10/05/2024", id="slash-date"),
    pytest.param("3 сервиса на Django", id="count-services"),
    pytest.param("2 проекта на FastAPI", id="count-projects"),
    pytest.param("Django держит 100 запросов в секунду", id="count-rps"),
    pytest.param("PostgreSQL: БД на 500 ГБ", id="size"),
    pytest.param("На Django 3 из 5 сервисов", id="iz-count"),
    pytest.param("Django на 1/2 ставки", id="half-rate"),
    pytest.param("Python 50/50", id="fifty-fifty"),
    pytest.param("Django 24/7", id="24-7"),
    pytest.param("Django, шаг 1/3", id="step-odd-scale"),
    pytest.param("Django, шаг 2/10", id="step-ten"),
    pytest.param("Docker 80% времени", id="percent-of-time"),
    pytest.param("уровень 7 из 10", id="no-skill-uroven"),
    pytest.param("8/10", id="no-skill-bare"),
    pytest.param("Django и Flask: 7/10", id="bare-list-i"),
    pytest.param("Django/Flask: 7/10", id="bare-list-slash"),
    pytest.param("3 года на Django и Flask", id="bare-list-after-years"),
    pytest.param("Django 0/10", id="zero-rating"),
    pytest.param("Django 11/10", id="over-scale"),
    pytest.param("Python 60 лет", id="over-50-years"),
    pytest.param("мне 25 лет, пишу на Python", id="age"),
    pytest.param("Python 3 вышел 2 года назад", id="years-ago"),
    pytest.param("го 3 года", id="russian-go"),
    pytest.param("we had to go 2 years without tests", id="english-go"),
    pytest.param("pg_stat: 8/10", id="pg-inside-word"),
    pytest.param("```\nDjango: 8/10\n```", id="fenced-code"),
    pytest.param("`Django: 8/10`", id="inline-code"),
    pytest.param("https://example.com/django/8/10", id="url"),
    pytest.param("/srv/django/8/10", id="path"),
]


@pytest.mark.parametrize(("text", "expected"), CLAIMS)
def test_reads_the_claims_of_a_written_example(text, expected):
    assert summary(text) == expected


@pytest.mark.parametrize("text", NON_CLAIMS)
def test_finds_no_claim_in_a_non_claim(text):
    assert extract_claims(text) == []


# ---------------------------------------------------------------------------------------------
# The real answer sheet


def test_seed_answer_3_gives_the_three_framework_ratings(seed_answers):
    answer = seed_answers[3]

    claims = summary(answer)

    assert claims == [
        ("FastAPI", 8.0, 10, None),
        ("Flask", 7.0, 10, None),
        ("Django", 4.0, 10, None),
    ]


def test_seed_alkhimii_versions_give_no_sqlalchemy_claim(seed_sheet):
    text = seed_sheet.read_text(encoding="utf-8")
    assert "алхимии 1.4" in text and "алхимии 2.0" in text

    claims = extract_claims(text)

    assert [c for c in claims if c.skill == "SQLAlchemy"] == []


def test_seed_whole_text_gives_only_answer_3_ratings(seed_sheet):
    text = seed_sheet.read_text(encoding="utf-8")

    claims = extract_claims(text)

    assert [c.snippet for c in claims] == ["FastAPI: 8/10", "Flask: 7/10", "Django: 4/10"]


# ---------------------------------------------------------------------------------------------
# Snippets and offsets


def test_snippet_is_the_matched_source_text_at_start():
    text = "Я бы примерно оценил свои знания так: FastAPI: 8/10, Flask: 7/10."

    claims = extract_claims(text)

    assert [c.snippet for c in claims] == ["FastAPI: 8/10", "Flask: 7/10"]
    for claim in claims:
        assert text[claim.start : claim.start + len(claim.snippet)] == claim.snippet


def test_snippet_reaches_from_number_to_skill_when_skill_follows():
    text = "Коротко: полтора года на FastAPI."

    (claim,) = extract_claims(text)

    assert claim.snippet == "полтора года на FastAPI"
    assert claim.start == text.index("полтора")


def test_merged_claim_snippet_covers_years_and_rating():
    text = "Python — 3 года, уровень 8/10"

    (claim,) = extract_claims(text)

    assert claim.snippet == text
    assert claim.start == 0


def test_offsets_count_from_the_start_of_the_whole_text():
    text = "## Ответ\n\n```\nx = 1\n```\n\nВ целом Django: 6/10.\nДалее Python — 2 года."

    claims = extract_claims(text)

    assert [(c.skill, c.start) for c in claims] == [
        ("Django", text.index("Django")),
        ("Python", text.index("Python")),
    ]


def test_claim_is_immutable():
    (claim,) = extract_claims("Django 4/10")

    with pytest.raises(dataclasses.FrozenInstanceError):
        claim.value = 10.0  # type: ignore[misc]


# ---------------------------------------------------------------------------------------------
# Code, sentences


def test_fenced_code_block_is_skipped_and_text_after_it_read():
    text = "```python\nFastAPI: 8/10\n```\nFlask: 7/10"

    assert summary(text) == [("Flask", 7.0, 10, None)]


def test_tilde_fence_is_skipped():
    text = "~~~\nFastAPI: 8/10\n~~~\nFlask: 7/10"

    assert summary(text) == [("Flask", 7.0, 10, None)]


def test_unclosed_fence_hides_the_rest_of_the_text():
    text = "Django: 5/10\n```\nFastAPI: 8/10\nFlask: 7/10"

    assert summary(text) == [("Django", 5.0, 10, None)]


def test_inline_code_span_is_skipped_but_text_around_it_read():
    text = "`FastAPI: 8/10`, а вот Flask: 7/10 и ``Django ` 9/10``"

    assert summary(text) == [("Flask", 7.0, 10, None)]


def test_unmatched_backtick_is_literal_text():
    text = "Про ` скажу так: Django 8/10"

    assert summary(text) == [("Django", 8.0, 10, None)]


def test_inline_code_does_not_run_across_a_blank_line():
    text = "Один ` тут.\n\nDjango: 8/10 ` там"

    assert summary(text) == [("Django", 8.0, 10, None)]


def test_skill_on_another_line_is_not_used():
    text = "Работал с Django.\nОцениваю себя на 7/10"

    assert extract_claims(text) == []


def test_skill_in_another_sentence_is_not_used():
    text = "Работал с Django. Оцениваю себя на 7/10"

    assert extract_claims(text) == []


# ---------------------------------------------------------------------------------------------
# Skill names


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("алхимия", "SQLAlchemy"),
        ("алхимии", "SQLAlchemy"),
        ("Алхимией", "SQLAlchemy"),
        ("sqlalchemy", "SQLAlchemy"),
        ("SA", "SQLAlchemy"),
        ("постгрес", "PostgreSQL"),
        ("постгре", "PostgreSQL"),
        ("Postgres", "PostgreSQL"),
        ("postgresql", "PostgreSQL"),
        ("pg", "PostgreSQL"),
        ("джанго", "Django"),
        ("джангой", "Django"),
        ("DJANGO", "Django"),
        ("фастапи", "FastAPI"),
        ("fastapi", "FastAPI"),
        ("фласк", "Flask"),
        ("фласком", "Flask"),
        ("питон", "Python"),
        ("пайтоне", "Python"),
        ("Python", "Python"),
        ("докер", "Docker"),
        ("кубер", "Kubernetes"),
        ("кубернетес", "Kubernetes"),
        ("k8s", "Kubernetes"),
        ("редис", "Redis"),
        ("монго", "MongoDB"),
        ("монгой", "MongoDB"),
        ("mongodb", "MongoDB"),
        ("кликхаус", "ClickHouse"),
        ("селери", "Celery"),
        ("celery", "Celery"),
        ("Go", "Go"),
        ("golang", "Go"),
        ("rust", "Rust"),
        ("c++", "C++"),
        ("JS", "JavaScript"),
        ("javascript", "JavaScript"),
        ("ts", "TypeScript"),
        ("typescript", "TypeScript"),
        ("sql", "SQL"),
        ("MySQL", "MySQL"),
        ("kafka", "Kafka"),
        ("кролик", "RabbitMQ"),
        ("rabbitmq", "RabbitMQ"),
        ("asyncio", "asyncio"),
        ("pandas", "pandas"),
        ("git", "Git"),
        ("линукс", "Linux"),
        ("  Django  ", "Django"),
    ],
)
def test_normalise_skill_maps_alias_to_canonical_name(alias, canonical):
    assert normalise_skill(alias) == canonical


@pytest.mark.parametrize(
    "word",
    ["го", "Го", "gо", "питомник", "монгол", "pgx", "pg_dump", "python3", "", "2023", "ставки"],
)
def test_normalise_skill_returns_none_for_a_word_that_is_not_a_skill(word):
    assert normalise_skill(word) is None


# ---------------------------------------------------------------------------------------------
# Size and robustness


def test_long_run_of_skill_names_completes_without_claims():
    text = "Python: " * 25_000  # 200 KB

    assert extract_claims(text) == []


def test_long_run_of_skill_names_ending_in_a_rating_gives_one_claim():
    text = "Python: " * 25_000 + "8/10"

    claims = extract_claims(text)

    assert [(c.skill, c.value, c.scale, c.start) for c in claims] == [
        ("Python", 8.0, 10, len(text) - len("Python: 8/10"))
    ]


@pytest.mark.parametrize(
    "text",
    [
        "`" * 200_000,
        "` " * 100_000,
        "a/" * 100_000,
        "1" * 200_000,
        "1/10 " * 40_000,
        "3 года " * 30_000,
        "и Django " * 20_000,
        "http:// " * 25_000,
    ],
    ids=["backticks", "spaced-backticks", "slashes", "digits", "ratings", "years", "list", "urls"],
)
def test_pathological_text_completes_without_claims(text):
    assert extract_claims(text) == []


def test_module_imports_no_django():
    code = (
        "import sys, interviews.sheets.skills;"
        " print(sorted(m for m in sys.modules if 'django' in m))"
    )

    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "[]"


_PIECES = st.sampled_from(
    [
        "Django",
        "FastAPI",
        "Go",
        "go",
        "pg",
        "алхимии",
        ": ",
        " ",
        ", ",
        " и ",
        "\n",
        ". ",
        "`",
        "```\n",
        "8/10",
        "7 из 10",
        "80%",
        "3 года",
        "полгода",
        "1.4",
        "2019 года",
        " на ",
        "/",
        "шаг ",
        "назад",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES | st.text(max_size=5), max_size=30).map("".join))
def test_every_claim_is_in_range_and_points_at_its_snippet(text):
    claims = extract_claims(text)

    for claim in claims:
        assert isinstance(claim, Claim)
        assert text[claim.start : claim.start + len(claim.snippet)] == claim.snippet
        assert claim.value is not None or claim.years is not None
        if claim.value is not None:
            assert claim.scale in (5, 10, 100) and 0 < claim.value <= claim.scale
        if claim.years is not None:
            assert 0 < claim.years <= 50
        assert normalise_skill(claim.skill) == claim.skill
    assert [c.start for c in claims] == sorted(c.start for c in claims)


# ---------------------------------------------------------------------------------------------
# The quick paths give what the whole reading gives.

_NUMBERS = _PIECES | st.sampled_from(
    ["два года", "Полтора года", "half a year", "ONE year", "мес", "десять лет", "вместе",
     "сегодня", "5-6 лет", "3+ years", "4 out of 5", "`8/10`", "http://x.ru/8/10", "İ", "ß"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_NUMBERS | st.text(max_size=5), max_size=30).map("".join))
def test_expressions_tried_where_they_can_start_are_those_of_the_whole_scan(text):
    from interviews.sheets.skills import _EXPR, _matches

    def found(matches):
        return [(m.span(), m.groupdict()) for m in matches]

    assert found(_matches(text)) == found(_EXPR.finditer(text))


@settings(max_examples=300, deadline=None)
@given(st.lists(_NUMBERS | st.text(max_size=5), max_size=30).map("".join))
def test_an_answer_rejected_early_has_no_claim_the_whole_reading_would_find(text):
    from interviews.sheets.skills import _claims

    assert extract_claims(text) == _claims(text)


def test_the_seed_answers_give_the_same_claims_as_the_whole_reading(seed_answers):
    from interviews.sheets.skills import _claims

    for text in seed_answers.values():
        assert extract_claims(text) == _claims(text)
