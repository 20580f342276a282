"""Role checks for admin templates: ``{% load zvonok_roles %}``, then
``{% if request.user|can_export %}``. The templates only hide links; the views check
the same rule on the server."""

from django import template

from .. import roles

register = template.Library()


@register.filter
def can_export(user) -> bool:
    return roles.can_export(user)


@register.filter
def sees_copied_answers(user) -> bool:
    return roles.sees_copied_answers(user)
