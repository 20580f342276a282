"""The layers of the app: interviews.sheets is pure Python, without Django.

Each import runs in a fresh interpreter, so nothing a test or conftest imported before
can hide a Django import, and each module is checked on its own.
"""

import functools
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import interviews.sheets

ROOT = Path(__file__).parent.parent
SHEET_MODULES = [
    "interviews.sheets",
    *(f"interviews.sheets.{m.name}" for m in pkgutil.iter_modules(interviews.sheets.__path__)),
]


@functools.cache  # one fresh interpreter per module serves both checks
def modules_after_importing(module: str) -> list[str]:
    code = (
        f"import importlib, json, sys; importlib.import_module({module!r}); "
        "print(json.dumps(sorted(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def django_modules_after_importing(module: str) -> list[str]:
    return [m for m in modules_after_importing(module) if m.partition(".")[0] == "django"]


def test_the_sheets_package_has_its_modules():
    assert {
        "interviews.sheets.parsing",
        "interviews.sheets.match",
        "interviews.sheets.patch",
    } <= set(SHEET_MODULES)


@pytest.mark.parametrize("module", SHEET_MODULES)
def test_sheet_module_imports_no_django(module):
    assert django_modules_after_importing(module) == []


@pytest.mark.parametrize("module", SHEET_MODULES)
def test_sheet_module_imports_nothing_else_of_the_app(module):
    app = [m for m in modules_after_importing(module) if m.partition(".")[0] == "interviews"]

    assert [m for m in app if m != "interviews" and not m.startswith("interviews.sheets")] == []


def test_the_check_sees_a_django_import():
    # The app config needs no settings to import, and imports Django.
    assert "django.apps" in django_modules_after_importing("interviews.apps")
