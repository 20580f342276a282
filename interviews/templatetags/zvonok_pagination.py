"""The changelist pager's page links, each carrying the key that lets the page it points
to be read from where the current page ends (``interviews.admin.pagination``)."""

from django import template
from django.contrib.admin.views.main import PAGE_VAR
from django.utils.html import format_html

from ..admin.pagination import KEY_VAR, KeysetPage

register = template.Library()


@register.simple_tag
def page_link(cl, i):
    """Django's ``paginator_number``, with the page key in the link when it helps."""
    if i == cl.paginator.ELLIPSIS:
        return format_html("{} ", cl.paginator.ELLIPSIS)
    if i == cl.page_num:
        return format_html('<span class="this-page">{}</span> ', i)
    params = {PAGE_VAR: i}
    page = getattr(cl.paginator, "current", None)
    if isinstance(page, KeysetPage) and page.number == cl.page_num:
        key = page.key_toward(i)
        if key is not None:
            params[KEY_VAR] = key
    if i == cl.paginator.num_pages:
        return format_html('<a href="{}" class="end">{}</a> ', cl.get_query_string(params), i)
    return format_html('<a href="{}">{}</a> ', cl.get_query_string(params), i)
