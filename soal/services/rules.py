"""The publication rules, in one place, as plain data checks with Indonesian messages.

Structural rules hold for every stored question (drafts included, so an importer can never store a
broken item); publication adds what a candidate needs: principle credits and an explanation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ..figures import figure_is_valid
from ..models import ASPECTS_BY_SUBTEST, LETTERS, Aspect, Scoring, Subtest


@dataclass
class OptionData:
    text: str
    score: int
    rationale: str = ""
    upholds: list[str] = field(default_factory=list)
    violates: list[str] = field(default_factory=list)
    figure_svg: str = ""


@dataclass
class QuestionData:
    stem: str
    subtest: str
    aspect: str
    options: list[OptionData]
    explanation: str = ""
    key: str | None = None
    section_ref: str | None = None  # "<module-slug>/<section-slug>"
    figure_svg: str = ""
    figure_alt: str = ""

    @property
    def scoring(self) -> str:
        return Scoring.SCALED if self.subtest == Subtest.TKP else Scoring.SINGLE


def structural_problems(
    data: QuestionData, *, known_principles: set[str] | None = None
) -> list[str]:
    problems: list[str] = []
    if not (data.stem or "").strip():
        problems.append(_("teks soal kosong"))
    if data.subtest not in Subtest.values:
        problems.append(
            _("subtes “%(v)s” tidak dikenal (pilih TWK, TIU, TKP, atau MATERI)")
            % {"v": data.subtest}
        )
    if data.aspect not in Aspect.values:
        problems.append(_("aspek “%(v)s” tidak dikenal") % {"v": data.aspect})
    elif data.subtest in ASPECTS_BY_SUBTEST and data.aspect not in ASPECTS_BY_SUBTEST[data.subtest]:
        problems.append(
            _("aspek “%(a)s” bukan aspek subtes %(s)s") % {"a": data.aspect, "s": data.subtest}
        )
    if data.figure_svg and not figure_is_valid(data.figure_svg):
        problems.append(_("gambar soal bukan SVG yang valid"))
    for i, option in enumerate(data.options):
        letter = LETTERS[i] if i < len(LETTERS) else str(i + 1)
        if not (option.text or "").strip():
            problems.append(_("teks pilihan %(l)s kosong") % {"l": letter})
        if option.figure_svg and not figure_is_valid(option.figure_svg):
            problems.append(_("gambar pilihan %(l)s bukan SVG yang valid") % {"l": letter})
        if known_principles is not None:
            for code in [*option.upholds, *option.violates]:
                if code not in known_principles:
                    problems.append(
                        _("pilihan %(l)s: kode prinsip “%(c)s” tidak dikenal")
                        % {"l": letter, "c": code}
                    )
        both = set(option.upholds) & set(option.violates)
        if both:
            problems.append(
                _("pilihan %(l)s menjunjung sekaligus melanggar %(c)s")
                % {"l": letter, "c": ", ".join(sorted(both))}
            )
    scores = [option.score for option in data.options]
    if data.subtest == Subtest.TKP:
        if len(data.options) != 5:
            problems.append(
                _("soal TKP harus punya tepat 5 pilihan (ada %(n)d)") % {"n": len(data.options)}
            )
        elif sorted(scores) != [1, 2, 3, 4, 5]:
            problems.append(
                _("skor pilihan TKP harus 1, 2, 3, 4, 5 masing-masing sekali (tertulis %(s)s)")
                % {"s": ", ".join(str(s) for s in scores)}
            )
    elif data.subtest in Subtest.values:
        if not 2 <= len(data.options) <= 5:
            problems.append(
                _("soal satu-jawaban harus punya 2 sampai 5 pilihan (ada %(n)d)")
                % {"n": len(data.options)}
            )
        if scores.count(5) != 1 or any(s not in (0, 5) for s in scores):
            problems.append(
                _(
                    "soal satu-jawaban harus punya tepat satu pilihan bernilai 5 dan "
                    "sisanya 0 (tertulis %(s)s)"
                )
                % {"s": ", ".join(str(s) for s in scores)}
            )
    return problems


def publication_problems(
    data: QuestionData, *, known_principles: set[str] | None = None
) -> list[str]:
    problems = structural_problems(data, known_principles=known_principles)
    if not (data.explanation or "").strip():
        problems.append(_("pembahasan belum diisi"))
    if data.figure_svg and not data.figure_alt.strip():
        problems.append(_("gambar soal belum punya deskripsi untuk pembaca layar"))
    if data.subtest == Subtest.TKP:
        for i, option in enumerate(data.options[:5]):
            if not (option.upholds or option.violates):
                problems.append(
                    _("pilihan %(l)s belum ditandai dengan prinsip yang dijunjung atau dilanggar")
                    % {"l": LETTERS[i]}
                )
    return problems
