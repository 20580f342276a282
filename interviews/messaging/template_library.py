"""The only tags and filters a message template may use.

A template engine always loads Django's default tags and filters; the message engine
replaces them with this library, so that ``{% load %}``, ``{% include %}``,
``{% debug %}`` and filters that grow text without bound (``center``, ``ljust``) do not
exist for it at all.
"""

from django.template import Library, defaultfilters, defaulttags

register = Library()

register.tag("if", defaulttags.do_if)
register.tag("comment", defaulttags.comment)

for _name in ("default", "upper", "lower", "capfirst", "title"):
    register.filter(_name, getattr(defaultfilters, _name))
