"""Settings for the test suite: the real settings, with test-only defaults.

Tasks run eagerly unless a test starts a real worker (tests/cpns/test_celery.py); the database is
whatever DATABASE_URL says (PostgreSQL in CI), SQLite otherwise.
"""

import os

os.environ.setdefault("CPNS_TESTING", "1")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")

from .settings import *  # noqa: F403
