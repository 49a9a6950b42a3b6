"""The engine's compiled form: which modules mypyc compiles, and whether a build is current.

The engine ships as plain Python and, where a C compiler is at hand, is compiled with mypyc
(``scripts/build_engine.py``): the same source, type-checked, turned into C extensions that
sit beside the ``.py`` files and that Python imports in their place. A build records the
digest of the sources it was made from (``MANIFEST``); this module, never compiled itself,
lets the package refuse to import extensions made from other sources than the ones beside
them, so an edited ``.py`` is never silently shadowed by an old build.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.machinery
import json
import sys
from pathlib import Path
from types import ModuleType

ENGINE_DIR = Path(__file__).resolve().parent
MANIFEST = ENGINE_DIR / "compiled.json"

NOT_COMPILED = frozenset({"__init__.py", "compiled.py"})
"""The package entry and this check stay Python: they must run before any extension loads."""


class StaleCompiledEngine(ImportError):
    """Compiled extensions beside sources they were not built from."""


def compiled_sources(engine_dir: Path = ENGINE_DIR) -> list[Path]:
    """The engine modules a build compiles, in a stable order."""
    return sorted(p for p in engine_dir.glob("*.py") if p.name not in NOT_COMPILED)


def source_digest(engine_dir: Path = ENGINE_DIR) -> str:
    """SHA-256 over the compiled modules' names and contents."""
    digest = hashlib.sha256()
    for path in compiled_sources(engine_dir):
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def extensions(engine_dir: Path = ENGINE_DIR) -> list[Path]:
    """Compiled extensions in the package that this interpreter would import."""
    suffixes = importlib.machinery.EXTENSION_SUFFIXES
    return sorted(p for p in engine_dir.iterdir() if any(p.name.endswith(s) for s in suffixes))


def is_compiled() -> bool:
    """Whether this process runs the compiled engine (its scoring module is an extension)."""
    from . import scoring

    return not (scoring.__file__ or "").endswith(".py")


def is_current(engine_dir: Path = ENGINE_DIR) -> bool:
    """Extensions are present and were built from the sources beside them."""
    if not extensions(engine_dir):
        return False
    try:
        check(engine_dir)
    except StaleCompiledEngine:
        return False
    return True


def check(engine_dir: Path = ENGINE_DIR) -> None:
    """Raise StaleCompiledEngine when extensions are present but were built from other
    sources than the ones beside them (or the build left no record)."""
    if not extensions(engine_dir):
        return
    manifest = engine_dir / MANIFEST.name
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8")).get("source_digest")
    except (OSError, ValueError, AttributeError):
        recorded = None
    if recorded != source_digest(engine_dir):
        raise StaleCompiledEngine(
            f"the compiled matching engine in {engine_dir} was built from other sources than "
            "the ones beside it: rebuild it (python scripts/build_engine.py) or remove it "
            "(python scripts/build_engine.py --clean)"
        )


def import_plain_copy(workdir: Path, package: str, engine_dir: Path = ENGINE_DIR) -> ModuleType:
    """The engine's sources copied into ``workdir`` and imported as ``package``: plain
    Python whatever is built beside them (only ``.py`` files and the name tables are
    copied), to compare the compiled engine with its source."""
    target_dir = workdir / package
    for path in engine_dir.rglob("*"):
        relative = path.relative_to(engine_dir)
        if path.is_file() and "__pycache__" not in relative.parts and (
            path.suffix == ".py" or relative.parts[0] == "data"
        ):
            target = target_dir / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    if str(workdir) not in sys.path:
        sys.path.insert(0, str(workdir))
    return importlib.import_module(package)
