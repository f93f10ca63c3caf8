"""What the result and history pages draw and say (issue 9, items 12 and 15)."""

from __future__ import annotations

import re
from datetime import timedelta

import defusedxml.ElementTree as ET
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from ujian.models import Attempt, AttemptStatus
from ujian.services.results import MIN_ATTEMPTS_FOR_PERCENTILE

NUMERIC = {"x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "width", "height"}


def svgs(html: str) -> list:
    return [ET.fromstring(m) for m in re.findall(r"<svg\b.*?</svg>", html, flags=re.S)]


def assert_numbers_are_not_localised(svg) -> None:
    for element in svg.iter():
        for name, value in element.attrib.items():
            if name in NUMERIC:
                float(value)  # "110,0" raises ValueError
            if name == "points":
                for pair in value.split():
                    x, y = pair.split(",")
                    float(x), float(y)
            if name == "viewBox":
                assert [float(v) for v in value.split()]


def scored_attempt(tryout, user, *, total, number=1, maximum=100, days_ago=0):
    return Attempt.objects.create(
        tryout=tryout,
        user=user,
        number=number,
        status=AttemptStatus.SCORED,
        submitted_at=timezone.now() - timedelta(days=days_ago),
        total=total,
        score_tkp=total,
        score_tiu=0,
        score_twk=0,
        result={"maximum": maximum, "total": total, "sections": [], "principles": []},
    )


def test_history_chart_coordinates_are_plain_numbers_and_36_is_below_100(
    candidate_client, candidate, tryout
):
    scored_attempt(tryout, candidate, total=36, number=1, days_ago=2)
    scored_attempt(tryout, candidate, total=100, number=2, days_ago=1)
    html = candidate_client.get(reverse("ujian:history")).content.decode()
    (chart,) = svgs(html)
    assert_numbers_are_not_localised(chart)
    circles = chart.findall("circle")
    assert len(circles) == 2
    low, high = (float(c.get("cy")) for c in circles)  # oldest first: 36 %, then 100 %
    assert low > high  # SVG y grows downwards: a lower score sits lower on the chart
    grid = {t.text: float(t.get("y")) for t in chart.findall("text")}
    assert grid["0%"] > grid["50%"] > grid["100%"]


def test_result_page_charts_use_plain_numbers(
    candidate_client, started, django_capture_on_commit_callbacks
):
    candidate_client.post(
        reverse("ujian:save", args=[started.uuid]),
        {"position": 0, "choice": 0, "seq": 1},
        content_type="application/json",
    )
    with django_capture_on_commit_callbacks(execute=True):
        candidate_client.post(reverse("ujian:submit", args=[started.uuid]))
    html = candidate_client.get(reverse("ujian:result", args=[started.uuid])).content.decode()
    for chart in svgs(html):
        assert_numbers_are_not_localised(chart)
    for width in re.findall(r'style="[^"]*width:\s*([^;"%]+)%', html):
        float(width)


def test_one_attempt_gets_no_percentile_but_a_plain_explanation(
    candidate_client, candidate, tryout
):
    attempt = scored_attempt(tryout, candidate, total=80)
    html = candidate_client.get(reverse("ujian:result", args=[attempt.uuid])).content.decode()
    assert "Belum cukup percobaan untuk perbandingan peringkat" in html
    assert "lebih baik daripada" not in html
    assert "Peringkat 1 dari 1" not in html


def test_enough_attempts_show_rank_and_percentile(candidate_client, candidate, tryout):
    attempt = scored_attempt(tryout, candidate, total=80)
    for total in range(10, 10 * MIN_ATTEMPTS_FOR_PERCENTILE, 10):  # 9 others: 10 .. 90
        scored_attempt(tryout, UserFactory(), total=total)
    assert MIN_ATTEMPTS_FOR_PERCENTILE == 10
    html = candidate_client.get(reverse("ujian:result", args=[attempt.uuid])).content.decode()
    assert "Belum cukup percobaan" not in html
    # 90 is better; 10..70 (7 of 10) are worse.
    assert "Peringkat 2 dari 10 percobaan" in html
    assert "lebih baik daripada 70% di antaranya" in html
