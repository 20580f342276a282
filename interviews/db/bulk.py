"""Fast inserts for imports.

On PostgreSQL, rows go in with COPY, and the ids they need are taken from the table's
sequence beforehand (so answers can point at submissions inserted in the same batch).
COPY skips building a model instance and a quoted INSERT per row, which is where bulk
imports spend their time. Elsewhere (SQLite, the embedded demo database) ``bulk_create``
does the job.

Callers pass values ready for the column: ``auto_now_add`` and defaults are not applied.
"""

import json

from django.db import connection, models


def insert_rows(
    model: type[models.Model],
    fields: list[str],
    rows: list[tuple],
    *,
    return_ids: bool = False,
    integers: bool = False,
) -> list[int] | None:
    """``integers``: every value is an int or None (the band hashes of copied answers),
    which go to COPY as text written here, half the cost of a row at a time."""
    if not rows:
        return [] if return_ids else None
    if connection.vendor == "postgresql":
        if integers and not return_ids:
            return _copy_integers(model, fields, rows)
        return _copy(model, fields, rows, return_ids)
    attnames = [model._meta.get_field(name).attname for name in fields]
    objs = model.objects.bulk_create(
        [model(**dict(zip(attnames, row, strict=True))) for row in rows], batch_size=500
    )
    return [obj.pk for obj in objs] if return_ids else None


def _copy(model, fields, rows, return_ids):
    meta = model._meta
    json_columns = {
        i for i, name in enumerate(fields) if isinstance(meta.get_field(name), models.JSONField)
    }
    columns = [meta.get_field(name).column for name in fields]
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        ids = None
        if return_ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(rows)],
            )
            ids = [row[0] for row in cursor.fetchall()]
            columns.insert(0, meta.pk.column)
        statement = f"COPY {qn(meta.db_table)} ({', '.join(map(qn, columns))}) FROM STDIN"
        # psycopg's own cursor, so its errors are turned into Django's here (a unique
        # violation is an IntegrityError, which the importer retries file by file).
        with connection.wrap_database_errors, cursor.cursor.copy(statement) as copy:
            for n, row in enumerate(rows):
                if json_columns:
                    row = tuple(
                        json.dumps(v) if i in json_columns else v for i, v in enumerate(row)
                    )
                copy.write_row((ids[n], *row) if ids else row)
    return ids


# Rows of integers sent to COPY at a time: about 1 MB of text.
_TEXT_ROWS = 20_000


def _copy_integers(model, fields, rows):
    meta = model._meta
    qn = connection.ops.quote_name
    columns = ", ".join(qn(meta.get_field(name).column) for name in fields)
    statement = f"COPY {qn(meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor:
        with connection.wrap_database_errors, cursor.cursor.copy(statement) as copy:
            for start in range(0, len(rows), _TEXT_ROWS):
                text = "".join(
                    "\t".join("\\N" if v is None else str(int(v)) for v in row) + "\n"
                    for row in rows[start : start + _TEXT_ROWS]
                )
                copy.write(text.encode())
