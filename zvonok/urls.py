from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from interviews.apply_views import apply_confirm, apply_page
from interviews.views import healthz


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico on pages that name no icon (the root's redirect, an
    error page); the admin's pages link the same file (admin/base_site.html)."""

    permanent = False

    def get_redirect_url(self, *args, **kwargs):
        # At request time: the hashed name in production comes from collectstatic's manifest.
        return static("interviews/favicon.svg")


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # The language switch in the admin's header posts to set_language here.
    path("i18n/", include("django.conf.urls.i18n")),
    # A vacancy's public page for candidates (interviews.applying): no login.
    path("apply/<str:token>/", apply_page, name="apply"),
    path("apply/confirm/<str:token>/", apply_confirm, name="apply_confirm"),
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
]
