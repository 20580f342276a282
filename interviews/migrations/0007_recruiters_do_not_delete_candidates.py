"""Only HR managers delete candidates: deleting a person erases their applications'
history. Databases migrated before this change gave recruiters ``delete_candidate``."""

from django.db import migrations

from interviews.roles import RECRUITER


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.filter(
        content_type__app_label="interviews", codename="delete_candidate"
    ).first()
    group = Group.objects.filter(name=RECRUITER).first()
    if permission is not None and group is not None:
        group.permissions.remove(permission)


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.filter(
        content_type__app_label="interviews", codename="delete_candidate"
    ).first()
    group = Group.objects.filter(name=RECRUITER).first()
    if permission is not None and group is not None:
        group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0006_candidates_as_people"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(revoke, grant)]
