"""The layout rules the project keeps: small modules, short surface handlers."""

import ast
from pathlib import Path

import pytest

from tests.paths import ROOT

PACKAGES = ("bot", "core", "jobs", "knowledge", "tests")
MODULE_LINES = 400
SURFACE_FUNCTION_LINES = 40


def _modules(*packages: str) -> list[Path]:
    """Python files of the given top-level folders, migrations left out (Alembic writes those)."""
    found = []
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.relative_to(ROOT).parts:
                found.append(path)
    return found


def _own_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of a function, less those of functions defined inside it (they are counted on their own)."""
    total = (node.end_lineno or node.lineno) - node.lineno + 1
    pending = list(ast.iter_child_nodes(node))
    while pending:
        child = pending.pop()
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            total -= (child.end_lineno or child.lineno) - child.lineno + 1
        else:
            pending.extend(ast.iter_child_nodes(child))
    return total


def long_functions(source: str, limit: int) -> list[tuple[str, int]]:
    """Functions in a module's source longer than `limit` lines of their own."""
    tree = ast.parse(source)
    return [
        (node.name, _own_lines(node))
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _own_lines(node) > limit
    ]


@pytest.mark.parametrize("path", _modules(*PACKAGES), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_is_small(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MODULE_LINES, f"{path.relative_to(ROOT)} has {lines} lines"


@pytest.mark.parametrize("path", _modules("bot"), ids=lambda p: str(p.relative_to(ROOT)))
def test_surface_functions_are_short(path: Path) -> None:
    found = long_functions(path.read_text(encoding="utf-8"), SURFACE_FUNCTION_LINES)
    assert not found, f"{path.relative_to(ROOT)}: {found}"


def test_the_checks_catch_a_long_handler_and_not_its_short_neighbours() -> None:
    body = "\n".join(f"        x{i} = {i}" for i in range(45))
    source = f"def register(app):\n    def handler():\n{body}\n    return handler\n\ndef ok():\n    pass\n"
    assert long_functions(source, SURFACE_FUNCTION_LINES) == [("handler", 46)]
