"""An environment like a production deployment's, for tests that start Zvonok in a
subprocess (settings checks, the gunicorn start script)."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECRET = "prod-like-secret-" + "k3Yq9vXw2LmN8pRt5sZa7bCd1eFg4hJi6uOy0"


def production_env(**overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="zvonok.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="zvonok.example.com,127.0.0.1",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://zvonok.example.com",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    env.update(overrides)
    return env
