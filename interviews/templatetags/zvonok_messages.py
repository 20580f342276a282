"""The import's messages about a file (stored and reported in English) in the reader's
language: ``{{ warning|import_message }}`` (``interviews.messages``)."""

from django import template

from .. import messages

register = template.Library()


@register.filter
def import_message(text):
    return messages.translate(text)
