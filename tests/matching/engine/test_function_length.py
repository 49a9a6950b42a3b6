"""No function of the matching app (engine and services) is over 60 lines.

The engine's rules are read by people who must check them against a teacher's case;
each step stays short enough to read at once. Counted from the ``def`` line to the
function's last line, docstring included.
"""

from __future__ import annotations

import ast
from pathlib import Path

MAX_LINES = 60
MATCHING = Path(__file__).resolve().parents[3] / "matching"


def long_functions(root: Path, limit: int = MAX_LINES) -> list[str]:
    """``path:line name (n lines)`` for every function or method over ``limit`` lines."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > limit:
                    found.append(
                        f"{path.relative_to(root.parent)}:{node.lineno} {node.name} ({length} lines)"
                    )
    return found


def test_no_matching_function_is_over_60_lines() -> None:
    assert (MATCHING / "engine" / "scoring.py").is_file()  # the walk sees the code
    assert long_functions(MATCHING) == []


def test_the_walk_finds_a_long_function(tmp_path: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_LINES))
    (tmp_path / "long.py").write_text(f"def too_long() -> None:\n{body}\n", encoding="utf-8")
    (tmp_path / "short.py").write_text("def short() -> None:\n    pass\n", encoding="utf-8")
    assert [f.split(" ", 1)[1] for f in long_functions(tmp_path)] == [f"too_long ({MAX_LINES + 1} lines)"]
