"""Text cut for a glance: ``{{ question.text|cut_on_word:120 }}`` ends on a whole word with
an ellipsis (``interviews.rendering.truncate``), where ``truncatechars`` cuts mid-word."""

from django import template

from ..rendering import truncate

register = template.Library()


@register.filter
def cut_on_word(text, length):
    return truncate(str(text or ""), int(length))
