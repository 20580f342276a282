"""Changelist paging that does not count a large table row by row.

``SELECT COUNT(*)`` reads every row PostgreSQL has to check for visibility: on the
answers table (a million rows) that is most of a page's time, for a number nobody reads
to the last digit. So on PostgreSQL:

- an unfiltered list of a large table takes the row count the planner keeps up to date
  (``pg_class.reltuples``, refreshed by autovacuum's ANALYZE);
- a filtered list is counted exactly up to ``exact_up_to`` rows; past that, the planner's
  estimate of the filtered query is used;
- small tables, and SQLite, are always counted exactly.

An estimated count is shown as "≈ N" (``admin/pagination.html``). The pages themselves
are exact: the estimate only decides how many page links there are.

A deep page (``OFFSET`` in the tens of thousands) is read in two steps: the keys of the
page's rows first, by a query that selects nothing but the key (an index-only scan
when an index matches the ordering), then those rows with their joins and computed
columns. Read in one step, PostgreSQL would compute every computed column (the
changelists' counts and averages are correlated subqueries) for each row it skips.
"""

import json

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property


class EstimatedCountPaginator(Paginator):
    # Tables with fewer rows than this are counted: it costs little there.
    estimate_from = 50_000
    # A filtered count stops here; counting 10,000 index entries takes a few ms.
    exact_up_to = 10_000
    # Rows skipped before a page is read in two steps; the first pages cost one query.
    keys_first_from = 1_000

    @cached_property
    def count(self):
        queryset = self.object_list
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":
            self._estimated = False
            return super().count
        query = queryset.query
        if not query.where and not query.distinct and query.combinator is None:
            count, self._estimated = self._table_count(connection, queryset.model)
            return count
        bounded = queryset.order_by()[: self.exact_up_to + 1].count()
        if bounded <= self.exact_up_to:
            self._estimated = False
            return bounded
        self._estimated = True
        return max(bounded, self._plan_estimate(queryset))

    @property
    def count_is_estimate(self):
        self.count  # noqa: B018 (computing the count is what sets the flag)
        return self._estimated

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        if bottom < self.keys_first_from or not isinstance(rows, QuerySet):
            return self._get_page(rows[bottom:top], number, self)
        keys = list(rows.values_list("pk", flat=True)[bottom:top])
        found = {row.pk: row for row in rows.order_by().filter(pk__in=keys)}
        return self._get_page([found[key] for key in keys if key in found], number, self)

    def _table_count(self, connection, model):
        """(rows, estimated) of a whole table in one query: the planner's figure for a
        large table, COUNT(*) (run only then) for a small one or one never analysed."""
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                # Only the quoted table name of the model goes into the text.
                "SELECT CASE WHEN reltuples >= %s THEN reltuples::bigint"  # noqa: S608
                f" ELSE (SELECT COUNT(*) FROM {table}) END, reltuples >= %s"
                " FROM pg_class WHERE oid = %s::regclass",
                [self.estimate_from, self.estimate_from, table],
            )
            return cursor.fetchone()

    @staticmethod
    def _plan_estimate(queryset):
        plan = json.loads(queryset.order_by().explain(format="json"))
        return int(plan[0]["Plan"]["Plan Rows"])
