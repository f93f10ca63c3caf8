"""Family `silogisme`: categorical syllogisms in Bahasa Indonesia.

Validity is decided by the textbook rules of the categorical syllogism (distribution of terms,
quality, existential fallacy) — deliberately a different method from the model enumeration the
property tests use, so the two check each other.

Only premise pairs are drawn whose conclusions are either valid without assuming any category
is non-empty (the 15 unconditionally valid moods, in any order of the terms) or that yield no
conclusion at all even when every category is assumed to exist. Moods that are valid only under
existential import (e.g. Darapti) are skipped, so the key is right under both readings and every
distractor is wrong under both.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import product

from .base import GeneratedItem, place, register

# The traditional letters of the four forms: Semua / Tidak ada / Sebagian adalah / Sebagian bukan.
A, E, I, O = "A", "E", "I", "O"  # noqa: E741
NO_CONCLUSION = "Tidak dapat ditarik kesimpulan."

# Themes keep the three terms of one item about the same kind of thing; the words are neutral
# descriptors (roles, hobbies, properties), never groups of real people.
THEMES: dict[str, tuple[str, ...]] = {
    "orang": (
        "pelari",
        "penulis",
        "pemusik",
        "perenang",
        "pelukis",
        "penyanyi",
        "pendaki gunung",
        "pesepeda",
        "fotografer",
        "arsitek",
        "koki",
        "penari",
        "pemain catur",
        "kolektor perangko",
        "penjahit",
    ),
    "hewan": (
        "hewan peliharaan",
        "hewan berbulu lebat",
        "hewan nokturnal",
        "hewan pemakan biji",
        "hewan pemanjat",
        "hewan berkaki empat",
        "hewan bertotol",
        "hewan penghuni kebun",
        "hewan perenang",
        "hewan pelompat",
    ),
    "benda": (
        "barang antik",
        "benda berwarna biru",
        "mainan kayu",
        "barang impor",
        "benda ringan",
        "barang pecah belah",
        "hadiah ulang tahun",
        "alat tulis",
        "benda logam",
        "perabot rumah",
    ),
}


@dataclass(frozen=True)
class Statement:
    form: str  # A, E, I, O
    subject: str  # a role: "S", "M" or "P"
    predicate: str

    def distributes(self, role: str) -> bool:
        if role == self.subject:
            return self.form in (A, E)
        if role == self.predicate:
            return self.form in (E, O)
        return False

    @property
    def negative(self) -> bool:
        return self.form in (E, O)

    @property
    def universal(self) -> bool:
        return self.form in (A, E)

    def text(self, terms: dict[str, str]) -> str:
        s, p = terms[self.subject], terms[self.predicate]
        sentence = {
            A: f"semua {s} adalah {p}.",
            E: f"tidak ada {s} yang merupakan {p}.",
            I: f"sebagian {s} adalah {p}.",
            O: f"sebagian {s} bukan {p}.",
        }[self.form]
        return sentence[0].upper() + sentence[1:]


def _broken_rule(premises: tuple[Statement, Statement], conclusion: Statement) -> str | None:
    """The first rule of the categorical syllogism the argument breaks (None: valid, also
    without existential import)."""
    if not any(p.distributes("M") for p in premises):
        return "middle"
    negatives = sum(p.negative for p in premises)
    if negatives == 2:
        return "two-negative"
    if negatives == 1 and not conclusion.negative:
        return "quality"
    if negatives == 0 and conclusion.negative:
        return "quality"
    for role in ("S", "P"):
        if conclusion.distributes(role) and not any(p.distributes(role) for p in premises):
            return "illicit"
    if all(p.universal for p in premises) and not conclusion.universal:
        return "existential"
    return None


def _valid(premises, conclusion, existential_import: bool) -> bool:
    broken = _broken_rule(premises, conclusion)
    return broken is None or (existential_import and broken == "existential")


CONCLUSIONS = tuple(Statement(f, s, p) for f in (A, E, I, O) for s, p in (("S", "P"), ("P", "S")))


def _premise_pairs():
    """(premises, conclusions valid unconditionally); pairs valid only by existential import are
    left out (see the module docstring)."""
    valid_pairs, empty_pairs = [], []
    for f1, f2, major_swap, minor_swap in product((A, E, I, O), (A, E, I, O), (0, 1), (0, 1)):
        major = Statement(f1, *(("P", "M") if major_swap else ("M", "P")))
        minor = Statement(f2, *(("M", "S") if minor_swap else ("S", "M")))
        premises = (major, minor)
        strict = [c for c in CONCLUSIONS if _valid(premises, c, existential_import=False)]
        loose = [c for c in CONCLUSIONS if _valid(premises, c, existential_import=True)]
        if strict:
            valid_pairs.append((premises, strict, loose))
        elif not loose:
            empty_pairs.append((premises, [], []))
    return valid_pairs, empty_pairs


VALID_PAIRS, EMPTY_PAIRS = _premise_pairs()

SET_READING = {
    A: "seluruh himpunan {s} berada di dalam himpunan {p}",
    E: "himpunan {s} dan himpunan {p} sama sekali tidak beririsan",
    I: "ada paling sedikit satu anggota {s} yang juga anggota {p}",
    O: "ada paling sedikit satu anggota {s} yang berada di luar {p}",
}

NO_CONCLUSION_REASON = {
    "two-negative": (
        "Kedua premis negatif: keduanya hanya menyebut apa yang berada di luar {m}. "
        "Dari situ tidak ada yang diketahui tentang hubungan {s} dengan {p}."
    ),
    "middle": (
        "Tidak ada premis yang membahas seluruh anggota {m} (istilah tengah tidak "
        "terdistribusi). {s} dan {p} bisa menempati bagian {m} yang berbeda atau yang sama, "
        "sehingga hubungan {s} dengan {p} tidak dapat dipastikan."
    ),
    "other": (
        "Premis yang bersifat sebagian hanya menjamin adanya anggota tertentu, dan premis "
        "yang lain tidak membahas seluruh anggota {s} maupun seluruh anggota {p}. "
        "Gambar himpunan yang memenuhi kedua premis dapat dibuat dengan {s} dan {p} "
        "beririsan maupun tidak, sehingga tidak ada kesimpulan yang pasti."
    ),
}


def _reasoning(premises, key: Statement, t: dict[str, str]) -> str:
    """One sentence that derives the key from the premises via the middle term."""
    m = t["M"]
    if key.universal:
        # Universal keys chain through M: X ⊆ M ⊆ Y, or X ⊆ M and M ∩ Y = ∅ (E is symmetric).
        inner = next(p for p in premises if p.form == A and p.predicate == "M")
        x = t[inner.subject]
        if key.form == A:
            y = t[key.predicate]
            return (
                f"Setiap {x} berada di dalam {m}, dan setiap {m} berada di dalam {y}; "
                f"jadi setiap {x} pasti berada di dalam {y}."
            )
        y = t["S" if inner.subject == "P" else "P"]
        return (
            f"Setiap {x} berada di dalam {m}, sedangkan {m} tidak beririsan dengan {y}; "
            f"jadi tidak ada {x} yang berada di {y} (dan karena tidak beririsan berlaku dua "
            f"arah, tidak ada {y} yang berada di {x})."
        )
    # Particular keys: take the member the particular premise guarantees and apply the other.
    particular = next(p for p in premises if not p.universal)
    universal = next(p for p in premises if p is not particular)
    u, v = t[particular.subject], t[particular.predicate]
    where = "juga anggota" if particular.form == I else "bukan anggota"
    first = f"Ambil anggota {u} yang {where} {v} (dijamin oleh premis bersifat sebagian)."
    us, up = t[universal.subject], t[universal.predicate]
    if universal.form == A:
        if particular.form == O and universal.predicate == particular.predicate:
            second = (
                f"Karena setiap {us} adalah {up}, anggota itu yang bukan {up} pasti bukan {us}."
            )
        else:
            second = f"Karena setiap {us} adalah {up}, anggota itu juga {up}."
    else:
        # The witness lies in one term of the E premise, so it lies outside the other.
        roles = (particular.subject, particular.predicate) if particular.form == I else ()
        inside = universal.subject if universal.subject in roles else universal.predicate
        outside = universal.predicate if inside == universal.subject else universal.subject
        second = (
            f"Karena {us} dan {up} tidak beririsan, anggota itu (yang termasuk {t[inside]}) "
            f"pasti bukan {t[outside]}."
        )
    ks, kp = t[key.subject], t[key.predicate]
    relation = "juga" if key.form == I else "bukan"
    return f"{first} {second} Jadi ada {ks} yang {relation} {kp}."


def _why_wrong(premises, conclusion: Statement, t: dict[str, str]) -> str:
    """The rule a tempting but wrong conclusion breaks, in words."""
    broken = _broken_rule(premises, conclusion)
    if all(p.negative for p in premises):
        broken = "two-negative"  # named first, as the explanation above does
    if broken == "middle":
        return (
            f"istilah tengah ({t['M']}) tidak pernah dibahas seluruhnya, jadi premis tidak "
            "menghubungkan kedua himpunan."
        )
    if broken == "two-negative":
        return "dari dua premis negatif tidak dapat ditarik kesimpulan apa pun."
    if broken == "quality":
        if conclusion.negative:
            return "kedua premis positif, jadi tidak mungkin menghasilkan kesimpulan negatif."
        return "salah satu premis negatif, jadi kesimpulan yang sah pasti negatif."
    subject = t[conclusion.subject]
    if conclusion.distributes(conclusion.subject) and not any(
        p.distributes(conclusion.subject) for p in premises
    ):
        return (
            f"kesimpulan ini berbicara tentang seluruh {subject}, padahal premis hanya "
            f"membahas sebagian {subject} (generalisasi berlebihan atau pembalikan kalimat "
            "yang tidak sah)."
        )
    predicate = t[conclusion.predicate]
    return (
        f"kesimpulan ini menyatakan sesuatu tentang seluruh {predicate}, padahal premis "
        f"tidak membahas seluruh {predicate}."
    )


def _no_conclusion_reason(premises) -> str:
    if all(p.negative for p in premises):
        return "two-negative"
    if not any(p.distributes("M") for p in premises):
        return "middle"
    return "other"


def _distractors(rng: random.Random, premises, key: Statement | None, loose) -> list[Statement]:
    """Wrong conclusions ordered by how tempting they are: the converse (illicit conversion),
    'sebagian' blown up to 'semua', the tempting chain of an undistributed middle, then the rest."""
    wrong = [c for c in CONCLUSIONS if c not in loose]
    tempting = []
    if key is not None:
        tempting.append(Statement(key.form, key.predicate, key.subject))  # converse
        upgraded = {I: A, O: E}.get(key.form)
        if upgraded:
            tempting.append(Statement(upgraded, key.subject, key.predicate))
        flipped = {A: O, E: I, I: E, O: A}[key.form]
        tempting.append(Statement(flipped, key.subject, key.predicate))
    else:
        # Affirming the consequent / undistributed middle: reading the premises as a chain.
        forms = {p.form for p in premises}
        tempting.append(Statement(E if forms & {E, O} else A, "S", "P"))
        tempting.append(Statement(O if forms & {E, O} else I, "S", "P"))
    rest = [c for c in wrong if c not in tempting]
    rng.shuffle(rest)
    return [c for c in tempting if c in wrong] + rest


@register("silogisme")
def generate_syllogism(rng: random.Random) -> GeneratedItem:
    theme = rng.choice(sorted(THEMES))
    words = rng.sample(THEMES[theme], 3)
    terms = dict(zip(("S", "M", "P"), words, strict=True))
    if rng.random() < 0.25:
        premises, strict, loose = rng.choice(EMPTY_PAIRS)
        key = None
    else:
        premises, strict, loose = rng.choice(VALID_PAIRS)
        # Prefer the strongest conclusion with S as subject, as exam keys do.
        key = min(strict, key=lambda c: (not c.universal, c.subject != "S", rng.random()))
    if rng.random() < 0.5:
        premises = premises[::-1]

    wrong = _distractors(rng, premises, key, loose)
    if key is None:
        correct_text = NO_CONCLUSION
        distractor_texts = [c.text(terms) for c in wrong[:4]]
    else:
        correct_text = key.text(terms)
        distractor_texts = [c.text(terms) for c in wrong[:3]] + [NO_CONCLUSION]
    options, correct = place(rng, correct_text, distractor_texts)

    p1, p2 = (p.text(terms) for p in premises)
    stem = f"Premis 1: {p1}  \nPremis 2: {p2}\n\nKesimpulan yang tepat adalah ..."
    s, m, p = terms["S"], terms["M"], terms["P"]
    lines = [
        "Baca setiap premis sebagai hubungan antarhimpunan:",
        "",
    ]
    for n, premise in enumerate(premises, start=1):
        reading = SET_READING[premise.form].format(
            s=terms[premise.subject], p=terms[premise.predicate]
        )
        lines.append(f"{n}. Premis {n}: {reading}.")
    lines.append("")
    if key is None:
        reason = _no_conclusion_reason(premises)
        lines.append(NO_CONCLUSION_REASON[reason].format(s=s, m=m, p=p))
        lines.append("")
        lines.append(
            f"Karena itu tidak satu pun pernyataan tentang {s} dan {p} pasti benar; "
            "pilihan yang menyatakan hubungan tertentu adalah lompatan logika."
        )
    else:
        lines.append(_reasoning(premises, key, terms))
    lines.append("")
    lines.append("Mengapa pilihan lain keliru:")
    lines.append("")
    shown_wrong = wrong[:4] if key is None else wrong[:3]
    for statement in shown_wrong:
        lines.append(f"- *{statement.text(terms)}* — {_why_wrong(premises, statement, terms)}")
    if key is not None:
        lines.append(
            f"- *{NO_CONCLUSION}* — keliru, karena kesimpulan di atas pasti benar "
            "selama kedua premis benar."
        )
    lines.append("")
    lines.append(f"Jadi, kesimpulan yang tepat: **{correct_text}**")
    return GeneratedItem(
        family="silogisme",
        aspect="verbal",
        stem=stem,
        options=options,
        correct=correct,
        explanation="\n".join(lines),
        answer=correct_text,
        params={
            "terms": terms,
            "premises": [[p.form, p.subject, p.predicate] for p in premises],
            "key": [key.form, key.subject, key.predicate] if key else None,
        },
    )
