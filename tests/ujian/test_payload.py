"""The exam page carries every question of the attempt (so moving between questions needs no
network): what a candidate's browser receives, parsed as it parses it."""

from __future__ import annotations

import json

from django.urls import reverse

from materi.markdown import render_markdown
from ujian.models import Attempt, QuestionSnapshot


def _payload(html: str) -> dict:
    return json.loads(
        html.split('id="exam-payload" type="application/json">')[1].split("</script>")[0]
    )


def test_payload_has_every_question_in_display_order_and_no_scores(candidate_client, started):
    html = candidate_client.get(reverse("ujian:attempt", args=[started.uuid])).content.decode()
    payload = _payload(html)
    assert set(payload) == {"sections", "questions"}
    assert len(payload["questions"]) == started.item_count
    assert payload["sections"] == [s[0] for s in started.sections]
    for position, question in enumerate(payload["questions"]):
        assert set(question) <= {"s", "h", "f", "o"}
        snapshot_id, order, section = started.item(position)
        data = QuestionSnapshot.objects.get(pk=snapshot_id).data
        assert question["s"] == section
        assert question["h"] == str(render_markdown(data["stem"]))
        assert [o[0] for o in question["o"]] == [data["options"][int(i)]["text"] for i in order]
    text = json.dumps(payload)
    for word in ("score", "skor", "rationale", "explanation", "Pembahasan", "Alasan", "upholds"):
        assert word not in text


def test_heartbeat_records_the_current_question(candidate_client, started):
    url = reverse("ujian:heartbeat", args=[started.uuid])
    response = candidate_client.post(url, {"position": 3}, content_type="application/json")
    assert response.status_code == 200
    assert Attempt.objects.get(pk=started.pk).current_position == 3
    bad = candidate_client.post(url, {"position": "x"}, content_type="application/json")
    assert bad.status_code == 400
    assert Attempt.objects.get(pk=started.pk).current_position == 3
    html = candidate_client.get(reverse("ujian:attempt", args=[started.uuid])).content.decode()
    assert 'data-position="3"' in html


def test_service_worker_is_served_for_the_exam_scope(client):
    response = client.get(reverse("ujian:service_worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/tryout/sesi/"
