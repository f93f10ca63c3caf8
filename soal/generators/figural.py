"""Figural families `figural-deret` (series) and `figural-analogi` (analogy).

A panel is described by four properties (see `Panel`); the SVG is drawn from them by
our own code only, so it never carries input from a person. The drawn panels are kept in
`params` (as plain dicts) so the property tests can recompute the key on their own.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, replace
from xml.sax.saxutils import escape

from .base import GeneratedItem, place, register

DIRECTIONS = {
    0: "atas",
    45: "kanan atas",
    90: "kanan",
    135: "kanan bawah",
    180: "bawah",
    225: "kiri bawah",
    270: "kiri",
    315: "kiri atas",
}
CORNERS = ("kiri atas", "kanan atas", "kanan bawah", "kiri bawah")  # clockwise order
FILLS = ("terisi", "kosong")
MAX_DOTS = 6
MARK_MOVES = {
    0: "tetap di sudut yang sama",
    1: "berpindah satu sudut searah jarum jam",
    2: "berpindah ke sudut yang berseberangan",
    3: "berpindah satu sudut berlawanan arah jarum jam",
}


@dataclass(frozen=True)
class Panel:
    angle: int  # arrow direction, degrees clockwise from "up", a multiple of 45
    dots: int  # number of dots under the arrow, 1..MAX_DOTS
    fill: str  # the arrow: "terisi" (solid) or "kosong" (outline)
    corner: int  # index into CORNERS of the small square mark

    def describe(self) -> str:
        return (
            f"Panah ke {DIRECTIONS[self.angle]}, {self.dots} titik, {self.fill}, "
            f"tanda di {CORNERS[self.corner]}"
        )


# --- drawing -------------------------------------------------------------------------------

SIZE = 100
INK = "#222222"
PAPER = "#ffffff"
ARROW = "50,14 68,38 57,38 57,66 43,66 43,38 32,38"  # pointing up, centred on (50, 42)
CORNER_XY = ((6, 6), (84, 6), (84, 84), (6, 84))


def _panel_body(panel: Panel, x: int) -> list[str]:
    fill = INK if panel.fill == "terisi" else PAPER
    parts = [
        f'<g transform="translate({x},0)">',
        f'<rect x="1" y="1" width="{SIZE - 2}" height="{SIZE - 2}" fill="{PAPER}" '
        f'stroke="{INK}" stroke-width="2"/>',
        f'<polygon class="arrow" points="{ARROW}" fill="{fill}" stroke="{INK}" '
        f'stroke-width="2" transform="rotate({panel.angle} 50 42)"/>',
    ]
    spacing = 11
    first = 50 - spacing * (panel.dots - 1) / 2
    for i in range(panel.dots):
        parts.append(
            f'<circle class="dot" cx="{first + i * spacing:g}" cy="82" r="3.5" fill="{INK}"/>'
        )
    cx, cy = CORNER_XY[panel.corner]
    parts.append(f'<rect class="mark" x="{cx}" y="{cy}" width="10" height="10" fill="{INK}"/>')
    parts.append("</g>")
    return parts


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img"><title>{escape(title)}</title>'
        + "".join(body)
        + "</svg>"
    )


def _label(x: float, y: float, text: str, size: int = 16) -> str:
    return (
        f'<text x="{x:g}" y="{y:g}" font-size="{size}" text-anchor="middle" '
        f'fill="{INK}">{escape(text)}</text>'
    )


def _question_panel(x: int) -> list[str]:
    return [
        f'<g transform="translate({x},0)">',
        f'<rect x="1" y="1" width="{SIZE - 2}" height="{SIZE - 2}" fill="{PAPER}" '
        f'stroke="{INK}" stroke-width="2" stroke-dasharray="6 4"/>',
        _label(50, 62, "?", 40),
        "</g>",
    ]


def render_panel(panel: Panel) -> str:
    return _svg(SIZE, SIZE, panel.describe(), _panel_body(panel, 0))


def render_row(panels: list[Panel | None], captions: list[str], title: str) -> str:
    """Panels side by side with a caption under each; None is the panel to find ("?")."""
    step = SIZE + 20
    body = []
    for i, (panel, caption) in enumerate(zip(panels, captions, strict=True)):
        x = i * step
        body += _question_panel(x) if panel is None else _panel_body(panel, x)
        body.append(_label(x + SIZE / 2, SIZE + 20, caption))
    return _svg(step * len(panels) - 20, SIZE + 28, title, body)


# --- distractors ---------------------------------------------------------------------------


def _variants(key: Panel, rng: random.Random, avoid: set[Panel], hints: list[Panel]) -> list[Panel]:
    """Four distinct wrong panels: the typical slips in `hints` first, then one property off."""
    pool = list(hints)
    singles = []
    for delta in (45, -45, 90, 180):
        singles.append(replace(key, angle=(key.angle + delta) % 360))
    for delta in (1, -1, 2):
        if 1 <= key.dots + delta <= MAX_DOTS:
            singles.append(replace(key, dots=key.dots + delta))
    singles.append(replace(key, fill=FILLS[1 - FILLS.index(key.fill)]))
    for delta in (1, 2, 3):
        singles.append(replace(key, corner=(key.corner + delta) % 4))
    rng.shuffle(singles)
    chosen: list[Panel] = []
    for panel in pool + singles:
        if panel != key and panel not in avoid and panel not in chosen:
            chosen.append(panel)
    return chosen[:4]


def _finish(
    rng: random.Random,
    *,
    family: str,
    stem: str,
    key: Panel,
    wrong: list[Panel],
    figure: str,
    figure_alt: str,
    explanation: list[str],
    params: dict,
) -> GeneratedItem:
    labels, correct = place(rng, key.describe(), [w.describe() for w in wrong])
    by_label = {p.describe(): p for p in [key, *wrong]}
    option_panels = [by_label[label] for label in labels]
    explanation.append("")
    explanation.append(f"Jadi, gambar yang tepat: **{key.describe()}**")
    return GeneratedItem(
        family=family,
        aspect="figural",
        stem=stem,
        options=labels,
        correct=correct,
        explanation="\n".join(explanation),
        answer=key.describe(),
        params={
            **params,
            "option_panels": [asdict(p) for p in option_panels],
            "option_svgs": [render_panel(p) for p in option_panels],
        },
        figure=figure,
        figure_alt=figure_alt,
    )


# --- series --------------------------------------------------------------------------------


@register("figural-deret")
def generate_series(rng: random.Random) -> GeneratedItem:
    # Two or three of the four properties change from panel to panel; the rest stay fixed.
    changing = set(rng.sample(("angle", "dots", "fill", "corner"), rng.choice((2, 3))))
    angle_step = rng.choice((45, 90, 135, -45, -90)) if "angle" in changing else 0
    dots_step = rng.choice((1, -1)) if "dots" in changing else 0
    corner_step = rng.choice((1, -1)) if "corner" in changing else 0
    start = Panel(
        angle=rng.randrange(8) * 45,
        dots=(rng.randint(1, 2) if dots_step > 0 else rng.randint(5, 6))
        if dots_step
        else rng.randint(1, 5),
        fill=rng.choice(FILLS),
        corner=rng.randrange(4),
    )

    def nth(n: int) -> Panel:
        fill = start.fill
        if "fill" in changing and n % 2:
            fill = FILLS[1 - FILLS.index(start.fill)]
        return Panel(
            angle=(start.angle + n * angle_step) % 360,
            dots=start.dots + n * dots_step,
            fill=fill,
            corner=(start.corner + n * corner_step) % 4,
        )

    shown = [nth(n) for n in range(4)]
    key = nth(4)
    hints = [
        replace(key, angle=shown[3].angle),  # forgot the last turn
        replace(key, angle=(shown[3].angle - angle_step) % 360),  # turned the wrong way
        replace(key, dots=shown[3].dots),  # stopped counting
        replace(key, fill=shown[3].fill),  # missed the alternation
    ]
    wrong = _variants(key, rng, set(), hints)

    turn = "searah" if angle_step > 0 else "berlawanan arah"
    rules = []
    if angle_step:
        rules.append(
            f"Panah berputar {abs(angle_step)}° {turn} jarum jam setiap langkah: "
            f"dari {DIRECTIONS[shown[3].angle]} menjadi {DIRECTIONS[key.angle]}."
        )
    else:
        rules.append(f"Arah panah tetap ke {DIRECTIONS[key.angle]}.")
    if dots_step:
        change = "bertambah" if dots_step > 0 else "berkurang"
        rules.append(f"Jumlah titik {change} satu setiap langkah: {shown[3].dots} → {key.dots}.")
    else:
        rules.append(f"Jumlah titik tetap {key.dots}.")
    if "fill" in changing:
        rules.append(
            f"Isi panah berganti-ganti terisi/kosong; gambar ke-5 sama dengan gambar ke-3: "
            f"{key.fill}."
        )
    else:
        rules.append(f"Isi panah tetap {key.fill}.")
    if corner_step:
        way = "searah" if corner_step > 0 else "berlawanan arah"
        rules.append(
            f"Tanda kotak berpindah satu sudut {way} jarum jam: "
            f"{CORNERS[shown[3].corner]} → {CORNERS[key.corner]}."
        )
    else:
        rules.append(f"Tanda kotak tetap di {CORNERS[key.corner]}.")

    explanation = ["Amati setiap sifat gambar secara terpisah, dari gambar 1 sampai 4:", ""]
    explanation += [f"{i}. {rule}" for i, rule in enumerate(rules, start=1)]
    alt = "Deret empat gambar, lalu gambar kelima yang dicari. " + " ".join(
        f"Gambar {i}: {p.describe()}." for i, p in enumerate(shown, start=1)
    )
    return _finish(
        rng,
        family="figural-deret",
        stem=(
            "Perhatikan deret gambar berikut. Gambar manakah yang tepat menggantikan tanda "
            "tanya (gambar ke-5)?"
        ),
        key=key,
        wrong=wrong,
        figure=render_row(
            [*shown, None], ["1", "2", "3", "4", "5"], "Deret gambar 1 sampai 4 dan ?"
        ),
        figure_alt=alt + " Gambar 5: tanda tanya.",
        explanation=explanation,
        params={"panels": [asdict(p) for p in shown]},
    )


# --- analogy -------------------------------------------------------------------------------


@register("figural-analogi")
def generate_analogy(rng: random.Random) -> GeneratedItem:
    while True:
        a = Panel(
            angle=rng.randrange(8) * 45,
            dots=rng.randint(1, MAX_DOTS),
            fill=rng.choice(FILLS),
            corner=rng.randrange(4),
        )
        turn = rng.choice((45, 90, 135, 180, -45, -90, -135))
        more = rng.choice((-2, -1, 0, 1, 2))
        flip = rng.random() < 0.5
        shift = rng.choice((0, 1, 2, 3))
        b = Panel(
            angle=(a.angle + turn) % 360,
            dots=a.dots + more,
            fill=FILLS[1 - FILLS.index(a.fill)] if flip else a.fill,
            corner=(a.corner + shift) % 4,
        )
        # C shares A's fill so "flip the fill" and "make it B's fill" give the same answer.
        c = Panel(
            angle=rng.randrange(8) * 45,
            dots=rng.randint(1, MAX_DOTS),
            fill=a.fill,
            corner=rng.randrange(4),
        )
        key = Panel(
            angle=(c.angle + turn) % 360,
            dots=c.dots + more,
            fill=b.fill,
            corner=(c.corner + shift) % 4,
        )
        mirrored = (-a.angle) % 360 == b.angle or (180 - a.angle) % 360 == b.angle
        if (
            1 <= b.dots <= MAX_DOTS
            and 1 <= key.dots <= MAX_DOTS
            and c != a
            and not mirrored  # A→B must not read equally well as a reflection
            and (turn or more or flip or shift)
        ):
            break

    # Reading "make it like B" instead of "change it like A→B" would also fit these panels: keep
    # them out of the options so only one reading is on offer.
    avoid = {replace(key, dots=b.dots), replace(key, corner=b.corner), replace(key, angle=b.angle)}
    hints = [
        replace(key, angle=(c.angle - turn) % 360),  # turned the wrong way
        replace(key, angle=c.angle),  # forgot the turn
        replace(key, fill=c.fill) if flip else replace(key, dots=c.dots),
    ]
    wrong = _variants(key, rng, avoid, hints)

    way = "searah" if turn > 0 else "berlawanan arah"
    steps = [
        f"Arah panah: dari {DIRECTIONS[a.angle]} ke {DIRECTIONS[b.angle]}, berputar "
        f"{abs(turn)}° {way} jarum jam; panah C ({DIRECTIONS[c.angle]}) diputar sama menjadi "
        f"{DIRECTIONS[key.angle]}.",
        f"Titik: {a.dots} → {b.dots} (selisih {more:+d}); C punya {c.dots} titik, jadi "
        f"{key.dots} titik.",
        f"Isi panah: {a.fill} → {b.fill}; C {c.fill}, jadi {key.fill}.",
        f"Tanda kotak {MARK_MOVES[shift]}: {CORNERS[a.corner]} → {CORNERS[b.corner]}; "
        f"pada C dari {CORNERS[c.corner]} ke {CORNERS[key.corner]}.",
    ]
    if not turn:
        steps[0] = f"Arah panah tidak berubah; panah C tetap ke {DIRECTIONS[key.angle]}."
    explanation = ["Cari perubahan dari A ke B, lalu terapkan perubahan yang sama pada C:", ""]
    explanation += [f"{i}. {s}" for i, s in enumerate(steps, start=1)]
    alt = (
        "Analogi A : B = C : ?. "
        f"Gambar A: {a.describe()}. Gambar B: {b.describe()}. Gambar C: {c.describe()}. "
        "Gambar keempat: tanda tanya."
    )
    return _finish(
        rng,
        family="figural-analogi",
        stem=(
            "Gambar A berhubungan dengan gambar B. Dengan hubungan yang sama, gambar C "
            "berhubungan dengan gambar apa?"
        ),
        key=key,
        wrong=wrong,
        figure=render_row([a, b, c, None], ["A", "B", "C", "?"], "Analogi A : B = C : ?"),
        figure_alt=alt,
        explanation=explanation,
        params={"a": asdict(a), "b": asdict(b), "c": asdict(c)},
    )
