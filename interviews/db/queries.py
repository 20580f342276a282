"""Queries written from a model's metadata alone, for any table of the app."""

from django.db import connections


def distinct_values(model, field: str) -> list:
    """The distinct values of an indexed column, in order. On PostgreSQL a recursive
    query takes them from the index one after the other ("loose index scan": one index
    probe per value, where SELECT DISTINCT reads every row); elsewhere SELECT DISTINCT."""
    queryset = model._default_manager.order_by(field).values_list(field, flat=True)
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return list(queryset.distinct())
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(model._meta.get_field(field).column)
    with connection.cursor() as cursor:
        # Only quoted names from the model's own metadata go into the text.
        sql = (
            "WITH RECURSIVE found(value) AS ("  # noqa: S608
            f" (SELECT {column} FROM {table} ORDER BY {column} LIMIT 1)"
            " UNION ALL"
            f" SELECT (SELECT {column} FROM {table} WHERE {column} > found.value"
            f" ORDER BY {column} LIMIT 1) FROM found WHERE found.value IS NOT NULL"
            ") SELECT value FROM found WHERE value IS NOT NULL"
        )
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]
