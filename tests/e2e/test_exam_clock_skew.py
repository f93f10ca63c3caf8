"""A candidate's clock 10 minutes fast or slow changes nothing: the countdown shows the server's
deadline (within a few seconds), because the page measures its offset from the server's clock
and the server alone decides what is late (issue 12, fault campaign: client clock skew)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.e2e.conftest import login
from tests.factories import make_bank, make_tryout
from ujian.models import Attempt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SKEW_SCRIPT = """
(() => {
  const skew = %d;
  const RealDate = Date;
  const realNow = RealDate.now.bind(RealDate);
  class SkewedDate extends RealDate {
    constructor(...args) { if (args.length === 0) super(realNow() + skew); else super(...args); }
    static now() { return realNow() + skew; }
  }
  window.Date = SkewedDate;
})();
"""


@pytest.mark.parametrize("minutes", [10, -10])
def test_a_skewed_client_clock_shows_the_servers_deadline(page, candidate, minutes):
    make_bank()
    make_tryout(slug="tryout-uji")
    page.context.add_init_script(SKEW_SCRIPT % (minutes * 60 * 1000))
    login(page, candidate.email)
    assert abs(page.evaluate("Date.now()") - timezone.now().timestamp() * 1000) > 9 * 60 * 1000
    page.goto("/tryout/t/tryout-uji/")
    page.click("text=Mulai tryout")
    page.wait_for_selector("#question")
    page.wait_for_function("() => /\\d+:\\d\\d/.test(document.getElementById('timer').textContent)")
    parts = [int(p) for p in page.inner_text("#timer").split(":")]
    shown = parts[-2] * 60 + parts[-1] + (parts[0] * 3600 if len(parts) == 3 else 0)
    attempt = Attempt.objects.get()
    left = (attempt.deadline - timezone.now()).total_seconds()
    assert abs(shown - left) <= 3, (shown, left)
    # An answer saved now is accepted: the server's clock, not the browser's, decides.
    page.click("#question .option[data-choice='1']")
    page.wait_for_selector("#save-state:has-text('Semua jawaban tersimpan')")
    assert attempt.answers.get(position=0).choice == 1
