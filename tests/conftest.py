from pathlib import Path

import pytest
from django.db import connection
from django.test import TransactionTestCase, override_settings

from tests.factories import UserFactory


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    # Production keeps Django's PBKDF2, slow on purpose (a third of a second per hash on
    # this machine): the tests make hundreds of users (factories set a password) and log
    # some in through the login form; none of them is about the hash.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _plain_http(settings):
    # Production settings redirect plain HTTP to HTTPS; the test client speaks plain HTTP.
    # tests/test_settings.py checks the redirect itself.
    settings.SECURE_SSL_REDIRECT = False
    # The hashed-manifest storage needs collectstatic first; tests/test_start_script.py
    # covers that path the way production runs it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


# The real answer sheet the shipped questionnaire was written from: beside the checkout,
# not in it (../shared/seed/).
SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "zvonok_answers.md"
SEED_MISSING = f"the seed sheet {SEED} is missing: the tests that read it are skipped"


def pytest_report_header(config):
    if not SEED.exists():
        return SEED_MISSING
    return None


@pytest.fixture
def seed_sheet() -> Path:
    """The seed sheet's path; skips (one reason for every test) when it is missing."""
    if not SEED.exists():
        pytest.skip(SEED_MISSING)
    return SEED


@pytest.fixture
def on_postgres(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://...")


# -- order and pytest-xdist ----------------------------------------------------------------
def _uses_no_database(item) -> bool:
    """What pytest-django calls a test without database: no ``django_db`` mark and none of
    its database fixtures."""
    if item.get_closest_marker("django_db"):
        return False
    if item.cls is not None and issubclass(item.cls, TransactionTestCase):
        return False
    return not {"db", "transactional_db", "live_server"} & set(item.fixturenames)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """The tests that use no database first, then pytest-django's order (the others, then
    the transactional ones, which empty the database).

    pytest-django puts the tests without database last, and among them are some of the
    slowest: the ones that start processes (the start script, the settings' commands, the
    import layers) and the parser's property tests. At the end of the run one of them kept
    one worker busy for up to 10 s after the other had finished; first, they are spread
    over the workers while there is plenty else to do."""
    items.sort(key=lambda item: not _uses_no_database(item))


# Test files whose module-scoped fixture costs more than the wait for one worker to run
# the whole file: `make test` sends each of them to a single worker. (pytest-xdist's own
# xdist_group marks would say the same, but they do not take with pytest 9.2.)
ONE_WORKER_FILES = {
    "tests/test_bad_input.py",  # the batch: 100,000 headings imported, about 15 s of CPU
    "tests/test_bench_generate.py",  # the generated database, about 1 s (PostgreSQL)
}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist load``, but with each file above as one unit of work, handed out first.
    Every other test is a unit of its own and each worker gets them in collection order,
    which keeps pytest-django's: transactional tests, which empty the database, after the
    others (so a file with transactional tests does not belong above)."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Scheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            path = nodeid.split("::", 1)[0]
            return path if path in ONE_WORKER_FILES else nodeid

    return Scheduling(config, log)
