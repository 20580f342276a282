"""The default hiring pipeline and the three role groups with their permissions."""

from django.db import migrations

STAGES = [
    # (name, Russian name, order, kind)
    ("New", "Новый", 10, "active"),
    ("Screening", "Скрининг", 20, "active"),
    ("Technical interview", "Техническое интервью", 30, "active"),
    ("Final interview", "Финальное интервью", 40, "active"),
    ("Offer", "Оффер", 50, "active"),
    ("Hired", "Принят", 60, "hired"),
    ("Rejected", "Отказ", 70, "rejected"),
]


def create_stages(apps, schema_editor):
    Stage = apps.get_model("interviews", "Stage")
    Application = apps.get_model("interviews", "Application")
    StageChange = apps.get_model("interviews", "StageChange")
    for name, name_ru, order, kind in STAGES:
        Stage.objects.get_or_create(
            name=name, defaults={"name_ru": name_ru, "order": order, "kind": kind}
        )
    new = Stage.objects.get(name="New")
    # Applications made before stages existed start in "New", with their history begun.
    for application in Application.objects.filter(stage__isnull=True):
        application.stage = new
        application.stage_changed_at = application.created_at
        application.save(update_fields=["stage", "stage_changed_at"])
        StageChange.objects.create(
            application=application, to_stage=new, at=application.created_at
        )


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    from interviews.roles import HR_MANAGER, ROLE_PERMISSIONS

    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    app_permissions = Permission.objects.filter(content_type__app_label="interviews")
    hr, _ = Group.objects.get_or_create(name=HR_MANAGER)
    hr.permissions.add(*app_permissions, *Permission.objects.filter(codename="view_user"))
    for role, models in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        codenames = [f"{action}_{model}" for model, actions in models.items() for action in actions]
        group.permissions.set(app_permissions.filter(codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0002_hiring_workflow"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_stages, migrations.RunPython.noop),
        migrations.RunPython(create_groups, migrations.RunPython.noop),
    ]
