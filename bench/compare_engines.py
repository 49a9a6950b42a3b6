#!/usr/bin/env python3
"""Old engine versus new, side by side in one process: the speed-up ratio.

Usage: python bench/compare_engines.py [--base COMMIT] [--rounds N] [--quick] [--wall] [--no-build]

Three engines run the same workload alternately (old, new, new as plain Python, old, …)
and the best of ``--rounds`` runs of each is compared, so a busy machine slows all alike:

* old: the engine at ``--base``, read from the git object store at run time (``git show
  COMMIT:matching/engine/<file>``) into a temporary package, run as plain Python, as it
  ran in the product;
* new: ``matching.engine`` as the product runs it, compiled with mypyc
  (``scripts/build_engine.py``; built first if it is missing or stale, unless
  ``--no-build``); where it cannot be compiled, the plain-Python engine is the product;
* new, plain Python: this working tree's engine sources copied into a temporary package,
  never compiled: what the source alone gains.

Two figures: every run starting with empty caches (essays seen for the first time), and
caches kept between runs (the same batches matched again, as when late essays arrive or a
class is re-matched). Times are CPU time of this process (``time.process_time``): on a
shared machine, wall time also counts the time other processes hold the core; ``--wall``
measures wall time instead.

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

ROOT = Path(__file__).resolve().parent.parent
BASE_COMMIT = "e7109d8"
ENGINE_DIR = "matching/engine"


def load_old_engine(commit: str, workdir: Path) -> ModuleType:
    """Import the engine as it was at ``commit`` as the package ``engine_at_base``.

    Every file of the engine directory is copied, data files in subdirectories too (the
    name tables under ``data/``), so any commit of the engine can be the base. Compiled
    extensions are not in git: the copy always runs as plain Python."""
    listing = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", f"{commit}:{ENGINE_DIR}"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout.splitlines()
    package = workdir / "engine_at_base"
    package.mkdir()
    for name in listing:
        if "__pycache__" in name:
            continue
        content = subprocess.run(
            ["git", "show", f"{commit}:{ENGINE_DIR}/{name}"],
            cwd=ROOT, check=True, capture_output=True,
        ).stdout
        target = package / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    sys.path.insert(0, str(workdir))
    return importlib.import_module("engine_at_base")


def load_plain_engine(workdir: Path) -> ModuleType:
    """This working tree's engine sources as the package ``engine_plain``, never compiled."""
    from matching.engine import compiled

    return compiled.import_plain_copy(workdir, "engine_plain")


def load_product_engine(build: bool) -> ModuleType:
    """``matching.engine`` as the product imports it: compiled when it can be. A missing
    or stale build is made first (``scripts/build_engine.py --if-possible``, which keeps a
    current build as it is)."""
    if build:
        build_script = ROOT / "scripts" / "build_engine.py"
        subprocess.run([sys.executable, str(build_script), "--if-possible"], check=True)
    return importlib.import_module("matching.engine")


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


def side_by_side(engines: list[ModuleType], classes: list[dict], rounds: int, cold: bool) -> list[float]:
    """Best of ``rounds`` for each engine, run in turn on the same batches."""
    batches = [[_convert(engine, c) for c in classes] for engine in engines]
    for engine, own in zip(engines, batches, strict=True):
        run_all(engine, own)  # warm-up: imports, regex compilation
    times: list[list[float]] = [[] for _ in engines]
    for _ in range(rounds):
        for engine, own, kept in zip(engines, batches, times, strict=True):
            kept.append(run_all(engine, own, cold))
    return [min(kept) for kept in times]


def best_of(fn: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = CLOCK()
        fn()
        times.append(CLOCK() - start)
    return min(times)  # the same batch again: caches warm, for both engines alike


def report(label: str, n: int, names: list[str], times: list[float]) -> None:
    print(f"-- {label}")
    old_t = times[0]
    for name, t in zip(names, times, strict=True):
        ratio = "" if t is old_t else f"   ratio old/new: {old_t / t:.2f}x"
        print(f"   {name:<18}{t * 1000:8.1f} ms  {n / t:8,.0f} essays/s{ratio}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=BASE_COMMIT, help="commit of the old engine")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="skip the roster-growth table")
    parser.add_argument("--wall", action="store_true", help="wall time, not CPU time")
    parser.add_argument("--no-build", action="store_true", help="never build the compiled engine")
    args = parser.parse_args()
    global CLOCK
    if args.wall:
        CLOCK = time.perf_counter
    product = load_product_engine(build=not args.no_build)
    compiled = not (product.scoring.__file__ or "").endswith(".py")
    with tempfile.TemporaryDirectory() as tmp:
        old = load_old_engine(args.base, Path(tmp))
        plain = load_plain_engine(Path(tmp))
        engines = [old, product, plain] if compiled else [old, plain]
        names = ["old", "new (compiled)", "new, plain Python"] if compiled else ["old", "new, plain Python"]
        classes = workload_classes()
        n = sum(len(c["essays"]) for c in classes)
        print(f"== workload: {n} essays in {len(classes)} classes (rosters 25-35), "
              f"best of {args.rounds}, alternating, {'wall' if args.wall else 'CPU'} time")
        if not compiled:
            print("   (the compiled engine is not built here: the product runs the plain-Python one)")
        report("first sight (every run starts with empty caches)", n, names,
               side_by_side(engines, classes, args.rounds, cold=True))
        report("seen before (caches kept between runs, as when a class is matched again)",
               n, names, side_by_side(engines, classes, args.rounds, cold=False))

        one = make_class(random.Random(1), "b", 35, 100)
        batch_times = []
        for engine in engines:
            essays, roster = _convert(engine, one)
            batch_times.append(best_of(lambda e=engine, b=(essays, roster): e.match_batch(*b), args.rounds))
        print("== one batch of 100 essays x 35 students: "
              + ", ".join(f"{name} {t * 1000:.1f} ms" for name, t in zip(names, batch_times, strict=True))
              + "; ratio " + ", ".join(f"{batch_times[0] / t:.2f}x" for t in batch_times[1:]))
        if not args.quick:
            print("== per-essay cost as the roster grows (batches of 60 essays), ms/essay, and old/new")
            print(f"{'roster':>8}" + "".join(f"{name:>20}" for name in names) + "".join(
                f"{'ratio ' + name[4:]:>22}" for name in names[1:]))
            for size in (10, 35, 50, 100, 200):
                cls = make_class(random.Random(size), "g", size, 60)
                per_essay = []
                for engine in engines:
                    essays, roster = _convert(engine, cls)
                    per_essay.append(best_of(lambda e=engine, b=(essays, roster): e.match_batch(*b), 3) / 60)
                print(f"{size:>8}" + "".join(f"{t * 1000:>20.3f}" for t in per_essay)
                      + "".join(f"{per_essay[0] / t:>22.2f}" for t in per_essay[1:]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
