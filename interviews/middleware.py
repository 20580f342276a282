"""A Content-Security-Policy for every page Zvonok serves, request body limits, and the
client address that login lockout counts failures by.

Django's SecurityMiddleware and XFrameOptionsMiddleware set the other headers
(``X-Content-Type-Options``, ``Referrer-Policy``, ``Cross-Origin-Opener-Policy``,
``X-Frame-Options``); Django 5.2 has no CSP of its own. The admin and our pages load
scripts from files only, so ``script-src 'self'`` holds; the admin's templates use
``style`` attributes, hence ``'unsafe-inline'`` for styles alone.
"""

from django.conf import settings
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self' 'unsafe-inline'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """Adds ``CONTENT_SECURITY_POLICY`` to responses that do not set their own. Static
    files are answered by WhiteNoise before this runs and need none."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


class RequestBodyLimitMiddleware:
    """Refuses a request body over its URL's limit before anything reads it (413).

    Django's DATA_UPLOAD_MAX_MEMORY_SIZE leaves out the file parts of a form, so without
    this anyone could make a worker read a body of any size, logged in or not. The limit
    is ``ZVONOK_MAX_REQUEST_BYTES`` everywhere but the URLs named in
    ``ZVONOK_REQUEST_BODY_LIMITS`` (the answer upload). Django reads a body only up to its
    Content-Length, and nothing of a body without one (``Transfer-Encoding: chunked``):
    that is refused too (411) rather than taken for an empty form.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = request.META.get("CONTENT_LENGTH")
        if not length and "HTTP_TRANSFER_ENCODING" in request.META:
            return self._refuse(
                request, 411, lambda: _("Send the request with a Content-Length header.")
            )
        try:
            size = int(length or 0)
        except ValueError:
            size = 0  # Django reads nothing of such a body either
        if size > settings.ZVONOK_MAX_REQUEST_BYTES:
            limit = self._limit(request)
            if size > limit:
                return self._refuse(
                    request,
                    413,
                    lambda: (
                        _("The request is too large: %(size)s, at most %(limit)s here.")
                        % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
                    ),
                )
        return self.get_response(request)

    @staticmethod
    def _limit(request) -> int:
        for url_name, limit in settings.ZVONOK_REQUEST_BODY_LIMITS.items():
            if request.path == reverse(url_name):
                return limit
        return settings.ZVONOK_MAX_REQUEST_BYTES

    @staticmethod
    def _refuse(request, status, message):
        # LocaleMiddleware has not run yet: the language is read here the same way.
        with translation.override(translation.get_language_from_request(request)):
            text = message()
        return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


def client_ip(request):
    """The client's address for django-axes (``AXES_CLIENT_IP_CALLABLE``).

    Behind a reverse proxy every request comes from the proxy's address, which would lock
    everybody out together. ``ZVONOK_CLIENT_IP_HEADER`` names the ``request.META`` key the
    proxy sets to the client's address (``HTTP_X_REAL_IP`` for nginx's
    ``proxy_set_header X-Real-IP $remote_addr``). Set it only when the proxy overwrites
    that header: a client could otherwise pick its own address."""
    header = settings.ZVONOK_CLIENT_IP_HEADER
    if header and request.META.get(header):
        return request.META[header].split(",")[0].strip()
    return request.META.get("REMOTE_ADDR")
