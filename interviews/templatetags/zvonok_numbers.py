"""Figures in admin templates: ``{% load zvonok_numbers %}``, then ``{{ average|figure }}``
or ``{{ share|figure:0 }}`` (interviews.numbers: half up, localised, a dash for none)."""

from django import template

from .. import numbers

register = template.Library()


@register.filter
def figure(value, places=1) -> str:
    return numbers.format_figure(value, int(places))
