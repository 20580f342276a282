import pytest
from django.db import connection
from django.test import override_settings

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


@pytest.fixture
def on_postgres(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://...")
