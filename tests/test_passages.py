"""The passages two similar answers share, as the side-by-side view marks them."""

import time

from interviews.passages import MAX_CHARS, mark_shared


def shared(marked):
    return [p.text for p in marked.pieces if p.shared]


def test_a_copied_sentence_is_marked_in_both_texts():
    original = "Я бы использовал asyncio.gather для параллельных запросов к базе. Потом кеш."
    copy = "Сначала профилирую. Я бы использовал asyncio.gather для параллельных запросов к базе!"

    left, right = mark_shared(original, copy)

    assert shared(left) == ["Я бы использовал asyncio.gather для параллельных запросов к базе"]
    assert shared(right) == ["Я бы использовал asyncio.gather для параллельных запросов к базе"]


def test_the_pieces_give_back_the_text_exactly():
    text = "Первое  предложение,\nвторое — про `код` и ещё кое-что.\n\n```py\nx = 1\n```\n"

    left, _right = mark_shared(text, "второе — про код и ещё")

    assert "".join(p.text for p in left.pieces) == text
    assert shared(left) == ["второе — про `код` и ещё"]


def test_case_and_yo_do_not_hide_a_shared_passage():
    left, _right = mark_shared("ЕЩЁ ОДИН ПРИМЕР кода", "ещё один пример")

    assert shared(left) == ["ЕЩЁ ОДИН ПРИМЕР"]


def test_independent_texts_share_nothing():
    left, right = mark_shared(
        "Использую pytest и фикстуры для базы данных.",
        "Мы деплоим через Kubernetes с помощью Helm.",
    )

    assert shared(left) == shared(right) == []
    assert left.shared_share == 0.0


def test_two_common_words_are_not_a_passage():
    left, _right = mark_shared("потому что так быстрее", "потому что иначе нельзя")

    assert shared(left) == []


def test_a_reordered_sentence_is_still_marked():
    left, right = mark_shared(
        "Первая мысль про индексы в базе. Вторая мысль про кеш в памяти.",
        "Вторая мысль про кеш в памяти. Первая мысль про индексы в базе.",
    )

    assert left.shared_share > 0.9
    assert right.shared_share > 0.9


def test_a_huge_hostile_text_is_cut_and_marked_in_linear_time():
    hostile = "а " * (MAX_CHARS * 3)

    started = time.perf_counter()
    left, right = mark_shared(hostile, hostile)
    elapsed = time.perf_counter() - started

    assert left.cut and right.cut
    assert "".join(p.text for p in left.pieces) == hostile
    assert not left.pieces[-1].shared
    assert elapsed < 2


def test_empty_texts_have_no_pieces():
    left, right = mark_shared("", None)

    assert left.pieces == right.pieces == ()
    assert not left.cut
