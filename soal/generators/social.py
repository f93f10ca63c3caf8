"""`aritmetika-sosial`: percent, discounts (also successive), profit and loss, simple interest."""

from __future__ import annotations

import random

from .base import GeneratedItem, register
from .common import angka, build, near_misses, rupiah

GOODS = (
    "sepatu",
    "tas sekolah",
    "jaket",
    "kipas angin",
    "rak buku",
    "sepeda anak",
    "kompor gas",
    "lemari plastik",
    "setrika",
    "helm",
)


def _wrong_money(value: int, why: str) -> list[tuple[str, str]]:
    return [(rupiah(value), why)] if value > 0 else []


# --- aritmetika sosial ---------------------------------------------------------------------------


def _discount(rng: random.Random) -> dict:
    price = rng.randint(8, 100) * 5_000
    p = rng.choice([10, 15, 20, 25, 30, 35, 40, 50])
    cut = price * p // 100
    key = price - cut
    thing = rng.choice(GOODS)
    return {
        "kind": "diskon",
        "price": price,
        "p": p,
        "stem": f"Sebuah {thing} dijual seharga {rupiah(price)}. Toko memberi diskon {p}% untuk "
        f"barang itu. Berapa yang harus dibayar pembeli?",
        "key": key,
        "key_why": f"Benar: harga dikurangi potongan {p}% dari {rupiah(price)}.",
        "wrong": [
            *_wrong_money(cut, "Ini besar potongannya, bukan harga yang dibayar."),
            *_wrong_money(price + cut, "Diskon ditambahkan ke harga, padahal harus dikurangkan."),
            *_wrong_money(price - p * 1_000, f"Diskon {p}% dibaca sebagai Rp{p}.000."),
            *_wrong_money(price * (100 - p - 5) // 100, "Persen diskonnya salah dibaca."),
            *near_misses(key, rupiah, 1_000),
        ],
        "steps": [
            f"Potongan = {p}% × {rupiah(price)} = {p}/100 × {angka(price)} = {rupiah(cut)}.",
            f"Harga yang dibayar = harga semula − potongan = {rupiah(price)} − {rupiah(cut)} "
            f"= {rupiah(key)}.",
            f"Cara cepat: yang dibayar adalah {100 - p}% dari harga semula, yaitu "
            f"{100 - p}/100 × {angka(price)} = {rupiah(key)}.",
        ],
    }


def _successive(rng: random.Random) -> dict:
    price = rng.randint(10, 80) * 10_000
    p1 = rng.choice([10, 20, 25, 30, 40, 50])
    p2 = rng.choice([10, 20, 25])
    after1 = price * (100 - p1) // 100
    cut2 = after1 * p2 // 100
    key = after1 - cut2
    thing = rng.choice(GOODS)
    return {
        "kind": "diskon-bertingkat",
        "price": price,
        "p1": p1,
        "p2": p2,
        "stem": f"Harga sebuah {thing} {rupiah(price)}. Menjelang akhir tahun toko memberi "
        f"diskon {p1}% + {p2}% (diskon kedua dihitung dari harga setelah diskon pertama). "
        f"Berapa harga yang harus dibayar?",
        "key": key,
        "key_why": f"Benar: diskon {p2}% dihitung dari harga setelah diskon {p1}%.",
        "wrong": [
            *_wrong_money(
                price * (100 - p1 - p2) // 100,
                f"Kedua diskon dijumlahkan menjadi {p1 + p2}% dari harga semula.",
            ),
            *_wrong_money(after1, "Hanya diskon pertama yang dihitung."),
            *_wrong_money(price - key, "Ini total potongannya, bukan harga yang dibayar."),
            *_wrong_money(cut2, "Ini besar potongan kedua saja."),
            *_wrong_money(price * (100 - p2) // 100, "Hanya diskon kedua yang dihitung."),
            *near_misses(key, rupiah, 1_000),
        ],
        "steps": [
            f"Diskon pertama {p1}%: {rupiah(price)} × {100 - p1}/100 = {rupiah(after1)}.",
            f"Diskon kedua {p2}% dihitung dari {rupiah(after1)}: potongannya "
            f"{p2}/100 × {angka(after1)} = {rupiah(cut2)}.",
            f"Harga bayar = {rupiah(after1)} − {rupiah(cut2)} = {rupiah(key)}.",
            f"Diskon bertingkat tidak boleh dijumlahkan menjadi {p1 + p2}%: total potongannya "
            f"hanya {rupiah(price - key)}.",
        ],
    }


def _profit_percent(rng: random.Random) -> dict:
    buy = rng.randint(4, 60) * 10_000
    pct = rng.choice([5, 10, 12, 15, 20, 25, 30, 40, 50])
    gain = rng.random() < 0.6
    sell = buy * (100 + pct) // 100 if gain else buy * (100 - pct) // 100
    word, other = ("untung", "rugi") if gain else ("rugi", "untung")
    diff = abs(sell - buy)
    key = f"{word} {pct}%"
    wrong = [
        (f"{other} {pct}%", "Arahnya tertukar: harga jual dibandingkan harga beli."),
        (
            f"{word} {sell * 100 // buy}%",
            "Harga jual dibagi harga beli, tetapi hasilnya tidak dikurangi 100%.",
        ),
    ]
    if diff * 100 % sell == 0:
        wrong.append(
            (
                f"{word} {diff * 100 // sell}%",
                "Persen dihitung dari harga jual, padahal basisnya harga beli.",
            )
        )
    wrong += [
        (f"{word} {pct + 5}%", "Pembagiannya salah dihitung."),
        (f"{word} {pct * 2}%", "Selisih dibagi setengah harga beli."),
        (f"{word} {pct - 2}%", "Pembagiannya salah dihitung."),
    ]
    thing = rng.choice(GOODS)
    return {
        "kind": "untung-rugi",
        "buy": buy,
        "sell": sell,
        "stem": f"Seorang pedagang membeli sebuah {thing} seharga {rupiah(buy)} lalu menjualnya "
        f"seharga {rupiah(sell)}. Persentase untung atau ruginya adalah ….",
        "key": key,
        "key_why": f"Benar: selisih {rupiah(diff)} dibagi harga beli {rupiah(buy)}.",
        "wrong": wrong,
        "steps": [
            f"Harga jual {'lebih besar' if gain else 'lebih kecil'} daripada harga beli, jadi "
            f"pedagang {word}.",
            f"Besar {word} = {rupiah(max(sell, buy))} − {rupiah(min(sell, buy))} = {rupiah(diff)}.",
            f"Persentase {word} selalu dihitung dari harga beli: {angka(diff)}/{angka(buy)} × "
            f"100% = {pct}%.",
        ],
        "money": False,
    }


def _cost_price(rng: random.Random) -> dict:
    buy = rng.randint(4, 60) * 10_000
    pct = rng.choice([10, 15, 20, 25, 40, 50])
    sell = buy * (100 + pct) // 100
    thing = rng.choice(GOODS)
    return {
        "kind": "harga-beli",
        "sell": sell,
        "pct": pct,
        "stem": f"Sebuah {thing} dijual seharga {rupiah(sell)} dan penjualnya memperoleh untung "
        f"{pct}% dari harga beli. Berapa harga beli {thing} itu?",
        "key": buy,
        "key_why": f"Benar: harga jual adalah {100 + pct}% dari harga beli.",
        "wrong": [
            *_wrong_money(
                sell * (100 - pct) // 100,
                f"Untung {pct}% diambil dari harga jual, padahal basisnya harga beli.",
            ),
            *_wrong_money(sell - buy, "Ini besar keuntungannya, bukan harga beli."),
            *_wrong_money(sell + sell * pct // 100, "Untungnya ditambahkan, bukan dikeluarkan."),
            *_wrong_money(sell - pct * 1_000, f"Untung {pct}% dibaca sebagai Rp{pct}.000."),
            *near_misses(buy, rupiah, 5_000),
        ],
        "steps": [
            f"Untung {pct}% dihitung dari harga beli, jadi harga jual = (100% + {pct}%) × harga "
            f"beli = {100 + pct}% × harga beli.",
            f"Harga beli = harga jual : {100 + pct}% = {angka(sell)} × 100/{100 + pct} "
            f"= {rupiah(buy)}.",
            f"Periksa: {pct}% × {rupiah(buy)} = {rupiah(sell - buy)}, dan {rupiah(buy)} + "
            f"{rupiah(sell - buy)} = {rupiah(sell)}.",
        ],
    }


def _simple_interest(rng: random.Random) -> dict:
    principal = rng.choice([1, 2, 3, 4, 5, 6, 8, 10]) * 1_200_000
    rate = rng.choice([6, 8, 9, 10, 12, 15])
    months = rng.choice([3, 4, 6, 8, 9, 10, 18, 24])
    interest = principal * rate * months // 1200
    total_asked = rng.random() < 0.6
    key = principal + interest if total_asked else interest
    base = principal if total_asked else 0
    yearly = principal * rate // 100
    wrong = [
        *_wrong_money(
            base + yearly, f"Bunga dihitung untuk satu tahun penuh, bukan {months} bulan."
        ),
        *_wrong_money(
            base + principal * rate * months // 100,
            f"Lama menabung {months} bulan dipakai seolah-olah {months} tahun.",
        ),
        *_wrong_money(base + yearly // 12, "Bunga hanya dihitung untuk satu bulan."),
    ]
    if total_asked:
        wrong.insert(0, (rupiah(interest), "Ini bunganya saja, belum ditambah tabungan awal."))
    else:
        wrong.insert(0, (rupiah(principal + interest), "Ini saldo akhir, bukan bunganya saja."))
    wrong += near_misses(key, rupiah, 10_000)
    asked = "jumlah tabungannya" if total_asked else "besar bunga yang diterimanya"
    steps = [
        f"Bunga setahun = {rate}% × {rupiah(principal)} = {rupiah(yearly)}.",
        f"Lama menabung {months} bulan = {months}/12 tahun, jadi bunga = {months}/12 × "
        f"{rupiah(yearly)} = {rupiah(interest)}.",
    ]
    if total_asked:
        steps.append(
            f"Jumlah tabungan = tabungan awal + bunga = {rupiah(principal)} + {rupiah(interest)} "
            f"= {rupiah(key)}."
        )
    else:
        steps.append("Yang ditanyakan hanya bunganya, jadi tabungan awal tidak ditambahkan.")
    return {
        "kind": "bunga-tunggal",
        "principal": principal,
        "rate": rate,
        "months": months,
        "total": total_asked,
        "stem": f"Rina menabung {rupiah(principal)} di bank yang memberi bunga tunggal {rate}% "
        f"per tahun. Setelah {months} bulan, berapa {asked}?",
        "key": key,
        "key_why": f"Benar: bunga {months}/12 tahun dari {rate}% setahun"
        + (", ditambah tabungan awal." if total_asked else "."),
        "wrong": wrong,
        "steps": steps,
    }


SOCIAL = (_discount, _successive, _profit_percent, _cost_price, _simple_interest)


@register("aritmetika-sosial")
def aritmetika_sosial(rng: random.Random) -> GeneratedItem:
    drawn = rng.choice(SOCIAL)(rng)
    money = drawn.pop("money", True)
    key = rupiah(drawn["key"]) if money else drawn["key"]
    steps = drawn.pop("steps")
    steps.append(
        "Tips: tentukan dulu basis persentasenya (harga semula, harga beli, atau harga "
        "setelah diskon sebelumnya) sebelum menghitung."
    )
    params = {k: v for k, v in drawn.items() if k not in ("stem", "key_why", "wrong", "key")}
    return build(
        rng,
        family="aritmetika-sosial",
        stem=drawn["stem"],
        key=key,
        key_why=drawn["key_why"],
        wrong=drawn["wrong"],
        steps=steps,
        params=params,
    )
