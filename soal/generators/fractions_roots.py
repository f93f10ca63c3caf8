"""`pecahan-akar`: operating on fractions, adding/subtracting roots, comparing fractions."""

from __future__ import annotations

import random
from fractions import Fraction

from .base import GeneratedItem, register
from .common import akar, build, pecahan

OPS = {"+": "+", "-": "−", "*": "×", "/": ":"}


def _desimal(value: Fraction) -> str:
    return f"{float(value):.3f}".replace(".", ",")


def _fraction_operation(rng: random.Random) -> dict:
    while True:
        b, d = rng.randint(2, 12), rng.randint(2, 12)
        a, c = rng.randint(1, b - 1), rng.randint(1, d - 1)
        x, y = Fraction(a, b), Fraction(c, d)
        op = rng.choice("+-*/")
        # Shown in lowest terms, and subtraction kept positive.
        if x.denominator == b and y.denominator == d and x != y and (op != "-" or x > y):
            break
    result = {"+": x + y, "-": x - y, "*": x * y, "/": x / y}[op]
    a, b, c, d = x.numerator, x.denominator, y.numerator, y.denominator
    mistakes: list[tuple[Fraction | None, str]] = []
    if op == "+":
        mistakes = [
            (Fraction(a + c, b + d), "Pembilang dijumlah pembilang, penyebut dijumlah penyebut."),
            (x * y, "Kedua pecahan dikalikan, bukan dijumlahkan."),
            (Fraction(a + c, b * d), "Penyebut disamakan, tetapi pembilangnya tidak disesuaikan."),
            (abs(x - y), "Kedua pecahan dikurangkan, bukan dijumlahkan."),
        ]
    elif op == "-":
        mistakes = [
            (
                Fraction(a - c, b - d) if b != d else None,
                "Pembilang dikurangi pembilang, penyebut dikurangi penyebut.",
            ),
            (x + y, "Kedua pecahan dijumlahkan, bukan dikurangkan."),
            (
                Fraction(a - c, b * d) if a > c else None,
                "Penyebut disamakan, tetapi pembilangnya tidak disesuaikan.",
            ),
            (x * y, "Kedua pecahan dikalikan, bukan dikurangkan."),
        ]
    elif op == "*":
        mistakes = [
            (x / y, "Pecahan kedua dibalik seperti pada pembagian."),
            (x + y, "Kedua pecahan dijumlahkan, bukan dikalikan."),
            (Fraction(a * c, b + d), "Penyebutnya dijumlahkan, bukan dikalikan."),
            (Fraction(a + c, b + d), "Pembilang dan penyebut masing-masing dijumlahkan."),
        ]
    else:
        mistakes = [
            (x * y, "Dikalikan tanpa membalik pecahan kedua."),
            (y / x, "Yang dibalik pecahan pertama, bukan pecahan pembagi."),
            (x + y, "Kedua pecahan dijumlahkan."),
            (Fraction(a * c, b + d), "Pembilang dikalikan, penyebut dijumlahkan."),
        ]
    wrong = [(pecahan(v), why) for v, why in mistakes if v is not None and v > 0]
    wrong += [
        (pecahan(result + Fraction(k, result.denominator)), "Pembilangnya salah dihitung.")
        for k in (1, -1, 2, 3)
        if result + Fraction(k, result.denominator) > 0
    ]
    sx, sy = pecahan(x), pecahan(y)
    if op in "+-":
        common = b * d // _gcd(b, d)
        steps = [
            f"Samakan penyebut: KPK dari {b} dan {d} adalah {common}.",
            f"{sx} = {a * common // b}/{common} dan {sy} = {c * common // d}/{common}.",
            f"{'Jumlahkan' if op == '+' else 'Kurangkan'} pembilangnya: "
            f"{a * common // b} {OPS[op]} {c * common // d} = "
            f"{a * common // b + (c if op == '+' else -c) * common // d}, "
            f"sehingga hasilnya {a * common // b + (c if op == '+' else -c) * common // d}"
            f"/{common}.",
            f"Sederhanakan: hasilnya {pecahan(result)}.",
        ]
    elif op == "*":
        steps = [
            "Pada perkalian pecahan, pembilang dikali pembilang dan penyebut dikali penyebut.",
            f"{sx} × {sy} = ({a} × {c})/({b} × {d}) = {a * c}/{b * d}.",
            f"Sederhanakan: hasilnya {pecahan(result)}.",
        ]
    else:
        steps = [
            "Membagi dengan pecahan sama dengan mengalikan dengan kebalikannya.",
            f"{sx} : {sy} = {sx} × {d}/{c} = ({a} × {d})/({b} × {c}) = {a * d}/{b * c}.",
            f"Sederhanakan: hasilnya {pecahan(result)}.",
        ]
    return {
        "kind": "operasi",
        "x": str(x),
        "op": op,
        "y": str(y),
        "stem": f"Hasil dari {sx} {OPS[op]} {sy} adalah ….",
        "key": pecahan(result),
        "key_why": "Benar: dihitung dengan aturan operasi pecahan lalu disederhanakan.",
        "wrong": wrong,
        "steps": steps,
    }


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


def _roots(rng: random.Random) -> dict:
    m = rng.choice([2, 3, 5, 6, 7])
    k1, k2 = rng.sample(range(2, 7), 2)
    op = rng.choice("+-")
    if op == "-" and k1 < k2:
        k1, k2 = k2, k1
    n1, n2 = k1 * k1 * m, k2 * k2 * m
    coef = k1 + k2 if op == "+" else k1 - k2
    key = akar(coef, m)
    naive = n1 + n2 if op == "+" else n1 - n2
    wrong = [
        (
            akar(1, n1 + n2 if op == "+" else n1 - n2),
            "Bilangan di bawah akar langsung "
            f"{'dijumlahkan' if op == '+' else 'dikurangkan'}; itu tidak boleh.",
        ),
        (
            akar(k1 * k2, m),
            f"Koefisiennya dikalikan, bukan {'dijumlahkan' if op == '+' else 'dikurangkan'}.",
        ),
        (akar(coef, 2 * m), "Bilangan di bawah akar ikut dijumlahkan.")
        if op == "+"
        else (
            akar(coef * m, 1),
            "Tanda akar dihilangkan: koefisien dikali bilangan di bawah akar.",
        ),
        (akar(abs(k1 - k2) if op == "+" else k1 + k2, m), "Operasinya tertukar."),
        *[(akar(coef + d, m), "Koefisiennya salah dihitung.") for d in (1, -1, 2) if coef + d > 0],
    ]
    return {
        "kind": "akar",
        "n1": n1,
        "op": op,
        "n2": n2,
        "stem": f"Bentuk paling sederhana dari √{n1} {OPS[op]} √{n2} adalah ….",
        "key": key,
        "key_why": f"Benar: keduanya disederhanakan menjadi kelipatan √{m} lalu koefisiennya "
        f"{'dijumlahkan' if op == '+' else 'dikurangkan'}.",
        "wrong": wrong,
        "steps": [
            f"Sederhanakan setiap akar dengan mencari faktor kuadrat: √{n1} = √({k1 * k1} × {m}) "
            f"= {akar(k1, m)}, dan √{n2} = √({k2 * k2} × {m}) = {akar(k2, m)}.",
            f"Keduanya suku sejenis (sama-sama kelipatan √{m}), jadi koefisiennya boleh "
            f"{'dijumlahkan' if op == '+' else 'dikurangkan'}: {k1} {OPS[op]} {k2} = {coef}.",
            f"Hasilnya {key}. Bilangan di bawah akar tidak boleh dijumlahkan atau dikurangkan "
            f"langsung: √{n1} {OPS[op]} √{n2} tidak sama dengan √{naive}.",
        ],
    }


def _compare(rng: random.Random) -> dict:
    largest = rng.random() < 0.6
    word = "terbesar" if largest else "terkecil"
    for _attempt in range(200):
        values: set[Fraction] = set()
        while len(values) < 5:
            d = rng.randint(3, 15)
            v = Fraction(rng.randint(1, d - 1), d)
            if Fraction(2, 5) <= v <= Fraction(19, 20) and v.denominator == d:
                values.add(v)
        ordered = sorted(values)
        decimals = {_desimal(v) for v in ordered}
        key = ordered[-1] if largest else ordered[0]
        by_numerator = max(values, key=lambda v: (v.numerator, v))
        by_denominator = max(values, key=lambda v: (v.denominator, v))
        # Keep the item honest only if the naive shortcuts point elsewhere.
        if len(decimals) == 5 and by_numerator != key and by_denominator != key:
            break
    others = [v for v in ordered if v != key]
    rng.shuffle(others)  # a sorted option list would point at the key
    wrong = [
        (
            pecahan(v),
            f"{pecahan(v)} ≈ {_desimal(v)}, {'lebih kecil' if largest else 'lebih besar'} "
            f"daripada {pecahan(key)} ≈ {_desimal(key)}.",
        )
        for v in others
    ]
    listing = ", ".join(f"{pecahan(v)} ≈ {_desimal(v)}" for v in sorted(values, key=str))
    return {
        "kind": "bandingkan",
        "ask": word,
        "stem": f"Di antara pecahan pada pilihan jawaban, pecahan yang nilainya {word} adalah ….",
        "key": pecahan(key),
        "key_why": f"Benar: nilainya ≈ {_desimal(key)}, {word} di antara kelimanya.",
        "wrong": wrong,
        "steps": [
            "Pembilang atau penyebut yang besar belum tentu berarti nilai pecahan besar; "
            "bandingkan nilainya.",
            f"Ubah setiap pecahan menjadi desimal (bagi pembilang dengan penyebut): {listing}.",
            f"Urutan dari yang terkecil: {', '.join(pecahan(v) for v in ordered)}.",
            f"Pecahan yang nilainya {word} adalah {pecahan(key)}.",
        ],
    }


KINDS = (_fraction_operation, _roots, _compare)


@register("pecahan-akar")
def pecahan_akar(rng: random.Random) -> GeneratedItem:
    drawn = rng.choice(KINDS)(rng)
    steps = drawn.pop("steps")
    steps.append(
        "Periksa kembali: hasil akhir harus dalam bentuk paling sederhana, dan setiap langkah "
        "mengikuti aturan operasinya."
    )
    params = {k: v for k, v in drawn.items() if k not in ("stem", "key_why", "wrong", "key")}
    return build(
        rng,
        family="pecahan-akar",
        stem=drawn["stem"],
        key=drawn["key"],
        key_why=drawn["key_why"],
        wrong=drawn["wrong"],
        steps=steps,
        params=params,
    )
