"""The source filter's index and the answer changelist's covering index (see the comments
in models.py), built without locking the tables on PostgreSQL."""

from django.db import migrations, models

from interviews.db.schema import AddIndexOnline


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("interviews", "0009_changelist_order_indexes"),
    ]

    operations = [
        AddIndexOnline(
            model_name="candidate",
            index=models.Index(fields=["source"], name="interviews_cand_source_idx"),
        ),
        AddIndexOnline(
            model_name="answer",
            index=models.Index(
                fields=["submission", "position"],
                include=["id"],
                name="interviews_answer_order_idx",
            ),
        ),
    ]
