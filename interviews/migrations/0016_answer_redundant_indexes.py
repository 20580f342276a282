"""Two of the answers' indexes were copies of others: the question's foreign-key index of
interviews_answer_question_idx, the submission's of the prefix of the unique (submission,
position) index. Every imported answer paid for writing them.

Only the indexes are dropped: Django's own AlterField would also drop and re-add the
foreign keys, checking every answer again under a lock (seconds on a million answers)."""

import django.db.models.deletion
from django.db import migrations, models

# Django's names for the foreign keys' indexes, the same on PostgreSQL and SQLite.
INDEXES = {
    "interviews_answer_question_id_26097093": "question_id",
    "interviews_answer_submission_id_04f16401": "submission_id",
}


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0015_submission_source_link"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "interviews_answer" ("{column}")',
                )
                for name, column in INDEXES.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="answer",
                    name="question",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="answers",
                        to="interviews.question",
                        verbose_name="question",
                    ),
                ),
                migrations.AlterField(
                    model_name="answer",
                    name="submission",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="answers",
                        to="interviews.submission",
                        verbose_name="submission",
                    ),
                ),
            ],
        ),
    ]
