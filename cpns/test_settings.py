"""Settings for the test suite: the real settings, with test-only defaults.

Tasks run eagerly unless a test starts a real worker (tests/cpns/test_celery.py); the database is
whatever DATABASE_URL says (PostgreSQL in CI), SQLite otherwise.
"""

import os

os.environ.setdefault("CPNS_TESTING", "1")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")

from .settings import *  # noqa: F403

# Throttle counters in a cache of their own that tests/conftest.py empties before each test, so
# one test's sign-ups never count against the next (the real cache is Redis, shared with Celery).
CACHES = {**CACHES, "throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}  # noqa: F405
CPNS_THROTTLE_CACHE = "throttle"
