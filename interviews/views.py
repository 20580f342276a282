"""Plain views outside the admin."""

import logging

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import applying

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request):
    """Liveness and readiness for the container runtime: 200 only when the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("health check: database unavailable")
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@never_cache
def apply_page(request, token):
    """A vacancy's public page (interviews.applying): no login, its own plain template."""
    vacancy = applying.find(token)
    if vacancy is None:
        # The same page for a token that never existed and one that was replaced.
        return render(request, "interviews/apply/closed.html", {"vacancy": None}, status=404)
    if not applying.is_open(vacancy):
        return render(request, "interviews/apply/closed.html", {"vacancy": vacancy}, status=410)
    context = {"vacancy": vacancy, "questions": applying.questions(vacancy)}
    return render(request, "interviews/apply/page.html", context)
