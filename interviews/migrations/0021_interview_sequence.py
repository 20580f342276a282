"""The version number of an interview's calendar invitations (iCalendar SEQUENCE)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0020_rejection_reasons"),
    ]

    operations = [
        migrations.AddField(
            model_name="interview",
            name="sequence",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="invitation version"
            ),
        ),
    ]
