#!/usr/bin/env python3
"""Old engine versus new, side by side in one process: the speed-up ratio.

Usage: python bench/compare_engines.py [--base COMMIT] [--rounds N] [--quick] [--wall]

The old engine is read from the git object store at run time (``git show
COMMIT:matching/engine/<file>``) into a temporary package, so no second copy of the engine
lives in the repository. Both engines run the same workload alternately (old, new, old,
new, …) and the best of ``--rounds`` runs of each is compared, so a busy machine slows
both alike. Two figures: every run starting with empty caches (essays seen for the first
time), and caches kept between runs (the same batches matched again, as when late essays
arrive or a class is re-matched). Times are CPU time of this process
(``time.process_time``): on a shared machine, wall time also counts the time other
processes hold the core; ``--wall`` measures wall time instead.

Workload: about 600 essays in 20 classes with rosters of 25–35 students, half from the
synthetic corpus's cue families and half from the phenomenon families of
``family_corpus.py`` (OCR, split cues, nicknames, transliterations, initials, identical
uploads). Also prints the 100 essays × 35 students batch and the per-essay cost as the
roster grows to 200.
"""

from __future__ import annotations

import argparse
import importlib
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from family_corpus import make_family_class
from synthetic_corpus import make_class

import matching.engine as new_engine

ROOT = Path(__file__).resolve().parent.parent
BASE_COMMIT = "e7109d8"
ENGINE_DIR = "matching/engine"


def load_old_engine(commit: str, workdir: Path) -> ModuleType:
    """Import the engine as it was at ``commit`` as the package ``engine_at_base``."""
    listing = subprocess.run(
        ["git", "ls-tree", "--name-only", f"{commit}:{ENGINE_DIR}"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout.split()
    package = workdir / "engine_at_base"
    package.mkdir()
    for name in listing:
        if not name.endswith(".py"):
            continue
        source = subprocess.run(
            ["git", "show", f"{commit}:{ENGINE_DIR}/{name}"],
            cwd=ROOT, check=True, capture_output=True, text=True,
        ).stdout
        (package / name).write_text(source, encoding="utf-8")
    sys.path.insert(0, str(workdir))
    return importlib.import_module("engine_at_base")


Batch = tuple[list, list]


def _convert(engine: ModuleType, cls: dict) -> Batch:
    roster = [engine.RosterStudent(s["student_id"], s["first_name"], s["last_name"],
                                   s["email"]) for s in cls["roster"]]
    essays = [engine.EssayInput(e["essay_id"], e["text"], e["filename"])
              for e in cls["essays"]]
    return essays, roster


def workload_classes(seed: int = 2026) -> list[dict]:
    """20 classes, rosters 25–35, 30 essays each: ~600 essays, half of them from the
    phenomenon families."""
    rng = random.Random(seed)
    classes = []
    for c in range(20):
        size = rng.randint(25, 35)
        if c % 2:
            classes.append(make_family_class(rng, f"w{c:02d}", size, 30))
        else:
            classes.append(make_class(rng, f"w{c:02d}", size, 30))
    return classes


CLOCK = time.process_time


def clear_caches(engine: ModuleType) -> None:
    """Empty every function cache of an engine's modules (``functools.lru_cache``).

    Each timed run starts cold, as a process seeing these essays for the first time
    would: a run repeats the same essays, and caches kept from the previous run would
    measure lines, names and filenames "seen before" that production would not have
    seen. Within a run, caches warm up only through what really recurs across the 20
    classes (header templates, titles, common names)."""
    prefix = engine.__name__ + "."
    for name, module in list(sys.modules.items()):
        if module is None or not (name == engine.__name__ or name.startswith(prefix)):
            continue
        for obj in vars(module).values():
            if callable(getattr(obj, "cache_clear", None)):
                obj.cache_clear()


def run_all(engine: ModuleType, batches: list[Batch], cold: bool = True) -> float:
    if cold:
        clear_caches(engine)
    start = CLOCK()
    for essays, roster in batches:
        engine.match_batch(essays, roster)
    return CLOCK() - start


def side_by_side(old: ModuleType, classes: list[dict], rounds: int,
                 cold: bool) -> tuple[float, float]:
    """Best of ``rounds`` for each engine, old and new alternately, on the same batches."""
    old_batches = [_convert(old, c) for c in classes]
    new_batches = [_convert(new_engine, c) for c in classes]
    run_all(old, old_batches)  # warm-up: imports, regex compilation
    run_all(new_engine, new_batches)
    old_times, new_times = [], []
    for _ in range(rounds):
        old_times.append(run_all(old, old_batches, cold))
        new_times.append(run_all(new_engine, new_batches, cold))
    return min(old_times), min(new_times)


def best_of(fn: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = CLOCK()
        fn()
        times.append(CLOCK() - start)
    return min(times)  # the same batch again: caches warm, for both engines alike


def report(label: str, n: int, old_t: float, new_t: float) -> None:
    print(f"-- {label}")
    print(f"   old {old_t * 1000:8.1f} ms  {n / old_t:8,.0f} essays/s")
    print(f"   new {new_t * 1000:8.1f} ms  {n / new_t:8,.0f} essays/s")
    print(f"   ratio old/new: {old_t / new_t:.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=BASE_COMMIT, help="commit of the old engine")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="skip the roster-growth table")
    parser.add_argument("--wall", action="store_true", help="wall time, not CPU time")
    args = parser.parse_args()
    global CLOCK
    if args.wall:
        CLOCK = time.perf_counter
    with tempfile.TemporaryDirectory() as tmp:
        old = load_old_engine(args.base, Path(tmp))
        classes = workload_classes()
        n = sum(len(c["essays"]) for c in classes)
        print(f"== workload: {n} essays in {len(classes)} classes (rosters 25-35), "
              f"best of {args.rounds}, alternating, {'wall' if args.wall else 'CPU'} time")
        report("first sight (every run starts with empty caches)", n,
               *side_by_side(old, classes, args.rounds, cold=True))
        report("seen before (caches kept between runs, as when a class is matched again)",
               n, *side_by_side(old, classes, args.rounds, cold=False))

        one = make_class(random.Random(1), "b", 35, 100)
        ob, nb = _convert(old, one), _convert(new_engine, one)
        o1 = best_of(lambda: old.match_batch(*ob), args.rounds)
        n1 = best_of(lambda: new_engine.match_batch(*nb), args.rounds)
        print(f"== one batch of 100 essays x 35 students: old {o1 * 1000:.1f} ms, "
              f"new {n1 * 1000:.1f} ms ({o1 / n1:.2f}x)")
        if not args.quick:
            print("== per-essay cost as the roster grows (batches of 60 essays), ms/essay")
            print(f"{'roster':>8}{'old':>10}{'new':>10}{'ratio':>8}")
            for size in (10, 35, 50, 100, 200):
                cls = make_class(random.Random(size), "g", size, 60)
                ob, nb = _convert(old, cls), _convert(new_engine, cls)
                o = best_of(lambda ob=ob: old.match_batch(*ob), 3) / 60
                nw = best_of(lambda nb=nb: new_engine.match_batch(*nb), 3) / 60
                print(f"{size:>8}{o * 1000:>10.3f}{nw * 1000:>10.3f}{o / nw:>8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
