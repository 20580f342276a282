"""Copied answers: normalisation, shingles, the exact similarity, the rules for short
answers and quoted questions, and the LSH band hashes that find the candidates."""

import hashlib
import random

import pytest
from datasketch import MinHash

from bench import similarity_quality
from interviews.sheets import similarity as measures
from interviews.sheets.similarity import (
    BANDS,
    THRESHOLD,
    candidate_probability,
    fingerprint,
    is_similar,
    jaccard,
    normalise,
    shingles,
    similarity,
)

QUESTION = "Как в Python избежать утечки файловых дескрипторов при чтении файла?"

ORIGINAL = """\
Файл нужно открывать через менеджер контекста `with`, тогда он закроется даже при
исключении. Без него легко забыть вызвать close, особенно если функция выходит раньше.

```python
with open(path, encoding="utf-8") as handle:
    data = handle.read()
```

Для нескольких файлов сразу удобно использовать contextlib.ExitStack.
"""

RENAMED_VARIABLE = ORIGINAL.replace("handle", "f").replace("data", "content")

CHANGED_PUNCTUATION = """\
Файл нужно открывать через менеджер контекста with — тогда он закроется, даже при
исключении! Без него легко забыть вызвать `close()`; особенно, если функция выходит раньше.

```python
with open(path, encoding="utf-8") as handle:
    data = handle.read()
```

Для нескольких файлов сразу удобно использовать `contextlib.ExitStack`...
"""

REORDERED = """\
Для нескольких файлов сразу удобно использовать contextlib.ExitStack.
Без него легко забыть вызвать close, особенно если функция выходит раньше. Файл нужно
открывать через менеджер контекста `with`, тогда он закроется даже при исключении.

```python
with open(path, encoding="utf-8") as handle:
    data = handle.read()
```
"""

INDEPENDENT = """\
Я всегда пишу `with open(...) as f:` — после выхода из блока файл закрывается сам,
и не важно, было исключение или нет. В старом коде встречал try/finally с f.close(),
это то же самое, только длиннее. Ещё помогает pathlib: Path.read_text открывает и
закрывает файл внутри одного вызова.
"""

ANOTHER_INDEPENDENT = """\
Главное — не держать файл открытым дольше нужного. Менеджер контекста закрывает его
автоматически. Если файлов много, например при обходе каталога, стоит проверить лимит
ulimit -n и не складывать открытые объекты в список.
"""


def test_normalise_folds_case_punctuation_and_markdown():
    assert normalise("**Ответ:**  Всё _просто_,\n\nЁлка — ДА!") == "ответ все просто елка да"
    assert normalise("# Заголовок\n> цитата\n- пункт") == "заголовок цитата пункт"


def test_normalise_keeps_code_with_its_operators():
    # Backticks are markup: a name means the same with or without them.
    assert normalise("Пишем `x_1 += 2`.") == normalise("Пишем x_1 += 2") == "пишем x_1 2"
    # The fence's language is not part of the answer; the code is, operators included.
    assert normalise("Так:\n```python\nif a == b:\n    return\n```\nвсё") == (
        "так if a = = b : return все"
    )


def test_shingles_are_runs_of_three_words():
    assert shingles("Раз, два, три. Четыре!") == {"раз два три", "два три четыре"}
    assert shingles("Нет опыта") == frozenset()


def test_jaccard_is_shared_over_all():
    a = shingles("один два три четыре пять")  # {123, 234, 345}
    b = shingles("один два три четыре шесть")  # {123, 234, 346}
    assert jaccard(a, b) == pytest.approx(2 / 4)
    assert jaccard(a, frozenset()) == 0.0


@pytest.mark.parametrize(
    "copy", [RENAMED_VARIABLE, CHANGED_PUNCTUATION, REORDERED], ids=["renamed", "punct", "order"]
)
def test_a_copy_with_small_edits_is_flagged(copy):
    assert is_similar(fingerprint(ORIGINAL, QUESTION), fingerprint(copy, QUESTION))


def test_punctuation_and_markdown_alone_change_nothing():
    assert similarity(fingerprint(ORIGINAL), fingerprint(CHANGED_PUNCTUATION)) > 0.9


@pytest.mark.parametrize("other", [INDEPENDENT, ANOTHER_INDEPENDENT], ids=["with", "limits"])
def test_independent_answers_on_the_same_topic_are_not_flagged(other):
    assert not is_similar(fingerprint(ORIGINAL, QUESTION), fingerprint(other, QUESTION))


@pytest.mark.parametrize(
    "short",
    ["Да", "Нет опыта", "Использую with, он сам закрывает файл при любом исходе."],
    ids=["yes", "no-experience", "one-line"],
)
def test_short_answers_are_never_flagged(short):
    a, b = fingerprint(short, QUESTION), fingerprint(short, QUESTION)
    assert not a.judged
    assert a.bands == ()
    assert not is_similar(a, b)
    assert similarity(a, b) == 0.0


def test_text_quoted_from_the_question_is_not_compared():
    question = (
        "Опишите подробно, как вы организуете обработку ошибок в веб-приложении, "
        "которое обращается к нескольким внешним сервисам и базе данных"
    )
    # Both repeat the question and add a few words of their own: nothing of theirs alike.
    first = fingerprint(question + ". Логирую всё в Sentry и повторяю запросы.", question)
    second = fingerprint(question + ": ловлю исключения на границе каждого сервиса.", question)
    assert not is_similar(first, second)
    # The question quoted before a long answer does not make it less like the same answer.
    quoted = fingerprint(f"> {question}\n\n{ORIGINAL}", question)
    assert similarity(quoted, fingerprint(ORIGINAL, question)) == 1.0


def test_identical_answers_share_every_band():
    a, b = fingerprint(ORIGINAL, QUESTION), fingerprint(ORIGINAL, QUESTION)
    assert len(a.bands) == BANDS
    assert a.bands == b.bands
    # Stored as PostgreSQL bigint.
    assert all(-(2**63) <= h < 2**63 for h in a.bands)


@pytest.mark.parametrize("copy", [RENAMED_VARIABLE, CHANGED_PUNCTUATION, REORDERED])
def test_a_near_copy_shares_a_band(copy):
    a, b = fingerprint(ORIGINAL, QUESTION), fingerprint(copy, QUESTION)
    assert set(a.bands) & set(b.bands)


def test_unrelated_answers_share_no_band():
    unrelated = """\
    Индекс GIN в PostgreSQL хранит для каждого элемента массива или лексемы список строк,
    где он встречается. Поэтому он хорош для полнотекстового поиска и jsonb, но медленнее
    обновляется, чем B-tree, и занимает больше места на диске.
    """
    a, b = fingerprint(ORIGINAL, QUESTION), fingerprint(unrelated, QUESTION)
    assert not set(a.bands) & set(b.bands)


def test_bands_catch_pairs_at_the_threshold_and_rarely_below():
    assert candidate_probability(THRESHOLD) >= 0.85
    assert candidate_probability(0.4) >= 0.99
    assert candidate_probability(0.02) <= 0.05
    assert candidate_probability(0.0) == 0.0


def test_threshold_is_the_one_chosen_on_the_tuning_set(capsys):
    assert similarity_quality.main() == 0
    assert "holdout at THRESHOLD" in capsys.readouterr().out


def _datasketch_bands(own):
    """The band hashes as first stored: one datasketch MinHash per answer."""
    signature = MinHash(num_perm=measures.NUM_PERM, seed=measures.SEED)
    signature.update_batch([s.encode() for s in sorted(own)])
    values = signature.hashvalues
    return tuple(
        int.from_bytes(
            hashlib.blake2b(
                band.to_bytes(2, "big") + values[band * 2 : band * 2 + 2].tobytes(),
                digest_size=8,
            ).digest(),
            "big",
            signed=True,
        )
        for band in range(BANDS)
    )


def test_band_hashes_of_many_sets_at_once_are_datasketchs(monkeypatch):
    rng = random.Random(7)
    vocabulary = [f"слово{i}" for i in range(300)] + ["ёж", "x", "`код`", "a b"]
    sets = [
        frozenset(
            " ".join(rng.choices(vocabulary, k=3)) for _ in range(rng.choice([1, 10, 40, 700]))
        )
        for _ in range(25)
    ]
    sets.insert(3, frozenset())
    sets.append(shingles(ORIGINAL))
    # Small matrices, so that the sets straddle them.
    monkeypatch.setattr(measures, "_ROWS_AT_ONCE", 97)
    found = measures.many_band_hashes(sets)
    assert found[3] == ()
    for own, bands in zip(sets, found, strict=True):
        if own:
            assert bands == _datasketch_bands(own)
            assert measures.band_hashes(own) == bands
    assert measures.ROWS == 2


def test_a_sheets_fingerprints_at_once_are_each_answers_own():
    texts = [(ORIGINAL, QUESTION), ("Да.", QUESTION), (REORDERED, ""), (CHANGED_PUNCTUATION, "")]
    together = measures.fingerprints(texts)
    assert together == [fingerprint(answer, question) for answer, question in texts]
    assert together[1].bands == ()
    assert together[0].bands == _datasketch_bands(together[0].shingles)


def test_band_hashes_are_stored_packed_and_read_back_the_same():
    bands = fingerprint(ORIGINAL, QUESTION).bands
    packed = measures.pack_bands(bands)
    assert len(packed) == 8 * BANDS
    assert measures.unpack_bands(packed) == bands
    assert measures.unpack_bands(memoryview(packed)) == bands
    # A short answer has no bands, stored as NULL.
    assert measures.pack_bands(fingerprint("Да.", QUESTION).bands) is None
    assert measures.unpack_bands(None) == ()
