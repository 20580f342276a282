"""SQL functions and expressions of the app's columns: what ``Answer.search_vector``
stores, and the folding the SQLite fallback of the search compares with. Below the models
(they import it), so it imports nothing of the app."""

from django.contrib.postgres.search import SearchVectorField
from django.db import NotSupportedError
from django.db.models import CharField, F, Func, TextField, lookups

CONFIG = "russian"


def fold(text: str) -> str:
    """Case- and ё-insensitive form of ``text``, character by character (so that the
    positions of a folded text map back to the original one)."""
    return text.casefold().replace("ё", "е")


def fold_yo(text: str) -> str:
    """ё → е, keeping the case: the folding the stored tsvector does."""
    return text.replace("ё", "е").replace("Ё", "Е")


class AnswerDocument(Func):
    """What the search looks at in an answer, as ``Answer.search_vector`` stores it.

    PostgreSQL: the answer's body with the highest weight, the question as written with
    the lowest (it is the same for everybody who answered the question), each with ё
    folded to е. Every function used is immutable, as a generated column requires.
    SQLite has no tsvector: the column is a constant NULL there and the search falls back
    to ``zvonok_fold`` (``interviews.search``).
    """

    output_field = SearchVectorField()

    def __init__(self):
        super().__init__(F("question_text"), F("body"))

    def as_postgresql(self, compiler, connection, **extra_context):
        (question, question_params), (body, body_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )

        def vector(column, weight):
            return (
                f"setweight(to_tsvector('{CONFIG}'::regconfig, "
                f"translate(coalesce({column}, ''), 'ёЁ', 'еЕ')), '{weight}')"
            )

        return (
            f"{vector(body, 'A')} || {vector(question, 'D')}",
            (*body_params, *question_params),
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return "NULL", ()

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError("Answer search supports PostgreSQL and SQLite only.")


# -- SQLite fallback -------------------------------------------------------------------


class Fold(Func):
    """``fold()`` in SQL, on SQLite only (``register_sqlite_functions``): SQLite's lower()
    and LIKE fold ASCII letters only."""

    function = "zvonok_fold"
    output_field = TextField()


def _sql_fold(value):
    return None if value is None else fold(str(value))


def _sql_upper(value):
    return None if value is None else str(value).upper()


def register_sqlite_functions(sender, connection, **kwargs):
    """``connection_created`` receiver, connected in ``InterviewsConfig.ready()``."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("zvonok_fold", 1, _sql_fold, deterministic=True)
        connection.connection.create_function("zvonok_upper", 1, _sql_upper, deterministic=True)


# -- case-insensitive lookups on SQLite ------------------------------------------------


class _UnicodeCaseless:
    """A case-insensitive lookup (``icontains`` and its kin: the admin's searches and
    filters) that ignores the case of every letter on SQLite, as it does on PostgreSQL
    (``UPPER(column) LIKE UPPER(value)``). SQLite's LIKE ignores the case of ASCII letters
    only, so "соколов" would not find "Соколов"; both sides are upper-cased by Python
    first (``zvonok_upper``). Elsewhere the lookup is Django's own."""

    def as_sqlite(self, compiler, connection):
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        rhs_sql = self.get_rhs_op(connection, f"zvonok_upper({rhs_sql})")
        return f"zvonok_upper({lhs_sql}) {rhs_sql}", [*lhs_params, *rhs_params]


class UnicodeIExact(_UnicodeCaseless, lookups.IExact):
    pass


class UnicodeIContains(_UnicodeCaseless, lookups.IContains):
    pass


class UnicodeIStartsWith(_UnicodeCaseless, lookups.IStartsWith):
    pass


class UnicodeIEndsWith(_UnicodeCaseless, lookups.IEndsWith):
    pass


CASELESS_LOOKUPS = (UnicodeIExact, UnicodeIContains, UnicodeIStartsWith, UnicodeIEndsWith)


def register_caseless_lookups():
    """In place of Django's for every text column (``InterviewsConfig.ready()``)."""
    for field_class in (CharField, TextField):
        for lookup in CASELESS_LOOKUPS:
            field_class.register_lookup(lookup)
