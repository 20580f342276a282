"""The Django admin is Zvonok's main UI: HR staff and interviewers work here.

Every changelist costs the same number of queries whatever its page size: related rows
come through ``list_select_related`` and counts through ``get_queryset`` annotations.
Row-level rules (interviewers, blind feedback) live in ``interviews.roles`` and are
applied in each ModelAdmin's ``get_queryset``.
"""

from django.contrib import admin

from . import accounts, cases, catalog, hiring, people  # noqa: F401 - modules register their ModelAdmins

# The product's name, not Django's, in the header and the browser tab.
admin.site.site_header = admin.site.site_title = "Zvonok"

# Model names in the right case in every ModelAdmin's sentences, the third-party apps'
# included: their admin modules are imported before this one (INSTALLED_APPS order).
accounts.apply(admin.site)
cases.apply(admin.site)
