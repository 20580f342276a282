"""The test suite's settings: Zvonok's own, without a local .env.

A developer's or operator's .env (debug, a database, a secret key) must not change what
the tests see. Set before zvonok.settings reads the environment, and inherited by the
processes the tests start.
"""

import os

os.environ["ZVONOK_ENV_FILE"] = ""

from zvonok.settings import *  # noqa: F403

# The test databases are thrown away: on PostgreSQL their commits (migrations building
# each worker's database, the transactional tests) need not wait for the disk.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    DATABASES["default"]["OPTIONS"]["options"] = "-c synchronous_commit=off"  # noqa: F405
    # The same backend, emptying the tables after a transactional test with DELETE:
    # tests/pg_backend/base.py says why.
    DATABASES["default"]["ENGINE"] = "tests.pg_backend"  # noqa: F405
