"""Practice mode (latihan): untimed questions with immediate explanation, and a retry queue."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import SoalError
from ..models import Effect, PracticeAnswer, Question, RetryItem
from ..scoring import FrozenItem, FrozenOption, PrincipleScore, principle_profile

# Days until a missed question comes back: first miss 1 day, then 3, then 7 (a simple ladder).
RETRY_LADDER = [1, 3, 7]


@dataclass(frozen=True)
class PracticeSet:
    kind: str  # "modul", "aspek", "prinsip" or "ulangi"
    value: str

    def questions(self, user) -> QuerySet[Question]:
        qs = Question.objects.public()
        if self.kind == "modul":
            return qs.filter(section__module__slug=self.value, section__module__is_published=True)
        if self.kind == "aspek":
            return qs.filter(aspect=self.value)
        if self.kind == "prinsip":
            return qs.filter(options__credits__principle__code=self.value).distinct()
        if self.kind == "ulangi":
            due = RetryItem.objects.filter(user=user, due_at__lte=timezone.now())
            return qs.filter(pk__in=due.values("question_id"))
        raise SoalError(_("Jenis latihan tidak dikenal."))


def practice_next(
    *, user, practice_set: PracticeSet, exclude: int | None = None
) -> Question | None:
    """The question of the set this user has practised least (random among equals)."""
    qs = practice_set.questions(user).annotate(
        tries=Count("practice", filter=Q(practice__user=user))
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    rows = list(qs.values_list("pk", "tries"))
    if not rows:
        return None
    fewest = min(t for _pk, t in rows)
    pk = random.choice([pk for pk, t in rows if t == fewest])
    return Question.objects.prefetch_related("options").get(pk=pk)


@dataclass
class PracticeResult:
    question: Question
    chosen: int
    score: int
    best_score: int

    @property
    def is_best(self) -> bool:
        return self.score == self.best_score


@transaction.atomic
def practice_answer(*, user, question: Question, position: int) -> PracticeResult:
    options = {o.position: o for o in question.options.all()}
    if position not in options:
        raise SoalError(_("Pilihan jawaban tidak dikenal. Muat ulang halaman lalu coba lagi."))
    score = options[position].score
    best = max(o.score for o in options.values())
    PracticeAnswer.objects.create(
        user=user, question=question, position=position, score=score, best_score=best
    )
    if score < best:
        item, created = RetryItem.objects.select_for_update().get_or_create(
            user=user,
            question=question,
            defaults={"due_at": timezone.now() + timedelta(days=RETRY_LADDER[0])},
        )
        if not created:
            # Missed again: back to the first rung, the question returns soon.
            item.misses += 1
            item.interval_days = RETRY_LADDER[0]
            item.due_at = timezone.now() + timedelta(days=item.interval_days)
            item.save()
    else:
        RetryItem.objects.filter(user=user, question=question).delete()
    return PracticeResult(question=question, chosen=position, score=score, best_score=best)


def retry_counts(user) -> tuple[int, int]:
    """(due now, waiting) items in the user's retry queue."""
    now = timezone.now()
    qs = RetryItem.objects.filter(user=user, question__status="published")
    return qs.filter(due_at__lte=now).count(), qs.filter(due_at__gt=now).count()


def frozen_item(question: Question) -> FrozenItem:
    options = []
    for option in question.options.all():
        credits = list(option.credits.all())
        options.append(
            FrozenOption(
                position=option.position,
                score=option.score,
                upholds=tuple(c.principle.code for c in credits if c.effect == Effect.UPHOLDS),
                violates=tuple(c.principle.code for c in credits if c.effect == Effect.VIOLATES),
            )
        )
    return FrozenItem(
        key=str(question.pk),
        subtest=question.subtest,
        aspect=question.aspect,
        options=tuple(options),
    )


@dataclass
class AspectProgress:
    aspect: str
    label: str
    answered: int
    earned: int
    available: int

    @property
    def percent(self) -> int:
        return round(100 * self.earned / self.available) if self.available else 0


def practice_progress(user) -> tuple[list[AspectProgress], list[PrincipleScore]]:
    """Per aspect and per principle, from each question's latest practice answer."""
    latest: dict[int, PracticeAnswer] = {}
    for answer in PracticeAnswer.objects.filter(user=user).order_by("answered_at", "pk"):
        latest[answer.question_id] = answer
    if not latest:
        return [], []
    questions = Question.objects.filter(pk__in=latest).prefetch_related(
        "options__credits__principle"
    )
    aspects: dict[str, AspectProgress] = {}
    items, choices = [], {}
    for question in questions:
        answer = latest[question.pk]
        row = aspects.setdefault(
            question.aspect,
            AspectProgress(question.aspect, question.get_aspect_display(), 0, 0, 0),
        )
        row.answered += 1
        row.earned += answer.score
        row.available += answer.best_score
        item = frozen_item(question)
        items.append(item)
        choices[item.key] = answer.position
    profile = principle_profile(items, choices)
    principles = sorted(profile.values(), key=lambda p: (p.ratio, p.code))
    return sorted(aspects.values(), key=lambda a: a.label), principles
