"""A size budget: modules small enough to hold one concern, functions short enough to read at once.

Something that truly must be longer goes in ALLOWED with the reason; the list is meant to stay short."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT
from tests.test_architecture import product_modules, relative

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60

# path or path::function -> why it may be longer.
ALLOWED: dict[str, str] = {}


def long_functions(path: Path) -> list[tuple[str, int]]:
    """(name, lines) of each function or method in `path` longer than the budget."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            lines = (node.end_lineno or node.lineno) - node.lineno + 1
            if lines > MAX_FUNCTION_LINES:
                found.append((node.name, lines))
    return found


def measured() -> list[Path]:
    return product_modules() + sorted((ROOT / "bench").glob("*.py"))


def test_no_module_is_over_budget() -> None:
    over = {
        relative(p): n
        for p in measured()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES and relative(p) not in ALLOWED
    }
    assert over == {}, f"modules over {MAX_MODULE_LINES} lines: split them by concern"


def test_no_function_is_over_budget() -> None:
    over = {
        f"{relative(p)}::{name}": n
        for p in measured()
        for name, n in long_functions(p)
        if f"{relative(p)}::{name}" not in ALLOWED
    }
    assert over == {}, f"functions over {MAX_FUNCTION_LINES} lines: name their steps"


def test_the_budget_catches_a_long_function(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("def f() -> None:\n" + "    x = 1\n" * MAX_FUNCTION_LINES, encoding="utf-8")
    assert long_functions(probe) == [("f", MAX_FUNCTION_LINES + 1)]


def test_every_allowance_is_still_needed() -> None:
    """An allowance for code that has since shrunk or gone is removed, so the list stays honest."""
    for key in ALLOWED:
        path, _, function = key.partition("::")
        assert (ROOT / path).exists(), f"{key}: no such file"
        if function:
            assert function in dict(long_functions(ROOT / path)), f"{key}: no longer over budget"
        else:
            assert len((ROOT / path).read_text(encoding="utf-8").splitlines()) > MAX_MODULE_LINES
