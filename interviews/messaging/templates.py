"""Subjects and bodies of messages to candidates, written by HR in Django's template language.

HR writes the texts, so a template is untrusted input. It is rendered by an engine of its
own: no loaders (nothing to include or extend), no libraries to load, only the ``if`` and
``comment`` tags and a few text filters (``template_library``), and a context of plain
strings built here from plain values, never a model instance. Names outside the context
render as nothing; attributes starting with an underscore are refused by Django itself,
and the public attributes of a string lead only to other strings. A tag outside the
allowed set is refused before parsing, naming its line.
"""

from __future__ import annotations

import datetime
import functools
import zoneinfo

from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import Lexer, TokenType
from django.utils import formats, translation
from django.utils.translation import gettext as _

#: The variables a template may use; the admin lists them next to the editor.
VARIABLES = (
    "first_name",
    "vacancy",
    "apply_link",
    "interview_time",
    "call_link",
    "reason",
)
#: Tags the parser accepts, with their closing and branching parts.
ALLOWED_TAGS = frozenset({"if", "elif", "else", "endif", "comment", "endcomment"})
#: A subject or body longer than this is refused: a letter, not a document.
MAX_TEMPLATE_CHARS = 20_000


class TemplateRefused(ValueError):
    """A message template that may not be used; the text says where and why."""


class _MessageEngine(Engine):
    # Engine always prepends Django's default tags and filters (load, include, debug, …)
    # to its builtins; a message template gets none of them.
    default_builtins = []


_ENGINE = _MessageEngine(
    loaders=[],
    libraries={},
    builtins=["interviews.messaging.template_library"],
    autoescape=False,  # plain-text mail: "&" stays "&"
    debug=True,  # syntax errors carry their line
    string_if_invalid="",
)


def _refuse_tags(source: str, field: str) -> None:
    for token in Lexer(source).tokenize():
        if token.token_type != TokenType.BLOCK:
            continue
        parts = token.split_contents()
        tag = parts[0] if parts else ""
        if tag not in ALLOWED_TAGS:
            raise TemplateRefused(
                _(
                    "%(field)s, line %(line)s: the tag “%(tag)s” is not allowed in a "
                    "message template; allowed: %(allowed)s."
                )
                % {
                    "field": field,
                    "line": token.lineno,
                    "tag": tag,
                    "allowed": "if, elif, else, comment",
                }
            )


# The write page renders one template for each of up to hundreds of recipients: parsed
# once. A refusal raises, so it is never kept.
@functools.lru_cache(maxsize=64)
def compile_template(source: str, *, field: str):
    """Parse one subject or body, or raise TemplateRefused naming the field and line."""
    if len(source) > MAX_TEMPLATE_CHARS:
        raise TemplateRefused(
            _("%(field)s: a message template may have at most %(limit)s characters.")
            % {"field": field, "limit": MAX_TEMPLATE_CHARS}
        )
    _refuse_tags(source, field)
    try:
        return _ENGINE.from_string(source)
    except TemplateSyntaxError as exc:
        debug = getattr(exc, "template_debug", None) or {}
        raise TemplateRefused(
            _("%(field)s, line %(line)s: %(error)s")
            % {"field": field, "line": debug.get("line", 1), "error": exc}
        ) from exc


def message_context(
    *,
    first_name: str,
    vacancy: str = "",
    apply_link: str = "",
    interview_time: datetime.datetime | None = None,
    time_zone: str = "Europe/Moscow",
    language: str = "ru",
    call_link: str = "",
    reason: str = "",
) -> dict[str, str]:
    """The whole context of a message template: strings only, one per allowed variable.

    The interview time is written out here, in the candidate's language and the given
    time zone with its name, so the template has no date object to explore.
    """
    when = ""
    if interview_time is not None:
        local = interview_time.astimezone(zoneinfo.ZoneInfo(time_zone))
        with translation.override(language):
            when = f"{formats.date_format(local, 'DATETIME_FORMAT')} ({time_zone})"
    values = {
        "first_name": first_name,
        "vacancy": vacancy,
        "apply_link": apply_link,
        "interview_time": when,
        "call_link": call_link,
        "reason": reason,
    }
    for name, value in values.items():
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a string, not {type(value).__name__}")
    return values


def render_message(subject: str, body: str, context: dict[str, str]) -> tuple[str, str]:
    """Render a subject and a body with a context from message_context.

    The subject is one line: line breaks from the template or a value are folded, so a
    value cannot add mail headers.
    """
    if set(context) - set(VARIABLES) or not all(isinstance(v, str) for v in context.values()):
        raise TypeError("the context must come from message_context")
    compiled_subject = compile_template(subject, field=_("Subject"))
    compiled_body = compile_template(body, field=_("Body"))
    rendered_subject = compiled_subject.render(Context(context, autoescape=False))
    rendered_body = compiled_body.render(Context(context, autoescape=False))
    return " ".join(rendered_subject.split()), rendered_body.strip() + "\n"
