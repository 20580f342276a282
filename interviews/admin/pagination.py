"""Changelist paging that neither counts a large table row by row nor skips through it.

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

Pages are read from where the reader is (keyset pagination). The links of the pager carry
the sort key of the current page's last row (for the pages after it) or first row (for
the pages before it) in ``?k=<page>:<key>``, and the page is read with ``WHERE (sort key)
> (that key)`` in the list's order: an index range scan that starts where the previous
page ended, however deep, instead of an ``OFFSET`` that walks every row before it. That
needs a total order over columns that are never NULL (the default orders of every large
list, and any column the admin sorts by, Django adding the primary key); other orders,
and a page asked for without a key (a typed URL, a link to a far page), are read with an
offset. A deep offset (in the tens of thousands) is read in two steps: the keys of the
page's rows first, by a query that selects nothing but the key (an index-only scan when
an index matches the ordering), then those rows with their joins and computed columns.
Read in one step, PostgreSQL would compute every computed column (the changelists' counts
and averages are correlated subqueries) for each row it skips.
"""

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import F, OrderBy, Q, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.utils.functional import cached_property

# The query-string parameter of a page's key: "<page>:<JSON list of the sort key>".
KEY_VAR = "k"
_KEY_ATTR = "_keyset_{}"


@dataclass(frozen=True, slots=True)
class _Column:
    path: str  # lookup path from the listed model ("submission__imported_at")
    descending: bool
    field: object  # the model field at the end of the path, to read a key back


class EstimatedCountPaginator(Paginator):
    # Tables with fewer rows than this are counted: it costs little there.
    estimate_from = 50_000
    # A filtered count stops here; counting 10,000 index entries takes a few ms.
    exact_up_to = 10_000
    # Rows skipped before a page is read in two steps; the first pages cost one query.
    keys_first_from = 1_000

    # (page, sort key) the request came with, from the query string; set by the admin.
    key = None
    # The last page made, for the pager's links (admin's ChangeList keeps only its rows).
    current = None

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
        # Keys only: the list's computed columns (correlated subqueries) are not needed to
        # count its rows, and PostgreSQL would compute them for every row counted.
        bounded = queryset.order_by().values("pk")[: self.exact_up_to + 1].count()
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
        columns = keyset_columns(rows) if isinstance(rows, QuerySet) else None
        if columns is None:
            return self._get_page(self._slice(rows, bottom, top), number, self)
        rows = rows.annotate(
            **{_KEY_ATTR.format(i): F(column.path) for i, column in enumerate(columns)}
        )
        found = self._from_key(rows, columns, number, top - bottom)
        if found is None:
            found = self._slice(rows, bottom, top)
        page = self._get_page(found, number, self)
        page.columns = columns
        self.current = page
        return page

    def _get_page(self, *args, **kwargs):
        return KeysetPage(*args, **kwargs)

    def _from_key(self, rows, columns, number, size):
        """The page's rows read from the key of a page near it, or None without a usable
        key. Pages after the key's page start past its last row, pages before it end
        before its first row (read backwards, then turned round)."""
        if self.key is None:
            return None
        near, values = self.key
        values = _key_values(columns, values)
        if values is None or number == near:
            return None
        if number > near:
            skip = (number - near - 1) * self.per_page
            return self._slice(rows.filter(_beyond(columns, values)), skip, skip + size)
        skip = (near - number - 1) * self.per_page
        backwards = rows.filter(_beyond(columns, values, backwards=True)).reverse()
        return list(self._slice(backwards, skip, skip + size))[::-1]

    def _slice(self, rows, bottom, top):
        if bottom < self.keys_first_from or not isinstance(rows, QuerySet):
            return rows[bottom:top]
        keys = list(rows.values_list("pk", flat=True)[bottom:top])
        found = {row.pk: row for row in rows.order_by().filter(pk__in=keys)}
        return [found[key] for key in keys if key in found]

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


class KeysetPage(Page):
    columns = None  # the list's sort key, when it has one keyset pagination can use

    def key_toward(self, number):
        """The ``KEY_VAR`` value for a link from this page to page ``number``, or None
        when an offset from the first row costs no more (or the order has no key)."""
        if not self.columns or not len(self) or number == self.number:
            return None
        distance = abs(number - self.number) - 1
        if distance >= number - 1:
            return None
        row = self[-1] if number > self.number else self[0]
        values = [_json_value(getattr(row, _KEY_ATTR.format(i))) for i in range(len(self.columns))]
        return f"{self.number}:{json.dumps(values, separators=(',', ':'))}"


def parse_key(value):
    """(page, raw key values) from a ``KEY_VAR`` value, or None if it is not one."""
    near, _, values = (value or "").partition(":")
    try:
        near, values = int(near), json.loads(values)
    except ValueError:
        return None
    if near < 1 or not isinstance(values, list):
        return None
    return near, values


def keyset_columns(queryset):
    """The columns of ``queryset``'s order, with Django's expansion of a relation into
    the related model's ordering, when they make a total order of non-NULL values over
    the listed model's rows; otherwise None."""
    query = queryset.query
    if query.order_by:
        terms = list(query.order_by)
    elif query.default_ordering and query.get_meta().ordering:
        terms = list(query.get_meta().ordering)
    else:
        return None
    columns = []
    for term in terms:
        expanded = _expand(queryset.model, term)
        if expanded is None:
            return None
        columns += [c for c in expanded if c.path not in {seen.path for seen in columns}]
    if not query.standard_ordering:  # reverse()d
        columns = [_Column(c.path, not c.descending, c.field) for c in columns]
    return columns if _is_total(queryset.model, columns) else None


# One exit per kind of ordering term or lookup step that cannot give a keyset column; split
# up, the walk down the lookup path would be spread over functions that each need it all.
def _expand(model, term, prefix=(), descending=False, depth=0):  # noqa: C901
    if isinstance(term, OrderBy) and isinstance(term.expression, F):
        if term.nulls_first or term.nulls_last:
            return None
        name, descending = term.expression.name, descending ^ term.descending
    elif isinstance(term, F):
        name = term.name
    elif isinstance(term, str) and term not in ("?", "") and "." not in term:
        name, descending = term.lstrip("-"), descending ^ term.startswith("-")
    else:
        return None
    path = list(prefix)
    current = model
    parts = name.split("__")
    for index, part in enumerate(parts):
        try:
            field = current._meta.pk if part == "pk" else current._meta.get_field(part)
        except FieldDoesNotExist:
            return None  # an annotation, or a reverse relation
        if not getattr(field, "concrete", False) or field.null:
            return None
        last = index == len(parts) - 1
        if not field.is_relation:
            if not last:
                return None  # a transform
            return [_Column("__".join([*path, field.name]), descending, field)]
        if not (field.many_to_one or field.one_to_one):
            return None
        related = field.related_model
        if not last:
            path.append(field.name)
            current = related
            continue
        if part == field.attname or not related._meta.ordering:
            # Ordered by the foreign key's own column.
            return [_Column("__".join([*path, field.attname]), descending, field.target_field)]
        if depth > 3:
            return None
        expanded = []
        for related_term in related._meta.ordering:
            more = _expand(related, related_term, (*path, field.name), descending, depth + 1)
            if more is None:
                return None
            expanded += more
        return expanded
    return None


def _is_total(model, columns):
    """Whether no two rows of ``model`` share the values of ``columns``."""
    covered = set()
    pk = model._meta.pk
    for column in columns:
        head, _, rest = column.path.partition("__")
        if head in ("pk", pk.name, pk.attname) and not rest:
            return True
        try:
            field = model._meta.get_field(head)
        except FieldDoesNotExist:
            continue
        if not rest and not field.is_relation:
            covered.add(field.name)
        elif field.is_relation and (
            (not rest and head == field.attname)
            or rest in ("pk", field.target_field.name, field.target_field.attname)
        ):
            covered.add(field.name)
    if any(f.unique and f.name in covered for f in model._meta.concrete_fields):
        return True
    unique_sets = [set(fields) for fields in model._meta.unique_together]
    unique_sets += [
        set(constraint.fields)
        for constraint in model._meta.total_unique_constraints
        if constraint.fields
    ]
    return any(fields <= covered for fields in unique_sets)


def _beyond(columns, values, *, backwards=False):
    """Rows after ``values`` in the order of ``columns`` (before them, ``backwards``).

    All columns in one direction: a row comparison, ``(a, b) > (x, y)``, which PostgreSQL
    reads as one index range and estimates right; spelt out as ``a > x OR (a = x AND b >
    y)`` it underestimates the rows left (the OR) and may sort thousands of them instead of
    reading a hundred from the index. SQLite gets the spelt-out form from Django.
    Otherwise: the first column bounded on its own so that an index range serves it, then
    the lexicographic comparison."""
    if len({column.descending for column in columns}) == 1:
        lookup = TupleLessThan if columns[0].descending != backwards else TupleGreaterThan
        return lookup(Tuple(*(F(column.path) for column in columns)), tuple(values))
    condition = None
    for column, value in reversed(list(zip(columns, values, strict=True))):
        later = "lt" if column.descending != backwards else "gt"
        step = Q(**{f"{column.path}__{later}": value})
        if condition is not None:
            step |= Q(**{column.path: value}) & condition
        condition = step
    first, value = columns[0], values[0]
    bound = "lte" if first.descending != backwards else "gte"
    return Q(**{f"{first.path}__{bound}": value}) & condition


def _key_values(columns, raw):
    """The raw JSON values as Python values of the columns' fields, or None."""
    if len(raw) != len(columns) or None in raw:
        return None
    try:
        return [column.field.to_python(value) for column, value in zip(columns, raw, strict=True)]
    except (ValidationError, TypeError, ValueError):
        return None


def _json_value(value):
    # Full precision: DjangoJSONEncoder cuts datetimes to milliseconds.
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value
