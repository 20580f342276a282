"""User accounts, groups and login security in the admin's language.

Django stores a permission's name in English when the database is migrated ("Can add
application") and lists it so on the user and group pages; here each permission is named
from its model's translated name and its action instead."""

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
from django.contrib.auth.models import Group, Permission, User
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext, gettext_noop, ngettext
from django.utils.translation import gettext_lazy as _

# Django's own translated verbs for the four default permissions.
ACTIONS = {
    "add": _("Add"),
    "change": _("Change"),
    "delete": _("Delete"),
    "view": _("View"),
}


def permission_label(permission):
    """ "Zvonok | заявка | Изменить" for ``change_application``."""
    content_type = permission.content_type
    model = content_type.model_class()
    if model is None:  # a table left over from a removed app
        return str(permission)
    original = getattr(model, "instance_type", None)  # simple_history's copy of a model
    if original is not None:
        name = gettext("history of %s") % original._meta.verbose_name_plural
    else:
        name = model._meta.verbose_name
    action, _, rest = permission.codename.partition("_")
    if action in ACTIONS and rest == model._meta.model_name:
        what = ACTIONS[action]
    else:
        what = gettext(permission.name)  # the model's own permissions, in the catalogue
    # A third-party app may name itself without gettext (django-tasks-db): its name is in
    # this project's catalogue (THIRD_PARTY_TEXT).
    app_name = gettext(str(model._meta.app_config.verbose_name))
    return f"{app_name} | {name} | {capfirst(what)}"


class PermissionLabelsMixin:
    def formfield_for_manytomany(self, db_field, request, **kwargs):
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        if formfield is not None and db_field.related_model is Permission:
            formfield.label_from_instance = permission_label
        return formfield


class PasswordChangeForm(AdminPasswordChangeForm):
    # Django appends this warning to the field's help as an untranslated string.
    usable_password_help_text = format_lazy(
        '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
        SetUnusablePasswordMixin.usable_password_help_text,
        _("If disabled, the current password for this user will be lost."),
    )


class UserAccountsMixin(PermissionLabelsMixin):
    change_password_form = PasswordChangeForm


class LoginAttemptColumnsMixin:
    """django-axes's columns of a login attempt, with translated headers and the count
    of attempts left in the language's plural forms."""

    @admin.display(description=_("expires"))
    def expiration(self, obj):
        return obj.expiration.expires_at if hasattr(obj, "expiration") else gettext("not set")

    @admin.display(description=_("status"))
    def status(self, obj):
        left = settings.AXES_FAILURE_LIMIT - obj.failures_since_start
        if left > 0:
            return ngettext("%(count)d attempt left", "%(count)d attempts left", left) % {
                "count": left
            }
        return gettext("Locked Out")


def apply(site):
    for model, mixin in (
        (User, UserAccountsMixin),
        (Group, PermissionLabelsMixin),
        (AccessAttempt, LoginAttemptColumnsMixin),
    ):
        if site.is_registered(model):
            cls = type(site.get_model_admin(model))
            site.unregister(model)
            site.register(model, type(cls.__name__, (mixin, cls), {"__module__": cls.__module__}))


# Strings of django-axes and django-simple-history shown on the admin's pages that those
# apps leave in English in Russian; translated in this project's catalogue.
THIRD_PARTY_TEXT = (
    gettext_noop("User Agent"),
    gettext_noop("Locked Out"),
    gettext_noop("None"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    # django-tasks-db's queue: its permissions are listed on the user and group pages.
    gettext_noop("Tasks Database Backend"),
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
)
