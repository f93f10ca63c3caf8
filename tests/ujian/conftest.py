import pytest

from tests.factories import make_bank, make_tryout
from ujian.services.attempts import attempt_start
from ujian.services.building import attempt_create


@pytest.fixture
def bank(db):
    return make_bank()


@pytest.fixture
def tryout(bank):
    return make_tryout()


@pytest.fixture
def started(tryout, candidate, django_capture_on_commit_callbacks):
    """A candidate's attempt, built (eager task after commit) and started."""
    with django_capture_on_commit_callbacks(execute=True):
        attempt = attempt_create(tryout=tryout, user=candidate)
    attempt.refresh_from_db()
    return attempt_start(attempt=attempt)
