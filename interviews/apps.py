from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete, post_migrate, pre_delete
from django.utils.translation import gettext_lazy as _


class InterviewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "interviews"
    verbose_name = _("Interviews")

    def ready(self):
        from . import privacy, scheduling
        from .db.functions import register_caseless_lookups, register_sqlite_functions
        from .models import Candidate, Interview

        # Before the first connection is made: the app registry loads before any query.
        connection_created.connect(register_sqlite_functions, dispatch_uid="zvonok.sqlite")
        register_caseless_lookups()
        post_migrate.connect(sync_role_permissions, sender=self)
        # Connected after django-simple-history's receivers (connected as the models were
        # prepared), so the deletion's own history row exists when it is scrubbed.
        pre_delete.connect(
            privacy.remember_person_rows, sender=Candidate, dispatch_uid="privacy.rows"
        )
        post_delete.connect(
            privacy.scrub_deleted_candidate, sender=Candidate, dispatch_uid="privacy.scrub"
        )
        pre_delete.connect(
            scheduling.cancel_deleted, sender=Interview, dispatch_uid="scheduling.cancel"
        )


class ZvonokAdminConfig(admin_apps.AdminConfig):
    """Django's admin app with Zvonok's site (interviews.admin_site) as ``admin.site``;
    INSTALLED_APPS names it in the admin's place."""

    default = False  # "interviews" alone still means InterviewsConfig
    default_site = "interviews.admin_site.ZvonokAdminSite"

    def ready(self):
        super().ready()  # imports every app's admin module: all ModelAdmins are registered
        from django.contrib import admin
        from django_tasks_db.models import DBTaskResult

        from .admin import accounts, cases

        # The task queue's rows are for operators (manage.py shell, the database): a
        # background import shows itself on the upload page (interviews.UploadJob).
        if admin.site.is_registered(DBTaskResult):
            admin.site.unregister(DBTaskResult)
        # The third-party apps' admins too, whatever the order of INSTALLED_APPS.
        accounts.apply(admin.site)
        cases.apply(admin.site)


def sync_role_permissions(sender, **kwargs):
    """Keep the role groups' permissions in step with the models after every migrate: HR
    managers get every permission of the app, including for models added later; the other
    roles get what interviews.roles lists."""
    from django.contrib.auth.models import Group, Permission

    from .roles import HR_MANAGER, ROLE_PERMISSIONS

    using = kwargs.get("using", "default")
    app_permissions = Permission.objects.using(using).filter(content_type__app_label="interviews")
    hr = Group.objects.using(using).filter(name=HR_MANAGER).first()
    if hr is not None:
        hr.permissions.add(*app_permissions)
    for role, models in ROLE_PERMISSIONS.items():
        group = Group.objects.using(using).filter(name=role).first()
        if group is not None:
            codenames = [f"{a}_{m}" for m, actions in models.items() for a in actions]
            group.permissions.set(app_permissions.filter(codename__in=codenames))
