"""Server time, SQL queries and memory of the main admin pages, and full-text search
against the admin's default ``icontains`` search, on whatever data the database holds
(``bench/generate.py`` fills it). Requests go through Django's test client as a logged-in
superuser: the whole server side (middleware, view, SQL, templates) is timed, the
network and the browser are not.

    python -m bench.admin_bench [--runs 20] [--database-url URL]
"""

import argparse
import functools
import math
import os
import re
import time
import tracemalloc
from dataclasses import dataclass
from html import unescape
from urllib.parse import parse_qs

from bench.common import database_url, machine, percentile, setup_django

WARMUP = 2

# What HR people type: single technologies, a technology with a Russian word, Russian
# phrases (inflected: the search stems them), quoted phrases, an exclusion.
QUERIES = [
    "asyncio",
    "Django",
    "PostgreSQL индексы",
    "Kubernetes",
    "Redis кеширование",
    "Docker контейнер",
    "оптимизация запросов",
    "профилирование памяти",
    "микросервисы",
    "транзакции",
    "миграции базы данных",
    "очередь сообщений",
    "логирование и мониторинг",
    "код-ревью",
    "декораторы",
    "блокировки",
    '"асинхронный код"',
    "pytest фикстуры",
    "SQL -Django",
    "генераторы итераторы",
]


@dataclass
class Measurement:
    name: str
    url: str
    p50_ms: float
    p95_ms: float
    queries: int
    sql_ms: float
    peak_kb: float
    load: float  # the machine's 1-minute load average when the page was measured


class _QueryLog:
    """Counts the statements a request sends and the time they take. An execute wrapper,
    not the debug query log: that one is reset at the start of every request and only
    kept with DEBUG on."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - started


def _timed_get(client, url, runs):
    from django.db import connection

    for _ in range(WARMUP):
        _get(client, url)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        _get(client, url)
        samples.append((time.perf_counter() - started) * 1000)
    # Counted and profiled on separate requests: both slow a request down a little.
    log = _QueryLog()
    with connection.execute_wrapper(log):
        _get(client, url)
    tracemalloc.start()
    _get(client, url)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return (
        percentile(samples, 50),
        percentile(samples, 95),
        log.count,
        log.seconds * 1000,
        peak / 1024,
    )


def _get(client, url):
    response = client.get(url, secure=True)
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")
    return response


def _client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    return client


def _deep_page(client, url):
    """``url``'s page nine tenths of the way through the list, reached as a user reaches
    it: through the pager's link from the page before, which carries that page's key
    (interviews.admin.pagination). Counted and followed once here, not timed."""
    from interviews.admin.pagination import KEY_VAR

    model = _changelist_model(url)
    last = max(1, math.ceil(model.objects.count() / 100))
    number = max(2, int(last * 0.9))
    content = _get(client, f"{url}?p={number - 1}").content.decode()
    for href in re.findall(r'<a href="(\?[^"]*)"', content):
        query = parse_qs(unescape(href)[1:])
        if query.get("p") == [str(number)] and KEY_VAR in query:
            return number, f"{url}{unescape(href)}"
    raise SystemExit(f"{url}?p={number - 1}: no link to page {number} with its key")


def _changelist_model(url):
    from django.urls import resolve

    return resolve(url).func.model_admin.model


def pages(client):
    """(name, url) of each page measured, picked from the data present."""
    from django.db.models import Count
    from django.urls import reverse

    from interviews.models import Answer, Application, Candidate, Submission

    def changelist(model):
        return reverse(f"admin:interviews_{model._meta.model_name}_changelist")

    result = []
    for model in (Candidate, Application, Submission, Answer):
        plural = model._meta.model_name + "s"
        result.append((f"{plural}, first page", changelist(model)))
        number, url = _deep_page(client, changelist(model))
        result.append((f"{plural}, deep page", url))
        if model is Answer:
            # The same page asked for by its number alone (a typed URL): read with an
            # offset, as every page was before keyset pagination.
            result.append((f"{plural}, deep page by number", f"{changelist(model)}?p={number}"))

    scored = (
        Application.objects.filter(submissions__isnull=False, scorecards__isnull=False)
        .order_by("pk")
        .first()
    )
    if scored is None:
        raise SystemExit("no scored application with a sheet: generate the data first")
    result.append(
        (
            "candidate, change page",
            reverse("admin:interviews_candidate_change", args=[scored.candidate_id]),
        )
    )
    result.append(
        (
            "application, scoring page",
            reverse("admin:interviews_application_score", args=[scored.pk]),
        )
    )
    # Three applications for the busiest vacancy, each with a sheet.
    vacancy_id = (
        Application.objects.values("vacancy")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("vacancy", flat=True)
        .first()
    )
    compared = list(
        Application.objects.filter(vacancy_id=vacancy_id, submissions__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)[:3]
    )
    ids = ",".join(map(str, compared))
    result.append(
        ("comparison of 3", f"{reverse('admin:interviews_application_compare')}?ids={ids}")
    )
    result.append(("funnel report", reverse("admin:interviews_application_funnel")))
    return result


def measure_pages(runs, out):
    client = _client()
    results = []
    for name, url in pages(client):
        p50, p95, queries, sql_ms, peak_kb = _timed_get(client, url, runs)
        load = os.getloadavg()[0]
        results.append(Measurement(name, url, p50, p95, queries, sql_ms, peak_kb, load))
        out(
            f"  {name:34} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {queries:3} queries "
            f"({sql_ms:6.1f} ms SQL)  peak {peak_kb / 1024:5.1f} MB  load {load:.1f}"
        )
    return results


# -- search ------------------------------------------------------------------------------


def _default_admin_search(query):
    """The answers Django's own admin search would find with ``search_fields`` on the
    answer's text: every word in the body or the question, ``icontains``, newest first."""
    from django.contrib import admin

    from interviews.models import Answer

    class PlainAnswerAdmin(admin.ModelAdmin):
        search_fields = ["body", "question_text"]

    model_admin = PlainAnswerAdmin(Answer, admin.site)
    queryset, _ = model_admin.get_search_results(None, Answer.objects.all(), query)
    return queryset.order_by("-pk")


def measure_search(runs, out, *, icontains=True):
    """Each query through the find-answers page (full-text: counted, ranked, first page
    with highlighted fragments), then the same words through the admin's default
    ``icontains`` search (counted, first page). Returns (page timings, icontains
    timings, rows) with one row per query."""
    from urllib.parse import urlencode

    from django.urls import reverse

    client = _client()
    find = reverse("admin:interviews_answer_find")
    page_samples, plain_samples, rows = [], [], []
    for query in QUERIES:
        url = f"{find}?{urlencode({'q': query})}"
        for _ in range(WARMUP):
            _get(client, url)
        samples = []
        for _ in range(max(3, runs // 4)):
            started = time.perf_counter()
            _get(client, url)
            samples.append((time.perf_counter() - started) * 1000)
        page_samples += samples
        row = {"query": query, "page_ms": percentile(samples, 50), "load": os.getloadavg()[0]}
        if icontains:
            queryset = _default_admin_search(query)
            # Slow by nature (a scan of every answer): timed fewer times.
            started = time.perf_counter()
            found = queryset.count()
            list(queryset[:25])
            row["icontains_ms"] = (time.perf_counter() - started) * 1000
            row["icontains_found"] = found
            plain_samples.append(row["icontains_ms"])
        rows.append(row)
        extra = (
            f"   icontains {row['icontains_ms']:8.1f} ms ({row['icontains_found']} found)"
            if icontains
            else ""
        )
        out(f"  {query:28} find page {row['page_ms']:7.1f} ms{extra}")
    return page_samples, plain_samples, rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--no-icontains", action="store_true")
    args = parser.parse_args()
    setup_django(database_url(args.database_url))
    print(machine())
    out = functools.partial(print, flush=True)
    measure_pages(args.runs, out)
    pages_, plain, _ = measure_search(args.runs, out, icontains=not args.no_icontains)
    print(f"find page p50 {percentile(pages_, 50):.1f} ms, p95 {percentile(pages_, 95):.1f} ms")
    if plain:
        print(f"icontains p50 {percentile(plain, 50):.1f} ms, p95 {percentile(plain, 95):.1f} ms")


if __name__ == "__main__":
    main()
