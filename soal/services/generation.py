"""Generated TIU items (soal.generators) as ordinary questions: drafts that enter the normal review
workflow, or — only for shipping fixtures and demos, with an explicit reviewer — published.

Each item gets a stable key from its content (`tiu-gen-<family>-<fingerprint>`), so running the
same generation again, or concurrently, never stores an item twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ..errors import SoalError
from ..generators import FAMILIES, GeneratedItem, generate
from ..models import Question, Subtest
from .questions import question_create, question_publish
from .rules import OptionData, QuestionData

KEY_PREFIX = "tiu-gen-"
# Seeds for one run are seed * SEED_STRIDE + 0, 1, 2, …: runs with different seeds never overlap.
SEED_STRIDE = 100_000
MAX_DRAWS_PER_ITEM = 20  # a family that keeps repeating itself is a bug, not a reason to loop


def generated_key(item: GeneratedItem) -> str:
    return f"{KEY_PREFIX}{item.family}-{item.fingerprint}"


def families_named(family: str) -> list[str]:
    """`all` or one registered family name; anything else is a clear Indonesian error."""
    if family == "all":
        return sorted(FAMILIES)
    if family not in FAMILIES:
        raise SoalError(
            _("Keluarga soal “%(f)s” tidak dikenal. Pilih salah satu: %(known)s, atau all.")
            % {"f": family, "known": ", ".join(sorted(FAMILIES))}
        )
    return [family]


def generated_items(*, family: str, count: int, seed: int = 0) -> list[GeneratedItem]:
    """The first `count` distinct items of a family for a seed (deterministic)."""
    items: dict[str, GeneratedItem] = {}
    problems: set[str] = set()
    base = seed * SEED_STRIDE
    for i in range(count * MAX_DRAWS_PER_ITEM):
        if len(items) == count:
            break
        item = generate(family, base + i)
        # The same drawn rule in another wording is the same problem: keep only the first.
        problem = json.dumps(item.params, sort_keys=True, default=str)
        if item.fingerprint in items or problem in problems:
            continue
        items[item.fingerprint] = item
        problems.add(problem)
    if len(items) < count:
        raise SoalError(
            _("Keluarga %(f)s hanya menghasilkan %(n)d soal berbeda dari %(c)d yang diminta.")
            % {"f": family, "n": len(items), "c": count}
        )
    return list(items.values())


def generated_item_data(item: GeneratedItem) -> QuestionData:
    option_svgs = list(item.params.get("option_svgs") or [])
    rationales = item.rationales or tuple(
        _("Benar: sesuai perhitungan pada pembahasan.")
        if i == item.correct
        else _("Bukan hasil aturan soal ini; lihat langkah-langkah pada pembahasan.")
        for i in range(len(item.options))
    )
    return QuestionData(
        key=generated_key(item),
        stem=item.stem,
        subtest=Subtest.TIU,
        aspect=item.aspect,
        explanation=item.explanation,
        section_ref=None,  # no TIU study module yet: generated items belong to no section
        figure_svg=item.figure or "",
        figure_alt=item.figure_alt or "",
        options=[
            OptionData(
                text=text,
                score=5 if i == item.correct else 0,
                rationale=why,
                figure_svg=option_svgs[i] if i < len(option_svgs) else "",
            )
            for i, (text, why) in enumerate(zip(item.options, rationales, strict=True))
        ],
    )


def generated_question_data(
    *, family: str, count: int, seed: int = 0
) -> Iterable[tuple[str, QuestionData]]:
    for name in families_named(family):
        for item in generated_items(family=name, count=count, seed=seed):
            yield name, generated_item_data(item)


def generated_questions_create(
    *, family: str, count: int, seed: int = 0, author=None, publisher=None
) -> int:
    """Store the first `count` distinct items of `family` (or of every family, for `all`) for
    `seed` as draft TIU questions; with `publisher` (a reviewer) publish them too. Items already
    stored (same key) are skipped. Returns how many questions were created."""
    if count < 1:
        raise SoalError(_("Jumlah soal harus minimal 1."))
    if publisher is not None and not publisher.has_perm("soal.publish_question"):
        raise SoalError(_("Hanya peninjau yang dapat menerbitkan soal."))
    wanted = [
        data for _family, data in generated_question_data(family=family, count=count, seed=seed)
    ]
    existing = set(
        Question.objects.filter(key__in=[d.key for d in wanted]).values_list("key", flat=True)
    )
    created = 0
    for data in wanted:
        if data.key in existing:
            continue
        try:
            with transaction.atomic():
                question = question_create(data=data, author=author)
                if publisher is not None:
                    question_publish(question=question, actor=publisher)
        except IntegrityError:
            # A concurrent run stored the same key first: that is the idempotency we want.
            if not Question.objects.filter(key=data.key).exists():
                raise
            continue
        created += 1
    return created
