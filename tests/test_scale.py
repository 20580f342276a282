"""What keeps the admin quick on large tables, shown on small data: lookups written so
that PostgreSQL can answer them from an index, and indexes built without locking."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from interviews import duplicates
from interviews.db.queries import distinct_values
from interviews.models import Candidate
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db


def test_distinct_values_lists_each_value_once_in_order():
    for source in ["hh.ru", "", "referral", "hh.ru", "Хабр Карьера", "referral"]:
        CandidateFactory(source=source)

    assert distinct_values(Candidate, "source") == ["", "hh.ru", "referral", "Хабр Карьера"]


def test_the_source_filter_offers_each_source_and_filters_by_it(admin_client):
    CandidateFactory(full_name="Анна", source="hh.ru")
    CandidateFactory(full_name="Борис", source="referral")
    CandidateFactory(full_name="Вера", source="")
    url = reverse("admin:interviews_candidate_changelist")

    listed = admin_client.get(url)
    filtered = admin_client.get(url, {"source": "referral"})

    changelist = listed.context["cl"]
    (source,) = [f for f in changelist.filter_specs if getattr(f, "parameter_name", "") == "source"]
    choices = [choice["display"] for choice in source.choices(changelist)]
    assert choices[1:] == ["hh.ru", "referral"]
    assert [c.full_name for c in filtered.context["cl"].result_list] == ["Борис"]


def test_the_email_lookup_of_duplicates_uses_the_unique_index(on_postgres):
    anna = CandidateFactory(email="anna@example.com", phone="", telegram="")
    CandidateFactory(email="boris@example.com", phone="", telegram="")

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = duplicates.duplicates_of(anna).explain()

    # With sequential scans priced out, an index that matches the condition is used;
    # UPPER(email) (iexact) matched none and was scanned anyway.
    assert "interviews_candidate_unique_email_ci" in plan


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "migration", ["0009_changelist_order_indexes", "0010_source_and_answer_order_indexes"]
)
def test_indexes_on_large_tables_are_built_concurrently(migration):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://...")
    out = io.StringIO()

    # Outside a transaction (transaction=True), where CONCURRENTLY can run.
    call_command("sqlmigrate", "interviews", migration, stdout=out)

    sql = [line for line in out.getvalue().splitlines() if "INDEX" in line]
    assert sql and all("INDEX CONCURRENTLY" in line for line in sql), sql
