"""Generated TIU items become ordinary questions: drafts by default, once each however often the
generation runs, published only by an explicit reviewer, and loadable as a shipped fixture."""

from __future__ import annotations

from collections import Counter

import pytest
import yaml
from django.core.management import CommandError, call_command

from soal.generators import FAMILIES
from soal.models import Question, QuestionEvent, Status
from soal.services.generation import generated_questions_create
from soal.services.loading import questions_load
from soal.tasks import generated_questions_create_task


def generated():
    return Question.objects.filter(key__startswith="tiu-gen-")


def test_generate_all_twice_creates_each_question_once_as_a_draft(db):
    call_command("generate_tiu", "--family", "all", "--count", "3", stdout=None)
    first = set(generated().values_list("key", flat=True))
    call_command("generate_tiu", "--family", "all", "--count", "3", stdout=None)

    assert set(generated().values_list("key", flat=True)) == first
    assert len(first) == 3 * len(FAMILIES)
    per_family = Counter(key.rsplit("-", 1)[0] for key in first)
    assert per_family == {f"tiu-gen-{family}": 3 for family in FAMILIES}
    for question in generated().prefetch_related("options"):
        assert question.status == Status.DRAFT
        assert question.subtest == "TIU" and question.scoring == "single"
        assert question.section is None  # no TIU module yet
        scores = [o.score for o in question.options.all()]
        assert sorted(scores) == [0, 0, 0, 0, 5]
        assert all(o.rationale.strip() for o in question.options.all())
        assert question.explanation.strip()
    assert not QuestionEvent.objects.exclude(action=QuestionEvent.Action.CREATED).exists()


def test_a_larger_count_adds_only_the_new_items(db):
    call_command("generate_tiu", "--family", "deret-fibonacci", "--count", "2", stdout=None)
    call_command("generate_tiu", "--family", "deret-fibonacci", "--count", "5", stdout=None)
    assert generated().count() == 5


def test_the_celery_task_is_idempotent(db):
    assert generated_questions_create_task.delay("deret-geometri", 4).get() == 4
    assert generated_questions_create_task.delay("deret-geometri", 4).get() == 0
    assert generated().count() == 4


def test_publish_as_a_reviewer_publishes_with_that_reviewer(db, reviewer):
    call_command(
        "generate_tiu",
        "--family",
        "deret-aritmetika",
        "--count",
        "2",
        "--publish-as",
        reviewer.email,
        stdout=None,
    )
    assert (
        list(generated().values_list("status", "reviewer")) == [(Status.PUBLISHED, reviewer.pk)] * 2
    )


def test_publish_as_a_tutor_is_refused_and_stores_nothing(db, tutor):
    with pytest.raises(CommandError, match="Hanya peninjau"):
        call_command("generate_tiu", "--family", "all", "--count", "1", "--publish-as", tutor.email)
    assert not generated().exists()


def test_an_unknown_family_is_a_clear_error_and_stores_nothing(db):
    with pytest.raises(CommandError, match="tidak dikenal"):
        call_command("generate_tiu", "--family", "deret-ajaib", "--count", "1")
    with pytest.raises(CommandError, match="minimal 1"):
        call_command("generate_tiu", "--family", "all", "--count", "0")
    assert not generated().exists()


def test_yaml_per_family_files_load_as_published_questions(db, tmp_path):
    call_command(
        "generate_tiu",
        "--family",
        "all",
        "--count",
        "2",
        "--seed",
        "5",
        "--yaml",
        str(tmp_path / "tiu-gen-{family}.yaml"),
        stdout=None,
    )
    files = sorted(p.name for p in tmp_path.glob("*.yaml"))
    assert files == sorted(f"tiu-gen-{family}.yaml" for family in FAMILIES)
    items = yaml.safe_load((tmp_path / "tiu-gen-deret-fibonacci.yaml").read_text())
    assert len(items) == 2 and all("section" not in item for item in items)

    assert questions_load(tmp_path) == {"created": 2 * len(FAMILIES), "updated": 0}
    assert questions_load(tmp_path) == {"created": 0, "updated": 2 * len(FAMILIES)}
    assert set(generated().values_list("status", flat=True)) == {Status.PUBLISHED}
    assert not Question.objects.exists() or generated().count() == Question.objects.count()


def test_the_yaml_holds_the_same_keys_the_database_gets(db, tmp_path):
    # One identity for an item whether it arrives by fixture or by generation: no duplicates.
    call_command(
        "generate_tiu",
        "--family",
        "deret-kuadrat-kubik",
        "--count",
        "3",
        "--yaml",
        str(tmp_path / "one.yaml"),
        stdout=None,
    )
    questions_load(tmp_path)
    call_command("generate_tiu", "--family", "deret-kuadrat-kubik", "--count", "3", stdout=None)
    assert generated().count() == 3


def test_yaml_without_a_family_placeholder_writes_one_file(db, tmp_path):
    target = tmp_path / "tiu-generated.yaml"
    call_command(
        "generate_tiu", "--family", "all", "--count", "2", "--yaml", str(target), stdout=None
    )
    items = yaml.safe_load(target.read_text())
    assert len(items) == 2 * len(FAMILIES)
    assert len({item["key"] for item in items}) == len(items)
    assert not generated().exists()  # writing a fixture touches no database row


def test_an_item_without_rationales_still_gets_one_sentence_per_option(db):
    # Families may leave `rationales` empty; the stored question still explains every option.
    from soal.generators import GeneratedItem
    from soal.services.generation import generated_item_data

    item = GeneratedItem(
        family="contoh",
        aspect="figural",
        stem="Gambar berikutnya adalah ….",
        options=("a", "b", "c", "d", "e"),
        correct=2,
        explanation="Langkah.\n\nJadi, jawabannya **c**.",
        answer="c",
    )
    data = generated_item_data(item)
    assert [o.score for o in data.options] == [0, 0, 5, 0, 0]
    assert all(o.rationale.strip() for o in data.options)
    assert data.subtest == "TIU" and data.section_ref is None
    assert data.key == f"tiu-gen-contoh-{item.fingerprint}"


def test_figural_items_keep_their_figures_from_yaml_to_the_bank(db, tmp_path):
    call_command(
        "generate_tiu",
        "--family",
        "figural-deret",
        "--count",
        "2",
        "--yaml",
        str(tmp_path / "tiu-gen-{family}.yaml"),
        stdout=None,
    )
    questions_load(tmp_path)
    question = generated().get(key__contains="figural-deret", pk=generated().first().pk)
    assert question.figure_svg.startswith("<svg") and question.figure_alt
    assert all(o.figure_svg.startswith("<svg") for o in question.options.all())
    # Made as a draft through the service, the same figures arrive.
    assert generated_questions_create(family="figural-analogi", count=1, seed=3) == 1
    drafted = generated().filter(key__contains="figural-analogi").get()
    assert drafted.figure_svg and drafted.options.exclude(figure_svg="").count() == 5
