"""Model names in the right grammatical form in the admin's templates
(``interviews.grammar``): the add button and breadcrumb, the changelist's row count."""

from django import template

from ..admin import cases

register = template.Library()


@register.simple_tag
def add_caption(opts):
    """ "Добавить заявку"."""
    return cases.add_caption(opts)


@register.simple_tag
def count_of(opts, count):
    """ "5 заявок"."""
    return cases.count_phrase(opts, count)


@register.simple_tag
def with_accusative(sentence, opts):
    """``sentence`` (a msgid with one ``%s``, translated by whichever app ships it) with the
    model of ``opts`` in the accusative: "Восстановить заявку"."""
    return cases.verb_phrase(sentence, opts)
