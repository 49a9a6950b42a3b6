"""The compiled engine: a build of other sources is refused, and a build decides exactly as
its source does (compared on the dev corpus, when the engine here is compiled)."""

from __future__ import annotations

import importlib.machinery
import json
import shutil
from pathlib import Path

import pytest

from matching.engine import compiled
from matching.engine.types import EssayInput, RosterStudent

REPO_ROOT = Path(__file__).resolve().parents[3]
DEV_CORPUS = REPO_ROOT.parent / "shared" / "matching-corpus" / "dev.json"


@pytest.fixture
def engine_copy(tmp_path: Path) -> Path:
    """The engine's sources in a directory of their own, nothing built beside them."""
    target = tmp_path / "engine"
    target.mkdir()
    for path in compiled.ENGINE_DIR.glob("*.py"):
        shutil.copy(path, target / path.name)
    return target


def _fake_extension(engine_dir: Path) -> Path:
    path = engine_dir / f"scoring{importlib.machinery.EXTENSION_SUFFIXES[0]}"
    path.write_bytes(b"")
    return path


def test_sources_without_a_build_pass(engine_copy: Path) -> None:
    compiled.check(engine_copy)


def test_a_build_without_its_record_is_refused(engine_copy: Path) -> None:
    _fake_extension(engine_copy)
    with pytest.raises(compiled.StaleCompiledEngine, match=r"build_engine\.py"):
        compiled.check(engine_copy)


def test_a_build_of_other_sources_is_refused_and_its_own_passes(engine_copy: Path) -> None:
    _fake_extension(engine_copy)
    record = engine_copy / compiled.MANIFEST.name
    record.write_text(json.dumps({"source_digest": compiled.source_digest(engine_copy)}))
    compiled.check(engine_copy)

    scoring = engine_copy / "scoring.py"
    scoring.write_text(scoring.read_text(encoding="utf-8") + "\n# edited after the build\n")
    with pytest.raises(compiled.StaleCompiledEngine):
        compiled.check(engine_copy)


def test_the_package_entry_and_the_check_are_never_compiled(engine_copy: Path) -> None:
    names = {p.name for p in compiled.compiled_sources(engine_copy)}
    assert "__init__.py" not in names and "compiled.py" not in names
    assert {"scoring.py", "cues.py", "roster_index.py", "batch.py"} <= names


def test_the_compiled_engine_decides_as_its_source(tmp_path: Path) -> None:
    if not compiled.is_compiled():
        pytest.skip("the engine is not compiled here (scripts/build_engine.py)")
    if not DEV_CORPUS.exists():
        pytest.skip("shared corpus not found at ../shared/matching-corpus/dev.json")
    import matching.engine as built

    plain = compiled.import_plain_copy(tmp_path, "engine_plain_for_test")
    assert plain.scoring.__file__.endswith(".py")
    corpus = json.loads(DEV_CORPUS.read_text(encoding="utf-8"))
    compared = 0
    for cls in corpus["classes"]:
        results = []
        for engine in (built, plain):
            roster = [
                engine.RosterStudent(s["student_id"], s["first_name"], s["last_name"], s.get("email"))
                for s in cls["roster"]
            ]
            essays = [engine.EssayInput(e["essay_id"], e["text"], e.get("filename")) for e in cls["essays"]]
            results.append([m.to_dict() for m in engine.match_batch(essays, roster)])
        assert results[0] == results[1], cls["class_id"]
        compared += len(results[0])
    assert compared == sum(len(cls["essays"]) for cls in corpus["classes"]) > 300


def test_the_compiled_engine_types_are_the_ones_the_app_uses() -> None:
    essay = EssayInput("e1", "Namn: Anna Andersson\n\nEn text.", None)
    roster = [RosterStudent("s1", "Anna", "Andersson", None)]
    from matching.engine import match_batch

    (result,) = match_batch([essay], roster)
    assert (result.student_id, result.status) == ("s1", "high")


def _engine_tree(root: Path) -> Path:
    """A tree with the engine's sources and the build script alone."""
    (root / "matching").mkdir()
    (root / "matching" / "__init__.py").write_text("")
    shutil.copytree(
        compiled.ENGINE_DIR, root / "matching" / "engine",
        ignore=shutil.ignore_patterns("__pycache__", "*.so", "compiled.json"),
    )
    (root / "scripts").mkdir()
    shutil.copy(REPO_ROOT / "scripts" / "build_engine.py", root / "scripts" / "build_engine.py")
    return root


@pytest.mark.slow
def test_without_a_c_compiler_the_engine_stays_plain_python(tmp_path: Path) -> None:
    """``--if-possible`` (what ./scripts/run asks) turns a failed build into a notice and
    leaves no half-built engine; without it the failure is an error."""
    import os
    import subprocess
    import sys

    tree = _engine_tree(tmp_path)
    env = {**os.environ, "CC": "false", "LDSHARED": "false"}
    script = [sys.executable, "scripts/build_engine.py"]
    tolerant = subprocess.run([*script, "--if-possible"], cwd=tree, env=env, capture_output=True, text=True)
    assert tolerant.returncode == 0, tolerant.stderr
    assert "runs as plain Python" in tolerant.stderr
    engine_dir = tree / "matching" / "engine"
    assert compiled.extensions(engine_dir) == [] and not (engine_dir / "compiled.json").exists()
    strict = subprocess.run(script, cwd=tree, env=env, capture_output=True, text=True)
    assert strict.returncode != 0
    assert "false" in strict.stderr  # the compiler it was given failed, nothing earlier
    assert compiled.extensions(engine_dir) == []
    probe = "import matching.engine, matching.engine.compiled as c; print(c.is_compiled())"
    imported = subprocess.run([sys.executable, "-c", probe], cwd=tree, capture_output=True, text=True)
    assert imported.stdout.strip() == "False", imported.stderr
