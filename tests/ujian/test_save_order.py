"""What the save URL tells a page whose save lost to a newer one (another tab or device)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tests.ujian.wsgi_client import call_raw, keep_test_connection  # noqa: F401
from ujian.models import Answer
from ujian.services.attempts import save_token

pytestmark = pytest.mark.usefixtures("keep_test_connection")


def _save(attempt, **body):
    url = reverse("ujian:save", args=[attempt.uuid])
    status, _headers, content = call_raw(url, json.dumps(body).encode(), save_token(attempt))
    return status, json.loads(content)


def test_an_older_save_is_told_what_the_server_kept(started):
    status, reply = _save(started, position=2, choice=0, flagged=True, seq=2_000)
    assert status == 200 and reply["status"] == "saved"
    status, reply = _save(started, position=2, choice=3, flagged=False, seq=1_000)
    assert status == 200 and reply["status"] == "stale"
    assert (reply["choice"], reply["flagged"]) == (0, True)
    assert reply["message"] == (
        "Jawaban soal 3 diubah dari perangkat/tab lain; jawaban tersimpan: A (ragu-ragu)."
    )
    answer = Answer.objects.get(attempt=started, position=2)
    assert (answer.choice, answer.flagged, answer.seq) == (0, True, 2_000)


def test_a_cleared_answer_is_reported_as_empty(started):
    _save(started, position=0, choice=None, seq=9)
    status, reply = _save(started, position=0, choice=4, seq=8)
    assert status == 200
    assert reply["status"] == "stale" and reply["choice"] is None
    assert reply["message"].endswith("jawaban tersimpan: kosong.")


def test_a_retried_save_is_acknowledged_as_saved(started):
    # The response was lost and the page sends the very same save again: it is stored.
    assert _save(started, position=1, choice=2, seq=5)[1]["status"] == "saved"
    assert _save(started, position=1, choice=2, seq=5)[1]["status"] == "saved"
    # The same sequence number with another answer is not this page's save.
    status, reply = _save(started, position=1, choice=4, seq=5)
    assert status == 200
    assert reply["status"] == "stale" and reply["choice"] == 2
    assert Answer.objects.get(attempt=started, position=1).choice == 2
