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
