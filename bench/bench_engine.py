#!/usr/bin/env python3
"""Benchmark the matching engine on synthetic batches (deterministic seed, one core).

Usage: python bench/bench_engine.py [--quick]

Prints: one batch of 100 essays × 35 students (median of repeated runs, peak memory via
tracemalloc); many such batches (total time, essays/s); and a scaling table over roster
size × essay length. ``--quick`` shortens every part for a smoke run.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_corpus import make_class

from matching.engine import EssayInput, RosterStudent, match_batch

FILLER = (
    "Det här är en mening i brödtexten som handlar om klimatet och skolan. "
    "This is a body sentence about the climate, school and my friend Ali. "
)


def make_batch(seed: int, roster_size: int, n_essays: int, essay_bytes: int | None = None
               ) -> tuple[list[EssayInput], list[RosterStudent]]:
    """A synthetic batch; ``essay_bytes`` pads every body to about that size."""
    rng = random.Random(seed)
    cls = make_class(rng, "b", roster_size, n_essays)
    roster = [RosterStudent(s["student_id"], s["first_name"], s["last_name"], s["email"])
              for s in cls["roster"]]
    essays = []
    for e in cls["essays"]:
        text = e["text"]
        if essay_bytes:
            lines = text.split("\n")
            cut = min(len(lines), 8)
            padding_needed = max(0, essay_bytes - len(text.encode()))
            reps = padding_needed // len(FILLER.encode()) + 1
            body = "\n".join(FILLER * 6 for _ in range(max(1, reps // 6)))
            text = "\n".join(lines[:cut]) + "\n" + body + "\n" + "\n".join(lines[cut:])
        essays.append(EssayInput(e["essay_id"], text, e["filename"]))
    return essays, roster


def timed(essays: list[EssayInput], roster: list[RosterStudent]) -> float:
    start = time.perf_counter()
    match_batch(essays, roster)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short run")
    args = parser.parse_args()
    repeats = 5 if args.quick else 21
    n_batches = 50 if args.quick else 1000

    essays, roster = make_batch(1, 35, 100)
    timed(essays, roster)  # warm-up (imports, regex compilation)
    runs = [timed(essays, roster) for _ in range(repeats)]
    # CPU time of this process: what the batch costs on one core, even on a busy machine.
    cpu_runs = []
    for _ in range(repeats):
        cpu_start = time.process_time()
        match_batch(essays, roster)
        cpu_runs.append(time.process_time() - cpu_start)
    tracemalloc.start()
    match_batch(essays, roster)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print("== one batch: 100 essays x 35 students")
    print(f"median {statistics.median(runs) * 1000:.1f} ms wall, "
          f"{statistics.median(cpu_runs) * 1000:.1f} ms CPU  (min {min(runs) * 1000:.1f} ms wall, "
          f"{repeats} runs); peak traced memory {peak / 1024:.0f} KiB")

    batches = [make_batch(100 + i, 35, 100) for i in range(min(n_batches, 50))]
    start = time.perf_counter()
    for i in range(n_batches):
        b_essays, b_roster = batches[i % len(batches)]
        match_batch(b_essays, b_roster)
    total = time.perf_counter() - start
    print(f"== {n_batches} batches of 100 essays x 35 students")
    print(f"total {total:.2f} s, {n_batches * 100 / total:,.0f} essays/s")

    sizes = [10, 35, 50, 100, 200]
    lengths = [1_000, 10_000, 100_000, 1_000_000]
    n_essays = 10 if args.quick else 20
    print(f"== scaling: ms per essay (batches of {n_essays} essays; padded bodies)")
    print("roster \\ essay " + "".join(f"{f'{n // 1000} kB':>12}" for n in lengths))
    for size in sizes:
        row = []
        for length in lengths:
            count = n_essays if length < 1_000_000 else 3
            b_essays, b_roster = make_batch(7, size, count, length)
            elapsed = min(timed(b_essays, b_roster) for _ in range(2 if args.quick else 3))
            row.append(f"{elapsed / count * 1000:12.2f}")
        print(f"{size:>15}" + "".join(row))
    big_essays, big_roster = make_batch(9, 35, 1, 1_000_000)
    big = min(timed(big_essays, big_roster) for _ in range(3))
    print(f"== one 1 MB essay alone: {big * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
