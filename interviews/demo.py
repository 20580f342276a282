"""The local demo that `make run` sets up (``manage.py setup_demo``): a development .env,
the shipped questionnaire with its vacancy, the example answers and an administrator.

Running it again changes nothing that exists: an existing .env is never rewritten (an
operator may keep production settings there), the shipped data goes into a database
without questionnaires, vacancies and candidates only (so an edited rubric or a closed,
renamed vacancy stays as the user left it), and an existing administrator keeps their
password (``ensure_admin``).
"""

import os
import secrets
from pathlib import Path

from django.conf import settings

from .models import Candidate, Questionnaire, Vacancy

FIXTURE = "zvonok_python"
QUESTIONNAIRE = "zvonok-python"
VACANCY = "python-developer"
EXAMPLES = Path(settings.BASE_DIR) / "examples"


def env_file_text(database_url: str) -> str:
    return (
        "# Written by `make run` for the local demo; it is never rewritten. Production\n"
        "# deployments set these variables themselves (see README.md, Configuration).\n"
        "DJANGO_DEBUG=1\n"
        f"DJANGO_SECRET_KEY={secrets.token_urlsafe(50)}\n"
        f"DATABASE_URL={database_url}\n"
    )


def write_env_file(path: Path, database_url: str) -> bool:
    """Create ``path`` for the demo, readable by its owner only; False if it exists.

    O_EXCL makes "never overwrite" hold even against a file created meanwhile."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(env_file_text(database_url))
    return True


def database_url() -> str:
    """The database this process uses, as DATABASE_URL says it (the SQLite default
    spelled out with its absolute path, so that commands run anywhere find it)."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{Path(settings.BASE_DIR) / 'db.sqlite3'}"


def database_is_empty() -> bool:
    """No questionnaire, vacancy or candidate: nothing of the user's for the shipped
    data to collide with."""
    return not (
        Questionnaire.objects.exists() or Vacancy.objects.exists() or Candidate.objects.exists()
    )
