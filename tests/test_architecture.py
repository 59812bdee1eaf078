"""The import contract, checked over the source's import graph (every ``import`` and ``from ... import``
statement, inside functions too, read with ``ast``; nothing is imported to check it):

- the library (``siting``) never imports the dashboard (``ui``, ``app``), Streamlit or pydeck;
- the analysis (``siting`` outside ``siting.tracker`` and the command line) never imports the tracker;
- the tracker never imports the dashboard's pages or components, nor the command line;
- the dashboard's view models (``ui.views``) stay Streamlit- and pydeck-free, so they are tested without a
  browser.

A rule broken anywhere names the file, the line and the import.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """Every module ``path`` imports, absolute, with its line (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _module_name(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            # `from siting import tracker` imports a module too
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def _sources(*tops: str) -> list[Path]:
    return sorted(p for top in tops for p in (ROOT / top).rglob("*.py"))


def _starts(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _broken(
    files: list[Path],
    forbidden: tuple[str, ...],
    allowed_files: tuple[str, ...] = (),
    root: Path = ROOT,
) -> list[str]:
    out = []
    for path in files:
        if _starts(_module_name(path, root), allowed_files):
            continue
        for line, module in _imports(path, root):
            if _starts(module, forbidden):
                out.append(f"{path.relative_to(root)}:{line} imports {module}")
    return sorted(set(out))


def test_the_import_reader_sees_relative_nested_and_from_imports(tmp_path):
    pkg = tmp_path / "siting" / "tracker"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    src = pkg / "core.py"
    src.write_text(
        "from . import db\nfrom ..io import readers\n\ndef f():\n    import streamlit as st\n"
        "from siting import tracker\n",
        encoding="utf-8",
    )
    found = _imports(src, tmp_path)
    assert (1, "siting.tracker.db") in found
    assert (2, "siting.io.readers") in found
    assert (5, "streamlit") in found
    assert (6, "siting.tracker") in found
    assert _broken([src], ("streamlit",), root=tmp_path) == [
        "siting/tracker/core.py:5 imports streamlit"
    ]
    assert _broken([src], ("streamlit",), ("siting.tracker",), root=tmp_path) == []
    assert len(_sources("siting")) > 60


def test_the_library_never_imports_the_dashboard():
    assert _broken(_sources("siting"), ("ui", "app", "streamlit", "pydeck")) == []


def test_the_analysis_never_imports_the_tracker():
    # the command line wires the tracker's commands in, and the sample tracker builds one: both are
    # entry points, not analysis; so is backup/restore
    # (siting.backup), which copies the tracker's database; and so is the HTTP API (siting.api), which serves it
    allowed = ("siting.tracker", "siting.cli", "siting.samples.tracker", "siting.__main__", "siting.backup",
               "siting.api")
    assert _broken(_sources("siting"), ("siting.tracker",), allowed) == []


def test_the_tracker_never_imports_pages_or_the_command_line():
    assert (
        _broken(_sources("siting/tracker"), ("ui", "app", "siting.cli", "streamlit", "pydeck"))
        == []
    )


def test_view_models_stay_browser_free():
    assert _broken(_sources("ui/views"), ("streamlit", "pydeck", "ui.pages", "ui.components")) == []
