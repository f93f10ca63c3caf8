"""Stored item analysis and regrading, on PostgreSQL."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from soal.analysis.moodle import quiz_statistics
from soal.analysis.tkp import tkp_analysis
from soal.models import Option, Question, Status
from soal.services.questions import question_duplicate, question_publish
from tests.factories import (
    InstitutionFactory,
    MembershipFactory,
    UserFactory,
    make_bank,
    make_blueprint,
    make_tryout,
)
from ujian.errors import UjianError
from ujian.models import (
    Answer,
    Attempt,
    AttemptStatus,
    ItemStat,
    QuestionSnapshot,
    Regrade,
    RegradeStatus,
    TryoutStat,
)
from ujian.services.analysis import tryout_matrix, tryout_stats_compute
from ujian.services.regrade import regrade_create, regrade_request_apply
from ujian.services.results import review_items
from ujian.services.scoring import compute_result
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


# --- regrade ---------------------------------------------------------------------------------


def fixed_version(question, actor, scores):
    """A reviewer's fixed version: same options, new scores, published."""
    draft = question_duplicate(question=question, actor=actor)
    for option, score in zip(draft.options.order_by("position"), scores, strict=True):
        Option.objects.filter(pk=option.pk).update(score=score)
    return question_publish(question=draft, actor=actor)


@pytest.fixture
def miskeyed(fixed_form, reviewer, django_capture_on_commit_callbacks):
    target = Question.objects.filter(aspect="pelayanan-publik").order_by("pk").first()
    simulate(fixed_form, n=60, attractiveness=plant_miskey(target.pk))
    tryout_stats_compute(tryout_id=fixed_form.pk)
    old = [o.score for o in target.options.order_by("position")]
    # Swap the 2 and the 5: the key was the wrong way round.
    new = [5 if s == 2 else 2 if s == 5 else s for s in old]
    fixed = fixed_version(target, reviewer, new)
    snapshot = QuestionSnapshot.objects.get(item_stats__tryout=fixed_form, question=target)
    return target, fixed, snapshot


def results_of(tryout):
    return dict(
        Attempt.objects.filter(tryout=tryout).values_list("pk", "total").order_by("pk")
    ), dict(Attempt.objects.filter(tryout=tryout).values_list("pk", "items"))


def test_dry_run_writes_nothing_to_attempts(
    miskeyed, fixed_form, reviewer, django_capture_on_commit_callbacks
):
    _target, fixed, snapshot = miskeyed
    before = results_of(fixed_form)
    with django_capture_on_commit_callbacks(execute=True):
        regrade = regrade_create(
            tryout=fixed_form, old_snapshot=snapshot, new_question=fixed, actor=reviewer
        )
    regrade.refresh_from_db()
    assert regrade.status == RegradeStatus.PREVIEWED
    assert regrade.changed > 0 and len(regrade.preview) == regrade.changed
    # Per section in the blueprint's order, with ranks and pass/fail on both sides.
    change = regrade.preview[0]
    assert [label for label, _score in change["old"]["sections"]] == ["Pelayanan", "Jejaring"]
    assert {"total", "rank", "passed"} <= change["old"].keys() & change["new"].keys()
    assert results_of(fixed_form) == before
    assert not Attempt.objects.filter(tryout=fixed_form, regraded_at__isnull=False).exists()


def test_apply_twice_changes_as_much_as_once(
    miskeyed, fixed_form, reviewer, django_capture_on_commit_callbacks
):
    _target, fixed, snapshot = miskeyed
    with django_capture_on_commit_callbacks(execute=True):
        regrade = regrade_create(
            tryout=fixed_form, old_snapshot=snapshot, new_question=fixed, actor=reviewer
        )
    regrade.refresh_from_db()
    expected = {c["attempt"]: c["new"]["total"] for c in regrade.preview}
    with django_capture_on_commit_callbacks(execute=True):
        assert regrade_request_apply(regrade=regrade, actor=reviewer)
    regrade.refresh_from_db()
    assert regrade.status == RegradeStatus.DONE and regrade.changed == len(expected)
    assert regrade.applied_by == reviewer and regrade.applied_at is not None
    after_once = results_of(fixed_form)
    changed = Attempt.objects.filter(tryout=fixed_form, regraded_at__isnull=False)
    assert {str(a.uuid): a.total for a in changed} == expected
    # The frozen snapshot stays; the new version is recorded as what scores the position.
    a = changed.first()
    assert snapshot.pk in a.items["s"] and regrade.new_snapshot_id in a.items["r"].values()
    # The stored analysis was recomputed with the new scores; the review shows them too.
    stat = ItemStat.objects.get(tryout=fixed_form, snapshot=snapshot)
    assert stat.data["option_scores"] == [o.score for o in fixed.options.order_by("position")]
    assert sum(i.score for i in review_items(a)) == a.total
    # Every stored result is what the scoring code computes for the attempt as regraded.
    for attempt in Attempt.objects.filter(tryout=fixed_form).select_related("tryout__blueprint"):
        expected_result = compute_result(attempt, list(attempt.answers.all()), None)
        assert attempt.result == expected_result
        assert attempt.total == expected_result["total"]
    # Second application: refused, and a second regrade to the same version changes nothing.
    assert not regrade_request_apply(regrade=regrade, actor=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        again = regrade_create(
            tryout=fixed_form, old_snapshot=snapshot, new_question=fixed, actor=reviewer
        )
    with django_capture_on_commit_callbacks(execute=True):
        regrade_request_apply(regrade=Regrade.objects.get(pk=again.pk), actor=reviewer)
    assert Regrade.objects.get(pk=again.pk).changed == 0
    assert results_of(fixed_form) == after_once


def test_regrade_refuses_a_version_with_other_options(miskeyed, fixed_form, reviewer):
    _target, fixed, snapshot = miskeyed
    draft = question_duplicate(question=fixed, actor=reviewer)
    Option.objects.filter(question=draft, position=4).delete()
    draft.status = Status.PUBLISHED
    draft.save(update_fields=["status"])
    with pytest.raises(UjianError, match="Jumlah pilihan berubah"):
        regrade_create(tryout=fixed_form, old_snapshot=snapshot, new_question=draft, actor=reviewer)
    assert not Regrade.objects.filter(new_snapshot__question=draft).exists()


# --- permissions -------------------------------------------------------------------------------


@pytest.fixture
def personas(db, tutor, reviewer, candidate, institution, institution_admin):
    make_bank(pelayanan=3, jejaring=2)
    public = make_tryout(blueprint=make_blueprint(), slug="publik")
    own = make_tryout(
        blueprint=make_blueprint(slug="kisi-lembaga"), slug="milik", owner=institution
    )
    other_inst = InstitutionFactory(name="Lain", slug="lain")
    other = make_tryout(blueprint=make_blueprint(slug="kisi-lain"), slug="lain", owner=other_inst)
    other_admin = UserFactory(email="admin.lain@example.com")
    MembershipFactory(user=other_admin, institution=other_inst, role="admin")
    for t in (public, own, other):
        simulate_small(t)
        tryout_stats_compute(tryout_id=t.pk)
    return {"public": public, "own": own, "other": other}


def simulate_small(tryout):
    users = [UserFactory() for _ in range(12)]
    attempts_simulate(tryout=tryout, user_ids=[u.pk for u in users])


@pytest.mark.parametrize(
    ("who", "which", "expected"),
    [
        ("tutor", "public", 200),
        ("reviewer", "public", 200),
        ("tutor", "own", 404),
        ("institution_admin", "own", 200),
        ("institution_admin", "other", 404),
        ("institution_admin", "public", 404),
        ("candidate", "public", 404),
        ("anonymous", "public", 302),
    ],
)
def test_report_item_and_export_permissions(client, request, personas, who, which, expected):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    tryout = personas[which]
    snapshot_id = ItemStat.objects.filter(tryout=tryout).values_list("snapshot_id", flat=True)[0]
    urls = [
        reverse("ujian:analysis_report", args=[tryout.uuid]),
        reverse("ujian:analysis_item", args=[tryout.uuid, snapshot_id]),
        reverse("ujian:analysis_export", args=[tryout.uuid, "csv"]),
        reverse("ujian:analysis_export", args=[tryout.uuid, "xlsx"]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == expected, url
        if expected == 302:
            assert "/akun/login/" in response["Location"]
    response = client.post(reverse("ujian:analysis_recompute", args=[tryout.uuid]))
    assert response.status_code == (302 if expected in (200, 302) else 404)


def test_report_sorts_without_js_and_shows_flags_first(client, reviewer, fixed_form):
    target = Question.objects.filter(aspect="pelayanan-publik").order_by("pk").first()
    simulate(fixed_form, n=150, attractiveness=plant_miskey(target.pk))
    tryout_stats_compute(tryout_id=fixed_form.pk)
    client.force_login(reviewer)
    html = client.get(reverse("ujian:analysis_report", args=[fixed_form.uuid])).content.decode()
    assert "Kemungkinan salah kunci" in html
    first_row = html.split('class="item-row"')[1]
    assert "flag-possible_miskey" in first_row.split("</tr>")[0]
    by_facility = client.get(
        reverse("ujian:analysis_report", args=[fixed_form.uuid]) + "?urut=facility"
    ).context["rows"]
    facilities = [r.facility for r in by_facility]
    assert facilities == sorted(facilities)


def test_random_forms_figures_count_only_attempts_shown_the_question(db):
    """Pool 6 + 4, drawing 3 + 2: a question nobody was shown is not a blank answer."""
    make_bank(pelayanan=6, jejaring=4)
    tryout = make_tryout(blueprint=make_blueprint(), slug="acak")
    simulate(tryout, n=80)
    stat = tryout_stats_compute(tryout_id=tryout.pk)
    assert stat.data["random_forms"] is True
    m = tryout_matrix(tryout_id=tryout.pk).subtests["TKP"]
    for c, sid in enumerate(m.snapshots):
        row = ItemStat.objects.get(tryout=tryout, snapshot_id=sid)
        shown = m.presented[:, c]
        assert row.presented == shown.sum() < 80
        # Shares of the options and of blanks add up to the attempts shown the question.
        assert sum(v for v in row.data["rates"]["overall"]) == pytest.approx(1.0)
        subset = tkp_analysis(chosen=m.chosen[shown], option_scores=m.option_scores)
        assert row.data["tkp"]["item_rest"] == pytest.approx(subset.items[c].item_rest)
        assert row.facility == pytest.approx(m.marks[shown, c].mean() / 5)


def test_beat_computes_stats_for_tryouts_closed_since_without_fresh_stats(fixed_form):
    from datetime import timedelta

    from django.utils import timezone

    from ujian.services.analysis import tryouts_needing_stats
    from ujian.tasks import tryout_stats_due_task

    simulate(fixed_form, n=20)
    assert tryouts_needing_stats() == []  # still open
    fixed_form.opens_at = timezone.now() - timedelta(days=2)
    fixed_form.closes_at = timezone.now() - timedelta(minutes=5)
    fixed_form.save()
    assert tryouts_needing_stats() == [fixed_form.pk]
    assert tryout_stats_due_task.delay().get() == 1
    assert TryoutStat.objects.get(tryout=fixed_form).attempts == 20
    assert tryouts_needing_stats() == []


def test_option_chart_numbers_are_not_localised(client, reviewer, fixed_form):
    simulate(fixed_form, n=37)
    tryout_stats_compute(tryout_id=fixed_form.pk)
    client.force_login(reviewer)
    snapshot_id = ItemStat.objects.filter(tryout=fixed_form).values_list("snapshot_id", flat=True)[
        0
    ]
    html = client.get(
        reverse("ujian:analysis_item", args=[fixed_form.uuid, snapshot_id]),
        headers={"accept-language": "id"},
    ).content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    numbers = re.findall(r'\s(?:width|x|y)="([^"]+)"', svg)
    assert numbers and all(re.fullmatch(r"-?\d+(\.\d+)?", n) for n in numbers)
    assert not re.search(r"\d,\d", svg)


def test_institution_admin_gets_no_revise_button_and_cannot_post_it(
    client, institution, institution_admin
):
    make_bank(pelayanan=3, jejaring=2)
    own = make_tryout(blueprint=make_blueprint(), slug="milik", owner=institution)
    simulate(own, n=15)
    tryout_stats_compute(tryout_id=own.pk)
    snapshot_id = ItemStat.objects.filter(tryout=own).values_list("snapshot_id", flat=True)[0]
    client.force_login(institution_admin)
    page = client.get(reverse("ujian:analysis_item", args=[own.uuid, snapshot_id]))
    assert page.status_code == 200 and "Revisi soal" not in page.content.decode()
    response = client.post(reverse("ujian:analysis_revise", args=[own.uuid, snapshot_id]))
    assert response.status_code == 404
    assert not Question.objects.filter(previous_version__isnull=False).exists()


def test_admin_tryout_pages_link_the_report(client, reviewer, fixed_form):
    client.force_login(reviewer)
    url = reverse("ujian:analysis_report", args=[fixed_form.uuid])
    listing = client.get(reverse("admin:ujian_tryout_changelist")).content.decode()
    change = client.get(reverse("admin:ujian_tryout_change", args=[fixed_form.pk])).content.decode()
    assert url in listing and url in change


def test_regrade_with_changed_principle_credits_equals_the_scoring_code(
    fixed_form, reviewer, django_capture_on_commit_callbacks
):
    from soal.models import OptionPrinciple
    from tests.factories import PrincipleFactory

    target = Question.objects.filter(aspect="pelayanan-publik").order_by("pk").first()
    simulate(fixed_form, n=50)
    tryout_stats_compute(tryout_id=fixed_form.pk)
    snapshot = QuestionSnapshot.objects.get(item_stats__tryout=fixed_form, question=target)
    draft = question_duplicate(question=target, actor=reviewer)
    options = list(draft.options.order_by("position"))
    OptionPrinciple.objects.filter(option=options[0]).delete()
    fresh = PrincipleFactory(code="asas-keterbukaan")
    OptionPrinciple.objects.create(option=options[0], principle=fresh, effect="upholds")
    OptionPrinciple.objects.create(option=options[2], principle=fresh, effect="violates")
    Option.objects.filter(pk=options[2].pk).update(score=options[4].score)
    Option.objects.filter(pk=options[4].pk).update(score=options[2].score)
    fixed = question_publish(question=draft, actor=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        regrade = regrade_create(
            tryout=fixed_form, old_snapshot=snapshot, new_question=fixed, actor=reviewer
        )
    with django_capture_on_commit_callbacks(execute=True):
        regrade_request_apply(regrade=Regrade.objects.get(pk=regrade.pk), actor=reviewer)
    attempts = Attempt.objects.filter(tryout=fixed_form)
    assert any("asas-keterbukaan" in [p["code"] for p in a.result["principles"]] for a in attempts)
    for attempt in attempts:
        assert attempt.result == compute_result(attempt, list(attempt.answers.all()), None)


def test_only_reviewers_start_and_apply_a_regrade_of_a_public_tryout(
    client, miskeyed, fixed_form, tutor, reviewer, django_capture_on_commit_callbacks
):
    _target, fixed, snapshot = miskeyed
    url = reverse("ujian:regrade_start", args=[fixed_form.uuid, snapshot.pk])
    client.force_login(tutor)
    assert client.post(url, {"versi": fixed.pk}).status_code == 404
    assert not Regrade.objects.exists()
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"versi": fixed.pk})
    regrade = Regrade.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("ujian:regrade", args=[fixed_form.uuid, regrade.uuid])
    page = client.get(response["Location"]).content.decode()
    assert "Terapkan penilaian ulang" in page
    client.force_login(tutor)
    apply = reverse("ujian:regrade_apply", args=[fixed_form.uuid, regrade.uuid])
    assert client.post(apply).status_code == 404
    regrade.refresh_from_db()
    assert regrade.status == RegradeStatus.PREVIEWED and regrade.applied_by is None


def test_only_each_candidates_first_scored_attempt_is_analysed(fixed_form, client, reviewer):
    users = simulate(fixed_form, n=40)
    first = tryout_stats_compute(tryout_id=fixed_form.pk)
    # Ten candidates take it again (a retake or an institution's extra attempt), having seen
    # the questions: every answer now the first option shown.
    for attempt in Attempt.objects.filter(tryout=fixed_form, user__in=users[:10]):
        again = Attempt.objects.create(
            tryout=fixed_form,
            user=attempt.user,
            number=2,
            status=AttemptStatus.SCORED,
            items=attempt.items,
            sections=attempt.sections,
            item_count=attempt.item_count,
            total=0,
        )
        Answer.objects.bulk_create(
            Answer(attempt=again, position=p, choice=0, seq=1, saved_at=timezone.now())
            for p in range(attempt.item_count)
        )
    second = tryout_stats_compute(tryout_id=fixed_form.pk)
    assert (first.attempts, second.attempts) == (40, 40)
    assert second.data["subtests"] == first.data["subtests"]
    client.force_login(reviewer)
    page = client.get(reverse("ujian:analysis_report", args=[fixed_form.uuid]))
    assert "percobaan pertama 40 peserta" in page.content.decode()
