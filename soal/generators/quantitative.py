"""`perbandingan-kuantitatif`: compare two quantities P and Q. The five options are fixed and in
the usual order; exactly one holds for every value the conditions allow. "P = 2Q" is a plausible
fifth option that the generator never makes true (a draw where P = 2Q is redrawn, since then
"P > Q" would hold as well)."""

from __future__ import annotations

import random
from fractions import Fraction

from .base import GeneratedItem, register
from .common import angka, pecahan

GREATER, LESS, EQUAL, DOUBLE, UNKNOWN = (
    "P > Q",
    "P < Q",
    "P = Q",
    "P = 2Q",
    "Hubungan P dan Q tidak dapat ditentukan",
)
OPTIONS = (GREATER, LESS, EQUAL, DOUBLE, UNKNOWN)
SUPERSCRIPT = {2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶"}


def _holds(option: str, pairs: list[tuple[Fraction, Fraction]]) -> bool:
    test = {
        GREATER: lambda p, q: p > q,
        LESS: lambda p, q: p < q,
        EQUAL: lambda p, q: p == q,
        DOUBLE: lambda p, q: p == 2 * q,
    }[option]
    return all(test(p, q) for p, q in pairs)


def _percent(rng: random.Random, target: str) -> dict:
    while True:
        a, x = rng.choice([5, 10, 15, 20, 25, 30, 40, 50, 60, 75]), rng.randrange(20, 401, 20)
        if target == EQUAL:
            b, y = (x, a) if x <= 100 and rng.random() < 0.5 else (a, x)
            if (b, y) == (a, x):  # the same expression twice would be no question at all
                b, y = (a * 2, x // 2) if x % 40 == 0 and a * 2 <= 100 else (x, a)
            if b > 100:
                continue
        else:
            b, y = rng.choice([5, 10, 15, 20, 25, 30, 40, 50, 60, 75]), rng.randrange(20, 401, 20)
        p, q = Fraction(a * x, 100), Fraction(b * y, 100)
        if p.denominator == q.denominator == 1 and (a, x) != (b, y):
            return {
                "kind": "persen",
                "a": a,
                "x": x,
                "b": b,
                "y": y,
                "lines": (f"P = {a}% dari {x}", f"Q = {b}% dari {y}"),
                "pairs": [(p, q)],
                "steps": [
                    f"P = {a}/100 × {x} = {pecahan(p)}.",
                    f"Q = {b}/100 × {y} = {pecahan(q)}.",
                    "Ingat: a% dari b sama dengan b% dari a, jadi hitung saja keduanya dengan "
                    "tenang.",
                ],
            }


def _power_root(rng: random.Random, target: str) -> dict:
    base, exp = rng.choice([(2, 3), (2, 4), (2, 5), (2, 6), (3, 2), (3, 3), (4, 3), (5, 2)])
    p = base**exp
    root = rng.randint(max(2, p - 6), p + 6) if target == EQUAL else rng.randint(3, 40)
    if target == EQUAL:
        root = p
    q = root
    return {
        "kind": "pangkat-akar",
        "base": base,
        "exp": exp,
        "square": root * root,
        "lines": (f"P = {base}{SUPERSCRIPT[exp]}", f"Q = √{angka(root * root)}"),
        "pairs": [(Fraction(p), Fraction(q))],
        "steps": [
            f"P = {base}{SUPERSCRIPT[exp]} = " + " × ".join([str(base)] * exp) + f" = {angka(p)}.",
            f"Q = √{angka(root * root)} = {root}, karena {root} × {root} = {angka(root * root)}.",
        ],
    }


def _equations(rng: random.Random, target: str) -> dict:
    x = rng.randint(-5, 15)
    y = x if target == EQUAL else rng.randint(-5, 15)
    a, c = rng.randint(2, 7), rng.randint(2, 7)
    b, d = rng.randint(-10, 20), rng.randint(-10, 20)
    r1, r2 = a * x + b, c * y + d

    def eq(k: int, var: str, m: int, r: int) -> str:
        sign = "+" if m >= 0 else "−"
        return f"{k}{var} {sign} {abs(m)} = {r}"

    return {
        "kind": "persamaan",
        "eq1": [a, b, r1],
        "eq2": [c, d, r2],
        "lines": (
            f"P adalah nilai x yang memenuhi {eq(a, 'x', b, r1)}",
            f"Q adalah nilai y yang memenuhi {eq(c, 'y', d, r2)}",
        ),
        "pairs": [(Fraction(x), Fraction(y))],
        "steps": [
            f"Dari {eq(a, 'x', b, r1)}: {a}x = {r1 - b}, sehingga x = {x}. Jadi P = {x}.",
            f"Dari {eq(c, 'y', d, r2)}: {c}y = {r2 - d}, sehingga y = {y}. Jadi Q = {y}.",
        ],
    }


def _square(rng: random.Random, target: str) -> dict:
    k = rng.randint(2, 12)
    if target == UNKNOWN:
        q = rng.choice([v for v in range(-k + 1, k) if v != 0])
        condition = ""
        xs = [k, -k]
    else:
        positive = rng.random() < 0.5
        xs = [k if positive else -k]
        condition = " dan x > 0" if positive else " dan x < 0"
        q = {GREATER: xs[0] - rng.randint(1, 5), LESS: xs[0] + rng.randint(1, 5), EQUAL: xs[0]}[
            target
        ]
    values = " atau ".join(str(v) for v in xs)
    steps = [f"x² = {k * k} dipenuhi oleh x = {k} dan x = −{k}."]
    if condition:
        steps.append(f"Syarat{condition} hanya menyisakan x = {xs[0]}, jadi P = {xs[0]}.")
    else:
        steps.append(
            f"Tidak ada syarat lain, jadi P bisa {values}: untuk x = {k}, P > Q; untuk "
            f"x = −{k}, P < Q."
        )
    return {
        "kind": "kuadrat",
        "k": k,
        "sign": condition.strip(" dan") or None,
        "q": q,
        "lines": (f"P = x, dengan x² = {k * k}{condition}", f"Q = {q}"),
        "pairs": [(Fraction(v), Fraction(q)) for v in xs],
        "steps": steps,
    }


def _relation(pairs) -> str:
    for option in (GREATER, LESS, EQUAL):
        if _holds(option, pairs):
            return option
    return UNKNOWN


KINDS = (_percent, _power_root, _equations, _square)


@register("perbandingan-kuantitatif")
def perbandingan_kuantitatif(rng: random.Random) -> GeneratedItem:
    target = rng.choice([GREATER, LESS, EQUAL, UNKNOWN])
    while True:
        maker = _square if target == UNKNOWN else rng.choice(KINDS)
        drawn = maker(rng, target)
        pairs = drawn["pairs"]
        if any(q == 0 for _p, q in pairs) or _holds(DOUBLE, pairs):
            continue  # "P = 2Q" must never be true (nor P = Q = 0)
        if _relation(pairs) == target:
            break
    p_text = " atau ".join(pecahan(p) for p, _q in pairs)
    q_text = pecahan(pairs[0][1])
    if target == UNKNOWN:
        verdict = (
            f"P bisa lebih besar atau lebih kecil daripada Q = {q_text}, bergantung pada nilai "
            f"x, jadi hubungannya tidak dapat ditentukan."
        )
    else:
        verdict = f"Karena P = {p_text} dan Q = {q_text}, hubungannya {target}."
    steps = [
        *drawn["steps"],
        verdict,
        "Ingat: pilih \u201ctidak dapat ditentukan\u201d hanya bila kondisi soal memungkinkan "
        "lebih dari satu hubungan; bila P dan Q dapat dihitung pasti, hubungannya selalu dapat "
        "ditentukan.",
    ]
    rationales = []
    for option in OPTIONS:
        if option == target:
            rationales.append(f"Benar: {verdict.replace('Karena', 'karena', 1)}")
        elif option == UNKNOWN:
            rationales.append("Salah: P dan Q dapat dihitung pasti dari kondisi soal.")
        elif target == UNKNOWN:
            rationales.append(
                "Salah: hubungan ini hanya berlaku untuk sebagian nilai x yang mungkin."
            )
        else:
            rationales.append(f"Salah: dengan P = {p_text} dan Q = {q_text}, ini tidak berlaku.")
    stem = (
        "Perhatikan dua kuantitas berikut.\n\n"
        + "\n".join(f"- {line}" for line in drawn["lines"])
        + "\n\nHubungan yang tepat antara P dan Q adalah …."
    )
    params = {k: v for k, v in drawn.items() if k not in ("lines", "steps", "pairs")}
    params["pairs"] = [[str(p), str(q)] for p, q in pairs]
    body = "\n".join(f"{i}. {step}" for i, step in enumerate(steps, 1))
    return GeneratedItem(
        family="perbandingan-kuantitatif",
        aspect="numerik",
        stem=stem,
        options=OPTIONS,
        correct=OPTIONS.index(target),
        explanation=f"{body}\n\nJadi, jawabannya **{target}**.",
        answer=target,
        params=params,
        rationales=tuple(rationales),
    )
