"""The badge of an answer much like another one: ``{% load zvonok_copying %}``, then
``{% copied_badges copied row.answer %}`` where the page's view put ``copied``
(``interviews.admin.copying.badges``: answer id -> badges) in the context."""

from django import template

register = template.Library()


@register.inclusion_tag("admin/interviews/copied_badges.html")
def copied_badges(copied, answer):
    return {"badges": (copied or {}).get(getattr(answer, "pk", None), [])}
