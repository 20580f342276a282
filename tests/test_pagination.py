"""Changelists of large tables take PostgreSQL's row estimate instead of counting every
row; small or filtered-to-small lists are counted exactly; the pager's links carry the
key a page is read from."""

import json
import re
from html import unescape
from urllib.parse import parse_qs, quote

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from interviews.admin.pagination import EstimatedCountPaginator, keyset_columns, parse_key
from interviews.models import Answer, Candidate
from tests.factories import ApplicationFactory, CandidateFactory
from tests.queries import listing, page_queries

pytestmark = pytest.mark.django_db


def _analyze(table="interviews_candidate"):
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")


@pytest.fixture
def small_limits(monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "estimate_from", 10)
    monkeypatch.setattr(EstimatedCountPaginator, "exact_up_to", 5)


def test_a_small_table_is_counted_exactly():
    CandidateFactory.create_batch(3)

    paginator = EstimatedCountPaginator(Candidate.objects.order_by("pk"), 2)

    assert (paginator.count, paginator.count_is_estimate, paginator.num_pages) == (3, False, 2)


def test_a_large_table_takes_the_planner_estimate(on_postgres, small_limits):
    CandidateFactory.create_batch(20)
    _analyze()
    # Rows gone since the last ANALYZE are still in the estimate: proof that nothing
    # was counted.
    Candidate.objects.filter(pk__in=Candidate.objects.order_by("pk")[:3]).delete()

    paginator = EstimatedCountPaginator(Candidate.objects.order_by("pk"), 10)

    assert (paginator.count, paginator.count_is_estimate) == (20, True)
    assert [c.pk for c in paginator.page(2)] == list(
        Candidate.objects.order_by("pk").values_list("pk", flat=True)[10:]
    )


def test_a_filtered_list_is_counted_exactly_when_small(on_postgres, small_limits):
    CandidateFactory.create_batch(4, source="hh.ru")
    CandidateFactory.create_batch(16, source="referral")
    _analyze()

    paginator = EstimatedCountPaginator(Candidate.objects.filter(source="hh.ru"), 10)

    assert (paginator.count, paginator.count_is_estimate) == (4, False)


def test_a_filtered_list_past_the_limit_takes_at_least_what_was_counted(on_postgres, small_limits):
    CandidateFactory.create_batch(16, source="referral")

    paginator = EstimatedCountPaginator(Candidate.objects.filter(source="referral"), 10)

    # Six counted (one past the limit), then the planner's estimate, never less.
    assert (paginator.count >= 6, paginator.count_is_estimate) == (True, True)


def test_the_changelist_marks_an_estimated_count(on_postgres, small_limits, admin_client):
    ApplicationFactory.create_batch(12)
    _analyze("interviews_application")
    url = reverse("admin:interviews_application_changelist")

    estimated = admin_client.get(url).content.decode()
    exact = admin_client.get(url, {"q": "no such candidate"}).content.decode()

    assert 'title="приблизительно">≈</span> 12 ' in estimated
    assert "≈" not in exact


def test_a_deep_page_read_keys_first_has_the_rows_of_the_plain_page(monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "keys_first_from", 4)
    CandidateFactory.create_batch(9)
    rows = Candidate.objects.annotate(pk_twice=F("pk") * 2).order_by("-full_name", "pk")

    paginator = EstimatedCountPaginator(rows, 4)
    second, third = paginator.page(2), paginator.page(3)

    assert [(c.pk, c.pk_twice) for c in second] == [(c.pk, c.pk * 2) for c in rows[4:8]]
    assert [c.pk for c in third] == [c.pk for c in rows[8:]]
    assert isinstance(second.object_list, list)
    assert not isinstance(paginator.page(1).object_list, list)


# -- pages read from a key ---------------------------------------------------------------


def _key_of(page, toward):
    near, _, values = page.key_toward(toward).partition(":")
    return int(near), json.loads(values)


@pytest.fixture
def named_candidates():
    # Names that repeat, so that the order needs its second column (the id).
    for i in range(9):
        CandidateFactory(full_name=f"Кандидат {i % 3}")
    return Candidate.objects.order_by("full_name", "id")


def test_a_page_after_the_key_of_the_page_before_has_the_rows_of_the_offset_page(
    named_candidates,
):
    paginator = EstimatedCountPaginator(named_candidates, 2)
    second = paginator.page(2)

    paginator.key = _key_of(second, 3)
    third, fourth = paginator.page(3), paginator.page(4)

    assert [c.pk for c in third] == [c.pk for c in named_candidates[4:6]]
    assert [c.pk for c in fourth] == [c.pk for c in named_candidates[6:8]]


def test_a_page_before_the_key_of_the_page_after_has_the_rows_of_the_offset_page(
    named_candidates,
):
    paginator = EstimatedCountPaginator(named_candidates, 2)
    fourth = paginator.page(4)

    paginator.key = _key_of(fourth, 3)
    third, first = paginator.page(3), paginator.page(1)

    assert [c.pk for c in third] == [c.pk for c in named_candidates[4:6]]
    assert [c.pk for c in first] == [c.pk for c in named_candidates[0:2]]


def test_a_page_after_a_key_reads_rows_past_it_not_past_an_offset(named_candidates):
    paginator = EstimatedCountPaginator(named_candidates, 2)
    paginator.key = _key_of(paginator.page(1), 2)
    # A row sorted before the key appears: an offset would now start one row earlier.
    CandidateFactory(full_name="Кандидат 0")

    second = paginator.page(2)

    assert [c.pk for c in second] == [c.pk for c in named_candidates[2:4]]


@pytest.mark.parametrize("order", [("full_name", "id"), ("-full_name", "-id")])
def test_pages_around_a_key_in_either_direction_have_the_rows_of_the_offset_pages(
    named_candidates, order
):
    rows = named_candidates.order_by(*order)
    after = EstimatedCountPaginator(rows, 2)
    after.key = _key_of(after.page(2), 3)
    before = EstimatedCountPaginator(rows, 2)
    before.key = _key_of(before.page(4), 3)

    assert [c.pk for c in after.page(3)] == [c.pk for c in rows[4:6]]
    assert [c.pk for c in before.page(3)] == [c.pk for c in rows[4:6]]


def test_a_key_in_one_direction_is_read_as_one_index_range(on_postgres, named_candidates):
    # Spelt out with OR, the key bounds only the first column in the index and PostgreSQL
    # underestimates the rows left: at scale it sorted thousands of them for each page.
    paginator = EstimatedCountPaginator(named_candidates, 2)
    paginator.key = _key_of(paginator.page(1), 2)
    with CaptureQueriesContext(connection) as queries:
        list(paginator.page(2))
    (sql,) = [q["sql"] for q in queries.captured_queries if "LIMIT" in q["sql"]]

    with connection.cursor() as cursor:
        # Nine rows: left to itself the planner reads the table, not the index.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "Index Cond: (ROW(" in plan, plan
    assert "Sort" not in plan, plan


def test_an_answers_key_follows_the_order_of_their_sheets():
    answers = Answer.objects.order_by("submission", "position")

    columns = keyset_columns(answers)

    assert [(c.path, c.descending) for c in columns] == [
        ("submission__imported_at", True),
        ("submission__id", True),
        ("position", False),
    ]


def test_an_order_on_a_column_that_may_be_null_has_no_key():
    assert keyset_columns(Answer.objects.order_by("question", "pk")) is None
    assert keyset_columns(Candidate.objects.order_by("full_name")) is None  # not total
    assert keyset_columns(Candidate.objects.order_by("?")) is None


@pytest.mark.parametrize("key", ["2:[1]", "2:nonsense", "0:[]", 'x:["a", 1]', "2:[null, 1]"])
def test_a_key_that_does_not_fit_the_order_falls_back_to_the_offset(named_candidates, key):
    paginator = EstimatedCountPaginator(named_candidates, 2)
    paginator.key = parse_key(key)

    third = paginator.page(3)

    assert [c.pk for c in third] == [c.pk for c in named_candidates[4:6]]


@pytest.fixture
def two_per_page(monkeypatch):
    from interviews.admin.people import CandidateAdmin

    monkeypatch.setattr(CandidateAdmin, "list_per_page", 2)


def test_the_pager_links_carry_the_key_of_the_current_page(
    admin_client, named_candidates, two_per_page
):
    url = reverse("admin:interviews_candidate_changelist")
    content = admin_client.get(url, {"p": 2}).content.decode()
    links = dict(
        (int(parse_qs(unescape(href)[1:])["p"][0]), parse_qs(unescape(href)[1:]).get("k"))
        for href in re.findall(r'<a href="(\?[^"]*)"', content)
        if "p=" in href
    )

    third = admin_client.get(url, {"p": 3, "k": links[3][0]}).content.decode()

    assert links[1] is None  # nearer from the start
    assert links[3][0].startswith("2:")
    ids = re.findall(r'name="_selected_action" value="(\d+)"', third)
    assert ids == [str(c.pk) for c in named_candidates[4:6]]


def test_the_key_is_left_out_of_the_lists_other_links(admin_client, named_candidates, two_per_page):
    url = reverse("admin:interviews_candidate_changelist")
    paginator = EstimatedCountPaginator(named_candidates, 2)
    key = paginator.page(2).key_toward(3)

    content = admin_client.get(url, {"p": 3, "k": key, "o": "1"}).content.decode()

    links = re.findall(r'href="(\?[^"]*)"', content)
    assert not [link for link in links if "k=" in link and "p=" not in link]
    assert 'name="k"' not in content  # the search form's hidden fields


def test_a_page_read_from_a_key_costs_no_more_queries_than_the_first(
    admin_client, named_candidates, two_per_page
):
    url = reverse("admin:interviews_candidate_changelist")
    key = EstimatedCountPaginator(named_candidates, 2).page(2).key_toward(3)

    first = page_queries(admin_client, url)
    third = page_queries(admin_client, f"{url}?p=3&k={quote(key)}")

    assert len(third) == len(first), listing(third)
