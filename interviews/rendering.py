"""Candidates' markdown to HTML that is safe to show in the admin.

Two layers, because either one alone has failed somewhere before: markdown-it-py's
``js-default`` preset does not pass raw HTML through and refuses ``javascript:``/``data:``
links; nh3 (the Ammonia sanitiser) then removes anything that still should not be there.
Only nh3's output is ever marked safe.
"""

import html
import re
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


# -- previews: one line of plain text ---------------------------------------------------

# What markdown leaves behind in a fragment cut out of an answer (a search headline): the
# other half of a code fence, bold or table may lie outside the fragment, so these come
# out as characters. Whole answers render properly and keep every character they show.
_STRAY_MARKERS = re.compile(
    r"`{3,}\w*|~{3,}\w*|`|\*\*|__|^[ \t]*#{1,6}[ \t]"
    r"|^[ \t]*\|?(?:[ \t]*:?-{3,}:?[ \t]*\|)+[ \t]*:?-*:?[ \t]*$",
    re.MULTILINE,
)
_TABLE_PIPE = re.compile(r"^[ \t]*\||\|[ \t]*$|\s\|\s", re.MULTILINE)


def plain_text(markdown: str, *, fragment: bool = False) -> str:
    """What a reader sees of ``markdown`` once rendered, as one line of plain text: no
    tags, no markup characters, whitespace collapsed. ``fragment``: the text is a piece
    cut out of an answer (a search headline), whose half-open markup is dropped too."""
    text = html.unescape(nh3.clean(str(render_markdown(markdown)), tags=set()))
    if fragment:
        text = _TABLE_PIPE.sub(" ", _STRAY_MARKERS.sub(" ", text))
    return " ".join(text.split())


def truncate(text: str, length: int) -> str:
    """``text`` cut to at most ``length`` characters on a word boundary, with an ellipsis
    when anything was cut."""
    if len(text) <= length:
        return text
    cut = text[: length - 1]
    space = cut.rfind(" ")
    # A word filling two thirds of the room is cut inside, rather than leaving next to nothing.
    if space > length // 3:
        cut = cut[:space]
    return cut.rstrip(" .,;:—-") + "…"


def preview(markdown: str, length: int = 120) -> str:
    """The start of an answer as a reader sees it rendered, for tables and summaries."""
    return truncate(plain_text(markdown), length)
