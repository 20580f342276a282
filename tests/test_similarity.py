"""Copied answers: normalisation, shingles, the exact similarity, the rules for short
answers and quoted questions, and the LSH band hashes that find the candidates."""

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


def _mix64(h: int) -> int:
    mask = (1 << 64) - 1
    h = ((h ^ (h >> 30)) * 0xBF58476D1CE4E5B9) & mask
    h = ((h ^ (h >> 27)) * 0x94D049BB133111EB) & mask
    return h ^ (h >> 31)


def _datasketch_bands(own):
    """The band hashes of a set of shingles, worked out apart from the numpy pass:
    datasketch's own MinHash (affine32) fed each shingle's hash, then each band's two
    values side by side, the band's salt mixed in, read as a signed 64-bit integer."""
    signature = MinHash(
        num_perm=measures.NUM_PERM,
        seed=measures.SEED,
        scheme="affine32",
        hashfunc=measures.shingle_hash32,
    )
    signature.update_batch([s.encode() for s in sorted(own)])
    values = [int(v) for v in signature.hashvalues]
    bands = []
    for band in range(BANDS):
        packed = (values[2 * band] << 32) | values[2 * band + 1]
        value = _mix64(packed ^ _mix64(band + 1))
        bands.append(value - (1 << 64) if value >= 1 << 63 else value)
    return tuple(bands)


def test_permutations_are_datasketchs_for_the_seed():
    a, b = MinHash(num_perm=measures.NUM_PERM, seed=measures.SEED, scheme="affine32").permutations
    ours = measures._permutations()
    assert (ours[0] == a).all() and (ours[1] == b).all()
    assert measures.ROWS == 2


def _answers(count, seed=7):
    """Answers of every kind a batch meets: prose, fenced code, a quoted question, short,
    empty, with the vocabulary's words repeated so that answers share shingles."""
    rng = random.Random(seed)
    vocabulary = [f"слово{i}" for i in range(300)] + ["ёж", "x", "_курсив_", "a_b"]
    texts = []
    for i in range(count):
        body = " ".join(rng.choices(vocabulary, k=rng.choice([2, 12, 40, 400])))
        question = " ".join(rng.choices(vocabulary, k=8)) if i % 3 else ""
        kind = i % 5
        if kind == 1:
            body = f"{body}\n\n```python\nif a == b:\n    return x_1 + 2\n```\n{body[:80]}"
        elif kind == 2:
            body = f"> {question}\n\n{body}"
        elif kind == 3 and i % 2:
            body = "Да."
        elif kind == 4 and i % 4 == 0:
            body = ""
        texts.append((body, question))
    return texts


def test_a_batch_of_answers_gets_datasketchs_bands_of_each_answers_own_shingles(monkeypatch):
    texts = _answers(60)
    # Small matrices, so that the answers straddle them.
    monkeypatch.setattr(measures, "_ROWS_AT_ONCE", 97)
    found = measures.sheet_bands(texts)
    judged = 0
    for (answer, question), bands in zip(texts, found, strict=True):
        own = measures.own_shingles(answer, question)
        if len(own) < measures.MIN_SHINGLES:
            assert bands == ()
        else:
            judged += 1
            assert bands == _datasketch_bands(own)
            assert measures.band_hashes(own) == bands
    # Both kinds were met.
    assert 10 < judged < len(texts)


def test_a_batchs_fingerprints_are_its_band_hashes_packed():
    texts = _answers(30, seed=11)
    packed = measures.sheet_fingerprints(texts)
    assert packed == [measures.pack_bands(bands) for bands in measures.sheet_bands(texts)]
    assert None in packed and any(packed)


def test_each_answers_bands_do_not_depend_on_the_batch():
    texts = _answers(40, seed=3)
    together = measures.sheet_bands(texts)
    assert together == [measures.sheet_bands([text])[0] for text in texts]
    assert together[::-1] == measures.sheet_bands(texts[::-1])


def test_the_word_cache_stays_bounded_and_changes_nothing(monkeypatch):
    texts = _answers(30, seed=5)
    expected = measures.sheet_bands(texts)
    monkeypatch.setattr(measures, "_WORD_IDS_KEPT", 50)
    assert measures.sheet_bands(texts) == expected
    assert len(measures._WORD_IDS) <= 50


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
