"""A fresh copy of the repository: `make setup` (what `make run` does before serving),
then every command line of the README's CLI section, as a user types them, without
setting a variable; and the test suite run beside a hostile .env.

Each command starts Django anew (about a second of CPU apiece): too slow for `make test`,
so these run with ZVONOK_SLOW_TESTS=1 (`make test-slow`, and .ci/run).
"""

import os
import re
import shutil
import subprocess
import sys

import pytest

from tests.production import ROOT

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("ZVONOK_SLOW_TESTS") != "1",
        reason="slow: run with ZVONOK_SLOW_TESTS=1 (make test-slow)",
    ),
]

README_COMMAND = re.compile(r"^\.venv/bin/python manage\.py .*$", re.M)


def readme_cli_examples() -> list[str]:
    """The command lines of the README's shell blocks that run manage.py."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    lines = [line for block in blocks for line in README_COMMAND.findall(block)]
    # A download needs the internet, which tests never touch: links are imported from a
    # local server in tests/test_import_links.py.
    return [line for line in lines if "https://" not in line]


def user_env():
    """A user's shell: none of Zvonok's variables set (nor the suite's ZVONOK_ENV_FILE)."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "ZVONOK_", "LANGUAGE_CODE", "PYTEST"))
    }


@pytest.fixture
def fresh_copy(tmp_path):
    """The repository's tracked files, as a clone has them, with the installed .venv."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    copy = tmp_path / "zvonok"
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    (copy / ".venv").symlink_to(ROOT.joinpath(".venv").resolve())
    return copy


def run(args, cwd, **variables):
    return subprocess.run(
        args,
        cwd=cwd,
        env={**user_env(), **variables},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_setup_then_every_readme_cli_example_runs_without_a_variable(fresh_copy):
    examples = readme_cli_examples()
    assert len(examples) >= 5, examples

    # -o: the shared .venv is installed already; the copy's newer requirements files
    # would otherwise make `make` reinstall it.
    setup = run(["make", "-o", ".venv/.installed-run", "setup"], fresh_copy)

    assert setup.returncode == 0, setup.stdout + setup.stderr
    env_file = (fresh_copy / ".env").read_text(encoding="utf-8")
    assert "DJANGO_DEBUG=1" in env_file and "DJANGO_SECRET_KEY=" in env_file
    assert subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT).returncode == 0
    for line in examples:
        result = run(["bash", "-c", line], fresh_copy)
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"{line}\n{output}"
        assert "Traceback" not in output, line
        # Noise the user has no use for: django-axes' banner, SQLite's W040.
        assert "AXES: BEGIN" not in output and "W040" not in output, f"{line}\n{output}"


def test_the_suite_does_not_read_a_hostile_env_file(fresh_copy):
    # Read, each line would break or redirect the run: a database that is not there, a
    # number that is not one, debug off without a secret key.
    (fresh_copy / ".env").write_text(
        "DATABASE_URL=postgres://nobody@127.0.0.1:1/nowhere\n"
        "ZVONOK_IMPORT_MAX_BYTES=not-a-number\n"
        "DJANGO_DEBUG=0\n"
        "LANGUAGE_CODE=xx\n",
        encoding="utf-8",
    )
    tests = [
        "tests/test_settings.py::test_debug_off_without_secret_key_refuses_to_start_and_names"
        "_the_variable",
        "tests/test_setup_demo.py::test_second_run_changes_nothing_that_exists",
    ]

    result = run(
        [sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider", "-q", *tests],
        fresh_copy,
        # What `make test` sets.
        DJANGO_SECRET_KEY="tests-only-key",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
