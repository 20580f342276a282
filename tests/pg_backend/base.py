"""PostgreSQL as the test suite uses it: Django's backend, but a transactional test empties
its tables with DELETE rather than TRUNCATE.

After each transactional test (``django_db(transaction=True)``) Django flushes the test
database. PostgreSQL's TRUNCATE gives every table and index a new file, and the suite's
~45 tables cost about 1.8 s a flush on the 2-core machine, where deleting the few rows a
test leaves takes 10-40 ms. The DELETEs run in one transaction and Django's foreign keys
are deferred to its commit, so their order does not matter.

Only that flush changes: Django asks it with neither ``reset_sequences`` nor
``allow_cascade``. The ``flush`` command run by a test (the backup drill), which resets
the sequences by default, still runs PostgreSQL's TRUNCATE as in production.
"""

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade:
            return super().sql_flush(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
            for table in tables
        ]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
