"""Counting the queries of one admin page the way production runs them.

Settings wrap every request in a transaction (ATOMIC_REQUESTS). Inside a test, which runs
in a transaction of its own, the request's transaction becomes a SAVEPOINT and its
RELEASE: two statements that production, starting from autocommit, never sends as
queries. ``page_queries`` leaves exactly those two out, so every number pinned in the
tests is what the database serves in production, and ``PAGE_BUDGET`` is the goal for a
page: at most ten queries, however many rows it shows.
"""

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

PAGE_BUDGET = 10

# One page per custom view, as production runs it, for a superuser unless the name says
# which role; the tests that pin each are named after the view. Model pages (lists, add,
# change, history) are pinned in tests/test_admin.py.
VIEW_QUERIES = {
    "answers to a question": 6,
    "autocomplete": 4,
    "compare": 9,
    "compare, as a reviewer": 10,
    "copied answers": 7,
    "export csv, as an HR manager": 9,
    "export xlsx, as an HR manager": 9,
    "find answers": 7,
    "funnel": 7,
    "import form": 4,
    "candidates by a privacy filter, as an HR manager": 7,
    "merge candidates, as an HR manager": 6,
    "print, as an HR manager": 10,
    "reject": 9,
    "score, as an HR manager": 9,
    "score, as an interviewer": 8,
    "similar answers": 4,
    "write to candidates, as an HR manager": 6,
}


# The import's preview and its confirmation run the import itself, the preview in a
# savepoint rolled back: the reads, one bulk write per table and the savepoints, the
# same whatever the number of files (tests/test_upload.py), but over PAGE_BUDGET by the
# nature of the work. The audit-history rows of new candidates and applications are two
# of those bulk writes; one read gives the questionnaires' titles to show. On PostgreSQL
# the bulk writes are COPYs, which Django's query log does not record; each is seen
# through the query that takes its rows' ids, but the candidates' history rows need none:
# one query fewer is seen there.
IMPORT_QUERIES = {"preview": 23, "confirm": 21}
UNSEEN_COPIES = {"postgresql": 1}


def page_queries(client, url, data=None, *, method="get", status=200, **extra):
    """The SQL of one request, without the request's savepoint and its release; a
    streamed body is read, and its queries counted, too."""
    # ContentType rows are cached per process; a running server has them all already.
    ContentType.objects.get_for_models(*apps.get_models())
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data, **extra)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == status, (url, response.status_code)
    statements = [query["sql"] for query in captured.captured_queries]
    savepoint = next(s for s in statements if s.startswith("SAVEPOINT "))
    release = "RELEASE " + savepoint
    assert release in statements, "the request's savepoint was not released"
    statements.remove(savepoint)
    statements.remove(release)
    return statements


def listing(statements):
    """For assertion messages: the statements, one per line."""
    return "\n".join(statements)
