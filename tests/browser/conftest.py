"""End-to-end tests: Playwright drives Debian's Chromium against pytest-django's live server.

Off unless ``ZVONOK_BROWSER_TESTS=1`` (``make browser-test`` sets it): they need the
``chromium`` Debian package and ``requirements-browser.txt``, and ``make test`` has
neither. Playwright's own browser downloads are never used.
"""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

ENABLED = os.environ.get("ZVONOK_BROWSER_TESTS") == "1"
CHROMIUM = os.environ.get("ZVONOK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Chromium is to contact nothing but the live server.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A common laptop screen: every main page must fit its width (tests/browser/test_layout.py).
VIEWPORT = {"width": 1366, "height": 900}
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TIMEOUT_MS = 15_000

if ENABLED:
    # Asked to run them: a missing Playwright is an error, not a silent skip.
    import playwright.sync_api  # noqa: F401

    # Playwright's sync API runs an asyncio event loop in this thread, and Django's ORM
    # refuses to run while a loop is running here (SynchronousOnlyOperation). The tests
    # do call the ORM between browser steps, one thing at a time: nothing is concurrent.
    # Tests only; the live server answers from its own thread and is unaffected.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def pytest_collection_modifyitems(config, items):
    if ENABLED:
        return
    here = Path(__file__).parent
    skip = pytest.mark.skip(reason="browser tests: set ZVONOK_BROWSER_TESTS=1 (make browser-test)")
    for item in items:
        if here in item.path.parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: apt-get install -y chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session", autouse=True)
def _live_server_settings():
    """Plain HTTP for the live server: with debug off (as in every test) the settings
    redirect to HTTPS and make cookies Secure-only. Session-wide, before ``live_server``
    starts: SecurityMiddleware reads the redirect setting once, when the server's handler
    is built, so the per-test ``settings`` fixture of tests/conftest.py comes too late."""
    with override_settings(
        SECURE_SSL_REDIRECT=False,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
    ):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # pending uploads live here between steps


@pytest.fixture
def dialogs():
    """Every alert/confirm/prompt the page opened (each dismissed at once)."""
    return []


@pytest.fixture
def page(browser, live_server, dialogs):
    context = browser.new_context(viewport=VIEWPORT, base_url=live_server.url, locale="ru-RU")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()

    def opened(dialog):
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", opened)
    yield page
    context.close()


@pytest.fixture
def questionnaire(transactional_db):
    call_command("loaddata", "zvonok_python", verbosity=0)


@pytest.fixture
def examples_imported(questionnaire):
    """The three example sheets, each with an application to "Python-разработчик"."""
    call_command(
        "import_answers",
        str(EXAMPLES),
        questionnaire="zvonok-python",
        vacancy="python-developer",
        verbosity=0,
    )
