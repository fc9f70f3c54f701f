"""Core modules stay headless: nothing directly under src/briefreader/ (outside ui/)
imports QtWidgets or anything from briefreader.ui."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "briefreader"
# The GUI entry point: it builds the QApplication and the main window, by design.
WIRING = {"app.py"}
CORE = sorted(p for p in PACKAGE.glob("*.py") if p.name not in WIRING)


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module an import statement in the file names, anywhere (functions too)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the package
                base = "briefreader" + ("." + node.module if node.module else "")
            else:
                base = node.module or ""
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def _forbidden(module: str) -> bool:
    return any(
        module == bad or module.startswith(bad + ".")
        for bad in ("briefreader.ui", "PySide6.QtWidgets")
    )


def test_core_modules_are_found():
    names = {p.name for p in CORE}
    assert {"parse.py", "render.py", "anchor.py", "store.py", "printing.py"} <= names


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_core_module_imports_no_widgets_and_no_ui(path):
    bad = [f"{path.name}:{line} imports {mod}" for line, mod in _imported_modules(path)
           if _forbidden(mod)]
    assert not bad, "core must not import QtWidgets or briefreader.ui:\n" + "\n".join(bad)


def test_checker_catches_every_import_form(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import PySide6.QtWidgets\n"
        "from PySide6 import QtWidgets\n"
        "from PySide6.QtWidgets import QWidget\n"
        "from briefreader.ui.highlights import TextMap\n"
        "from briefreader import ui\n"
        "from .ui import theme\n"
        "def late():\n"
        "    import briefreader.ui.theme\n"
        "from PySide6.QtGui import QColor\n"
        "from briefreader import render\n",
        encoding="utf-8",
    )
    flagged = sorted({line for line, mod in _imported_modules(sample) if _forbidden(mod)})
    assert flagged == [1, 2, 3, 4, 5, 6, 8]


def test_printing_loads_without_widgets():
    code = (
        "import sys, briefreader.printing\n"
        "print(sorted(m for m in sys.modules\n"
        "             if m.startswith(('briefreader.ui', 'PySide6.QtWidgets'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"
