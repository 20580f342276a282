"""Small helpers shared by the admin modules."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_noop
from simple_history.admin import SimpleHistoryAdmin

from .. import roles

# Column heading of django-simple-history's history page, missing from its Russian
# catalogue: marked here so that makemessages keeps it in ours (LOCALE_PATHS comes first).
gettext_noop("Changes")


def short(text, length=80):
    """One line of at most ``length`` characters, for changelist columns."""
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1] + "…"


class AuditedAdmin(SimpleHistoryAdmin):
    """The admin's history page with field-by-field changes, shown only to those who may
    see every field: recruiters and HR managers (``history_for_recruiters``), or HR
    managers alone. Interviewers would otherwise read contacts and others' scores there."""

    history_for_recruiters = True

    def history_view(self, request, object_id, extra_context=None):
        user = request.user
        allowed = roles.is_hr_manager(user) or (
            self.history_for_recruiters and roles.is_recruiter(user)
        )
        # The history view falls back to deleted rows' history; only rows this user may
        # open in the admin are offered.
        if not allowed or not self.get_queryset(request).filter(pk=object_id).exists():
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # One past version (simple_history's page, which saves the form on POST with no
        # more than a view permission): the readers of the history page, and a revert is
        # a change of the row as it is now.
        user = request.user
        allowed = roles.is_hr_manager(user) or (
            self.history_for_recruiters and roles.is_recruiter(user)
        )
        current = self.get_queryset(request).filter(pk=object_id).first() if allowed else None
        if current is None:
            raise PermissionDenied
        if request.method == "POST" and not self.has_change_permission(request, current):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
