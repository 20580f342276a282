"""A message may carry an iCalendar invitation, sent with it as invite.ics."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0018_message_templates"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="calendar",
            field=models.TextField(blank=True, verbose_name="calendar invitation"),
        ),
    ]
