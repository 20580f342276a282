import re

import pytest

from interviews.rendering import plain_text, preview, render_markdown, truncate
from tests.factories import AnswerFactory

HOSTILE = """Ответ со вставками:

<script>alert(1)</script>

<img src=x onerror=alert(1)>

[нажми](javascript:alert(1)) и [ещё](JaVaScRiPt:alert(2))

<a href="javascript:alert(3)">ссылка</a>
"""

# An <a> element whose href runs script; escaped text that merely shows one is inert.
LIVE_JS_LINK = re.compile(r"<a\b[^>]*href=\"?\s*javascript:", re.IGNORECASE)


def test_script_tags_come_out_as_text():
    html = render_markdown(HOSTILE)

    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_event_handler_attributes_are_not_live():
    html = render_markdown(HOSTILE)

    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_javascript_links_are_not_links():
    html = render_markdown(HOSTILE)

    assert not LIVE_JS_LINK.search(html)
    assert "<a " not in html


def test_ordinary_markdown_is_rendered():
    html = render_markdown(
        "**жирный**\n\n```python\nprint(1)\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )

    assert "<strong>жирный</strong>" in html
    assert '<code class="language-python">print(1)' in html
    assert "<table>" in html


def test_https_links_keep_their_target_with_safe_rel():
    html = render_markdown("[docs](https://docs.djangoproject.com/)")

    assert 'href="https://docs.djangoproject.com/"' in html
    assert "noopener" in html


@pytest.mark.django_db
def test_hostile_answer_is_inert_on_the_submission_page(admin_client):
    answer = AnswerFactory(body=HOSTILE)

    response = admin_client.get(f"/admin/interviews/submission/{answer.submission_id}/change/")

    content = response.content.decode()
    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "<script>alert(1)" not in content
    assert "<img src=x onerror" not in content
    assert not LIVE_JS_LINK.search(content)


def test_preview_is_the_rendered_text_cut_on_a_word_with_an_ellipsis():
    text = preview("**Ответ:** пишу `генераторы` и итераторы каждый день", 30)

    assert text == "Ответ: пишу генераторы и…"


def test_preview_keeps_a_short_answer_whole():
    assert preview("Да, *пять* лет.", 30) == "Да, пять лет."


def test_preview_shows_what_the_candidate_typed_as_text():
    # Escaped on the page, as every other text: a preview is plain text, not HTML.
    assert preview("2 < 3 & <b>жирный</b>") == "2 < 3 & <b>жирный</b>"


def test_a_fragment_loses_the_halves_of_markup_cut_off_from_it():
    fragment = "ерации | 5 |\n| Python | 3 |\n```\n\nДальше **важно"

    assert plain_text(fragment, fragment=True) == "ерации 5 Python 3 Дальше важно"


def test_truncate_cuts_inside_a_word_only_when_it_is_the_whole_room():
    assert truncate("а " + "б" * 50, 20) == "а " + "б" * 17 + "…"
    assert truncate("слово другое третье", 12) == "слово…"


def test_question_texts_in_lists_are_cut_on_a_word():
    from django.template import Context, Template

    text = "Приходилось ли сильно оптимизировать Python код? Какие подходы использовали?"
    rendered = Template("{% load zvonok_text %}{{ text|cut_on_word:40 }}").render(
        Context({"text": text})
    )

    assert rendered == "Приходилось ли сильно оптимизировать…"
