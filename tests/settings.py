"""The test suite's settings: Zvonok's own, without a local .env.

A developer's or operator's .env (debug, a database, a secret key) must not change what
the tests see. Set before zvonok.settings reads the environment, and inherited by the
processes the tests start.
"""

import os

os.environ["ZVONOK_ENV_FILE"] = ""

from zvonok.settings import *  # noqa: F403
