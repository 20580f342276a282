"""A Content-Security-Policy for every page Zvonok serves, and the client address that
login lockout counts failures by.

Django's SecurityMiddleware and XFrameOptionsMiddleware set the other headers
(``X-Content-Type-Options``, ``Referrer-Policy``, ``Cross-Origin-Opener-Policy``,
``X-Frame-Options``); Django 5.2 has no CSP of its own. The admin and our pages load
scripts from files only, so ``script-src 'self'`` holds; the admin's templates use
``style`` attributes, hence ``'unsafe-inline'`` for styles alone.
"""

from django.conf import settings

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
