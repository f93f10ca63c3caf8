"""soal.analysis.moodle against Moodle's own expected figures, through the function and through
`manage.py item_stats`, and against a plain-Python reference on random matrices."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from soal.analysis.moodle import ItemStats, QuizStats, quiz_statistics

ORACLE = Path(__file__).parent / "fixtures" / "moodle_oracle"
RESULTS = ORACLE / "results00.csv"
MOODLE_RTOL = 1.5e-5

# check_quiz_stats_for_quiz_00() in Moodle's stats_from_steps_walkthrough_test.php.
QUIZ_00 = {
    "mean": 4.617333332,
    "median": 4.5,
    "sd": 0.8117265554,
    "skewness": -0.092502502,
    "kurtosis": -0.7073968557,
    "cic": -87.2230935542,
    "error_ratio": 136.8294900795,
    "standard_error": 1.1106813066,
}
# qstats00.csv column → our field.
SLOT_COLUMNS = {
    "facility": "facility",
    "sd": "sd",
    "effectiveweight": "effective_weight",
    "covariance": "covariance",
    "markvariance": "mark_variance",
    "othermarkvariance": "other_mark_variance",
    "discriminationindex": "discrimination_index",
    "covariancemax": "covariance_max",
    "discriminativeefficiency": "discriminative_efficiency",
}
COMMAND_SLOT_FIGURES = {
    "facility",
    "sd",
    "discrimination_index",
    "discriminative_efficiency",
    "effective_weight",
}


def oracle_marks() -> np.ndarray:
    with RESULTS.open() as f:
        rows = list(csv.DictReader(f))
    return np.array([[float(r[f"slots.{s}.mark"]) for s in range(1, 8)] for r in rows])


def oracle_slots() -> list[tuple[int, str, float]]:
    with (ORACLE / "qstats00.csv").open() as f:
        return [
            (int(row["slot"]), field, float(row[column]))
            for row in csv.DictReader(f)
            for column, field in SLOT_COLUMNS.items()
        ]


@pytest.fixture(scope="module")
def oracle_stats():
    return quiz_statistics(oracle_marks(), 1.0)


def test_oracle_fixture_has_every_attempt_and_figure():
    assert oracle_marks().shape == (25, 7)
    assert len(oracle_slots()) == 7 * len(SLOT_COLUMNS)


@pytest.mark.parametrize("figure", sorted(QUIZ_00))
def test_quiz_figure_matches_moodle(oracle_stats, figure):
    assert getattr(oracle_stats.quiz, figure) == pytest.approx(QUIZ_00[figure], rel=MOODLE_RTOL)


@pytest.mark.parametrize(("slot", "field", "expected"), oracle_slots())
def test_slot_figure_matches_moodle(oracle_stats, slot, field, expected):
    actual = getattr(oracle_stats.items[slot - 1], field)
    assert actual == pytest.approx(expected, rel=MOODLE_RTOL)


def test_intended_weight_is_the_share_of_the_maximum_marks():
    stats = quiz_statistics(np.zeros((3, 4)), [1, 1, 2, 4])
    assert [i.intended_weight for i in stats.items] == [12.5, 12.5, 25.0, 50.0]


def run_command(path: Path, *args: str) -> dict:
    out = io.StringIO()
    call_command("item_stats", str(path), *args, stdout=out)
    return json.loads(out.getvalue())


def test_command_prints_moodle_figures_as_json():
    report = run_command(RESULTS)
    assert list(report) == ["quiz", "slots"]
    assert list(report["quiz"]) == list(QUIZ_00)
    for figure, expected in QUIZ_00.items():
        assert report["quiz"][figure] == pytest.approx(expected, rel=MOODLE_RTOL)
    assert list(report["slots"]) == [str(s) for s in range(1, 8)]
    for slot, field, expected in oracle_slots():
        if field in COMMAND_SLOT_FIGURES:
            assert report["slots"][str(slot)][field] == pytest.approx(expected, rel=MOODLE_RTOL)
    assert all(set(figures) == COMMAND_SLOT_FIGURES for figures in report["slots"].values())


def test_command_prints_null_where_a_figure_is_undefined(tmp_path):
    path = tmp_path / "flat.csv"
    path.write_text(
        "quizattempt,slots.1.mark,slots.2.mark,summarks\n1,5,0,5\n2,5,2.5,7.5\n3,5,5,10\n"
    )
    report = run_command(path, "--max-mark", "5")
    assert report["slots"]["1"] == {
        "facility": 1.0,
        "sd": 0.0,
        "discrimination_index": None,
        "discriminative_efficiency": None,
        "effective_weight": 0.0,  # Moodle: √0 over the sum, not undefined
    }
    assert report["slots"]["2"]["facility"] == 0.5
    assert report["slots"]["2"]["effective_weight"] == 100.0
    assert report["quiz"]["kurtosis"] is None  # needs four attempts


BROKEN_FILES = [
    ("slots.1.mark,summarks\n1,1\n", "Kolom wajib tidak ada: quizattempt"),
    ("quizattempt,summarks\n1,1\n", "Kolom wajib tidak ada: slots.N.mark"),
    ("quizattempt,slots.1.mark\n1,1\n", "Kolom wajib tidak ada: summarks"),
    ("quizattempt,slots.1.mark,summarks\n1,satu,1\n", "kolom slots.1.mark: 'satu' bukan angka"),
    ("quizattempt,slots.1.mark,summarks\n1,,1\n", "kolom slots.1.mark: '' bukan angka"),
    ("quizattempt,slots.1.mark,summarks\n1,nan,1\n", "'nan' bukan angka"),
    ("quizattempt,slots.1.mark,summarks\n1,1,x\n", "kolom summarks: 'x' bukan angka"),
    ("quizattempt,slots.1.mark,summarks\n1,1\n", "Baris 2 berisi 2 kolom, seharusnya 3"),
    ("quizattempt,slots.1.mark,summarks\n1,2,2\n", "nilai 2.0 di luar rentang 0 sampai 1.0"),
    ("quizattempt,slots.1.mark,summarks\n1,1,3\n", "summarks 3.0 tidak sama dengan jumlah"),
    ("quizattempt,slots.1.mark,summarks\n", "tidak berisi satu pun percobaan"),
    ("", "Berkas kosong"),
]


@pytest.mark.parametrize(("content", "message"), BROKEN_FILES)
def test_command_refuses_a_broken_file_in_indonesian(tmp_path, content, message):
    path = tmp_path / "results.csv"
    path.write_text(content)
    out = io.StringIO()
    with pytest.raises(CommandError, match=message):
        call_command("item_stats", str(path), stdout=out)
    assert out.getvalue() == ""


def test_command_exits_non_zero_with_the_error_on_stderr_only(tmp_path):
    path = tmp_path / "results.csv"
    path.write_text("quizattempt,slots.1.mark,summarks\n1,satu,1\n")
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "cpns.test_settings"}
    done = subprocess.run(
        [sys.executable, "manage.py", "item_stats", str(path)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert done.stdout == ""
    assert "'satu' bukan angka" in done.stderr


def test_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Berkas tidak ditemukan"):
        call_command("item_stats", str(tmp_path / "tidak-ada.csv"), stdout=io.StringIO())


# --- a plain-Python reference, straight from the definitions, in exact arithmetic --------------


def _mean(values):
    return sum(values, Fraction(0)) / len(values)


def _cov(a, b):
    ma, mb = _mean(a), _mean(b)
    return sum(((u - ma) * (v - mb) for u, v in zip(a, b, strict=True)), Fraction(0)) / (len(a) - 1)


def reference(rows: list[list[Fraction]], maxima: list[Fraction]):
    n, p = len(rows), len(maxima)
    totals = [sum(r, Fraction(0)) for r in rows]
    items = []
    for i in range(p):
        x = [r[i] for r in rows]
        o = [t - v for t, v in zip(totals, x, strict=True)]
        item = dict.fromkeys(ItemStats.__dataclass_fields__)
        item["intended_weight"] = 100 * maxima[i] / sum(maxima) if sum(maxima) else None
        if n >= 1 and maxima[i]:
            item["facility"] = _mean(x) / maxima[i]
        if n >= 2:
            var_x, var_o, cov = _cov(x, x), _cov(o, o), _cov(x, o)
            cov_max = _cov(sorted(x), sorted(o))
            item.update(
                mark_variance=var_x,
                other_mark_variance=var_o,
                covariance=cov,
                covariance_max=cov_max,
                covariance_with_total=_cov(x, totals),
                sd=math.sqrt(var_x) / maxima[i] if maxima[i] else None,
                discrimination_index=100 * cov / math.sqrt(var_x * var_o)
                if var_x * var_o
                else None,
                discriminative_efficiency=100 * cov / cov_max if cov_max else None,
            )
        items.append(item)
    if n >= 2:
        roots = sum(
            math.sqrt(i["covariance_with_total"]) for i in items if i["covariance_with_total"] >= 0
        )
        for item in items:
            if roots and item["covariance_with_total"] >= 0:
                item["effective_weight"] = 100 * math.sqrt(item["covariance_with_total"]) / roots

    quiz = dict.fromkeys(QUIZ_00)
    if n >= 1:
        quiz["mean"] = _mean(totals)
        ordered = sorted(totals)
        quiz["median"] = (ordered[(n - 1) // 2] + ordered[n // 2]) / 2
    if n >= 2:
        k2 = _cov(totals, totals)
        quiz["sd"] = math.sqrt(k2)
        mean = _mean(totals)
        m2, m3, m4 = (sum((t - mean) ** e for t in totals) / n for e in (2, 3, 4))
        if n > 2 and k2:
            k3 = n * n * m3 / ((n - 1) * (n - 2))
            quiz["skewness"] = float(k3) / float(k2) ** 1.5
            if n > 3:
                k4 = n * n * ((n + 1) * m4 - 3 * (n - 1) * m2 * m2) / ((n - 1) * (n - 2) * (n - 3))
                quiz["kurtosis"] = k4 / (k2 * k2)
            if p > 1:
                cic = Fraction(100 * p, p - 1) * (
                    1 - sum(_cov(c, c) for c in zip(*rows, strict=True)) / k2
                )
                quiz["cic"] = cic
                quiz["error_ratio"] = 100 * math.sqrt(1 - cic / 100)
                quiz["standard_error"] = quiz["error_ratio"] * quiz["sd"] / 100
    return quiz, items


def assert_same(actual, expected, where):
    if expected is None:
        assert actual is None, where
        return
    assert isinstance(actual, float), where
    assert math.isfinite(actual), where
    assert math.isclose(actual, float(expected), rel_tol=1e-9, abs_tol=1e-9), (
        where,
        actual,
        float(expected),
    )


# Marks on a grid of quarters (what quizzes give: whole, half and quarter marks), exact in binary,
# so the reference's exact zero tests and the float code see the same data.
@st.composite
def response_matrices(draw):
    n = draw(st.integers(0, 12))
    maxima = draw(st.lists(st.sampled_from([1, 2, 5]), min_size=0, max_size=6))
    columns = []
    for m in maxima:
        steps = st.integers(0, 4 * m)
        if draw(st.booleans()):
            columns.append([Fraction(draw(steps), 4)] * n)  # an item without variance
        else:
            columns.append([Fraction(v, 4) for v in draw(st.lists(steps, min_size=n, max_size=n))])
    rows = [[c[a] for c in columns] for a in range(n)]
    return rows, [Fraction(m) for m in maxima]


Q = Fraction


@given(response_matrices())
@example(([], [Q(1), Q(1)]))  # no attempt
@example(([[Q(1), Q(0)]], [Q(1), Q(1)]))  # n = 1
@example(([[Q(1), Q(0)], [Q(0), Q(1)]], [Q(1), Q(1)]))  # n = 2, all totals equal
@example(([[Q(1), Q(0)], [Q(0), Q(1)], [Q(1, 2), Q(1, 2)]], [Q(1), Q(1)]))  # n = 3, equal totals
@example(([[Q(1), Q(1)], [Q(0), Q(0)], [Q(1), Q(1)], [Q(0), Q(1)]], [Q(1), Q(1)]))
@example(([[Q(1), Q(1)], [Q(0), Q(0)], [Q(1), Q(1)]], [Q(1), Q(1)]))  # α = 1: error ratio 0
@hypothesis_settings(max_examples=300, deadline=None)
def test_moodle_statistics_match_a_plain_reference(matrix):
    rows, maxima = matrix
    marks = np.array([[float(v) for v in r] for r in rows]).reshape(len(rows), len(maxima))
    stats = quiz_statistics(marks, [float(m) for m in maxima])
    quiz, items = reference(rows, maxima)
    assert isinstance(stats.quiz, QuizStats)
    for name, expected in quiz.items():
        assert_same(getattr(stats.quiz, name), expected, f"quiz.{name}")
    assert len(stats.items) == len(items)
    for i, (item, expected_item) in enumerate(zip(stats.items, items, strict=True)):
        for name, expected in expected_item.items():
            assert_same(getattr(item, name), expected, f"item {i}.{name}")


def test_ten_thousand_attempts_by_110_items_is_vectorised():
    """Not a timing test (see bench/item_stats.py): the full-size matrix goes through and every
    figure is a finite float."""
    rng = np.random.default_rng(7)
    marks = (rng.random((10_000, 110)) < 0.6).astype(float)
    stats = quiz_statistics(marks, 1.0)
    assert all(
        isinstance(v, float) and math.isfinite(v)
        for item in stats.items
        for v in (item.facility, item.discrimination_index, item.effective_weight)
    )


def test_totals_equal_but_for_float_rounding_have_no_spread():
    # 0.1 + 0.2 is 0.30000000000000004 in binary: the same total as 0.3, not a tiny variance
    # that would turn skewness and CIC into noise.
    stats = quiz_statistics([[0.1, 0.2], [0.3, 0.0], [0.0, 0.3]], 1.0)
    assert stats.quiz.sd == 0.0
    assert stats.quiz.skewness is None
    assert stats.quiz.cic is None
    assert stats.items[0].discrimination_index == -100.0  # x and 0.3 − x move exactly opposite


@pytest.mark.parametrize("max_mark", ["0", "-1", "nan", "inf"])
def test_command_refuses_a_max_mark_that_is_not_a_positive_number(max_mark):
    out = io.StringIO()
    with pytest.raises(CommandError, match="--max-mark harus angka positif"):
        call_command("item_stats", str(RESULTS), f"--max-mark={max_mark}", stdout=out)
    assert out.getvalue() == ""
