"""Indexes in the changelists' default orders (see the comments in models.py), built
without locking the tables on PostgreSQL."""

from django.db import migrations, models

from interviews.db.schema import AddIndexOnline, RemoveIndexOnline


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("interviews", "0008_candidate_archive"),
    ]

    operations = [
        AddIndexOnline(
            model_name="candidate",
            index=models.Index(
                fields=["full_name", "id"], include=["archived_at"], name="interviews_cand_name_idx"
            ),
        ),
        AddIndexOnline(
            model_name="application",
            index=models.Index(fields=["-created_at", "-id"], name="interviews_app_created_idx"),
        ),
        # Replaced by the same order with the id as a tie-breaker.
        AddIndexOnline(
            model_name="submission",
            index=models.Index(
                fields=["-imported_at", "-id"], name="interviews_sub_imported_id_idx"
            ),
        ),
        RemoveIndexOnline(model_name="submission", name="interviews_sub_imported_idx"),
    ]
