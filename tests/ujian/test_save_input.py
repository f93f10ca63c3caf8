"""What a client may send to the answer-save URL, on both of its doors: the WSGI shortcut a page
uses (signed token, ujian/fastpath.py) and the normal Django route (session + CSRF). Anything
that is not a well-formed answer gets a JSON 4xx with an Indonesian message and changes nothing;
no body ever gets a 5xx or a non-JSON answer."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import create_question, make_blueprint, make_tryout
from tests.ujian.wsgi_client import call_raw, keep_test_connection  # noqa: F401
from ujian.models import Answer
from ujian.services.attempts import answer_save, attempt_start, save_token
from ujian.services.building import attempt_create

pytestmark = pytest.mark.usefixtures("keep_test_connection")

ROUTES = ["shortcut", "django"]


@pytest.fixture(params=ROUTES)
def post(request, candidate_client):
    """post(attempt, raw bytes) -> (status, content type, parsed JSON or None)."""

    def via_shortcut(attempt, raw: bytes):
        url = reverse("ujian:save", args=[attempt.uuid])
        status, headers, content = call_raw(url, raw, token=save_token(attempt))
        return status, headers.get("Content-Type", ""), _json_or_none(content)

    def via_django(attempt, raw: bytes):
        url = reverse("ujian:save", args=[attempt.uuid])
        response = candidate_client.post(url, raw, content_type="application/json")
        return response.status_code, response["Content-Type"], _json_or_none(response.content)

    return via_shortcut if request.param == "shortcut" else via_django


def _json_or_none(content: bytes):
    try:
        return json.loads(content)
    except ValueError:
        return None


@pytest.fixture
def started_four(db, candidate, django_capture_on_commit_callbacks):
    """A started attempt whose items have four options (A-D), not five."""
    for i in range(3):
        create_question(subtest="TWK", stem=f"Pertanyaan wawasan kebangsaan nomor {i}?")
    blueprint = make_blueprint(sections=(("TWK", "twk", 3, None),), slug="kisi-twk")
    tryout = make_tryout(blueprint=blueprint, slug="tryout-twk")
    with django_capture_on_commit_callbacks(execute=True):
        attempt = attempt_create(tryout=tryout, user=candidate)
    attempt.refresh_from_db()
    attempt = attempt_start(attempt=attempt)
    assert {len(order) for order in attempt.items["o"]} == {4}
    return attempt


def _answers(attempt) -> list[tuple]:
    return list(
        Answer.objects.filter(attempt=attempt)
        .order_by("position")
        .values_list("position", "choice", "flagged", "seq")
    )


def _assert_refused(status, content_type, body, expected_status=400):
    assert status == expected_status
    assert content_type.startswith("application/json")
    assert body is not None and body["status"] == "invalid"
    assert body["message"]  # shown to the candidate as is


# --- item 10: strict answer validation --------------------------------------------------------

BAD_FIELDS = [
    {"choice": 4},  # option E on an item that has only A-D
    {"choice": 7},
    {"choice": -1},
    {"choice": 2**15},
    {"choice": 2.9},
    {"choice": 2.0},
    {"choice": True},
    {"choice": "2"},
    {"choice": [2]},
    {"flagged": "false"},
    {"flagged": 1},
    {"flagged": None},
    {"position": False},
    {"position": 0.0},
    {"position": "0"},
    {"position": -1},
    {"position": 3},  # the attempt has three items
    {"position": 2**15},
    {"position": 2**64},
    {"seq": 2.5},
    {"seq": "2"},
    {"seq": 0},
    {"seq": -2},
    {"seq": 2**63},
    {"seq": 2**80},
    {"seq": None},
]


@pytest.mark.parametrize("bad", BAD_FIELDS, ids=lambda b: json.dumps(b))
def test_a_bad_field_is_refused_and_changes_nothing(post, started_four, candidate, bad):
    answer_save(
        attempt_uuid=started_four.uuid,
        user_id=candidate.pk,
        position=0,
        choice=1,
        flagged=False,
        seq=1,
    )
    before = _answers(started_four)
    body = {"position": 0, "choice": 2, "flagged": True, "seq": 2, **bad}
    _assert_refused(*post(started_four, json.dumps(body).encode()))
    assert _answers(started_four) == before


@pytest.mark.parametrize("missing", ["position", "seq"])
def test_a_missing_field_is_refused(post, started_four, missing):
    body = {"position": 0, "choice": 2, "flagged": True, "seq": 2}
    del body[missing]
    _assert_refused(*post(started_four, json.dumps(body).encode()))
    assert not Answer.objects.exists()


def test_the_last_option_of_the_item_and_a_cleared_choice_are_saved(post, started_four):
    status, _ct, body = post(started_four, b'{"position": 1, "choice": 3, "seq": 5}')
    assert status == 200 and body["status"] == "saved"
    status, _ct, body = post(
        started_four, b'{"position": 1, "choice": null, "flagged": true, "seq": 6}'
    )
    assert status == 200 and body["status"] == "saved"
    assert _answers(started_four) == [(1, None, True, 6)]


# --- item 8: bodies that are not an answer object ---------------------------------------------


@pytest.mark.parametrize("raw", [b"[1,2,3]", b"null", b'"x"', b"1", b"true", b"", b"\xff\xfe"])
def test_a_body_that_is_not_an_object_is_refused(post, started, raw):
    _assert_refused(*post(started, raw))
    assert not Answer.objects.exists()


def test_a_huge_body_is_refused_as_too_large(post, started):
    raw = json.dumps({"position": 0, "choice": 1, "seq": 1, "pad": "x" * 3_000_000}).encode()
    _assert_refused(*post(started, raw), expected_status=413)
    assert not Answer.objects.exists()


def test_a_deeply_nested_body_is_refused(post, started):
    _assert_refused(*post(started, b"[" * 1500 + b"]" * 1500))


# --- property: no body gets a 5xx or a non-JSON answer ----------------------------------------

_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.sampled_from([2**15 - 1, 2**15, 2**31, 2**63 - 1, 2**63, -(2**63) - 1])
    | st.floats()
    | st.text(max_size=20)
)
_json_values = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
_answer_like = st.fixed_dictionaries(
    {},
    optional={
        "position": _json_values | st.integers(min_value=-2, max_value=6),
        "choice": _json_values | st.integers(min_value=-2, max_value=6),
        "flagged": _json_values,
        "seq": _json_values | st.integers(min_value=1, max_value=2**63 + 5),
    },
)
_bodies = (
    st.binary(max_size=300)
    | _json_values.map(lambda v: json.dumps(v).encode())
    | _answer_like.map(lambda v: json.dumps(v).encode())
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=_bodies)
def test_no_body_gets_a_server_error_or_a_non_json_answer(post, started, raw):
    status, content_type, body = post(started, raw)
    assert status < 500, (status, raw, body)
    assert content_type.startswith("application/json")
    assert isinstance(body, dict) and body["status"]
    if status >= 400:
        assert body["message"]
