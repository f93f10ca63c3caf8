"""Number series (deret angka): the rule is drawn, the shown terms and the key follow from it."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

from .base import GeneratedItem, register
from .common import angka, build, near_misses

ASK = (
    "Bilangan yang tepat untuk melanjutkan deret berikut adalah ….",
    "Tentukan suku berikutnya dari deret angka ini.",
    "Perhatikan pola deret di bawah. Angka berikutnya adalah ….",
    "Lanjutkan deret berikut dengan satu bilangan yang sesuai polanya.",
)


def _stem(rng: random.Random, shown: list[int]) -> str:
    return f"{rng.choice(ASK)}\n\n**{', '.join(angka(t) for t in shown)}, …**"


def _diffs(terms: list[int]) -> list[int]:
    return [b - a for a, b in itertools.pairwise(terms)]


def _signed(n: int) -> str:
    return f"({angka(n)})" if n < 0 else angka(n)


def _list(values: list[int]) -> str:
    return ", ".join(angka(v) for v in values)


@register("deret-aritmetika")
def deret_aritmetika(rng: random.Random) -> GeneratedItem:
    a = rng.randint(2, 60)
    d = rng.choice([v for v in range(-9, 16) if v not in (0, 1, -1)])
    n = rng.randint(5, 6)
    if d < 0:
        a += -d * (n + 1)  # keep every shown term and the key positive
    shown = [a + i * d for i in range(n)]
    key = shown[-1] + d
    last = shown[-1]
    wrong = [
        (angka(key + d), "Ini suku sesudah jawaban: satu langkah terlalu jauh."),
        (angka(d), "Ini beda antarsuku, bukan suku berikutnya."),
        (angka(last + d + (1 if d > 0 else -1)), "Bedanya salah dihitung satu angka."),
        (angka(last - d), "Bedanya dikurangkan, padahal deret berjalan ke arah sebaliknya."),
        (angka(last * 2 - shown[0]), "Pola dianggap menjumlahkan jarak suku pertama–terakhir."),
        *near_misses(key),
    ]
    head = wrong[:5]
    rng.shuffle(head)  # which four typical mistakes appear varies from item to item
    wrong = head + wrong[5:]
    steps = [
        f"Hitung selisih dua suku berurutan: {_list(_diffs(shown))}.",
        f"Selisihnya selalu sama, yaitu {angka(d)}, sehingga deret ini deret aritmetika "
        f"dengan beda b = {angka(d)}.",
        f"Suku berikutnya adalah suku terakhir ditambah beda: {angka(last)} + {_signed(d)} "
        f"= {angka(key)}.",
        "Periksa: jarak dari suku terakhir ke jawaban sama dengan jarak antarsuku sebelumnya. "
        "Kesalahan yang sering terjadi adalah menuliskan bedanya saja atau melompat dua langkah.",
    ]
    return build(
        rng,
        family="deret-aritmetika",
        stem=_stem(rng, shown),
        key=angka(key),
        key_why=f"Benar: suku terakhir {angka(last)} ditambah beda tetap {angka(d)}.",
        wrong=wrong,
        steps=steps,
        params={"a": a, "d": d, "shown": shown},
    )


@register("deret-geometri")
def deret_geometri(rng: random.Random) -> GeneratedItem:
    n = rng.randint(4, 5)
    r = rng.choice([Fraction(2), Fraction(3), Fraction(4), Fraction(-2), Fraction(1, 2)])
    if r == Fraction(1, 2):
        a = rng.randint(1, 9) * 2**n  # every term, the key included, stays whole
    else:
        a = rng.randint(1, 6 if abs(r) <= 2 else 3)
    shown = [int(a * r**i) for i in range(n)]
    last = shown[-1]
    key = int(last * r)
    step = last - shown[-2]
    ratio = angka(r) if r.denominator == 1 else f"1/{r.denominator}"
    wrong = [
        (angka(int(key * r)), "Ini suku sesudah jawaban: dikalikan rasio dua kali."),
        (angka(last + step), "Deret dikira aritmetika: selisih terakhir ditambahkan lagi."),
        (angka(last + int(r)), "Rasio ditambahkan, bukan dikalikan.")
        if r.denominator == 1
        else (angka(last - 2), "Suku terakhir dikurangi 2, padahal seharusnya dibagi 2."),
        (angka(key - step), "Selisih terakhir dikurangkan dari hasil yang benar."),
        (angka(int(last * (r + 1))), "Suku terakhir dikali rasio lalu ditambah suku terakhir."),
        *near_misses(key),
    ]
    steps = [
        f"Selisih antarsuku ({_list(_diffs(shown))}) tidak tetap, jadi ini bukan deret aritmetika.",
        f"Bandingkan tiap suku dengan suku sebelumnya: setiap suku sama dengan suku "
        f"sebelumnya dikali {ratio}. Deret ini deret geometri dengan rasio r = {ratio}.",
        f"Suku berikutnya = suku terakhir × rasio = {angka(last)} × "
        f"{f'({ratio})' if r < 0 else ratio} = {angka(key)}.",
        "Kesalahan umum: menambahkan selisih terakhir seolah-olah deret aritmetika, atau "
        "mengalikan rasio dua kali sehingga melompati satu suku.",
    ]
    return build(
        rng,
        family="deret-geometri",
        stem=_stem(rng, shown),
        key=angka(key),
        key_why=f"Benar: suku terakhir dikali rasio tetap {ratio}.",
        wrong=wrong,
        steps=steps,
        params={"a": a, "r": str(r), "shown": shown},
    )


def _subseries(rng: random.Random) -> tuple[str, int, int]:
    """One of the two interleaved series: ('+', start, step) or ('x', start, ratio)."""
    if rng.random() < 0.7:
        return "+", rng.randint(1, 40), rng.choice([v for v in range(-6, 10) if v not in (0,)])
    return "x", rng.randint(1, 5), rng.choice([2, 3])


def _term(kind: str, start: int, step: int, i: int) -> int:
    return start + i * step if kind == "+" else start * step**i


def _rule(kind: str, step: int) -> str:
    if kind == "x":
        return f"dikali {step}"
    return f"ditambah {angka(step)}" if step > 0 else f"dikurangi {angka(-step)}"


@register("deret-selang-seling")
def deret_selang_seling(rng: random.Random) -> GeneratedItem:
    odd, even = _subseries(rng), _subseries(rng)
    if odd[0] == "+" and odd[2] < 0:
        odd = ("+", odd[1] + 6 * -odd[2], odd[2])
    if even[0] == "+" and even[2] < 0:
        even = ("+", even[1] + 6 * -even[2], even[2])
    n = rng.choice([7, 8])
    shown = [_term(*(odd if i % 2 == 0 else even), i // 2) for i in range(n)]
    nxt = odd if n % 2 == 0 else even  # position n (0-based) belongs to this series
    other = even if nxt is odd else odd
    key = _term(*nxt, n // 2)
    wrong_series = _term(*other, len(shown[(0 if other is odd else 1) :: 2]))
    last_same = shown[n - 2]
    wrong = [
        (
            angka(wrong_series),
            "Ini suku berikutnya dari deret yang satunya lagi, bukan deret "
            "yang sedang mendapat giliran.",
        ),
        (
            angka(shown[-1] + (shown[-1] - shown[-2])),
            "Deret dianggap satu deret tunggal dan selisih dua suku terakhir ditambahkan lagi.",
        ),
        (angka(_term(*nxt, n // 2 + 1)), "Ini suku sesudah jawaban dalam deret yang sama."),
        (angka(last_same), "Ini suku yang sudah ada, belum dilanjutkan polanya."),
        *near_misses(key),
    ]
    odd_terms, even_terms = shown[0::2], shown[1::2]
    steps = [
        f"Selisih suku-suku berurutan tidak berpola, jadi pisahkan suku ganjil dan genap. "
        f"Suku ke-1, 3, 5, …: {_list(odd_terms)}. Suku ke-2, 4, 6, …: {_list(even_terms)}.",
        f"Pada deret suku ganjil, setiap suku {_rule(odd[0], odd[2])} dari suku sebelumnya; "
        f"pada deret suku genap, setiap suku {_rule(even[0], even[2])}.",
        f"Deret ini memiliki {n} suku, jadi suku berikutnya adalah suku ke-{n + 1}, yaitu "
        f"giliran deret suku {'ganjil' if nxt is odd else 'genap'}.",
        f"Suku terakhir deret itu {angka(last_same)}, {_rule(nxt[0], nxt[2])}, menjadi "
        f"{angka(key)}.",
    ]
    return build(
        rng,
        family="deret-selang-seling",
        stem=_stem(rng, shown),
        key=angka(key),
        key_why="Benar: suku ini melanjutkan deret yang mendapat giliran pada posisi berikutnya.",
        wrong=wrong,
        steps=steps,
        params={"odd": list(odd), "even": list(even), "shown": shown},
    )


@register("deret-beda-bertingkat")
def deret_beda_bertingkat(rng: random.Random) -> GeneratedItem:
    a = rng.randint(1, 30)
    d1 = rng.randint(1, 8)
    dd = rng.choice([v for v in range(-3, 6) if v != 0])
    if dd < 0:
        d1 += -dd * 6  # keep the differences positive
    n = rng.randint(5, 6)
    shown = [a]
    for i in range(n - 1):
        shown.append(shown[-1] + d1 + i * dd)
    diffs = _diffs(shown)
    next_diff = diffs[-1] + dd
    key = shown[-1] + next_diff
    wrong = [
        (
            angka(shown[-1] + diffs[-1]),
            "Selisih terakhir dipakai lagi tanpa menambah beda tingkat kedua.",
        ),
        (angka(next_diff), "Ini selisih berikutnya, bukan suku berikutnya."),
        (angka(key + next_diff + dd), "Ini suku sesudah jawaban: satu langkah terlalu jauh."),
        (angka(shown[-1] + next_diff + dd), "Beda tingkat kedua ditambahkan dua kali."),
        *near_misses(key),
    ]
    steps = [
        f"Selisih tingkat pertama antarsuku: {_list(diffs)}. Selisih ini belum tetap.",
        f"Selisih dari selisih itu (tingkat kedua): {_list(_diffs(diffs))}. Tingkat kedua "
        f"tetap, yaitu {angka(dd)}.",
        f"Selisih berikutnya = {angka(diffs[-1])} + {_signed(dd)} = {angka(next_diff)}.",
        f"Suku berikutnya = suku terakhir + selisih berikutnya = {angka(shown[-1])} + "
        f"{angka(next_diff)} = {angka(key)}.",
    ]
    return build(
        rng,
        family="deret-beda-bertingkat",
        stem=_stem(rng, shown),
        key=angka(key),
        key_why="Benar: selisih berikutnya mengikuti beda tingkat kedua yang tetap.",
        wrong=wrong,
        steps=steps,
        params={"a": a, "d1": d1, "dd": dd, "shown": shown},
    )


@register("deret-kuadrat-kubik")
def deret_kuadrat_kubik(rng: random.Random) -> GeneratedItem:
    power = rng.choice([2, 2, 3])
    s = rng.randint(1, 8 if power == 2 else 4)
    c = rng.choice([0, 0, 1, -1, 2, 3, 5])
    n = 5
    bases = list(range(s, s + n))
    shown = [b**power + c for b in bases]
    nb = s + n
    key = nb**power + c
    name = "kuadrat" if power == 2 else "pangkat tiga (kubik)"
    sup = "²" if power == 2 else "³"
    plus = "" if c == 0 else f" {'+' if c > 0 else '-'} {abs(c)}"
    then = "" if c == 0 else f", lalu {'ditambah' if c > 0 else 'dikurangi'} {abs(c)}"
    wrong = [
        (angka((nb + 1) ** power + c), "Ini suku sesudah jawaban: bilangan pokoknya melompat dua."),
        (
            angka(shown[-1] + (shown[-1] - shown[-2])),
            "Selisih terakhir ditambahkan lagi seolah-olah deret aritmetika.",
        ),
        (angka(nb ** (5 - power) + c), "Pangkatnya tertukar (kuadrat dengan kubik)."),
        (angka(nb**power), "Tambahan tetap pada setiap suku terlupa.")
        if c
        else (angka(nb * power), "Bilangan pokok dikali pangkat, bukan dipangkatkan."),
        (
            angka(nb**power + c + (1 if c >= 0 else -1)),
            "Tambahan tetapnya dihitung satu kali lebih banyak.",
        ),
        *near_misses(key),
    ]
    steps = [
        f"Bandingkan suku-suku dengan bilangan {name}: "
        + ", ".join(f"{b}{sup} = {angka(b**power)}" for b in bases)
        + ".",
        f"Setiap suku sama dengan bilangan berurutan {bases[0]}, {bases[1]}, {bases[2]}, … "
        f"dipangkatkan {power}{then}. Pola: suku = k{sup}{plus}.",
        f"Bilangan pokok berikutnya adalah {nb}, sehingga suku berikutnya = {nb}{sup}{plus} "
        f"= {angka(key)}.",
        "Kesalahan umum: menambahkan selisih terakhir seperti deret aritmetika atau "
        "melupakan tambahan tetap pada setiap suku.",
    ]
    return build(
        rng,
        family="deret-kuadrat-kubik",
        stem=_stem(rng, shown),
        key=angka(key),
        key_why=f"Benar: {nb}{sup}{plus} mengikuti pola bilangan {name} berurutan.",
        wrong=wrong,
        steps=steps,
        params={"power": power, "start": s, "c": c, "shown": shown},
    )


@register("deret-fibonacci")
def deret_fibonacci(rng: random.Random) -> GeneratedItem:
    a, b = rng.randint(1, 12), rng.randint(1, 15)
    n = rng.randint(6, 7)
    shown = [a, b]
    while len(shown) < n:
        shown.append(shown[-1] + shown[-2])
    key = shown[-1] + shown[-2]
    wrong = [
        (angka(key + shown[-1]), "Ini suku sesudah jawaban: satu langkah terlalu jauh."),
        (
            angka(shown[-1] + (shown[-1] - shown[-2])),
            "Selisih terakhir ditambahkan lagi seolah-olah deret aritmetika.",
        ),
        (
            angka(shown[-1] + shown[-3]),
            "Yang dijumlahkan suku terakhir dengan suku ketiga dari belakang.",
        ),
        (angka(shown[-1] * 2), "Suku terakhir digandakan, bukan dijumlah dengan suku sebelumnya."),
        *near_misses(key),
    ]
    pairs = ", ".join(
        f"{angka(shown[i])} + {angka(shown[i + 1])} = {angka(shown[i + 2])}"
        for i in range(len(shown) - 2)
    )
    steps = [
        f"Selisih antarsuku ({_list(_diffs(shown))}) tidak tetap dan tidak dikali bilangan tetap.",
        f"Setiap suku mulai suku ketiga adalah jumlah dua suku sebelumnya: {pairs}.",
        f"Ini pola seperti deret Fibonacci dengan dua suku awal {angka(a)} dan {angka(b)}.",
        f"Suku berikutnya = {angka(shown[-2])} + {angka(shown[-1])} = {angka(key)}.",
    ]
    return build(
        rng,
        family="deret-fibonacci",
        stem=_stem(rng, shown),
        key=angka(key),
        key_why="Benar: jumlah dua suku terakhir, sesuai pola deret.",
        wrong=wrong,
        steps=steps,
        params={"start": [a, b], "shown": shown},
    )
