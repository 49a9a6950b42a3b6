#!/usr/bin/env python3
"""Compile the matching engine with mypyc, or remove the compiled form.

Usage: python scripts/build_engine.py [--force] [--clean] [--if-possible]

The engine's modules (``matching/engine/*.py`` but ``__init__.py`` and ``compiled.py``) are
type-checked and compiled to C extensions beside their sources; Python imports those in
place of the ``.py`` files. The build records the digest of the sources it compiled
(``matching/engine/compiled.json``), and the package refuses to import a build made from
other sources (``matching/engine/compiled.py``): after editing the engine, build again or
``--clean``. A build that is current is kept (``--force`` makes it anew). ``--if-possible``
turns a failed build (no C compiler, say) into a notice, and the engine runs as plain
Python. The generated C and object files go to a temporary
directory; only the extensions and the record stay.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import os
import sys
import tempfile
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _load_compiled_module() -> ModuleType:
    """``matching/engine/compiled.py`` alone: importing the package would run its check,
    which refuses a stale build, the very thing this script is there to replace."""
    spec = importlib.util.spec_from_file_location("engine_compiled", ROOT / "matching/engine/compiled.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


compiled = _load_compiled_module()

GROUP = "matching.engine.compiled_engine"
"""The name of the shared library that holds the compiled modules together."""


def clean(engine_dir: Path = compiled.ENGINE_DIR) -> int:
    removed = compiled.extensions(engine_dir)
    for path in removed:
        path.unlink()
    manifest = engine_dir / compiled.MANIFEST.name
    if manifest.exists():
        manifest.unlink()
    return len(removed)


def build(engine_dir: Path = compiled.ENGINE_DIR, quiet: bool = False) -> None:
    """Compile the engine in place (the package's own directory, inside ``ROOT``)."""
    from mypyc.build import mypycify
    from setuptools import setup

    clean(engine_dir)
    sources = [str(p.relative_to(ROOT)) for p in compiled.compiled_sources(engine_dir)]
    digest = compiled.source_digest(engine_dir)
    previous = Path.cwd()
    output = io.StringIO()
    with tempfile.TemporaryDirectory(prefix="engine-build-") as tmp:
        os.chdir(ROOT)
        try:
            redirect = contextlib.redirect_stdout(output) if quiet else contextlib.nullcontext()
            with redirect:
                modules = mypycify(sources, opt_level="3", target_dir=tmp, group_name=GROUP)
                setup(
                    name="huleedu-matching-engine",
                    packages=[],
                    ext_modules=modules,
                    script_args=["build_ext", "--inplace", "--build-temp", tmp, "--build-lib", tmp],
                )
        finally:
            os.chdir(previous)
    record = {"source_digest": digest, "python": sys.version.split()[0], "modules": sources}
    (engine_dir / compiled.MANIFEST.name).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clean", action="store_true", help="remove the compiled engine")
    parser.add_argument("--force", action="store_true", help="build even when the build is current")
    parser.add_argument("--if-possible", action="store_true", help="a failed build is a notice, not an error")
    args = parser.parse_args()
    if args.clean:
        print(f"removed {clean()} compiled engine modules")
        return 0
    if not args.force and compiled.is_current():
        print(f"the compiled matching engine is current ({len(compiled.extensions())} extensions)")
        return 0
    try:
        build(quiet=True)
    except (Exception, SystemExit) as exc:  # setuptools reports a compiler failure as SystemExit
        clean()
        if not args.if_possible:
            raise
        print(f"the matching engine runs as plain Python (compiling it failed: {exc})", file=sys.stderr)
        return 0
    print(f"compiled the matching engine: {len(compiled.extensions())} extensions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
