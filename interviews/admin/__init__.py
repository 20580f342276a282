"""The Django admin is Zvonok's main UI: HR staff and interviewers work here.

Every changelist costs the same number of queries whatever its page size: related rows
come through ``list_select_related`` and counts through ``get_queryset`` annotations.
Row-level rules (interviewers, blind feedback) live in ``interviews.roles`` and are
applied in each ModelAdmin's ``get_queryset``. The site itself, its name and the order of
its home page, is ``interviews.admin_site``.
"""

# Model names in the right case on every page (cases.py) and the third-party admins'
# labels (accounts.py) are applied by interviews.apps.ZvonokAdminConfig once every app's
# admin module has registered its ModelAdmins.
from . import accounts, cases, catalog, copying, hiring, messaging, people  # noqa: F401 - modules register their ModelAdmins
