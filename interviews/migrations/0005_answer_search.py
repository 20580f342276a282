"""Full-text search over answers (interviews.search): the generated tsvector column and,
on PostgreSQL, its GIN index.

Locks, for a large existing table: adding a stored generated column rewrites
interviews_answer under an ACCESS EXCLUSIVE lock (reads wait too), and a plain
CREATE INDEX blocks writes while it builds. At Zvonok's size both take seconds. On a big
database, build the index with CREATE INDEX CONCURRENTLY from a separate non-atomic
migration instead (a later issue): CONCURRENTLY cannot run in this migration's
transaction, and a non-atomic migration that fails halfway leaves the column behind
without recording itself as applied.
"""

import django.contrib.postgres.search
from django.db import migrations, models

import interviews.db.functions

INDEX = "interviews_answer_search_idx"


def create_index(apps, schema_editor):
    # The find-answers page and the admin searches: answers whose search_vector
    # @@ websearch_to_tsquery('russian', ...). SQLite has no GIN and no tsvector.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX {INDEX} ON interviews_answer USING gin (search_vector)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0004_audit_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="answer",
            name="search_vector",
            field=models.GeneratedField(
                db_persist=True,
                expression=interviews.db.functions.AnswerDocument(),
                output_field=django.contrib.postgres.search.SearchVectorField(),
                verbose_name="search vector",
            ),
        ),
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
