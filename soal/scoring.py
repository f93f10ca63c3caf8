"""Scoring: pure functions of frozen items and choices. No database, no clock.

A choice is the original option position the candidate picked, or None for no answer.
Thresholds arrive as data (a blueprint's), never as constants here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FrozenOption:
    position: int
    score: int
    upholds: tuple[str, ...] = ()
    violates: tuple[str, ...] = ()


@dataclass(frozen=True)
class FrozenItem:
    key: str
    subtest: str
    aspect: str
    options: tuple[FrozenOption, ...]
    section: str = ""

    @property
    def best_score(self) -> int:
        return max((o.score for o in self.options), default=0)

    @property
    def principles(self) -> frozenset[str]:
        return frozenset(c for o in self.options for c in (*o.upholds, *o.violates))


def choice_score(item: FrozenItem, choice: int | None) -> int:
    """Points for a choice; no answer (or an option that does not exist) scores 0."""
    if choice is None:
        return 0
    for option in item.options:
        if option.position == choice:
            return option.score
    return 0


@dataclass(frozen=True)
class Threshold:
    """A passing rule: `scope` is a section label, subtest or "total"; passes at >= minimum."""

    scope: str
    minimum: int


@dataclass
class Totals:
    total: int = 0
    maximum: int = 0
    answered: int = 0
    by_section: dict[str, int] = field(default_factory=dict)
    max_by_section: dict[str, int] = field(default_factory=dict)
    by_subtest: dict[str, int] = field(default_factory=dict)
    by_aspect: dict[str, int] = field(default_factory=dict)
    max_by_aspect: dict[str, int] = field(default_factory=dict)


def totals(items: Iterable[FrozenItem], choices: Mapping[str, int | None]) -> Totals:
    result = Totals()
    for item in items:
        points = choice_score(item, choices.get(item.key))
        best = item.best_score
        result.total += points
        result.maximum += best
        if choices.get(item.key) is not None:
            result.answered += 1
        for bucket, max_bucket, name in (
            (result.by_section, result.max_by_section, item.section),
            (result.by_aspect, result.max_by_aspect, item.aspect),
        ):
            bucket[name] = bucket.get(name, 0) + points
            max_bucket[name] = max_bucket.get(name, 0) + best
        result.by_subtest[item.subtest] = result.by_subtest.get(item.subtest, 0) + points
    return result


def threshold_results(scores: Totals, thresholds: Iterable[Threshold]) -> dict[str, bool]:
    """Each threshold's verdict. A scope is looked up as a section label, then a subtest."""
    verdicts: dict[str, bool] = {}
    for rule in thresholds:
        if rule.scope == "total":
            value = scores.total
        elif rule.scope in scores.by_section:
            value = scores.by_section[rule.scope]
        else:
            value = scores.by_subtest.get(rule.scope, 0)
        verdicts[rule.scope] = value >= rule.minimum
    return verdicts


@dataclass
class PrincipleScore:
    code: str
    earned: int = 0
    available: int = 0
    questions: int = 0
    # (item key, option position) of chosen options that violated the principle
    violations: list[tuple[str, int]] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.earned / self.available if self.available else 0.0

    @property
    def lost(self) -> int:
        return self.available - self.earned


def principle_profile(
    items: Iterable[FrozenItem], choices: Mapping[str, int | None]
) -> dict[str, PrincipleScore]:
    """For every principle at stake in an answered question: points earned vs available.

    A question puts a principle at stake when any of its options credits it; the candidate earns
    the chosen option's points out of the question's best, and the chosen option's violations are
    listed. Unanswered questions are left out: the profile describes the choices actually made.
    """
    profile: dict[str, PrincipleScore] = {}
    for item in items:
        choice = choices.get(item.key)
        if choice is None:
            continue
        points = choice_score(item, choice)
        chosen = next((o for o in item.options if o.position == choice), None)
        for code in sorted(item.principles):
            entry = profile.setdefault(code, PrincipleScore(code))
            entry.earned += points
            entry.available += item.best_score
            entry.questions += 1
            if chosen is not None and code in chosen.violates:
                entry.violations.append((item.key, choice))
    return profile


def weakest(profile: Mapping[str, PrincipleScore], n: int = 3) -> list[PrincipleScore]:
    """The n principles with the lowest share of points, most points lost first on ties."""
    scored = [p for p in profile.values() if p.available and p.earned < p.available]
    return sorted(scored, key=lambda p: (p.ratio, -p.lost, p.code))[:n]
