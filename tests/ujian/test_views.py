from __future__ import annotations

import json
from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse

from ujian.models import AttemptStatus, QuestionSnapshot, ReviewPolicy, SubmitReason
from ujian.services.attempts import attempt_submit


def attempt_urls(attempt):
    u = attempt.uuid
    return {
        "attempt": ("get", reverse("ujian:attempt", args=[u])),
        "status": ("get", reverse("ujian:build_status", args=[u])),
        "question": ("get", reverse("ujian:question", args=[u, 1])),
        "save": ("post", reverse("ujian:save", args=[u])),
        "submit": ("post", reverse("ujian:submit", args=[u])),
        "result": ("get", reverse("ujian:result", args=[u])),
        "review": ("get", reverse("ujian:review", args=[u])),
    }


@pytest.mark.parametrize(
    "name", ["attempt", "status", "question", "save", "submit", "result", "review"]
)
def test_another_users_attempt_is_404(client, started, other_candidate, name):
    client.force_login(other_candidate)
    method, url = attempt_urls(started)[name]
    body = {"position": 0, "choice": 1, "seq": 1} if method == "post" else None
    response = getattr(client, method)(url, data=body, content_type="application/json")
    assert response.status_code == 404
    started.refresh_from_db()
    assert started.status == AttemptStatus.IN_PROGRESS


@pytest.mark.parametrize("name", ["attempt", "result", "review"])
def test_anonymous_is_sent_to_login(client, started, name):
    _method, url = attempt_urls(started)[name]
    response = client.get(url)
    assert response.status_code == 302 and "/akun/login/" in response["Location"]


def test_exam_page_contains_no_key_scores_or_explanations(candidate_client, started):
    html = candidate_client.get(reverse("ujian:attempt", args=[started.uuid])).content.decode()
    assert 'id="question"' in html
    config = json.loads(
        html.split('id="exam-config" type="application/json">')[1].split("</script>")[0]
    )
    assert set(config) == {
        "uuid",
        "heartbeatUrl",
        "saveUrl",
        "submitUrl",
        "resultUrl",
        "questionUrl",
        "deadline",
        "serverNow",
        "count",
        "maxSeq",
        "state",
        "token",
        "swUrl",
        "swScope",
    }
    for snapshot_id, _order, _section in started.item_rows():
        data = QuestionSnapshot.objects.get(pk=snapshot_id).data
        assert data["explanation"].strip()[:40] not in html
        for option in data["options"]:
            assert option["rationale"] not in html
            for code in option["upholds"] + option["violates"]:
                assert code not in html
    for n in range(1, started.item_count + 1):
        part = candidate_client.get(
            reverse("ujian:question", args=[started.uuid, n]), headers={"HX-Request": "true"}
        ).content.decode()
        assert "skor" not in part.lower() and "score" not in part.lower()
        assert "Pembahasan" not in part


def test_save_endpoint_round_trip_and_late_refusal(candidate_client, started, settings):
    url = reverse("ujian:save", args=[started.uuid])
    ok = candidate_client.post(
        url, {"position": 0, "choice": 2, "seq": 1}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["status"] == "saved"
    assert isinstance(ok.json()["now"], int)
    bad = candidate_client.post(url, "not json", content_type="application/json")
    assert bad.status_code == 400
    type(started).objects.filter(pk=started.pk).update(status=AttemptStatus.SUBMITTED)
    late = candidate_client.post(
        url, {"position": 0, "choice": 3, "seq": 2}, content_type="application/json"
    )
    assert late.status_code == 409
    assert "tidak disimpan" in late.json()["message"]


def test_save_requires_csrf(started, candidate):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(candidate)
    response = client.post(
        reverse("ujian:save", args=[started.uuid]),
        {"position": 0, "choice": 1, "seq": 1},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_reload_resumes_at_the_same_question_with_answers(candidate_client, started):
    candidate_client.post(
        reverse("ujian:save", args=[started.uuid]),
        {"position": 2, "choice": 4, "flagged": True, "seq": 1},
        content_type="application/json",
    )
    candidate_client.get(
        reverse("ujian:question", args=[started.uuid, 3]), headers={"HX-Request": "true"}
    )
    html = candidate_client.get(reverse("ujian:attempt", args=[started.uuid])).content.decode()
    assert 'data-position="2"' in html.split('id="question"')[1][:40]
    assert '"2": [4, true, 1]' in html  # choice, flag, sequence number


def test_result_page_shows_profile_and_review_follows_policy(
    candidate_client, started, candidate, django_capture_on_commit_callbacks
):
    candidate_client.post(
        reverse("ujian:save", args=[started.uuid]),
        {"position": 0, "choice": 0, "seq": 1},
        content_type="application/json",
    )
    with django_capture_on_commit_callbacks(execute=True):
        candidate_client.post(reverse("ujian:submit", args=[started.uuid]))
    html = candidate_client.get(reverse("ujian:result", args=[started.uuid])).content.decode()
    assert "Profil prinsip" in html and "<meter" in html
    assert "Belum cukup percobaan untuk perbandingan peringkat" in html
    assert candidate_client.get(reverse("ujian:review", args=[started.uuid])).status_code == 200
    started.tryout.review_policy = ReviewPolicy.AFTER_CLOSE
    started.tryout.save()
    response = candidate_client.get(reverse("ujian:review", args=[started.uuid]))
    assert response.status_code == 302


def test_ranking_breaks_ties_by_tkp_then_tiu_then_twk(db, tryout, django_user_model):
    from tests.factories import UserFactory
    from ujian.models import Attempt
    from ujian.services.results import rank_of

    def scored(total, tkp, tiu, twk):
        return Attempt.objects.create(
            tryout=tryout,
            user=UserFactory(),
            status=AttemptStatus.SCORED,
            total=total,
            score_tkp=tkp,
            score_tiu=tiu,
            score_twk=twk,
        )

    a = scored(400, 170, 130, 100)
    b = scored(400, 170, 140, 90)  # same total and TKP, better TIU
    c = scored(410, 150, 150, 110)
    d = scored(300, 160, 80, 60)
    assert rank_of(c)[0] == 1 and rank_of(b)[0] == 2 and rank_of(a)[0] == 3
    assert rank_of(d) == (4, 4, 0.0)
    assert rank_of(c)[2] == 75.0


def test_submit_view_twice_is_harmless(
    candidate_client, started, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        candidate_client.post(reverse("ujian:submit", args=[started.uuid]))
        candidate_client.post(reverse("ujian:submit", args=[started.uuid]))
    assert len(callbacks) == 1
    assert attempt_submit(attempt_id=started.pk) is False


def test_start_view_shows_bank_shortage_clearly(candidate_client, db):
    from tests.factories import make_blueprint, make_tryout

    tryout = make_tryout(make_blueprint(sections=(("TIU", "tiu", 35, 80),)), slug="skd")
    page = candidate_client.get(reverse("ujian:tryout", args=["skd"])).content.decode()
    assert "TIU: 0 soal terbit, kisi-kisi membutuhkan 35" in page
    response = candidate_client.post(reverse("ujian:start", args=["skd"]), follow=True)
    assert "Bank soal belum cukup" in response.content.decode()
    assert not tryout.attempts.exists()


def test_save_token_binds_user_and_attempt(client, started, other_candidate, tryout):
    from ujian.services.attempts import save_token

    url = reverse("ujian:save", args=[started.uuid])
    body = {"position": 0, "choice": 1, "seq": 1}
    ok = client.post(
        url, body, content_type="application/json", headers={"X-Attempt-Token": save_token(started)}
    )
    assert ok.status_code == 200 and ok.json()["status"] == "saved"  # no session needed
    forged = save_token(started)[:-2] + "xx"
    bad = client.post(
        url,
        {**body, "seq": 2},
        content_type="application/json",
        headers={"X-Attempt-Token": forged},
    )
    assert bad.status_code == 403
    # A token for one attempt does not open another.
    from ujian.models import Attempt

    other = Attempt.objects.create(tryout=tryout, user=other_candidate, status="in_progress")
    wrong = client.post(
        reverse("ujian:save", args=[other.uuid]),
        body,
        content_type="application/json",
        headers={"X-Attempt-Token": save_token(started)},
    )
    assert wrong.status_code == 403
    anonymous = client.post(url, {**body, "seq": 3}, content_type="application/json")
    assert anonymous.status_code == 403


@pytest.mark.parametrize(
    ("seconds_after_deadline", "reason"),
    [(-5, SubmitReason.CANDIDATE), (0, SubmitReason.TIMEOUT), (2, SubmitReason.TIMEOUT)],
)
def test_submit_at_or_after_the_deadline_is_recorded_as_timeout(
    candidate_client, started, seconds_after_deadline, reason
):
    # The page posts to the candidate's submit endpoint when its countdown reaches zero; the
    # server's clock, not the client, decides whether that is the candidate's choice or time-out.
    arrives = started.deadline + timedelta(seconds=seconds_after_deadline)
    with mock.patch("django.utils.timezone.now", return_value=arrives):
        response = candidate_client.post(reverse("ujian:submit", args=[started.uuid]))
    assert response.status_code == 302
    started.refresh_from_db()
    assert started.submit_reason == reason
    assert started.submitted_at == min(arrives, started.deadline)
