"""The layers of the app: interviews.sheets is pure Python, without Django, and the app's
modules import one another one way: no cycle, whether the import is at the top of a module
or inside a function (an import inside a function hides a cycle from Python, not from the
reader).

Each import runs in an interpreter of its own, so nothing a test or conftest imported
before can hide a Django import, and each module is checked on its own.
"""

import ast
import functools
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import interviews.sheets

ROOT = Path(__file__).parent.parent
APP = Path(__file__).resolve().parents[1] / "interviews"
SHEET_MODULES = [
    "interviews.sheets",
    *(f"interviews.sheets.{m.name}" for m in pkgutil.iter_modules(interviews.sheets.__path__)),
]


# Importing any module of the package imports the package first: one interpreter imports
# it, then forks a child per module, which imports that module and reports sys.modules.
# Each child ends with the modules a fresh interpreter importing the module alone would
# have, at the cost of one start-up instead of one per module (about 0.25 s each).
FORKED_IMPORTS = """
import importlib, json, os, sys
import interviews.sheets
found = {}
for module in sys.argv[1:]:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            importlib.import_module(module)
            report = sorted(sys.modules)
        except BaseException as exc:
            report = f"{type(exc).__name__}: {exc}"
        with os.fdopen(write, "w") as out:
            json.dump(report, out)
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as reply:
        found[module] = json.load(reply)
    os.waitpid(pid, 0)
print(json.dumps(found))
"""


@functools.cache  # one interpreter serves every module of the package, both checks
def _sheet_modules_after_importing() -> dict[str, list[str]]:
    result = subprocess.run(
        [sys.executable, "-c", FORKED_IMPORTS, *SHEET_MODULES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(result.stdout)
    failed = {module: report for module, report in found.items() if isinstance(report, str)}
    assert not failed, failed
    return found


@functools.cache
def modules_after_importing(module: str) -> list[str]:
    if module in SHEET_MODULES:
        return _sheet_modules_after_importing()[module]
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


def _module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for path in APP.rglob("*.py")
        if "migrations" not in path.parts and "tests" not in path.parts
    }


def _imported(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The app's modules that ``name`` imports anywhere in its body."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # "from . import scoring" imports a module; "from .models import X" a name.
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as the list of its modules, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node):
        state[node] = 1
        path.append(node)
        for following in sorted(graph[node]):
            if state.get(following) == 1:
                return [*path[path.index(following) :], following]
            if following not in state and (cycle := visit(following)):
                return cycle
        state[node] = 2
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_cycle_through_a_function_level_import():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}

    assert _cycle(graph) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_relative_and_function_level_imports_are_edges():
    modules = _modules()

    assert "interviews.models" in _imported(
        "interviews.scoring", modules["interviews.scoring"], modules
    )


def test_no_import_cycle_among_the_apps_modules():
    modules = _modules()
    graph = {name: _imported(name, path, modules) for name, path in modules.items()}

    assert _cycle(graph) is None
