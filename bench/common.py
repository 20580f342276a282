"""What the benchmark scripts share: Django set-up against a benchmark database, the
machine's description, percentiles and memory figures."""

import os
import platform
import resource
import statistics
from pathlib import Path

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/zvonok_bench_scale"


def database_url(url=None):
    return url or os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL


def fresh_database(url):
    """Drop and create the database ``url`` names (PostgreSQL) or remove the file
    (SQLite)."""
    if url.startswith("sqlite"):
        Path(url.split("///", 1)[1]).unlink(missing_ok=True)
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def database_exists(url):
    if url.startswith("sqlite"):
        return Path(url.split("///", 1)[1]).exists()
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    return row is not None


def setup_django(url):
    """Production settings (DEBUG off: no query log kept in memory) on ``url``; the test
    client's host is allowed and requests are made as HTTPS, so the security middleware
    answers them instead of redirecting."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-key-not-secret-0123456789abcdef")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zvonok.settings")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.core.management import call_command

    # DEBUG off serves hashed static files from the manifest that collectstatic writes
    # (incremental: a no-op when nothing changed).
    call_command("collectstatic", interactive=False, verbosity=0)


def machine():
    from django.db import connection

    server = ""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            server = f" {cursor.fetchone()[0].split()[0]}"
    return (
        f"{platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{connection.vendor}{server}, load average {load_average()}"
    )


def load_average():
    """The machine's load average over 1, 5 and 15 minutes: how many processes wanted a
    core. Above the number of cores, every timing here is stretched by the wait."""
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


def percentile(samples, pct):
    """The ``pct``-th percentile (inclusive method: p50 of [1, 2, 3] is 2)."""
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[pct - 1]


def rss_mb():
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
