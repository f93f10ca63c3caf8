"""`perbandingan`: direct and inverse proportion, work rate, map scale, speed-distance-time."""

from __future__ import annotations

import random

from .base import GeneratedItem, register
from .common import angka, build, jam, near_misses, rupiah


def _money_option(value: int, why: str) -> list[tuple[str, str]]:
    return [(rupiah(value), why)] if value > 0 else []


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
        *_money_option(unit, "Ini harga satu barang, belum dikalikan."),
        *_money_option(cost * n2, f"Harga {n1} barang dikalikan {n2} tanpa dibagi {n1}."),
        *_money_option(abs(key - cost), "Ini selisih harganya, bukan harga yang ditanyakan."),
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
        "tip": "Tips: hafalkan tangga satuan panjang; dari cm ke km turun lima tangga, jadi "
        "dibagi 100.000. Hitung dulu dalam cm, baru ubah satuannya.",
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
    if distance * 60 % (5 * v1) == 0 and distance * 60 // v1 < 600:
        wrong.append((jam(start + distance * 60 // v1), "Hanya kecepatan mobil yang dipakai."))
    gap = abs(v1 - v2)
    if v1 != v2 and distance * 60 % (5 * gap) == 0 and distance * 60 // gap < 900:
        wrong.append(
            (
                jam(start + distance * 60 // gap),
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
        "tip": "Tips: dua kendaraan yang berangkat bersamaan dan saling mendekat memakai jumlah "
        "kecepatan; yang searah (menyusul) memakai selisih kecepatan.",
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
        drawn.pop(
            "tip",
            "Tips: tentukan dulu apakah perbandingannya senilai (keduanya naik bersama) atau "
            "berbalik nilai (yang satu naik, yang lain turun).",
        )
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
