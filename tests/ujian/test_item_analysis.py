"""Stored item analysis and regrading, on PostgreSQL."""

from __future__ import annotations

import pytest

from soal.analysis.moodle import quiz_statistics
from soal.analysis.tkp import tkp_analysis
from soal.models import Question
from tests.factories import (
    UserFactory,
    make_bank,
    make_blueprint,
    make_tryout,
)
from ujian.models import Attempt, ItemStat, TryoutStat
from ujian.services.analysis import tryout_matrix, tryout_stats_compute
from ujian.services.simulation import attempts_simulate

pytestmark = pytest.mark.usefixtures("needs_postgres")

MISKEY_SCORE = 2


def plant_miskey(target_question_id: int):
    """High scorers prefer the option scored 2 on one question (a mis-keyed item)."""

    def attractiveness(data: dict) -> list[float]:
        scores = [float(o["score"]) for o in data["options"]]
        if data["question"] == target_question_id:
            return [6.0 if s == MISKEY_SCORE else s for s in scores]
        return scores

    return attractiveness


@pytest.fixture
def fixed_form(db):
    """A tryout whose pool equals its sections, so every attempt sees the same 5 questions."""
    make_bank(pelayanan=3, jejaring=2)
    return make_tryout(blueprint=make_blueprint(), slug="tryout-analisis")


def simulate(tryout, n=120, **kwargs):
    users = [UserFactory(email=f"sim{i}@example.com") for i in range(n)]
    attempts_simulate(tryout=tryout, user_ids=[u.pk for u in users], **kwargs)
    return users


def test_stats_are_stored_and_equal_the_engine_on_the_same_matrix(fixed_form):
    simulate(fixed_form)
    stat = tryout_stats_compute(tryout_id=fixed_form.pk)
    m = tryout_matrix(tryout_id=fixed_form.pk).subtests["TKP"]
    moodle = quiz_statistics(m.marks, m.option_scores.max(axis=1))
    tkp = tkp_analysis(chosen=m.chosen, option_scores=m.option_scores)
    assert stat.attempts == 120
    assert stat.data["subtests"]["TKP"]["moodle"]["mean"] == pytest.approx(moodle.quiz.mean)
    assert stat.data["subtests"]["TKP"]["tkp"]["alpha"] == pytest.approx(tkp.alpha)
    rows = {s.snapshot_id: s for s in ItemStat.objects.filter(tryout=fixed_form)}
    assert len(rows) == 5
    for c, sid in enumerate(m.snapshots):
        assert rows[sid].facility == pytest.approx(moodle.items[c].facility)
        assert rows[sid].data["tkp"]["item_rest"] == pytest.approx(tkp.items[c].item_rest)
    # The matrix matches the stored answers, mapped back through each attempt's option order.
    attempt = Attempt.objects.filter(tryout=fixed_form).order_by("pk").first()
    answer = attempt.answers.order_by("position").first()
    column = m.snapshots.index(attempt.items["s"][answer.position])
    assert m.chosen[0, column] == int(attempt.items["o"][answer.position][answer.choice])


def test_recomputing_replaces_the_previous_stats(fixed_form):
    simulate(fixed_form, n=40)
    tryout_stats_compute(tryout_id=fixed_form.pk)
    tryout_stats_compute(tryout_id=fixed_form.pk)
    assert TryoutStat.objects.filter(tryout=fixed_form).count() == 1
    assert ItemStat.objects.filter(tryout=fixed_form).count() == 5


def test_planted_miskey_is_flagged(fixed_form):
    target = Question.objects.filter(aspect="pelayanan-publik").order_by("pk").first()
    simulate(fixed_form, n=200, attractiveness=plant_miskey(target.pk))
    tryout_stats_compute(tryout_id=fixed_form.pk)
    flagged = ItemStat.objects.get(tryout=fixed_form, question=target)
    assert "possible_miskey" in [f["code"] for f in flagged.data["flags"]]
