"""Running one of the app's migrations again inside a test: on PostgreSQL the schema rolls
back with the test's transaction, so the database is as migrated again afterwards (SQLite
cannot change its schema in a transaction). The rows' deferred foreign-key checks run
before each step: a table with checks pending can be neither altered nor truncated."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

APP = "interviews"


def migrate_to_just_before(migration: str):
    """Unapply ``migration`` and every later one; the models as they were then."""
    executor = _executor()
    # The migration just before this one, whatever its number.
    (before,) = (
        node.key
        for node in executor.loader.graph.node_map[APP, migration].parents
        if node.key[0] == APP
    )
    executor.migrate([before])
    return executor.loader.project_state([before]).apps


def migrate_to(migration: str):
    """Apply ``migration`` (and what it needs); the models as they are after it."""
    executor = _executor()
    executor.migrate([(APP, migration)])
    return executor.loader.project_state([(APP, migration)]).apps


def _executor() -> MigrationExecutor:
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return MigrationExecutor(connection)
