"""The numeric TIU families (aspect `numerik`): social arithmetic and ratio here; number series in
`series.py`, fractions and roots in `fractions_roots.py`, P-versus-Q in `quantitative.py`.
Importing this module registers all of them."""

from __future__ import annotations

import random

from . import fractions_roots, quantitative, series  # noqa: F401  (register their families)
from .base import GeneratedItem, register
from .common import angka, build, jam, near_misses, rupiah

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


# --- perbandingan --------------------------------------------------------------------------------


def _days(n: int) -> str:
    return f"{angka(n)} hari"


def _workers_days(rng: random.Random) -> dict:
    while True:
        w1, d1 = rng.randint(4, 30), rng.randint(6, 40)
        total = w1 * d1
        choices = [w for w in range(2, 61) if total % w == 0 and w != w1 and total // w != d1]
        if choices:
            break
    w2 = rng.choice(choices)
    key = total // w2
    wrong = []
    if d1 * w2 % w1 == 0:
        wrong.append(
            (
                _days(d1 * w2 // w1),
                "Dihitung sebagai perbandingan senilai, padahal "
                "makin banyak pekerja makin singkat waktunya.",
            )
        )
    wrong += [
        (_days(total), f"Ini jumlah hari-orang ({w1} × {d1}), belum dibagi {w2} pekerja."),
        (_days(abs(d1 - key)), "Ini selisih lama pekerjaan, bukan lama pekerjaan."),
        (_days(d1 + (w1 - w2)), "Selisih banyak pekerja dipindahkan begitu saja ke hari."),
    ]
    wrong = [(t, why) for t, why in wrong if not t.startswith(("0 ", "-"))]
    wrong += near_misses(key, _days)
    return {
        "kind": "pekerja-hari",
        "w1": w1,
        "d1": d1,
        "w2": w2,
        "stem": f"Sebuah pekerjaan dapat diselesaikan oleh {w1} pekerja dalam {d1} hari. Jika "
        f"pekerjaan yang sama dikerjakan oleh {w2} pekerja dengan kecepatan kerja yang sama, "
        f"pekerjaan itu selesai dalam ….",
        "key": _days(key),
        "key_why": "Benar: pekerja dan hari berbanding terbalik, hasil kalinya tetap.",
        "wrong": wrong,
        "steps": [
            "Makin banyak pekerja, makin sedikit hari: ini perbandingan berbalik nilai, "
            "jadi pekerja × hari selalu tetap.",
            f"Beban pekerjaan = {w1} pekerja × {d1} hari = {angka(total)} hari-orang.",
            f"Dengan {w2} pekerja: {angka(total)} : {w2} = {angka(key)} hari.",
        ],
    }


def _extra_workers(rng: random.Random) -> dict:
    while True:
        w1, d1 = rng.randint(4, 30), rng.randint(8, 40)
        total = w1 * d1
        choices = [d for d in range(2, d1) if total % d == 0 and total // d > w1]
        if choices:
            break
    d2 = rng.choice(choices)
    needed = total // d2
    key = needed - w1

    def people(n: int) -> str:
        return f"{angka(n)} orang"

    wrong = [
        (people(needed), "Ini jumlah seluruh pekerja yang dibutuhkan, bukan tambahannya."),
        (people(d1 - d2), "Ini selisih hari, bukan banyak pekerja."),
    ]
    if w1 * d2 % d1 == 0 and w1 * d2 // d1 != w1:
        wrong.append((people(abs(w1 - w1 * d2 // d1)), "Dihitung sebagai perbandingan senilai."))
    wrong += near_misses(key, people)
    return {
        "kind": "tambah-pekerja",
        "w1": w1,
        "d1": d1,
        "d2": d2,
        "stem": f"Sebuah proyek direncanakan selesai dalam {d1} hari oleh {w1} pekerja. Agar "
        f"proyek itu selesai dalam {d2} hari, banyak pekerja tambahan yang diperlukan adalah "
        f"….",
        "key": people(key),
        "key_why": "Benar: kebutuhan pekerja baru dikurangi pekerja yang sudah ada.",
        "wrong": wrong,
        "steps": [
            "Pekerja dan hari berbanding terbalik: pekerja × hari tetap.",
            f"Beban proyek = {w1} × {d1} = {angka(total)} hari-orang.",
            f"Agar selesai {d2} hari dibutuhkan {angka(total)} : {d2} = {angka(needed)} pekerja.",
            f"Yang ditanyakan tambahannya: {angka(needed)} − {w1} = {angka(key)} orang.",
        ],
    }


def _unit_price(rng: random.Random) -> dict:
    unit = rng.randint(2, 30) * 500
    n1 = rng.randint(2, 12)
    n2 = rng.choice([n for n in range(2, 21) if n != n1])
    cost = unit * n1
    key = unit * n2
    thing = rng.choice(["buku tulis", "pulpen", "botol air mineral", "bungkus roti", "map"])
    wrong = [
        *_wrong_money(unit, "Ini harga satu barang, belum dikalikan."),
        *_wrong_money(cost * n2, f"Harga {n1} barang dikalikan {n2} tanpa dibagi {n1}."),
        *_wrong_money(abs(key - cost), "Ini selisih harganya, bukan harga yang ditanyakan."),
    ]
    if cost * n1 % n2 == 0:
        wrong.append((rupiah(cost * n1 // n2), "Dihitung sebagai perbandingan berbalik nilai."))
    wrong += near_misses(key, rupiah, 500)
    return {
        "kind": "senilai",
        "n1": n1,
        "cost": cost,
        "n2": n2,
        "stem": f"Harga {n1} {thing} adalah {rupiah(cost)}. Dengan harga satuan yang sama, "
        f"berapa harga {n2} {thing}?",
        "key": rupiah(key),
        "key_why": "Benar: banyak barang dan harga berbanding senilai.",
        "wrong": wrong,
        "steps": [
            "Makin banyak barang, makin besar harganya: ini perbandingan senilai.",
            f"Harga satu {thing} = {rupiah(cost)} : {n1} = {rupiah(unit)}.",
            f"Harga {n2} {thing} = {n2} × {rupiah(unit)} = {rupiah(key)}.",
        ],
    }


def _map_scale(rng: random.Random) -> dict:
    while True:
        scale = rng.choice([50_000, 100_000, 200_000, 250_000, 500_000, 1_000_000, 2_500_000])
        cm = rng.randint(2, 15)
        if cm * scale % 100_000 == 0:
            break
    key = cm * scale // 100_000

    def km(n: int) -> str:
        return f"{angka(n)} km"

    wrong = [
        (km(key * 10), "Dari cm ke km dibagi 10.000, padahal seharusnya 100.000."),
        (km(key * 100), "Dari cm ke km dibagi 1.000, padahal seharusnya 100.000."),
        (km(cm * scale // 1_000_000), "Dari cm ke km dibagi 1.000.000, padahal seharusnya 100.000.")
        if cm * scale % 1_000_000 == 0
        else (km(key + cm), "Jarak peta ditambahkan, bukan dikalikan."),
        (
            km(scale // 100_000 + cm) if scale >= 100_000 else km(key * 2),
            "Jarak peta ditambahkan pada skala, bukan dikalikan.",
        ),
        *near_misses(key, km),
    ]
    wrong = [(t, why) for t, why in wrong if not t.startswith(("0 ", "-"))]
    return {
        "kind": "skala",
        "scale": scale,
        "cm": cm,
        "stem": f"Pada peta berskala 1 : {angka(scale)}, jarak dua kota adalah {cm} cm. "
        f"Jarak sebenarnya kedua kota itu adalah ….",
        "key": km(key),
        "key_why": "Benar: jarak peta dikali skala lalu diubah dari cm ke km.",
        "wrong": wrong,
        "steps": [
            f"Skala 1 : {angka(scale)} berarti 1 cm di peta = {angka(scale)} cm sebenarnya.",
            f"Jarak sebenarnya = {cm} × {angka(scale)} cm = {angka(cm * scale)} cm.",
            f"1 km = 100.000 cm, jadi {angka(cm * scale)} cm : 100.000 = {angka(key)} km.",
        ],
    }


def _meeting(rng: random.Random) -> dict:
    while True:
        start = rng.randint(6, 9) * 60 + rng.choice([0, 15, 30])
        v1, v2 = rng.randrange(30, 95, 5), rng.randrange(30, 95, 5)
        minutes = rng.randrange(60, 301, 15)
        if (v1 + v2) * minutes % 60 == 0:
            break
    distance = (v1 + v2) * minutes // 60
    key = start + minutes
    wrong = []
    if distance * 60 % v1 == 0 and distance * 60 // v1 < 600:
        wrong.append((jam(start + distance * 60 // v1), "Hanya kecepatan mobil yang dipakai."))
    if v1 != v2 and distance * 60 % abs(v1 - v2) == 0 and distance * 60 // abs(v1 - v2) < 900:
        wrong.append(
            (
                jam(start + distance * 60 // abs(v1 - v2)),
                "Kecepatan dikurangkan; itu untuk menyusul, bukan berpapasan.",
            )
        )
    wrong.append((jam(minutes), "Ini lama perjalanannya, belum ditambahkan ke jam berangkat."))
    if minutes % 60:
        decimal_misread = 60 * (minutes // 60) + (minutes % 60) * 100 // 60
        wrong.append(
            (
                jam(start + decimal_misread),
                "Desimal jam dibaca sebagai menit (mis. 2,5 jam dikira 2 jam 50 menit).",
            )
        )
    wrong += [(jam(key + d), "Waktu tempuhnya salah dihitung.") for d in (30, -30, 15, -15, 45, 60)]
    hours, rest = divmod(minutes, 60)
    duration = f"{hours} jam" + (f" {rest} menit" if rest else "")
    return {
        "kind": "berpapasan",
        "start": start,
        "distance": distance,
        "v1": v1,
        "v2": v2,
        "stem": f"Jarak kota A dan kota B {angka(distance)} km. Pada {jam(start)} sebuah mobil "
        f"berangkat dari A menuju B dengan kecepatan rata-rata {v1} km/jam. Pada saat yang "
        f"sama sebuah bus berangkat dari B menuju A dengan kecepatan rata-rata {v2} km/jam. "
        f"Keduanya berpapasan pada ….",
        "key": jam(key),
        "key_why": "Benar: waktu berpapasan = jarak : jumlah kecepatan, ditambah jam berangkat.",
        "wrong": wrong,
        "steps": [
            f"Kedua kendaraan saling mendekat, jadi jarak berkurang {v1} + {v2} = {v1 + v2} km "
            f"setiap jam.",
            f"Waktu sampai berpapasan = {angka(distance)} : {v1 + v2} = {duration}.",
            f"Berangkat {jam(start)}, ditambah {duration}, berpapasan {jam(key)}.",
        ],
    }


RATIO = (_workers_days, _extra_workers, _unit_price, _map_scale, _meeting)


@register("perbandingan")
def perbandingan(rng: random.Random) -> GeneratedItem:
    drawn = rng.choice(RATIO)(rng)
    steps = drawn.pop("steps")
    steps.append(
        "Tips: tentukan dulu apakah perbandingannya senilai (keduanya naik bersama) atau "
        "berbalik nilai (yang satu naik, yang lain turun)."
    )
    params = {k: v for k, v in drawn.items() if k not in ("stem", "key_why", "wrong", "key")}
    return build(
        rng,
        family="perbandingan",
        stem=drawn["stem"],
        key=drawn["key"],
        key_why=drawn["key_why"],
        wrong=drawn["wrong"],
        steps=steps,
        params=params,
    )
