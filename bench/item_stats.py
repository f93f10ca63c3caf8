"""Benchmark: item analysis of 10,000 attempts × 110 items (SKD: 30 TWK + 35 TIU single-correct,
45 TKP scored 1–5) from a seeded synthetic generator. Times the full computation — Moodle's
figures over all 110 items, classical analysis of TWK and TIU, TKP analysis with flags — and
reports peak memory. Needs no database.

    .venv/bin/python bench/item_stats.py [--attempts 10000] [--repeat 3] [--seed 2026]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import time
import tracemalloc

import numpy as np
from common import bench_env

SECTIONS = {"TWK": 30, "TIU": 35, "TKP": 45}
OPTIONS = 5


def synthetic(attempts: int, seed: int) -> dict[str, np.ndarray]:
    """Candidates with a latent ability; harder single-correct items are answered right less
    often, wrong answers spread over the distractors; TKP options are chosen with probability
    rising with score × ability, blanks at 1 %. TKP item 1 is mis-keyed on purpose (strong
    candidates prefer its option scored 2), so the run shows the flag firing."""
    rng = np.random.default_rng(seed)
    ability = rng.normal(size=(attempts, 1))
    data: dict[str, np.ndarray] = {}
    for subtest in ("TWK", "TIU"):
        k = SECTIONS[subtest]
        difficulty = rng.normal(size=(1, k))
        right = rng.random((attempts, k)) < 1 / (1 + np.exp(-(1.2 * ability - difficulty)))
        keys = rng.integers(0, OPTIONS, size=k)
        wrong = (keys + rng.integers(1, OPTIONS, size=(attempts, k))) % OPTIONS
        data[f"{subtest}_chosen"] = np.where(right, keys, wrong)
        data[f"{subtest}_marks"] = right * 5.0
    k = SECTIONS["TKP"]
    scores = np.array([rng.permutation(np.arange(1, 6)) for _ in range(k)])
    appeal = scores.astype(float)
    appeal[0][scores[0] == 2] = 6.0
    logits = 0.8 * ability[:, :, None] * appeal[None, :, :]  # attempts × items × options
    weights = np.exp(logits - logits.max(axis=2, keepdims=True))
    cumulative = (weights / weights.sum(axis=2, keepdims=True)).cumsum(axis=2)
    chosen = (cumulative > rng.random((attempts, k, 1))).argmax(axis=2)
    chosen[rng.random((attempts, k)) < 0.01] = -1
    data["TKP_chosen"] = chosen
    data["TKP_scores"] = scores
    return data


def analyse(data: dict[str, np.ndarray]) -> dict[str, float]:
    from soal.analysis.classical import single_correct_analysis
    from soal.analysis.moodle import quiz_statistics
    from soal.analysis.tkp import tkp_analysis

    seconds: dict[str, float] = {}
    start = time.perf_counter()
    tkp = tkp_analysis(chosen=data["TKP_chosen"], option_scores=data["TKP_scores"])
    seconds["tkp"] = time.perf_counter() - start
    for subtest in ("TWK", "TIU"):
        begin = time.perf_counter()
        single_correct_analysis(
            marks=data[f"{subtest}_marks"], max_mark=5, chosen=data[f"{subtest}_chosen"]
        )
        seconds[subtest.lower()] = time.perf_counter() - begin
    begin = time.perf_counter()
    tkp_marks = np.where(
        data["TKP_chosen"] >= 0,
        np.take_along_axis(data["TKP_scores"].T, np.maximum(data["TKP_chosen"], 0), axis=0),
        0,
    )
    marks = np.hstack([data["TWK_marks"], data["TIU_marks"], tkp_marks])
    quiz_statistics(marks, 5.0)
    seconds["moodle"] = time.perf_counter() - begin
    seconds["total"] = time.perf_counter() - start
    seconds["tkp_flags"] = sorted(
        {(n + 1, f.code) for n, i in enumerate(tkp.items) for f in i.flags}
    )
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attempts", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    os.environ.update(bench_env())
    import django

    django.setup()

    data = synthetic(args.attempts, args.seed)
    runs = [analyse(data) for _ in range(args.repeat)]
    tracemalloc.start()
    analyse(data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    result = {
        "attempts": args.attempts,
        "items": sum(SECTIONS.values()),
        "seconds_total": [round(r["total"], 3) for r in runs],
        "median_total": round(statistics.median(r["total"] for r in runs), 3),
        "median_parts": {
            part: round(statistics.median(r[part] for r in runs), 3)
            for part in ("moodle", "twk", "tiu", "tkp")
        },
        "tkp_flags": runs[0]["tkp_flags"],
        "peak_traced_mib": round(peak / 2**20, 1),
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "cpus": os.cpu_count(),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
