"""Answers keep their band hashes (Answer.fingerprint), written by the import, so that
matching them can wait for the task queue (interviews.copying.match_answers); and the
stored band hashes go, since the band hash function changes in this release.

After this migration no answer is indexed: ``manage.py find_copied_answers --refresh``
indexes them again (README, "Copied answers"). The pairs already found stay: each was
checked on the two texts, not on the hashes.
"""

from django.db import migrations, models


def empty_bands(apps, schema_editor):
    # Hashes made by the earlier function would never equal the new ones: kept, they would
    # only slow every lookup down and find nothing.
    bands = apps.get_model("interviews", "AnswerBand")
    if schema_editor.connection.vendor == "postgresql":
        # At once, where a DELETE of tens of millions of rows (32 an answer) would take
        # minutes and leave them all to vacuum. No foreign key points at a band row.
        schema_editor.execute(f"TRUNCATE {schema_editor.quote_name(bands._meta.db_table)}")
    else:
        bands.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0023_copied_answers"),
    ]

    operations = [
        migrations.AddField(
            model_name="answer",
            name="fingerprint",
            field=models.BinaryField(null=True, verbose_name="fingerprint"),
        ),
        # Nothing to restore going back: the bands are found again by --refresh.
        migrations.RunPython(empty_bands, migrations.RunPython.noop, elidable=True),
    ]
