"""Reading results: rank and percentile, the principle profile with names and links, the
per-question review, and a candidate's history."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from materi.models import Principle
from soal.models import LETTERS

from ..models import Answer, Attempt, AttemptStatus, QuestionSnapshot

# Below this many scored attempts of a tryout a rank or percentile says nothing ("better than 0 %
# of 1 attempt"), so the result page explains that instead.
MIN_ATTEMPTS_FOR_PERCENTILE = 10


def rank_of(attempt: Attempt) -> tuple[int, int, float]:
    """(rank, of how many, percentile) among scored attempts of the tryout.

    Ties on the total are broken by TKP, then TIU, then TWK (FACTS.md §1); the percentile is the
    share of attempts that scored strictly lower."""
    t, k, i, w = attempt.total, attempt.score_tkp, attempt.score_tiu, attempt.score_twk
    scored = Attempt.objects.filter(tryout_id=attempt.tryout_id, status=AttemptStatus.SCORED)
    better = scored.filter(
        Q(total__gt=t)
        | Q(total=t, score_tkp__gt=k)
        | Q(total=t, score_tkp=k, score_tiu__gt=i)
        | Q(total=t, score_tkp=k, score_tiu=i, score_twk__gt=w)
    ).count()
    worse = scored.filter(
        Q(total__lt=t)
        | Q(total=t, score_tkp__lt=k)
        | Q(total=t, score_tkp=k, score_tiu__lt=i)
        | Q(total=t, score_tkp=k, score_tiu=i, score_twk__lt=w)
    ).count()
    count = scored.count()
    return better + 1, count, round(100 * worse / count, 1) if count else 0.0


@dataclass
class PrincipleRow:
    code: str
    name: str
    earned: int
    available: int
    questions: int
    violations: list[int]
    url: str = ""
    section_title: str = ""

    @property
    def percent(self) -> int:
        return round(100 * self.earned / self.available) if self.available else 0


def principle_rows(result: dict) -> list[PrincipleRow]:
    codes = [p["code"] for p in result.get("principles", [])]
    principles = {
        p.code: p
        for p in Principle.objects.filter(code__in=codes).select_related("section__module")
    }
    rows = []
    for p in result.get("principles", []):
        principle = principles.get(p["code"])
        section = principle.section if principle else None
        rows.append(
            PrincipleRow(
                code=p["code"],
                name=principle.name if principle else p["code"],
                earned=p["earned"],
                available=p["available"],
                questions=p["questions"],
                violations=p["violations"],
                url=section.get_absolute_url() if section else "",
                section_title=f"{section.module.title} — {section.title}" if section else "",
            )
        )
    rows.sort(key=lambda r: (r.percent, r.name))
    return rows


@dataclass
class ReviewOption:
    letter: str
    text: str
    score: int
    rationale: str
    upholds: list[str]
    violates: list[str]
    chosen: bool
    best: bool
    figure_svg: str = ""


@dataclass
class ReviewItem:
    number: int
    section: str
    stem: str
    explanation: str
    options: list[ReviewOption]
    score: int
    best: int
    answered: bool
    flagged: bool
    reread: dict | None = None
    names: dict = field(default_factory=dict)
    figure: dict | None = None  # {"svg", "alt"} of a figural item

    @property
    def correct(self) -> bool:
        """Full points: the best option was chosen (TKP's 4 of 5 still counts as to review)."""
        return self.answered and self.score == self.best

    @property
    def to_review(self) -> bool:
        return not self.correct or self.flagged


def review_items(attempt: Attempt) -> list[ReviewItem]:
    replaced = attempt.items.get("r", {})
    ids = attempt.snapshot_ids() | set(replaced.values())
    snapshots = dict(QuestionSnapshot.objects.filter(pk__in=ids).values_list("pk", "data"))
    answers = {a.position: a for a in Answer.objects.filter(attempt=attempt)}
    names = dict(Principle.objects.values_list("code", "name"))
    items = []
    for position, (snapshot_id, order, section_index) in enumerate(attempt.item_rows()):
        data = snapshots[snapshot_id]
        # The text is what the candidate saw; the scores are the fixed version's after a regrade.
        scored = snapshots[replaced.get(str(position), snapshot_id)]
        answer = answers.get(position)
        best = max(o["score"] for o in scored["options"])
        options, score = [], 0
        for shown, original in enumerate(order):
            o = dict(
                data["options"][int(original)], score=scored["options"][int(original)]["score"]
            )
            chosen = answer is not None and answer.choice == shown
            if chosen:
                score = o["score"]
            options.append(
                ReviewOption(
                    letter=LETTERS[shown],
                    text=o["text"],
                    score=o["score"],
                    rationale=o["rationale"],
                    upholds=[names.get(c, c) for c in o["upholds"]],
                    violates=[names.get(c, c) for c in o["violates"]],
                    chosen=chosen,
                    best=o["score"] == best,
                    figure_svg=o.get("figure_svg", ""),
                )
            )
        items.append(
            ReviewItem(
                number=position + 1,
                section=attempt.sections[section_index][0],
                stem=data["stem"],
                explanation=data["explanation"],
                options=options,
                score=score,
                best=best,
                answered=answer is not None and answer.choice is not None,
                flagged=bool(answer and answer.flagged),
                reread=data.get("section"),
                figure=data.get("figure"),
            )
        )
    return items


def history(user) -> list[Attempt]:
    return list(
        Attempt.objects.filter(user=user, status=AttemptStatus.SCORED)
        .select_related("tryout")
        .order_by("submitted_at")
    )


# A phone-sized drawing (user units ≈ CSS px at 360 px wide) so its 14-unit labels stay
# readable on a phone; site.css caps how far it grows on a desktop.
CHART_W, CHART_H, CHART_PAD, CHART_LEFT = 360, 200, 20, 46


def history_context(attempts: list[Attempt]) -> dict:
    """Data for the history page: a line of total scores (as % of the maximum) over time,
    and tables per section and per principle, oldest attempt first."""
    rows = []
    for a in attempts:
        maximum = a.result.get("maximum") or 1
        rows.append(
            {
                "attempt": a,
                "percent": round(100 * a.total / maximum),
                "sections": {s["label"]: s for s in a.result.get("sections", [])},
                "principles": {p["code"]: p for p in a.result.get("principles", [])},
            }
        )
    n = len(rows)
    points = []
    for i, row in enumerate(rows):
        x = CHART_LEFT + (i * (CHART_W - CHART_LEFT - CHART_PAD) / (n - 1) if n > 1 else 0)
        y = CHART_H - CHART_PAD - row["percent"] * (CHART_H - 2 * CHART_PAD) / 100
        points.append({"x": round(x, 1), "y": round(y, 1), "row": row})
    labels = list(dict.fromkeys(label for r in rows for label in r["sections"]))
    codes = sorted({code for r in rows for code in r["principles"]})
    names = dict(Principle.objects.filter(code__in=codes).values_list("code", "name"))
    principle_table = [
        {
            "code": code,
            "name": names.get(code, code),
            "cells": [
                round(100 * r["principles"][code]["earned"] / r["principles"][code]["available"])
                if code in r["principles"] and r["principles"][code]["available"]
                else None
                for r in rows
            ],
        }
        for code in codes
    ]
    section_table = [
        {"label": label, "cells": [r["sections"].get(label) for r in rows]} for label in labels
    ]
    return {
        "rows": rows,
        "points": points,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
        "chart": {
            "w": CHART_W,
            "h": CHART_H,
            "left": CHART_LEFT,
            "y50": CHART_H - CHART_PAD - 50 * (CHART_H - 2 * CHART_PAD) / 100,
            "y100": CHART_PAD,
            "y0": CHART_H - CHART_PAD,
        },
        "section_table": section_table,
        "principle_table": principle_table,
    }
