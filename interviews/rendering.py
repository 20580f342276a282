"""Candidates' markdown to HTML that is safe to show in the admin.

Two layers, because either one alone has failed somewhere before: markdown-it-py's
``js-default`` preset does not pass raw HTML through and refuses ``javascript:``/``data:``
links; nh3 (the Ammonia sanitiser) then removes anything that still should not be there.
Only nh3's output is ever marked safe.
"""

from functools import lru_cache

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_md = MarkdownIt("js-default")

_ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "code": {"class"},
    "td": {"style"},
    "th": {"style"},
    "ol": {"start"},
}


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        filter_style_properties={"text-align"},
    )


@lru_cache(maxsize=512)
def render_markdown(text: str) -> SafeString:
    """Render candidate-written markdown to sanitised HTML."""
    return mark_safe(sanitise_html(_md.render(text or "")))  # noqa: S308 - nh3 output
