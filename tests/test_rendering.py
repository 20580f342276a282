import re

import pytest

from interviews.rendering import render_markdown
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
