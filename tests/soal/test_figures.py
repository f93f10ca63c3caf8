"""Figures on questions and options: the allowlist sanitiser, and the figure as a candidate sees it
on the exam, review and practice pages (HTTP)."""

from __future__ import annotations

import pytest
from defusedxml import ElementTree
from django.urls import reverse

from soal.errors import SoalError
from soal.figures import FigureError, svg_sanitise
from soal.generators import generate
from soal.models import Option, Question
from soal.services.questions import question_create
from soal.services.rules import OptionData, QuestionData
from tests.factories import create_question, make_blueprint, make_tryout
from tests.soal.test_generators_verbal_figural import drawn
from ujian.models import QuestionSnapshot
from ujian.services.attempts import attempt_start, attempt_submit
from ujian.services.building import attempt_create
from ujian.services.snapshots import snapshot_data

MALICIOUS = """<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
  viewBox="0 0 10 10" onload="alert(1)" style="background:url(http://evil.example/x)">
  <title>Gambar</title>
  <script>alert('xss')</script>
  <a href="javascript:alert(2)"><rect x="0" y="0" width="5" height="5"/></a>
  <rect x="1" y="1" width="8" height="8" fill="url(#p)" onclick="alert(3)" stroke="#222"/>
  <circle cx="5" cy="5" r="2" fill="red" transform="rotate(45 5 5) url(x)"/>
  <image xlink:href="http://evil.example/a.png" width="10" height="10"/>
  <use href="#x"/>
  <foreignObject><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>
  <text x="1" y="9">&lt;img src=x onerror=alert(4)&gt;</text>
</svg>"""


def test_malicious_svg_is_neutralised():
    clean = svg_sanitise(MALICIOUS)
    lowered = clean.lower()
    for bad in (
        "<script",
        "onload",
        "onclick",
        "javascript",
        "href",
        "url(",
        "evil",
        "<image",
        "<use",
        "foreignobject",
        "<a ",
        "style",
        "<img",
    ):
        assert bad not in lowered, bad
    root = ElementTree.fromstring(clean)
    ns = "{http://www.w3.org/2000/svg}"
    # The harmless drawing survives; the bad attributes are dropped, not the whole element.
    rect = root.find(f"{ns}rect")
    assert rect is not None and rect.get("stroke") == "#222" and rect.get("fill") is None
    circle = root.find(f"{ns}circle")
    assert circle.get("fill") == "red" and circle.get("transform") is None
    assert root.find(f"{ns}text").text == "<img src=x onerror=alert(4)>"  # text, escaped
    assert root.get("viewBox") == "0 0 10 10" and root.get("role") == "img"


def test_sanitiser_refuses_entities_and_non_svg():
    bomb = '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>'
    for bad in (bomb, "<svg><rect></svg>", "<html><body/></html>", "gambar"):
        with pytest.raises(FigureError):
            svg_sanitise(bad)


def test_sanitiser_sets_the_accessible_name():
    clean = svg_sanitise(MALICIOUS, title="Panah ke kanan, 2 titik")
    root = ElementTree.fromstring(clean)
    titles = root.findall("{http://www.w3.org/2000/svg}title")
    assert [t.text for t in titles] == ["Panah ke kanan, 2 titik"]


@pytest.mark.parametrize("family", ["figural-deret", "figural-analogi"])
def test_generated_figures_survive_the_sanitiser_unchanged_in_meaning(family):
    for seed in range(200):
        item = generate(family, seed)
        for svg, panel in zip(
            item.params["option_svgs"], item.params["option_panels"], strict=True
        ):
            assert drawn(svg_sanitise(svg)) == panel
        shown = 4 if family == "figural-deret" else 3
        assert svg_sanitise(item.figure).count("<polygon") == shown


def test_invalid_figure_is_refused_when_a_question_is_stored(db):
    data = figural_data(generate("figural-deret", 1))
    data.figure_svg = "<svg><rect></svg>"
    with pytest.raises(SoalError) as exc:
        question_create(data=data)
    assert "gambar soal bukan SVG yang valid" in str(exc.value.problems)
    assert not Question.objects.exists()


# --- on the pages -----------------------------------------------------------------------------


def figural_data(item) -> QuestionData:
    return QuestionData(
        stem=item.stem,
        subtest="TIU",
        aspect=item.aspect,
        explanation=item.explanation,
        options=[
            OptionData(text=text, score=5 if i == item.correct else 0, figure_svg=svg)
            for i, (text, svg) in enumerate(
                zip(item.options, item.params["option_svgs"], strict=True)
            )
        ],
        figure_svg=item.figure,
        figure_alt=item.figure_alt,
    )


@pytest.fixture
def figural_item():
    return generate("figural-analogi", 11)


@pytest.fixture
def figural_question(db, figural_item):
    return question_create(data=figural_data(figural_item), status="published")


@pytest.fixture
def figural_attempt(figural_question, candidate, django_capture_on_commit_callbacks):
    blueprint = make_blueprint(sections=(("TIU", "tiu", 1, None),), slug="kisi-figural")
    tryout = make_tryout(blueprint=blueprint, slug="tryout-figural")
    with django_capture_on_commit_callbacks(execute=True):
        attempt = attempt_create(tryout=tryout, user=candidate)
    attempt.refresh_from_db()
    return attempt_start(attempt=attempt)


def test_exam_page_shows_the_figure_with_its_alt_text(
    candidate_client, figural_attempt, figural_item
):
    html = candidate_client.get(reverse("ujian:attempt", args=[figural_attempt.uuid])).content
    html = html.decode()
    assert '<figure class="soal-figure"><svg xmlns="http://www.w3.org/2000/svg"' in html
    assert f"<title>{figural_item.figure_alt}</title>" in html
    # Each option is a picture named by its description.
    for text in figural_item.options:
        assert f"<title>{text}</title>" in html
    assert html.count('<span class="option-figure" aria-hidden="true"><svg') == 5


def assert_inert(html: str) -> None:
    # The <text> payload may appear only as escaped text, never as markup.
    assert "<img src=x" not in html
    # The exam page also carries the sanitised figure inside its JSON payload, where json_script
    # writes "&" as \u0026: the same escaped text, still never markup.
    lowered = (
        html.replace("&lt;img src=x onerror=alert(4)&gt;", "")
        .replace("\\u0026lt;img src=x onerror=alert(4)\\u0026gt;", "")
        .lower()
    )
    for bad in ("alert(", "onload=", "onclick=", "javascript:", "evil.example", "<image", "<use"):
        assert bad not in lowered, bad


def test_figure_edited_to_carry_script_is_neutralised_on_the_practice_page(
    candidate_client, figural_question
):
    # A tutor's edit that bypassed validation (written straight to the database).
    Question.objects.update(figure_svg=MALICIOUS, figure_alt="Gambar uji")
    Option.objects.filter(position=0).update(figure_svg=MALICIOUS)
    html = candidate_client.get(reverse("soal:aspect", args=["figural"])).content.decode()
    assert_inert(html)
    assert '<figure class="soal-figure"><svg' in html
    assert "<title>Gambar uji</title>" in html
    assert html.count('<span class="option-figure" aria-hidden="true"><svg') == 5


def test_exam_shows_the_frozen_figure_and_neutralises_a_tampered_one(
    candidate_client, figural_attempt, figural_item
):
    url = reverse("ujian:attempt", args=[figural_attempt.uuid])
    Question.objects.update(figure_svg=MALICIOUS, figure_alt="Gambar uji")
    html = candidate_client.get(url).content.decode()
    assert f"<title>{figural_item.figure_alt}</title>" in html  # frozen before the edit
    snapshot = QuestionSnapshot.objects.get()
    snapshot.data["figure"]["svg"] = MALICIOUS
    snapshot.data["options"][0]["figure_svg"] = MALICIOUS
    snapshot.save()
    html = candidate_client.get(url).content.decode()
    assert f"<title>{figural_item.figure_alt}</title>" in html
    assert_inert(html)


def test_review_page_shows_the_frozen_figure(
    candidate_client, figural_attempt, figural_item, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(attempt_id=figural_attempt.pk)
    html = candidate_client.get(reverse("ujian:review", args=[figural_attempt.uuid]))
    html = html.content.decode()
    assert f"<title>{figural_item.figure_alt}</title>" in html
    assert html.count('<span class="option-figure" aria-hidden="true"><svg') == 5


def test_reviewer_preview_shows_the_figure_sanitised(client, reviewer, figural_question):
    Option.objects.filter(position=1).update(figure_svg=MALICIOUS)
    client.force_login(reviewer)
    url = reverse("admin:soal_question_preview", args=[figural_question.pk])
    html = client.get(url).content.decode()
    # The admin's own chrome uses <use> icons; judge only the question as shown.
    shown = html.split("Seperti yang dilihat peserta")[1].split("Kunci dan pembahasan")[0]
    assert_inert(shown)
    assert f"<title>{figural_question.figure_alt}</title>" in shown
    assert shown.count('<span class="option-figure" aria-hidden="true"><svg') == 5


def test_questions_without_figures_keep_their_frozen_content_unchanged(db):
    data = snapshot_data(create_question())
    # No new keys for ordinary questions, so their snapshot hashes stay what they were.
    assert "figure" not in data
    assert all("figure_svg" not in o for o in data["options"])
