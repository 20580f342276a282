"""Changelists of large tables take PostgreSQL's row estimate instead of counting every
row; small or filtered-to-small lists are counted exactly."""

import pytest
from django.db import connection
from django.db.models import F
from django.urls import reverse

from interviews.admin.pagination import EstimatedCountPaginator
from interviews.models import Candidate
from tests.factories import ApplicationFactory, CandidateFactory

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
