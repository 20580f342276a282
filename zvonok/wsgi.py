"""WSGI entry point for gunicorn (see bin/start)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zvonok.settings")

application = get_wsgi_application()
